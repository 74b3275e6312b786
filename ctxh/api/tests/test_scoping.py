"""The API goes through the one door: a user sees only the units and organizations of their scope."""

import pytest
from rest_framework.test import APIClient

from ctxh.accounts.roles import Role
from ctxh.api.tests.helpers import codes
from ctxh.testing import make_user

UNITS = "/api/v1/units/"
ORGS = "/api/v1/organizations/"
pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def minh_xuan(small_geo):
    """An officer of the new Minh Xuân ward (02200 from 2025-07-01)."""
    return client_for(make_user("minhxuan", Role.ORG_OFFICER, units=[small_geo.n1]))


def test_a_commune_user_gets_only_their_organizations(minh_xuan, network):
    # Their own ward's, and those recorded in the old communes merged into it.
    own = ["NGO-TE", "TH-PT", "THCS-MX", "UB-02200-MOI", "UB-02206"]
    assert sorted(codes(minh_xuan.get(ORGS))) == own
    # Filtering by a wider unit does not widen the scope; another commune's filter finds nothing.
    assert sorted(codes(minh_xuan.get(ORGS, {"unit": "08"}))) == own
    assert codes(minh_xuan.get(ORGS, {"unit": "02210", "kind": "health"})) == []


@pytest.mark.parametrize("name", ["station", "preschool", "department", "centre", "old_department"])
def test_a_guessed_id_of_another_communes_organization_is_not_found(minh_xuan, network, name):
    response = minh_xuan.get(f"{ORGS}{getattr(network, name).id}/")

    assert response.status_code == 404
    assert "Xã Nông Tiến" not in response.content.decode()


def test_a_commune_user_opens_their_own_organization(minh_xuan, network):
    assert minh_xuan.get(f"{ORGS}{network.school.id}/").status_code == 200


def test_a_commune_user_gets_only_their_units(minh_xuan, small_geo):
    assert codes(minh_xuan.get(UNITS, {"as_of": "2025-08-01"})) == ["02200"]
    assert codes(minh_xuan.get(UNITS, {"as_of": "2024-06-01"})) == ["02200", "02203", "02206"]
    assert codes(minh_xuan.get(UNITS, {"as_of": "2025-08-01", "parent": "08"})) == ["02200"]


@pytest.mark.parametrize("name", ["n2", "y1", "new08", "old08", "d024"])
def test_a_guessed_id_of_a_unit_outside_the_scope_is_not_found(minh_xuan, small_geo, name):
    assert minh_xuan.get(f"{UNITS}{getattr(small_geo, name).id}/").status_code == 404


def test_successions_list_only_units_of_the_scope(minh_xuan, small_geo):
    """Tràng Đà was split between Minh Xuân and Nông Tiến; a Minh Xuân user is shown the Minh Xuân part."""
    body = minh_xuan.get(f"{UNITS}{small_geo.x3.id}/").json()

    assert [row["code"] for row in body["successors"]] == ["02200"]
    assert [row["code"] for row in body["current_successors"]] == ["02200"]
    assert all(row["partly_merged"] for row in body["successors"])


def test_an_organization_scoped_user_sees_that_organization_and_those_under_it(network):
    client = client_for(make_user("soyte", Role.ORG_OFFICER, organizations=[network.department]))

    assert sorted(codes(client.get(ORGS))) == ["SO-YT", "TT-CTXH"]
    assert client.get(f"{ORGS}{network.school.id}/").status_code == 404
    assert codes(client.get(UNITS, {"as_of": "2025-08-01"})) == ["08"]


def test_a_user_without_scope_sees_nothing(network):
    client = client_for(make_user("khongphamvi", Role.SOCIAL_WORKER))

    assert codes(client.get(ORGS)) == []
    assert codes(client.get(UNITS)) == []
    assert client.get(f"{ORGS}{network.school.id}/").status_code == 404
