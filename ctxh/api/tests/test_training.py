"""/api/v1/courses/, /api/v1/sessions/, /api/v1/attendances/: filters, scope, writes and their checks."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from ctxh.accounts.roles import Role
from ctxh.api.tests.helpers import errors, results
from ctxh.api.tests.people import build_people
from ctxh.core.reference import Sex
from ctxh.orgs.models import OrgKind
from ctxh.testing import make_user
from ctxh.training.models import Attendance, Course, Session
from ctxh.training.testing import attend, count, make_course, make_session

COURSES = "/api/v1/courses/"
SESSIONS = "/api/v1/sessions/"
ATTENDANCES = "/api/v1/attendances/"
pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def world(small_geo, network):
    """The people of people.py, and two courses.

    - "Kỹ năng công tác xã hội cơ bản" (skills, case management), organized by the province's social work
      centre: a session on 2024-03-04 completed by Hoa and Nam and by Hà Văn Khách of the old Tràng Đà
      committee, with 5 women of schools of the old Minh Xuân counted; a session on 2025-08-10 that Hoa did
      not complete.
    - "Pháp luật về trẻ em" (law, advanced), organized in Hà Nội: a session on 2023-05-06 that Hoa and Xa
      (of Hà Nội) completed.
    """
    people = build_people(small_geo, network)
    basic = make_course(network.centre, "SW_SKILLS", "CASE_MANAGEMENT",
                        title="Kỹ năng công tác xã hội cơ bản")
    s2024 = make_session(basic, dt.date(2024, 3, 4), dt.date(2024, 3, 6), place="Hội trường Sở")
    hoa_2024 = attend(s2024, people.hoa, certificate_number="CN-01")
    nam_2024 = attend(s2024, people.nam)
    guest = attend(s2024, person_name="Hà Văn Khách", sex=Sex.MALE, organization=network.old_committee)
    count(s2024, small_geo.x2, 5, org_kind=OrgKind.SCHOOL, sex=Sex.FEMALE)
    s2025 = make_session(basic, dt.date(2025, 8, 10))
    hoa_2025 = attend(s2025, people.hoa, completed=False)
    law = make_course(people.far_committee, "LAW", title="Pháp luật về trẻ em", level="advanced",
                      funding_source="oda")
    s2023 = make_session(law, dt.date(2023, 5, 6))
    hoa_2023 = attend(s2023, people.hoa)
    xa_2023 = attend(s2023, people.xa)
    return SimpleNamespace(
        people=people, basic=basic, law=law, s2023=s2023, s2024=s2024, s2025=s2025, hoa_2024=hoa_2024,
        nam_2024=nam_2024, guest=guest, hoa_2025=hoa_2025, hoa_2023=hoa_2023, xa_2023=xa_2023,
    )


@pytest.fixture
def nong_tien(small_geo):
    """An officer of Nông Tiến (02210), where Nam works since 2025-07-01."""
    return client_for(make_user("nongtien", Role.ORG_OFFICER, units=[small_geo.n2]))


@pytest.fixture
def trainer(small_geo):
    """A training officer of the province."""
    return client_for(make_user("giangvien", Role.TRAINER, units=[small_geo.new08]))


def titles(response) -> list[str]:
    return [row["title"] for row in results(response)]


def ids(response) -> list[int]:
    return [row["id"] for row in results(response)]


# --------------------------------------------------------------------------------------------- courses


def test_course_list_has_every_field_and_the_attendance_figures(api, network, world):
    rows = results(api.get(COURSES))

    assert [row["title"] for row in rows] == ["Kỹ năng công tác xã hội cơ bản", "Pháp luật về trẻ em"]
    basic = rows[0]
    assert basic["topics"] == [{"code": "SW_SKILLS", "name": "Kỹ năng công tác xã hội"},
                               {"code": "CASE_MANAGEMENT", "name": "Quản lý trường hợp"}]
    assert basic["organizer"] == {"id": network.centre.id, "code": "TT-CTXH",
                                  "name": "Trung tâm Công tác xã hội tỉnh"}
    assert (basic["level"], basic["level_label"]) == ("basic", "Tập huấn, bồi dưỡng cơ bản")
    assert (basic["funding_source"], basic["partner"], basic["version"]) == ("state_budget", None, 1)
    assert basic["stats"] == {"sessions": 2, "first_day": "2024-03-04", "last_day": "2025-08-10", "named": 4,
                              "named_completed": 3, "counted": 5, "completed": 8}
    # Hà Nội's course: only Hoa is of the province; Xa's attendance is not counted for this user.
    assert rows[1]["stats"]["named"] == 1


def test_course_filters(api, network, world):
    assert titles(api.get(COURSES, {"q": "ky nang CONG tac"})) == ["Kỹ năng công tác xã hội cơ bản"]
    assert titles(api.get(COURSES, {"topic": "law"})) == ["Pháp luật về trẻ em"]
    assert titles(api.get(COURSES, {"organizer": network.centre.id})) == ["Kỹ năng công tác xã hội cơ bản"]
    assert titles(api.get(COURSES, {"year": 2023})) == ["Pháp luật về trẻ em"]
    assert titles(api.get(COURSES, {"level": "advanced"})) == ["Pháp luật về trẻ em"]
    assert titles(api.get(COURSES, {"funding_source": "oda"})) == ["Pháp luật về trẻ em"]


@pytest.mark.parametrize(
    ("params", "param", "fragment"),
    [
        ({"topic": "COOKING"}, "topic", "SW_SKILLS"),
        ({"year": "20x4"}, "year", "bốn chữ số"),
        ({"year": "99"}, "year", "bốn chữ số"),
        ({"level": "phd"}, "level", "university"),
        ({"organizer": "x"}, "organizer", "số nguyên"),
        ({"funding_source": "bank"}, "funding_source", "oda"),
    ],
)
def test_bad_course_filters_answer_400_naming_the_parameter(api, world, params, param, fragment):
    message = errors(api.get(COURSES, params), param)

    assert f"Tham số {param}" in message
    assert fragment in message


def test_course_detail_lists_its_sessions(api, world):
    body = api.get(f"{COURSES}{world.basic.id}/").json()

    assert [(row["start_date"], row["end_date"], row["place"]) for row in body["sessions"]] == [
        ("2025-08-10", "2025-08-10", ""), ("2024-03-04", "2024-03-06", "Hội trường Sở")]
    assert body["stats"]["sessions"] == 2


def test_a_trainer_adds_a_course_of_their_centre(trainer, network, world):
    response = trainer.post(COURSES, {
        "title": "Quản lý trường hợp nâng cao", "organizer": network.centre.id, "level": "advanced",
        "topics": ["CASE_MANAGEMENT", "ETHICS"], "funding_source": "social_mobilization",
    }, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert [topic["code"] for topic in body["topics"]] == ["CASE_MANAGEMENT", "ETHICS"]
    assert body["sessions"] == [] and body["stats"]["sessions"] == 0


def test_a_course_needs_an_organizer_of_the_scope_and_known_topics(trainer, network, world):
    outside = trainer.post(COURSES, {"title": "Khóa", "organizer": world.people.far_committee.id},
                           format="json")
    assert "phạm vi" in errors(outside, "organizer")
    unknown = trainer.post(COURSES, {"title": "Khóa", "organizer": network.centre.id, "topics": ["X"]},
                           format="json")
    assert "“X”" in errors(unknown, "topics")
    assert Course.objects.count() == 2


# -------------------------------------------------------------------------------------------- sessions


def test_session_list_filters_and_figures(api, world):
    rows = results(api.get(SESSIONS, {"course": world.basic.id}))

    assert [row["id"] for row in rows] == [world.s2025.id, world.s2024.id]
    assert rows[1]["course"] == {"id": world.basic.id, "title": "Kỹ năng công tác xã hội cơ bản"}
    assert rows[1]["stats"] == {"named": 3, "named_completed": 3, "counted": 5, "completed": 8}
    assert rows[0]["stats"] == {"named": 1, "named_completed": 0, "counted": 0, "completed": 0}
    assert ids(api.get(SESSIONS, {"date_from": "2024-01-01", "date_to": "2024-12-31"})) == [world.s2024.id]
    assert ids(api.get(SESSIONS, {"date_to": "2023-12-31"})) == [world.s2023.id]
    assert "date_to" in errors(api.get(SESSIONS, {"date_from": "2025-01-01", "date_to": "2024-01-01"}),
                               "date_to")
    assert "YYYY-MM-DD" in errors(api.get(SESSIONS, {"date_from": "2025"}), "date_from")


def test_session_detail_lists_the_counted_attendance(api, small_geo, world):
    body = api.get(f"{SESSIONS}{world.s2024.id}/").json()

    assert body["counts"] == [{
        "unit": {"id": small_geo.x2.id, "code": "02203", "name": "Phường Minh Xuân"},
        "org_kind": "school", "org_kind_label": "Trường học", "sex": "female", "count": 5,
    }]
    assert (body["start_date"], body["end_date"], body["trainers"]) == ("2024-03-04", "2024-03-06", [])


def test_a_manager_adds_a_session_with_trainers(api, world):
    response = api.post(SESSIONS, {
        "course": world.basic.id, "start_date": "2025-10-01", "place": "Trung tâm",
        "trainers": [world.people.hoa.id], "trainer_names": "TS. Lê Minh",
    }, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["end_date"] == "2025-10-01"
    assert body["trainers"] == [{"id": world.people.hoa.id, "full_name": "Nguyễn Thị Hoa"}]


def test_a_session_is_added_only_to_a_course_kept_by_the_scope(api, world):
    """Hà Nội's course is visible (Hoa attended it) but kept by Hà Nội."""
    response = api.post(SESSIONS, {"course": world.law.id, "start_date": "2025-10-01"}, format="json")

    assert "phạm vi" in errors(response, "course")
    bad_dates = api.post(SESSIONS, {"course": world.basic.id, "start_date": "2025-10-05",
                                    "end_date": "2025-10-01"}, format="json")
    assert "trước ngày bắt đầu" in errors(bad_dates, "end_date")
    assert Session.objects.count() == 3


