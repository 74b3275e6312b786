"""The API goes through the one door: a user sees only the units and organizations of their scope."""

import pytest
from rest_framework.test import APIClient

from ctxh.accounts.roles import Role
from ctxh.api.tests.helpers import codes, results
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


# ------------------------------------------------------------------------------ workforce and training


WORKERS = "/api/v1/workers/"
POSITIONS = "/api/v1/positions/"
COURSES = "/api/v1/courses/"
SESSIONS = "/api/v1/sessions/"
ATTENDANCES = "/api/v1/attendances/"


@pytest.fixture
def people(small_geo, network):
    """people.py's workers, and a course of the province's centre attended by Hoa (Minh Xuân) and An (Nông
    Tiến), and a course of Hà Nội attended only by Xa of Hà Nội."""
    import datetime as dt

    from ctxh.api.tests.people import build_people
    from ctxh.training.testing import attend, make_course, make_session

    people = build_people(small_geo, network)
    people.course = make_course(network.centre, "SW_SKILLS")
    people.session = make_session(people.course, dt.date(2024, 4, 1))
    people.hoa_attendance = attend(people.session, people.hoa)
    people.an_attendance = attend(people.session, people.an)
    people.far_course = make_course(people.far_committee, "LAW")
    people.far_session = make_session(people.far_course, dt.date(2024, 4, 2))
    people.xa_attendance = attend(people.far_session, people.xa)
    return people


def names_of(response) -> list[str]:
    return sorted(row.get("full_name") or row.get("name") or row.get("title") for row in results(response))


def test_a_commune_user_gets_only_the_workers_of_their_organizations(minh_xuan, people):
    # Hoa works in Minh Xuân; Nam worked in the old Phan Thiết ward merged into it.
    assert names_of(minh_xuan.get(WORKERS)) == ["Nguyễn Thị Hoa", "Trần Văn Nam"]
    # Nam's position in Nông Tiến is not listed to Minh Xuân.
    nam = minh_xuan.get(f"{WORKERS}{people.nam.id}/").json()
    assert [row["id"] for row in nam["positions"]] == [people.nam_old.id]
    assert sorted(row["id"] for row in results(minh_xuan.get(POSITIONS))) == sorted(
        [people.hoa_school.id, people.nam_old.id])


@pytest.mark.parametrize(
    ("url", "name"),
    [
        (WORKERS, "an"), (WORKERS, "xa"), (POSITIONS, "an_preschool"), (POSITIONS, "nam_station"),
        (POSITIONS, "xa_position"), (COURSES, "far_course"), (SESSIONS, "far_session"),
        (ATTENDANCES, "an_attendance"), (ATTENDANCES, "xa_attendance"),
    ],
)
def test_a_guessed_id_of_another_communes_record_is_not_found(minh_xuan, people, url, name):
    response = minh_xuan.get(f"{url}{getattr(people, name).id}/")

    assert response.status_code == 404
    assert "Lý Thị An" not in response.content.decode()


def test_a_commune_user_sees_a_course_their_people_attended_but_only_their_people(minh_xuan, people):
    assert names_of(minh_xuan.get(COURSES)) == ["Tập huấn kỹ năng CTXH"]
    assert minh_xuan.get(f"{SESSIONS}{people.session.id}/").json()["stats"]["named"] == 1
    assert names_of(minh_xuan.get(ATTENDANCES)) == ["Nguyễn Thị Hoa"]


def test_a_commune_user_cannot_change_another_communes_worker(minh_xuan, people):
    """The officer may change the workforce, but only of their scope."""
    response = minh_xuan.patch(f"{WORKERS}{people.an.id}/", {"version": 1, "phone": "1"}, format="json")
    assert response.status_code == 404
    response = minh_xuan.post(f"{POSITIONS}{people.an_preschool.id}/allowances/", {
        "effective_date": "2024-01-01", "monthly_allowance_vnd": 1}, format="json")
    assert response.status_code == 404
    assert people.an_preschool.allowances.count() == 1


def test_an_indicator_for_a_unit_outside_the_scope_is_not_found(minh_xuan, people):
    outside = minh_xuan.get("/api/v1/indicators/STAFFING/values/", {"unit": "02210", "period": "2025"})
    assert outside.status_code == 404
    own = minh_xuan.get("/api/v1/indicators/STAFFING/values/", {"unit": "02200", "period": "2025"})
    assert own.status_code == 200, own.content


def test_a_user_without_scope_sees_no_workforce_or_training(people):
    client = client_for(make_user("khongphamvi2", Role.SOCIAL_WORKER))

    for url in (WORKERS, POSITIONS, COURSES, SESSIONS, ATTENDANCES):
        assert results(client.get(url)) == [], url
    assert client.get(f"{WORKERS}{people.hoa.id}/").status_code == 404
    assert client.get(f"{COURSES}{people.course.id}/").status_code == 404
    assert client.get("/api/v1/indicators/TRAINING/values/", {"unit": "08"}).status_code == 404
