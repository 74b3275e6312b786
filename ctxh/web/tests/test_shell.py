"""The UI shell: navigation by role, language switch, error pages, forms, static files, template filters."""

import datetime as dt

import pytest
from django import forms
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from ctxh.accounts.roles import Role
from ctxh.accounts.testing import login_verified
from ctxh.testing import make_user
from ctxh.web.context_processors import navigation
from ctxh.web.middleware import LocaleMiddleware
from ctxh.web.templatetags.ctxh import dmy, dmy_input, validity, vnd


def nav_labels(user, path="/") -> list[str]:
    request = RequestFactory().get(path)
    request.user = user
    return [str(item.label) for item in navigation(request)["nav_items"]]


def test_a_leader_has_no_user_management_in_the_navigation(client, small_geo):
    leader = make_user("lanhdao", Role.LEADER, units=[small_geo.new08])
    assert "Quản trị người dùng" not in nav_labels(leader)
    assert {"Trang chủ", "Đơn vị hành chính"} <= set(nav_labels(leader))

    client.force_login(leader)
    page = client.get("/").content.decode()
    assert "Quản trị người dùng" not in page
    assert 'href="/quan-tri/"' not in page


def test_an_administrator_has_user_management_in_the_navigation(client, db):
    admin = make_user("quantri", Role.ADMIN)
    assert "Quản trị người dùng" in nav_labels(admin)

    login_verified(client, admin)
    page = client.get("/").content.decode()
    assert "Quản trị người dùng" in page
    assert 'href="/quan-tri/"' in page


def test_the_navigation_marks_the_current_section(small_geo):
    officer = make_user("canbo", Role.ORG_OFFICER, units=[small_geo.n1])
    request = RequestFactory().get("/don-vi-hanh-chinh/5/")
    request.user = officer
    active = [str(item.label) for item in navigation(request)["nav_items"] if item.active]
    assert active == ["Đơn vị hành chính"]


def test_an_anonymous_visitor_gets_no_navigation(rf):
    request = rf.get("/")
    request.user = AnonymousUser()
    assert navigation(request)["nav_items"] == []


def test_the_layout_shows_the_user_name_role_logout_and_skip_link(client, small_geo):
    officer = make_user("canbo", Role.ORG_OFFICER, units=[small_geo.n1], full_name="Nguyễn Thị Hoa")
    client.force_login(officer)
    page = client.get("/").content.decode()
    assert '<html lang="vi">' in page
    assert "Nguyễn Thị Hoa" in page
    assert "Cán bộ cơ sở (xã, phường, cơ sở)" in page
    assert 'action="/tai-khoan/dang-xuat/"' in page and "Đăng xuất" in page
    assert 'href="#main"' in page and 'id="main"' in page
    assert 'hx-headers=\'{"X-CSRFToken": "' in page
    assert "/static/vendor/bootstrap/bootstrap.min.css" in page
    assert "/static/vendor/htmx/htmx.min.js" in page


def test_the_language_switch_turns_the_page_into_english(client, small_geo):
    officer = make_user("canbo", Role.ORG_OFFICER, units=[small_geo.n1])
    client.force_login(officer)
    assert '<html lang="vi">' in client.get("/").content.decode()

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/don-vi-hanh-chinh/"})
    assert response.status_code == 302 and response["Location"] == "/don-vi-hanh-chinh/"
    page = client.get("/don-vi-hanh-chinh/").content.decode()
    assert '<html lang="en">' in page

    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    assert '<html lang="vi">' in client.get("/").content.decode()


def test_the_login_page_is_vietnamese_and_offers_the_language_switch(client, db):
    page = client.get("/tai-khoan/dang-nhap/").content.decode()
    assert '<html lang="vi">' in page
    assert 'action="/i18n/setlang/"' in page and "English" in page


def test_a_missing_page_answers_404_in_vietnamese(client, small_geo):
    client.force_login(make_user("canbo", Role.ORG_OFFICER, units=[small_geo.n1]))
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_the_error_page_renders_without_a_request():
    with translation.override("vi"):
        page = render_to_string("500.html")
    assert "Lỗi hệ thống" in page
    assert '<html lang="vi">' in page
    assert "Đăng xuất" not in page


def test_the_forbidden_page_is_vietnamese(rf):
    request = rf.get("/")
    request.user = AnonymousUser()
    reason = "Vai trò của bạn không có quyền xem trang này."
    # Rendered outside a request cycle: the default language, not whatever an earlier test left active.
    with translation.override(settings.LANGUAGE_CODE):
        page = render_to_string("403.html", {"exception": reason}, request)
    assert "Không có quyền truy cập" in page and reason in page


class PersonForm(forms.Form):
    name = forms.CharField(label="Họ và tên", help_text="Như trên căn cước.")
    born = forms.DateField(label="Ngày sinh")
    kind = forms.ChoiceField(label="Đối tượng", choices=[("a", "Trẻ em"), ("b", "Người cao tuổi")])
    agreed = forms.BooleanField(label="Đồng ý", required=False)


