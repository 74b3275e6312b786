"""/api/v1/workers/, /api/v1/positions/, /api/v1/base-salaries/: filters, masking, writes and their checks."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from ctxh.accounts.roles import Role
from ctxh.api.tests.helpers import errors, results
from ctxh.api.tests.people import HOA_CCCD, NAM_CCCD, build_people
from ctxh.testing import make_user
from ctxh.workforce.models import AllowanceChange, BaseSalary, Position, Worker
from ctxh.workforce.testing import make_position, make_worker

WORKERS = "/api/v1/workers/"
POSITIONS = "/api/v1/positions/"
SALARIES = "/api/v1/base-salaries/"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today():
    """Today is 1 September 2025 (after the reorganization of 1 July 2025)."""
    with time_machine.travel(dt.datetime(2025, 9, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        yield dt.date(2025, 9, 1)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def people(small_geo, network):
    return build_people(small_geo, network)


@pytest.fixture
def leader(small_geo):
    """A provincial leader: reads everything of the province, changes nothing."""
    return client_for(make_user("lanhdao", Role.LEADER, units=[small_geo.new08]))


def full_names(response) -> list[str]:
    return [row["full_name"] for row in results(response)]


# --------------------------------------------------------------------------------------------- workers


def test_worker_list_has_every_field_and_the_full_cccd_for_who_may_change_the_workforce(api, people):
    [row] = results(api.get(WORKERS, {"q": "hoa"}))

    assert row == {
        "id": people.hoa.id, "full_name": "Nguyễn Thị Hoa", "sex": "female", "sex_label": "Nữ",
        "date_of_birth": "1990-05-17", "ethnicity": None, "cccd": HOA_CCCD, "phone": "0912345678",
        "sw_qualification": "none", "sw_qualification_label": "Chưa qua đào tạo công tác xã hội",
        "qualification_field": "", "professional_title": "none",
        "professional_title_label": "Chưa được bổ nhiệm",
        "version": 1,
    }
    # Đỗ Văn Xa works in Hà Nội: not in the province's list.
    assert full_names(api.get(WORKERS)) == ["Lý Thị An", "Nguyễn Thị Hoa", "Trần Văn Nam"]


def test_the_cccd_is_masked_for_a_reader_who_may_not_change_the_workforce(leader, people):
    rows = results(leader.get(WORKERS))

    assert {row["full_name"]: row["cccd"] for row in rows} == {
        "Lý Thị An": None, "Nguyễn Thị Hoa": "********3456", "Trần Văn Nam": "********4321"}
    detail = leader.get(f"{WORKERS}{people.hoa.id}/").json()
    assert detail["cccd"] == "********3456"
    assert HOA_CCCD not in leader.get(f"{WORKERS}{people.hoa.id}/").content.decode()


def test_search_ignores_diacritics_and_word_order(api, people):
    assert full_names(api.get(WORKERS, {"q": "nguyen thi hoa"})) == ["Nguyễn Thị Hoa"]
    assert full_names(api.get(WORKERS, {"q": "HOA nguyễn"})) == ["Nguyễn Thị Hoa"]
    assert full_names(api.get(WORKERS, {"q": "tran van"})) == ["Trần Văn Nam"]
    assert full_names(api.get(WORKERS, {"q": "nguyen van"})) == []


def test_only_who_may_change_the_workforce_finds_a_worker_by_the_full_cccd(api, leader, people):
    assert full_names(api.get(WORKERS, {"q": "008 085 654 321"})) == ["Trần Văn Nam"]
    assert full_names(leader.get(WORKERS, {"q": NAM_CCCD})) == []


def test_organization_filter(api, network, people):
    assert full_names(api.get(WORKERS, {"organization": network.school.id})) == ["Nguyễn Thị Hoa"]
    assert full_names(api.get(WORKERS, {"organization": network.old_school.id})) == ["Trần Văn Nam"]
    # ... with as_of: who held a position there on that day.
    assert full_names(api.get(WORKERS, {"organization": network.old_school.id, "as_of": "2025-08-01"})) == []


def test_unit_filter_covers_the_old_communes_merged_into_the_unit(api, people):
    # 02200 today is Minh Xuân: its school, and the old Phan Thiết ward's school merged into it.
    assert full_names(api.get(WORKERS, {"unit": "02200"})) == ["Nguyễn Thị Hoa", "Trần Văn Nam"]
    # 02210 (Nông Tiến) took the old Quang Trung ward of Hà Giang.
    assert full_names(api.get(WORKERS, {"unit": "02210"})) == ["Lý Thị An", "Trần Văn Nam"]
    # 02200 in 2024 was the old Phan Thiết ward, where Nam then worked.
    assert full_names(api.get(WORKERS, {"unit": "02200", "as_of": "2024-06-01"})) == ["Trần Văn Nam"]


def test_as_of_keeps_the_workers_holding_a_position_that_day(api, people):
    assert full_names(api.get(WORKERS, {"as_of": "2025-08-01"})) == ["Nguyễn Thị Hoa", "Trần Văn Nam"]
    assert full_names(api.get(WORKERS, {"as_of": "2022-06-01"})) == [
        "Lý Thị An", "Nguyễn Thị Hoa", "Trần Văn Nam"]
    assert full_names(api.get(WORKERS, {"as_of": "2020-06-01"})) == ["Trần Văn Nam"]
    assert full_names(api.get(WORKERS, {"sex": "male"})) == ["Trần Văn Nam"]


@pytest.mark.parametrize(
    ("params", "param", "fragment"),
    [
        ({"organization": "abc"}, "organization", "số nguyên"),
        ({"organization": "999999"}, "organization", "999999"),
        ({"unit": "99999"}, "unit", "99999"),
        ({"as_of": "01/07/2025"}, "as_of", "YYYY-MM-DD"),
        ({"sex": "x"}, "sex", "female"),
        ({"sw_qualification": "phd"}, "sw_qualification", "doctor"),
    ],
)
def test_bad_worker_filters_answer_400_naming_the_parameter(api, people, params, param, fragment):
    message = errors(api.get(WORKERS, params), param)

    assert f"Tham số {param}" in message
    assert fragment in message


def test_an_organization_outside_the_scope_is_a_bad_filter_like_an_unknown_one(api, people):
    message = errors(api.get(WORKERS, {"organization": people.far_committee.id}), "organization")

    assert "không tìm thấy" in message and "Ba Đình" not in message


def test_worker_detail_has_positions_with_allowance_history_and_trainings(api, network, people):
    from ctxh.training.testing import attend, make_course, make_session

    course = make_course(network.centre, "SW_SKILLS", title="Kỹ năng cơ bản")
    session = make_session(course, dt.date(2024, 3, 4))
    attend(session, people.hoa, certificate_number="CN-01")
    body = api.get(f"{WORKERS}{people.hoa.id}/").json()

    [position] = body["positions"]
    assert position["organization"] == {
        "id": network.school.id, "code": "THCS-MX", "name": "Trường THCS Minh Xuân"}
    assert (position["dedication"], position["dedication_label"]) == (
        "part_time", "Không chuyên trách, kiêm nhiệm")
    assert position["monthly_allowance_vnd"] == 2_530_000
    assert position["active"] is True
    assert [(row["effective_date"], row["monthly_allowance_vnd"]) for row in position["allowances"]] == [
        ("2024-07-01", 2_530_000), ("2021-01-01", 2_340_000)]
    assert body["trainings"] == [{
        "attendance_id": body["trainings"][0]["attendance_id"], "session_id": session.id,
        "course_id": session.course_id, "course_title": "Kỹ năng cơ bản", "start_date": "2024-03-04",
        "end_date": "2024-03-04", "completed": True, "certificate_number": "CN-01",
    }]
    nam = api.get(f"{WORKERS}{people.nam.id}/").json()
    ended = next(p for p in nam["positions"] if p["id"] == people.nam_old.id)
    assert ended["active"] is False and ended["end_date"] == "2025-06-30"
    assert ended["monthly_allowance_vnd"] == 1_800_000


def test_a_worker_list_page_costs_the_same_number_of_queries_whatever_its_size(api, network, people):
    def page_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(WORKERS, {"unit": "08", "q": "nguoi"}).status_code == 200
        return len(ctx.captured_queries)

    make_position(make_worker(), network.school)
    page_queries()
    small = page_queries()
    for _ in range(55):
        make_position(make_worker(), network.school)
    assert page_queries() == small

    def position_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert len(results(api.get(POSITIONS, {"organization": network.school.id}))) >= 1
        return len(ctx.captured_queries)

    position_queries()
    before = position_queries()
    for _ in range(3):
        make_position(make_worker(), network.school)
    assert position_queries() == before


# --- writes


def new_worker(**extra) -> dict:
    return {"full_name": " Phạm Văn Mới ", "sex": "male", "date_of_birth": "1992-04-05",
            "cccd": "008092111222", "ethnicity": "02", **extra}


def test_a_manager_adds_a_worker_with_a_first_position(api, network):
    response = api.post(WORKERS, new_worker(position={
        "organization": network.school.id, "category": "staff", "dedication": "full_time",
        "start_date": "2025-08-01", "monthly_allowance_vnd": 2_340_000,
    }), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["full_name"] == "Phạm Văn Mới" and body["version"] == 1
    assert body["ethnicity"] == {"code": "02", "name": "Tày"}
    [position] = body["positions"]
    assert position["start_date"] == "2025-08-01" and position["monthly_allowance_vnd"] == 2_340_000
    assert api.get(f"{WORKERS}{body['id']}/").status_code == 200


def test_a_scoped_user_must_give_the_first_position(api):
    message = errors(api.post(WORKERS, new_worker(), format="json"), "position")

    assert "vị trí công tác đầu tiên" in message
    assert not Worker.objects.exists()


def test_an_administrator_may_add_a_worker_without_a_position(small_geo):
    admin = client_for(make_user("quantri", Role.ADMIN))

    assert admin.post(WORKERS, new_worker(), format="json").status_code == 201


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        ({"cccd": "008192111222"}, "cccd", "giới tính"),  # digit 4 is a woman's
        ({"cccd": "12345"}, "cccd", "12 chữ số"),
        ({"sex": "other"}, "sex", "female"),
        ({"date_of_birth": "05/04/1992"}, "date_of_birth", "YYYY-MM-DD"),
        ({"ethnicity": "99"}, "ethnicity", "99"),
        ({"full_name": ""}, "full_name", "full_name"),
        ({"salary": 1}, "salary", "không được nhận"),
    ],
)
def test_bad_worker_input_answers_400_naming_the_field_and_writes_nothing(api, network, change, field,
                                                                          fragment):
    position = {"organization": network.school.id, "category": "staff", "dedication": "full_time",
                "start_date": "2025-08-01"}
    response = api.post(WORKERS, new_worker(position=position, **change), format="json")

    assert fragment in errors(response, field)
    assert not Worker.objects.exists() and not Position.objects.exists()


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        ({"organization": "old_school"}, "start_date", "không hoạt động"),  # closed on 2025-06-30
        ({"end_date": "2025-07-01"}, "end_date", "trước ngày bắt đầu"),
        ({"monthly_allowance_vnd": -5}, "monthly_allowance_vnd", "0"),
        ({"monthly_allowance_vnd": "2,5 triệu"}, "monthly_allowance_vnd", "số nguyên"),
        ({"organization": "far"}, "organization", "phạm vi"),
    ],
)
def test_a_bad_first_position_answers_400_and_writes_nothing(api, network, people, change, field, fragment):
    position = {"organization": network.school.id, "category": "staff", "dedication": "full_time",
                "start_date": "2025-08-01", **change}
    if position["organization"] == "old_school":
        position["organization"] = network.old_school.id
    if position["organization"] == "far":
        position["organization"] = people.far_committee.id
    response = api.post(WORKERS, new_worker(position=position), format="json")

    assert response.status_code == 400, response.content
    assert fragment in " ".join(response.json()["position"][field])
    assert not Worker.objects.filter(full_name="Phạm Văn Mới").exists()


def test_a_reader_without_the_capability_cannot_add_or_change_a_worker(leader, people):
    assert leader.post(WORKERS, new_worker(), format="json").status_code == 403
    response = leader.patch(f"{WORKERS}{people.hoa.id}/", {"version": 1, "phone": "1"}, format="json")
    assert response.status_code == 403
    assert Worker.objects.get(pk=people.hoa.pk).phone == "0912345678"


def test_a_change_with_the_current_version_is_saved_and_bumps_the_version(api, people):
    response = api.patch(f"{WORKERS}{people.hoa.id}/", {"version": 1, "phone": "0987654321",
                                                        "sw_qualification": "bachelor"}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["phone"], body["sw_qualification"], body["version"]) == ("0987654321", "bachelor", 2)
    assert body["cccd"] == HOA_CCCD  # fields not sent are kept


def test_a_stale_version_answers_409_with_what_changed_and_writes_nothing(api, people):
    assert api.patch(f"{WORKERS}{people.hoa.id}/", {"version": 1, "phone": "0987654321"},
                     format="json").status_code == 200
    response = api.patch(f"{WORKERS}{people.hoa.id}/", {"version": 1, "full_name": "Nguyễn Thị Hòa"},
                         format="json")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stale_version" and body["version"] == 2
    assert body["changes"] == [{"field": "phone", "label": "điện thoại", "value": "0987654321"}]
    assert "điện thoại" in body["detail"]
    assert body["current"]["full_name"] == "Nguyễn Thị Hoa"
    assert Worker.objects.get(pk=people.hoa.pk).full_name == "Nguyễn Thị Hoa"


def test_a_change_without_a_version_answers_400(api, people):
    response = api.patch(f"{WORKERS}{people.hoa.id}/", {"phone": "1"}, format="json")
    assert "Thiếu trường version" in errors(response, "version")
    response = api.patch(f"{WORKERS}{people.hoa.id}/", {"version": 1, "cccd": "008190123457", "sex": "male"},
                         format="json")
    assert "giới tính" in errors(response, "cccd")
    assert Worker.objects.get(pk=people.hoa.pk).version == 1


def test_put_and_delete_are_not_offered(api, people):
    assert api.put(f"{WORKERS}{people.hoa.id}/", new_worker(version=1), format="json").status_code == 405
    assert api.delete(f"{WORKERS}{people.hoa.id}/").status_code == 405


# ------------------------------------------------------------------------------------------- positions


def position_ids(response) -> list[int]:
    return [row["id"] for row in results(response)]


def test_position_filters(api, network, people):
    p = people
    assert sorted(position_ids(api.get(POSITIONS))) == sorted(
        [p.hoa_school.id, p.nam_old.id, p.nam_station.id, p.an_preschool.id])
    assert position_ids(api.get(POSITIONS, {"worker": p.nam.id})) == [p.nam_station.id, p.nam_old.id]
    assert position_ids(api.get(POSITIONS, {"worker": p.nam.id, "as_of": "2025-06-30"})) == [p.nam_old.id]
    assert position_ids(api.get(POSITIONS, {"organization": network.station.id})) == [p.nam_station.id]
    assert position_ids(api.get(POSITIONS, {"unit": "02210", "as_of": "2025-08-01"})) == [p.nam_station.id]
    assert position_ids(api.get(POSITIONS, {"dedication": "full_time"})) == [p.nam_old.id]
    assert "Tham số dedication" in errors(api.get(POSITIONS, {"dedication": "x"}), "dedication")
    assert "Tham số worker" in errors(api.get(POSITIONS, {"worker": "x"}), "worker")


def test_position_detail(api, network, people):
    body = api.get(f"{POSITIONS}{people.nam_station.id}/").json()

    assert body["worker"] == {"id": people.nam.id, "full_name": "Trần Văn Nam"}
    assert body["organization"]["code"] == "TYT-NT"
    assert (body["category"], body["dedication_label"]) == ("civil_servant", "Cộng tác viên")
    assert body["allowances"] == [{"id": body["allowances"][0]["id"], "effective_date": "2025-07-01",
                                   "monthly_allowance_vnd": 2_340_000, "note": ""}]


def test_a_manager_adds_a_position_to_a_worker(api, network, people):
    response = api.post(POSITIONS, {
        "worker": people.hoa.id, "organization": network.committee.id, "category": "collaborator",
        "dedication": "collaborator", "start_date": "2025-07-15", "monthly_allowance_vnd": "500000",
    }, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["monthly_allowance_vnd"] == 500_000
    assert people.hoa.positions.count() == 2


def test_a_position_for_a_worker_outside_the_scope_is_refused(api, network, people):
    response = api.post(POSITIONS, {
        "worker": people.xa.id, "organization": network.committee.id, "category": "staff",
        "dedication": "collaborator", "start_date": "2025-07-15",
    }, format="json")

    assert "phạm vi" in errors(response, "worker")
    assert people.xa.positions.count() == 1


def test_ending_a_position(api, people):
    url = f"{POSITIONS}{people.nam_station.id}/"
    # A last day before the first day (01/07/2025) is named as such.
    response = api.patch(url, {"end_date": "2025-06-01"}, format="json")
    assert "trước ngày bắt đầu" in errors(response, "end_date")

    # The old primary school closed on 30/06/2025: Nam's position there cannot outlast it.
    closed = api.patch(f"{POSITIONS}{people.nam_old.id}/", {"end_date": None}, format="json")
    assert "chấm dứt hoạt động ngày 30/06/2025" in errors(closed, "end_date")
    response = api.patch(url, {"end_date": "2025-08-31", "note": "Chuyển công tác"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["end_date"] == "2025-08-31" and response.json()["active"] is False
    assert Position.objects.get(pk=people.nam_station.pk).note == "Chuyển công tác"
    # Reopened, and made full-time.
    response = api.patch(url, {"end_date": None, "dedication": "full_time"}, format="json")
    assert (response.json()["end_date"], response.json()["dedication"]) == (None, "full_time")
    assert "non_field_errors" in api.patch(url, {}, format="json").json()


def test_a_change_of_allowance_is_a_new_row_of_the_history(api, people):
    url = f"{POSITIONS}{people.hoa_school.id}/allowances/"

    response = api.post(url, {"effective_date": "2025-09-01", "monthly_allowance_vnd": 2_700_000,
                              "note": "QĐ 12/QĐ-UBND"}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["monthly_allowance_vnd"] == 2_700_000
    assert [row["monthly_allowance_vnd"] for row in body["allowances"]] == [2_700_000, 2_530_000, 2_340_000]
    # The same day twice, a negative amount, a day before the position: 400 naming the field.
    again = api.post(url, {"effective_date": "2025-09-01", "monthly_allowance_vnd": 1}, format="json")
    assert "2.700.000" in errors(again, "effective_date")
    assert "monthly_allowance_vnd" in errors(
        api.post(url, {"effective_date": "2025-10-01", "monthly_allowance_vnd": -1}, format="json"),
        "monthly_allowance_vnd")
    assert "trong thời gian giữ vị trí" in errors(
        api.post(url, {"effective_date": "2020-01-01", "monthly_allowance_vnd": 1}, format="json"),
        "effective_date")
    assert AllowanceChange.objects.filter(position=people.hoa_school).count() == 3


def test_position_writes_need_the_capability(leader, network, people):
    assert leader.post(f"{POSITIONS}{people.hoa_school.id}/allowances/", {
        "effective_date": "2025-09-01", "monthly_allowance_vnd": 1}, format="json").status_code == 403
    assert leader.patch(f"{POSITIONS}{people.hoa_school.id}/", {"end_date": "2025-09-01"},
                        format="json").status_code == 403
    assert leader.get(f"{POSITIONS}{people.hoa_school.id}/").status_code == 200


# ---------------------------------------------------------------------------------------- base salaries


def test_every_signed_in_user_reads_the_base_salary_table(small_geo):
    nobody = client_for(make_user("khongphamvi", Role.SOCIAL_WORKER))

    rows = results(nobody.get(SALARIES))

    assert [(row["effective_date"], row["amount_vnd"]) for row in rows] == [
        ("2026-07-01", 2_530_000), ("2024-07-01", 2_340_000), ("2023-07-01", 1_800_000),
        ("2019-07-01", 1_490_000)]
    assert rows[0]["confirmed"] is False
    assert APIClient().get(SALARIES).status_code == 401


def test_only_who_manages_the_base_salary_changes_it(api):
    row = BaseSalary.objects.get(effective_date=dt.date(2026, 7, 1))

    assert api.post(SALARIES, {"effective_date": "2027-01-01", "amount_vnd": 3_000_000},
                    format="json").status_code == 403
    assert api.patch(f"{SALARIES}{row.id}/", {"amount_vnd": 1}, format="json").status_code == 403
    assert BaseSalary.objects.get(pk=row.pk).amount_vnd == 2_530_000


def test_an_administrator_corrects_a_base_salary_and_the_history_is_kept(small_geo):
    admin = client_for(make_user("quantri", Role.ADMIN))
    row = BaseSalary.objects.get(effective_date=dt.date(2026, 7, 1))

    response = admin.patch(f"{SALARIES}{row.id}/", {"amount_vnd": 2_600_000, "confirmed": True,
                                                    "instrument": "Nghị định 01/2026/NĐ-CP"}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["amount_vnd"], body["confirmed"], body["effective_date"]) == (2_600_000, True, "2026-07-01")
    assert [(h["change"], h["amount_vnd"]) for h in body["history"]] == [
        ("changed", 2_600_000), ("created", 2_530_000)]
    assert "effective_date" in errors(admin.patch(f"{SALARIES}{row.id}/", {"effective_date": "2026-08-01"},
                                                  format="json"), "effective_date")


def test_an_administrator_adds_a_base_salary(small_geo):
    admin = client_for(make_user("quantri", Role.ADMIN))

    response = admin.post(SALARIES, {"effective_date": "2028-01-01", "amount_vnd": 3_000_000,
                                     "confirmed": False}, format="json")

    assert response.status_code == 201, response.content
    assert BaseSalary.objects.get(effective_date=dt.date(2028, 1, 1)).amount_vnd == 3_000_000
    again = admin.post(SALARIES, {"effective_date": "2028-01-01", "amount_vnd": 3_100_000}, format="json")
    assert "đã có mức lương cơ sở" in errors(again, "effective_date")
    assert "amount_vnd" in errors(admin.post(SALARIES, {"effective_date": "2029-01-01", "amount_vnd": 0},
                                             format="json"), "amount_vnd")
    assert BaseSalary.objects.count() == 5


def test_a_missing_field_is_named_in_vietnamese(api, network):
    response = api.post(WORKERS, {"full_name": "A", "date_of_birth": "1990-01-01"}, format="json")

    assert errors(response, "sex") == "Thiếu trường sex: trường này là bắt buộc."
