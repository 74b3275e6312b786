"""The home page: the user's scope, shortcuts by role and live counts from the scoped data."""

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

from ctxh.accounts.roles import Role
from ctxh.accounts.testing import login_verified
from ctxh.orgs.models import OrgKind
from ctxh.testing import LAST_OLD_DAY, make_org, make_user


def test_the_home_page_needs_a_login(client, db):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/tai-khoan/dang-nhap/")


def test_the_home_page_shows_the_users_units_and_counts(client, small_geo):
    make_org(small_geo.n1, "UBND phường Minh Xuân", OrgKind.COMMUNE_COMMITTEE)
    make_org(small_geo.n1, "Trường Tiểu học Minh Xuân", OrgKind.SCHOOL)
    make_org(small_geo.x3, "UBND xã Tràng Đà", valid_to=LAST_OLD_DAY)  # closed: not counted as active
    make_org(small_geo.n2, "UBND xã Nông Tiến")  # another commune: outside the scope
    officer = make_user("canbo", Role.ORG_OFFICER, units=[small_geo.n1], full_name="Trần Văn Bình")
    client.force_login(officer)

    page = client.get("/").content.decode()
    assert "Xin chào, Trần Văn Bình" in page
    assert "Cán bộ cơ sở (xã, phường, cơ sở)" in page
    scope = page[page.index('id="scope-title"'):page.index('id="shortcuts-title"')]
    assert f'href="/don-vi-hanh-chinh/{small_geo.n1.pk}/">Phường Minh Xuân' in scope
    assert "Nông Tiến" not in page

    counts = page[page.index('id="org-counts-title"'):]
    assert '<span class="ctxh-stat d-block">2</span>' in counts
    assert "Ủy ban nhân dân cấp xã</td><td class=\"text-end\">1" in counts
    assert "Trường học</td><td class=\"text-end\">1" in counts


def test_the_home_page_shows_the_users_organizations(client, small_geo):
    school = make_org(small_geo.n1, "Trường Tiểu học Minh Xuân", OrgKind.SCHOOL)
    officer = make_user("truong", Role.ORG_OFFICER, organizations=[school])
    client.force_login(officer)
    page = client.get("/").content.decode()
    scope = page[page.index('id="scope-title"'):page.index('id="shortcuts-title"')]
    assert "Trường Tiểu học Minh Xuân" in scope


def test_a_user_without_scope_is_told_so(client, db):
    client.force_login(make_user("moi", Role.SOCIAL_WORKER))
    page = client.get("/").content.decode()
    assert "chưa được gán phạm vi" in page


def test_shortcuts_follow_the_role(client, small_geo):
    leader = make_user("lanhdao", Role.LEADER, units=[small_geo.new08])
    client.force_login(leader)
    page = client.get("/").content.decode()
    assert "Tra cứu đơn vị hành chính" in page
    assert "Quản lý người dùng" not in page
    assert "Nhập tổ chức từ Excel" not in page


def test_an_administrator_sees_everything_and_user_management(client, small_geo):
    admin = make_user("quantri", Role.ADMIN)
    login_verified(client, admin)
    with time_machine.travel(dt.datetime(2025, 8, 1, 9, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), tick=False):
        page = client.get("/").content.decode()
    assert "Toàn bộ dữ liệu" in page
    assert "Quản lý người dùng" in page
    # On 01/08/2025, after the reorganization: the new province and its two communes.
    units = page[page.index('id="unit-counts-title"'):]
    assert "ngày 01/08/2025" in units
    assert '<div class="ctxh-stat">1</div>' in units and '<div class="ctxh-stat">2</div>' in units