def test_a_form_error_is_rendered_next_to_the_field_with_is_invalid():
    with translation.override("vi"):
        html = str(PersonForm(data={"name": "", "born": "31/02/2020", "kind": "a"}))
    # The input is marked invalid and points to its error and help texts ...
    assert 'class="form-control is-invalid"' in html
    assert 'aria-describedby="id_name_helptext id_name_error"' in html
    # ... and the error text comes right after the input, before the help text.
    name_input = html.index('name="name"')
    name_error = html.index('<div class="invalid-feedback d-block" id="id_name_error">')
    help_text = html.index('id="id_name_helptext">Như trên căn cước.')
    assert name_input < name_error < help_text
    assert "Trường này là bắt buộc." in html[name_error:help_text]
    assert 'id="id_born_error"><div>Nhập một ngày hợp lệ.' in html


def test_form_fields_get_bootstrap_markup_labels_and_day_month_year_dates():
    with translation.override("vi"):
        html = str(PersonForm(initial={"born": dt.date(2020, 2, 29)}))
    assert '<label class="form-label" for="id_name">Họ và tên<span class="text-danger"' in html
    assert 'placeholder="dd/mm/yyyy" name="born" value="29/02/2020" class="form-control"' in html
    assert '<select name="kind" class="form-select"' in html
    assert 'class="form-check-input"' in html and '<label class="form-check-label" for="id_agreed">' in html
    assert "is-invalid" not in html


def test_a_date_field_accepts_what_the_date_picker_sends():
    form = PersonForm(data={"name": "An", "born": "2020-02-29", "kind": "a"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["born"] == dt.date(2020, 2, 29)


def test_static_files_are_served_from_the_project():
    for name in ("vendor/bootstrap/bootstrap.min.css", "vendor/bootstrap/bootstrap.bundle.min.js",
                 "vendor/htmx/htmx.min.js", "vendor/chartjs/chart.umd.min.js", "ctxh/ctxh.css"):
        assert finders.find(name), name
    with open(finders.find("vendor/bootstrap/bootstrap.min.css"), encoding="utf-8") as css:
        assert "Bootstrap  v5.3.8" in css.read(300)


@pytest.mark.parametrize(("value", "expected"), [
    (1234567, "1.234.567\u00a0₫"), (0, "0\u00a0₫"), (-50000, "-50.000\u00a0₫"), (None, ""),
])
def test_vnd_writes_money_the_vietnamese_way(value, expected):
    assert vnd(value) == expected


def test_dates_read_day_month_year():
    assert dmy(dt.date(2025, 7, 1)) == "01/07/2025"
    assert dmy(None) == ""
    assert dmy_input("2025-07-01") == "01/07/2025"
    assert dmy_input(dt.date(2025, 7, 1)) == "01/07/2025"
    assert dmy_input("không phải ngày") == "không phải ngày"


def test_validity_reads_like_a_sentence(small_geo):
    with translation.override("vi"):
        assert validity(small_geo.n1) == "01/07/2025 – nay"
        assert validity(small_geo.x1) == "đến 30/06/2025"


def test_pages_are_vietnamese_whatever_language_the_browser_asks_for(client, db):
    page = client.get("/tai-khoan/dang-nhap/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="vi">' in page.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/tai-khoan/dang-nhap/", headers={"Accept-Language": "vi"})
    assert '<html lang="en">' in page.content.decode()


def test_an_api_client_may_ask_for_english_with_accept_language(rf):
    seen = {}

    def view(request):
        seen[request.path] = request.LANGUAGE_CODE
        return HttpResponse()

    middleware = LocaleMiddleware(view)
    middleware(rf.get("/api/v1/units/", headers={"Accept-Language": "en"}))
    middleware(rf.get("/don-vi-hanh-chinh/", headers={"Accept-Language": "en"}))
    assert seen == {"/api/v1/units/": "en", "/don-vi-hanh-chinh/": "vi"}


def test_the_admin_sites_date_widget_keeps_its_text_input():
    from django.contrib.admin.widgets import AdminDateWidget

    html = AdminDateWidget().render("day", dt.date(2025, 7, 1))
    assert 'type="text"' in html and 'value="01/07/2025"' in html


def test_messages_show_as_bootstrap_alerts():
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message

    messages = [Message(constants.SUCCESS, "Đã lưu tổ chức."), Message(constants.ERROR, "Không lưu được.")]
    page = render_to_string("includes/messages.html", {"messages": messages})
    assert '<div class="alert alert-success alert-dismissible fade show"' in page
    assert '<div class="alert alert-danger alert-dismissible fade show"' in page
    assert "Đã lưu tổ chức." in page and 'role="alert"' in page
