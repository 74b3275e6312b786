"""The admin site (/quan-tri/): administrators only, after two-factor; users with role, scope and devices."""

import re

import pytest
from django.urls import reverse

from ctxh.accounts.models import User, UserScope
from ctxh.accounts.roles import Role
from ctxh.accounts.testing import confirmed_device, current_code, login_verified
from ctxh.testing import TEST_PASSWORD, make_org, make_user

pytestmark = pytest.mark.django_db

ADD_USER = reverse("admin:accounts_user_add")
NEW_PASSWORD = "Mat-khau-moi-2025!"


@pytest.fixture
def admin_client(client, small_geo):
    admin = make_user("quan.tri", Role.ADMIN)
    login_verified(client, admin)
    client.admin = admin
    return client


def form_defaults(html: str) -> dict[str, str]:
    """The hidden inputs of an admin page (management forms of the inlines)."""
    data = {}
    for tag in re.findall(r"<input[^>]*type=\"hidden\"[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and name.group(1) != "csrfmiddlewaretoken":
            data[name.group(1)] = value.group(1) if value else ""
    return data


def scope_prefix(html: str) -> str:
    return re.search(r'name="(scopes[^"]*)-TOTAL_FORMS"', html).group(1)


def add_user(client, *, role, unit=None, org=None, username="can.bo.moi"):
    html = client.get(ADD_USER).content.decode()
    data = form_defaults(html)
    prefix = scope_prefix(html)
    data.update(
        {
            "username": username,
            "full_name": "Nguyễn Thị Mới",
            "role": role,
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            f"{prefix}-0-unit": str(unit.pk) if unit else "",
            f"{prefix}-0-organization": str(org.pk) if org else "",
        }
    )
    return client.post(ADD_USER, data)


def test_administrator_sees_users_with_role_and_full_name(admin_client):
    make_user("can.bo.xa", Role.ORG_OFFICER, full_name="Trần Văn Xã")
    response = admin_client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Trần Văn Xã" in html
    assert str(Role.ORG_OFFICER.label) in html


def test_user_page_has_scope_and_two_factor_inlines(admin_client, small_geo):
    officer = make_user("can.bo.xa", Role.ORG_OFFICER, units=[small_geo.n1])
    confirmed_device(officer)
    html = admin_client.get(reverse("admin:accounts_user_change", args=[officer.pk])).content.decode()
    assert "phạm vi" in html.lower()
    assert "ứng dụng xác thực hai lớp" in html.lower()
    # ~16,000 units: never a drop-down listing them all.
    assert html.count("<option") < 100


def test_creating_an_officer_requires_a_scope(admin_client):
    response = add_user(admin_client, role=Role.ORG_OFFICER)
    assert response.status_code == 200
    assert "cần ít nhất một đơn vị hành chính hoặc một tổ chức" in response.content.decode()
    assert not User.objects.filter(username="can.bo.moi").exists()


def test_creating_an_officer_with_a_unit(admin_client, small_geo):
    response = add_user(admin_client, role=Role.ORG_OFFICER, unit=small_geo.n1)
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="can.bo.moi")
    assert user.full_name == "Nguyễn Thị Mới"
    assert not user.is_staff
    assert list(user.scopes.values_list("unit", flat=True)) == [small_geo.n1.pk]


def test_creating_a_user_with_an_organization(admin_client, small_geo):
    org = make_org(small_geo.n1, name="Trường Tiểu học Minh Xuân")
    assert add_user(admin_client, role=Role.SOCIAL_WORKER, org=org).status_code == 302
    assert UserScope.objects.get(user__username="can.bo.moi").organization == org


def test_creating_an_administrator_gives_admin_site_access(admin_client):
    assert add_user(admin_client, role=Role.ADMIN, username="quan.tri.2").status_code == 302
    assert User.objects.get(username="quan.tri.2").is_staff


def test_staff_flag_follows_the_role(small_geo):
    user = make_user("can.bo.xa", Role.ORG_OFFICER, units=[small_geo.n1], is_staff=True)
    assert not user.is_staff
    user.role = Role.ADMIN
    user.save(update_fields=["role"])
    user.refresh_from_db()
    assert user.is_staff


def test_unit_search_ignores_diacritics_and_tells_generations_apart(admin_client, small_geo):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "accounts", "model_name": "userscope", "field_name": "unit", "term": "minh xuan"},
    )
    assert response.status_code == 200
    texts = [row["text"] for row in response.json()["results"]]
    assert any("Minh Xuân" in text and "02200" in text for text in texts)  # the new ward
    assert any(
        "Minh Xuân" in text and "02203" in text and "30/06/2025" in text for text in texts
    )  # the old one


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.ADMIN])
def test_other_roles_cannot_use_the_admin_site_even_with_two_factor(client, small_geo, role):
    user = make_user("khong.quan.tri", role, units=[small_geo.n1])
    login_verified(client, user)
    assert client.get("/quan-tri/").status_code in (302, 403)
    assert client.get(reverse("admin:accounts_user_changelist")).status_code in (302, 403)
    assert client.get(reverse("admin:accounts_user_changelist"), follow=True).status_code == 403


def test_anonymous_visitor_goes_to_the_site_log_in(client):
    response = client.get("/quan-tri/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:login"))
    assert "Tên đăng nhập" in response.content.decode()


def test_administrator_logs_in_through_password_and_code_to_reach_the_admin(client, small_geo):
    admin = make_user("quan.tri", Role.ADMIN)
    device = confirmed_device(admin)
    response = client.post(
        reverse("accounts:login"), {"username": "quan.tri", "password": TEST_PASSWORD, "next": "/quan-tri/"}
    )
    response = client.get(response.url)
    assert response.url.startswith(reverse("accounts:two_factor"))
    response = client.post(response.url, {"token": current_code(device)})
    assert response.url == "/quan-tri/"
    assert client.get("/quan-tri/").status_code == 200
