"""The scope matrix: for every role and every way in, a user of one commune gets nothing of another's.

The user works in the new ward Minh Xuân (n1 of small_geo). The other commune is Nông Tiến (n2), with an
organization of its own and one recorded in the old ward Quang Trung (y1, merged into Nông Tiến). Each way in
(list page, detail, edit, close, Excel export, API list and detail, unit API, a guessed address) must show the
user's own organization and nothing of the other commune's: "not found" (404) for an object, absent from a
list; a role without the capability gets 403 and no data either. The administrator is unrestricted by design:
for that role the test asserts that both communes are visible.
"""

import io
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ctxh.accounts.roles import Capability, Role, role_can
from ctxh.accounts.testing import login_verified
from ctxh.orgs.models import OrgKind, Sector
from ctxh.testing import make_org, make_user

pytestmark = pytest.mark.django_db

ROLES = list(Role.values)


@pytest.fixture
def world(small_geo):
    g = small_geo
    own = make_org(
        g.n1, "Trường Tiểu học Minh Xuân", OrgKind.SCHOOL, code="TH-MINHXUAN", sector=Sector.EDUCATION
    )
    # Created right after `own`: its id is the next one, the first a curious user would guess.
    other = make_org(
        g.n2, "Trạm Y tế xã Nông Tiến", OrgKind.HEALTH, code="TYT-NONGTIEN", sector=Sector.HEALTH
    )
    other_old = make_org(g.y1, "UBND phường Quang Trung", code="UB-QUANGTRUNG")
    assert other.pk == own.pk + 1
    return SimpleNamespace(geo=g, own=own, other=other, other_old=other_old)


@pytest.fixture
def signed_in(client, world, request):
    """A client signed in with the role under test (administrators also pass two-factor)."""
    role = request.param
    if role == Role.ADMIN:
        user = make_user("quan.tri", role)
        login_verified(client, user)
    else:
        user = make_user(f"nguoi.dung.{role}", role, units=[world.geo.n1])
        client.force_login(user)
    client.role = role
    return client


def leaks(response, *orgs) -> list[str]:
    """Names or codes of these organizations that appear in the response."""
    body = response.content.decode("utf-8", errors="replace")
    return [text for org in orgs for text in (org.name, org.code) if text in body]


def others(world):
    return (world.other, world.other_old)


# ------------------------------------------------------------------------------------------------- ways in


def via_list_page(client, world):
    response = client.get(reverse("web:org_list"))
    assert response.status_code == 200
    assert world.own.name in response.content.decode()
    if client.role == Role.ADMIN:
        assert world.other.name in response.content.decode()
        assert world.other_old.name in response.content.decode()
    else:
        assert leaks(response, *others(world)) == []


def via_list_search(client, world):
    """Searching for the other organization by name finds nothing."""
    response = client.get(reverse("web:org_list"), {"q": "Nông Tiến"})
    assert response.status_code == 200
    if client.role == Role.ADMIN:
        assert world.other.name in response.content.decode()
    else:
        assert leaks(response, world.other) == []


def via_detail_page(client, world):
    assert client.get(reverse("web:org_detail", args=[world.own.pk])).status_code == 200
    response = client.get(reverse("web:org_detail", args=[world.other.pk]))
    if client.role == Role.ADMIN:
        assert response.status_code == 200
    else:
        assert response.status_code == 404
        assert leaks(response, *others(world)) == []


def _change_page(name: str) -> Callable:
    def check(client, world):
        for method in ("get", "post"):
            response = getattr(client, method)(reverse(name, args=[world.other.pk]))
            if client.role == Role.ADMIN:
                assert response.status_code == 200
                continue
            if role_can(client.role, Capability.CHANGE_ORGS):
                assert response.status_code == 404
            else:
                assert response.status_code in (403, 404)
            assert leaks(response, *others(world)) == []
        world.other.refresh_from_db()
        assert world.other.valid_to is None  # nothing was changed either

    return check


via_edit_page = _change_page("web:org_edit")
via_close_page = _change_page("web:org_close")


def via_excel_export(client, world):
    response = client.get(reverse("web:org_export"))
    if not role_can(client.role, Capability.EXPORT_ORGS):
        assert response.status_code == 403
        assert leaks(response, *others(world)) == []
        return
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    cells = {str(value) for row in sheet.iter_rows(values_only=True) for value in row if value is not None}
    assert world.own.code in cells
    if client.role == Role.ADMIN:
        assert {world.other.code, world.other_old.code} <= cells
    else:
        assert not cells & {world.other.code, world.other.name, world.other_old.code, world.other_old.name}


def via_api_list(client, world):
    response = client.get("/api/v1/organizations/", {"page_size": 1000})
    assert response.status_code == 200
    codes = {row["code"] for row in response.json()["results"]}
    assert world.own.code in codes
    if client.role == Role.ADMIN:
        assert {world.other.code, world.other_old.code} <= codes
    else:
        assert not codes & {world.other.code, world.other_old.code}
        assert leaks(response, *others(world)) == []


def via_api_detail(client, world):
    assert client.get(f"/api/v1/organizations/{world.own.pk}/").status_code == 200
    response = client.get(f"/api/v1/organizations/{world.other.pk}/")
    if client.role == Role.ADMIN:
        assert response.status_code == 200
    else:
        assert response.status_code == 404
        assert leaks(response, *others(world)) == []


def via_api_unit_detail(client, world):
    g = world.geo
    assert client.get(f"/api/v1/units/{g.n1.pk}/").status_code == 200
    for unit in (g.n2, g.y1):
        response = client.get(f"/api/v1/units/{unit.pk}/")
        if client.role == Role.ADMIN:
            assert response.status_code == 200
        else:
            assert response.status_code == 404
            assert unit.name not in response.content.decode()


def via_guessed_url(client, world):
    """The next id after one's own organization, on the page and in the API."""
    guessed = world.own.pk + 1
    for url in (reverse("web:org_detail", args=[guessed]), f"/api/v1/organizations/{guessed}/"):
        response = client.get(url)
        if client.role == Role.ADMIN:
            assert response.status_code == 200
        else:
            assert response.status_code == 404
            assert leaks(response, *others(world)) == []


WAYS_IN = {
    "list": via_list_page,
    "list-search": via_list_search,
    "detail": via_detail_page,
    "edit": via_edit_page,
    "close": via_close_page,
    "export": via_excel_export,
    "api-list": via_api_list,
    "api-detail": via_api_detail,
    "api-unit": via_api_unit_detail,
    "guessed-url": via_guessed_url,
}


@pytest.mark.parametrize("way", list(WAYS_IN))
@pytest.mark.parametrize("signed_in", ROLES, indirect=True)
def test_a_commune_user_gets_nothing_of_another_commune(signed_in, world, way):
    WAYS_IN[way](signed_in, world)