# ----------------------------------------------------------------------------------------- attendances


def test_attendance_list_and_filters(api, network, world):
    rows = results(api.get(ATTENDANCES, {"session": world.s2024.id}))

    assert [row["name"] for row in rows] == ["Nguyễn Thị Hoa", "Trần Văn Nam", "Hà Văn Khách"]
    guest = rows[2]
    assert guest["worker"] is None and guest["sex"] == "male"
    assert guest["organization"] == {"id": network.old_committee.id, "code": "UB-02206",
                                     "name": "UBND xã Tràng Đà"}
    assert rows[0]["worker"] == {"id": world.people.hoa.id, "full_name": "Nguyễn Thị Hoa"}
    assert (rows[0]["sex"], rows[0]["certificate_number"], rows[0]["completed"]) == ("female", "CN-01", True)
    assert rows[0]["session"] == {"id": world.s2024.id, "start_date": "2024-03-04", "course": {
        "id": world.basic.id, "title": "Kỹ năng công tác xã hội cơ bản"}}
    assert ids(api.get(ATTENDANCES, {"worker": world.people.hoa.id})) == [
        world.hoa_2025.id, world.hoa_2024.id, world.hoa_2023.id]
    assert ids(api.get(ATTENDANCES, {"worker": world.people.hoa.id, "completed": "false"})) == [
        world.hoa_2025.id]
    assert ids(api.get(ATTENDANCES, {"course": world.law.id})) == [world.hoa_2023.id]  # not Xa of Hà Nội
    assert "true hoặc false" in errors(api.get(ATTENDANCES, {"completed": "yes"}), "completed")


def test_a_trainer_adds_named_and_external_people(trainer, network, world):
    response = trainer.post(ATTENDANCES, {"session": world.s2025.id, "worker": world.people.nam.id,
                                          "completed": True, "certificate_number": "CN-77"}, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["name"], response.json()["certificate_number"]) == ("Trần Văn Nam", "CN-77")

    response = trainer.post(ATTENDANCES, {"session": world.s2025.id, "person_name": "Vũ Thị Ngoài",
                                          "sex": "female", "organization_name": "Hội Phụ nữ xã",
                                          "position_title": "Chi hội trưởng"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["organization_name"] == "Hội Phụ nữ xã"


def test_the_same_person_twice_in_a_session_answers_400_naming_the_field(trainer, world):
    twice = trainer.post(ATTENDANCES, {"session": world.s2024.id, "worker": world.people.hoa.id},
                         format="json")
    assert errors(twice, "worker") == "Nguyễn Thị Hoa đã có trong danh sách dự lớp này."

    guest_again = trainer.post(ATTENDANCES, {
        "session": world.s2024.id, "person_name": "ha van khach", "sex": "male",
        "organization": world.guest.organization_id}, format="json")
    assert "đã có trong danh sách" in errors(guest_again, "person_name")
    assert Attendance.objects.filter(session=world.s2024).count() == 3


@pytest.mark.parametrize(
    ("body", "field", "fragment"),
    [
        ({"person_name": "Người Mới"}, "sex", "giới tính"),
        ({}, "worker", "Hãy chọn"),
        ({"person_name": "Người Mới", "sex": "female", "certificate_number": "CN-9"}, "certificate_number",
         "hoàn thành"),
        ({"worker": "abc"}, "worker", "số nguyên"),
        ({"person_name": "Người Mới", "sex": "female", "completed": "có"}, "completed", "true hoặc false"),
    ],
)
def test_bad_attendance_answers_400_naming_the_field(trainer, world, body, field, fragment):
    response = trainer.post(ATTENDANCES, {"session": world.s2025.id, **body}, format="json")

    assert fragment in errors(response, field)
    assert Attendance.objects.filter(session=world.s2025).count() == 1


def test_attendance_is_added_only_to_sessions_kept_by_the_scope(trainer, api, world):
    response = trainer.post(ATTENDANCES, {"session": world.s2023.id, "worker": world.people.nam.id},
                            format="json")
    assert "phạm vi" in errors(response, "session")
    # Xa works in Hà Nội: not a person of the province manager's scope.
    response = api.post(ATTENDANCES, {"session": world.s2025.id, "worker": world.people.xa.id}, format="json")
    assert "phạm vi" in errors(response, "worker")


def test_training_writes_need_the_capability(small_geo, network, world):
    leader = client_for(make_user("lanhdao", Role.LEADER, units=[small_geo.new08]))

    assert leader.get(f"{COURSES}{world.basic.id}/").status_code == 200
    assert leader.post(COURSES, {"title": "Khóa", "organizer": network.centre.id},
                       format="json").status_code == 403
    assert leader.post(SESSIONS, {"course": world.basic.id, "start_date": "2025-10-01"},
                       format="json").status_code == 403
    assert leader.post(ATTENDANCES, {"session": world.s2025.id, "worker": world.people.nam.id},
                       format="json").status_code == 403
    assert Attendance.objects.count() == 6


def test_a_page_of_courses_or_sessions_costs_the_same_number_of_queries(api, network, world):
    def queries(url) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(url).status_code == 200
        return len(ctx.captured_queries)

    queries(COURSES)
    before = {url: queries(url) for url in (COURSES, SESSIONS, ATTENDANCES)}
    for number in range(6):
        course = make_course(network.centre, "LAW", "ETHICS", title=f"Khóa {number}")
        session = make_session(course, dt.date(2025, 1, number + 1))
        attend(session, world.people.hoa)
        count(session, network.school.unit, 2)
    assert {url: queries(url) for url in before} == before
