"""/api/v1/indicators/: the list, and STAFFING and TRAINING values hand-counted on a small fixture.

Today is 1 March 2026. Base salary: 1,800,000 until 30/06/2024, 2,340,000 from 01/07/2024 (default table).

Organizations (active since 2015, located in the old units, which were merged into the new province 08):
- A: People's Committee of the old Phan Thiết ward (02200 until 30/06/2025), Hoa paid 2,340,000 from 2021.
- B: school of the old Minh Xuân ward (02203), one person paid 2,000,000 from 2021.
- C: health station of the old Quang Trung ward (00700, old Hà Giang; now in 02210), Nam without allowance.
- D: department in the old Phan Thiết ward: not counted by STAFFING (kind out of the plan's scope).

STAFFING: old 08 on 30/06/2024 = 2/2 (A, B); old 08 on 31/12/2024 = 1/2 (A; B below 2,340,000); new 08 on
31/12/2025 = 1/3 (A; C has no allowance).

TRAINING (a course organized by D): 10/03/2022 completed by Hoa (A) and Nam (C), not completed by Quitter
(A); 05/05/2024: 5 women of schools counted in 02203; 02/01/2026: completed by Hoa. Phase 1 (2021-2025):
new 08 = 7, old 08 = 6 (Nam is of old Hà Giang), 02210 = 1 (Nam).
"""

import datetime as dt
from types import SimpleNamespace

import pytest
import time_machine
from rest_framework.test import APIClient

from ctxh.accounts.roles import Role
from ctxh.api.tests.helpers import errors, results
from ctxh.core.reference import Sex
from ctxh.orgs.models import OrgKind
from ctxh.testing import make_org, make_user
from ctxh.training.testing import attend, count, make_course, make_session
from ctxh.workforce.testing import make_position, make_worker, staff

URL = "/api/v1/indicators/"
STAFFING = f"{URL}STAFFING/values/"
TRAINING = f"{URL}TRAINING/values/"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        yield dt.date(2026, 3, 1)


@pytest.fixture
def world(small_geo):
    g = small_geo
    a = make_org(g.x1, "UBND phường Phan Thiết", OrgKind.COMMUNE_COMMITTEE, code="A")
    b = make_org(g.x2, "Trường THCS Minh Xuân", OrgKind.SCHOOL, code="B")
    c = make_org(g.y1, "Trạm y tế phường Quang Trung", OrgKind.HEALTH, code="C")
    d = make_org(g.x1, "Sở Lao động - Thương binh và Xã hội", OrgKind.DEPARTMENT, code="D")
    hoa = make_worker("Nguyễn Thị Hoa", Sex.FEMALE)
    make_position(hoa, a, allowance=2_340_000)
    staff(b, allowance=2_000_000)
    nam = make_worker("Trần Văn Nam", Sex.MALE)
    make_position(nam, c, allowance=None)
    quitter = make_worker("Lê Văn Bỏ", Sex.MALE)
    make_position(quitter, a, allowance=None)
    course = make_course(d, "SW_SKILLS", "CASE_MANAGEMENT")
    s2022 = make_session(course, dt.date(2022, 3, 10), dt.date(2022, 3, 12))
    attend(s2022, hoa)
    attend(s2022, nam)
    attend(s2022, quitter, completed=False)
    count(make_session(course, dt.date(2024, 5, 5)), g.x2, 5, org_kind=OrgKind.SCHOOL, sex=Sex.FEMALE)
    attend(make_session(course, dt.date(2026, 1, 2)), hoa)
    return SimpleNamespace(geo=g, a=a, b=b, c=c, d=d)


def value(api, url, **params) -> dict:
    response = api.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# ------------------------------------------------------------------------------------------------ list


def test_the_list_gives_codes_names_and_targets_per_phase(api):
    rows = results(api.get(URL))

    assert [row["code"] for row in rows] == ["STAFFING", "TRAINING", "COUNSELLED", "CHILDREN"]
    staffing, training = rows[:2]
    assert staffing["kind"] == "ratio_stock" and training["kind"] == "count_flow"
    assert staffing["name"].startswith("Tỷ lệ")
    assert [(t["phase_code"], t["value"], t["comparison"], t["end"]) for t in staffing["targets"]] == [
        ("1", 0.6, ">=", "2025-12-31"), ("2", 0.9, ">=", "2030-12-31")]
    assert [(t["phase_code"], t["value"], t["comparison"]) for t in training["targets"]] == [
        ("1", 2000.0, ">"), ("2", 3500.0, ">")]
    assert api.get(f"{URL}training/").json()["code"] == "TRAINING"
    assert api.get(f"{URL}NOPE/").status_code == 404
    assert APIClient().get(URL).status_code == 401


# -------------------------------------------------------------------------------------------- STAFFING


def test_staffing_for_a_year_is_its_value_on_the_last_day(api, world):
    body = value(api, STAFFING, unit="08", period="2024")

    assert body["code"] == "STAFFING"
    assert body["period"] | {"label": None} == {"code": "2024", "kind": "year", "label": None,
                                                "start": "2024-01-01", "end": "2024-12-31"}
    assert body["day"] == "2024-12-31"
    # In 2024 the code 08 is the old Tuyên Quang: A and B, not Hà Giang's C.
    assert (body["unit"]["id"], body["unit"]["code"]) == (world.geo.old08.id, "08")
    assert (body["numerator"], body["denominator"], body["value"]) == (1, 2, 0.5)
    assert body["target"]["value"] == 0.6 and body["target"]["met"] is False
    assert body["progress"] == pytest.approx(0.5 / 0.6)
    kinds = {row["key"]: (row["numerator"], row["denominator"]) for row in body["breakdowns"][0]["rows"]}
    assert kinds == {"commune_committee": (1, 1), "school": (0, 1)}
    [missing] = body["actionable"]["rows"]
    assert missing["code"] == "B"
    assert missing["reason"] == (
        "Phụ cấp cao nhất 2.000.000 đồng/tháng, thấp hơn mức lương cơ sở 2.340.000 đồng.")


def test_staffing_on_one_day_and_the_base_salary_rise(api, world):
    before = value(api, STAFFING, unit="08", date="2024-06-30")
    after = value(api, STAFFING, unit="08", date="2024-07-01")

    assert before["period"]["start"] == before["period"]["end"] == "2024-06-30"
    assert (before["numerator"], before["denominator"]) == (2, 2)
    assert (after["numerator"], after["denominator"]) == (1, 2)


def test_staffing_for_a_half_year_and_for_the_new_province(api, world):
    first_half = value(api, STAFFING, unit="08", period="2025S1")
    assert (first_half["day"], first_half["unit"]["id"]) == ("2025-06-30", world.geo.old08.id)
    assert (first_half["numerator"], first_half["denominator"]) == (1, 2)

    # 2025 ends in the new province: A, B and Hà Giang's C.
    year = value(api, STAFFING, unit="08", period="2025")
    assert (year["unit"]["id"], year["day"]) == (world.geo.new08.id, "2025-12-31")
    assert (year["numerator"], year["denominator"]) == (1, 3)
    assert year["status"] == "not_achieved"


def test_as_of_chooses_which_unit_a_reused_code_means(api, world):
    """08 as of 2024 is the old province, which ended on 30/06/2025: its value on its last day."""
    body = value(api, STAFFING, unit="08", period="2025", as_of="2024-06-01")

    assert (body["unit"]["id"], body["day"]) == (world.geo.old08.id, "2025-06-30")
    assert (body["numerator"], body["denominator"]) == (1, 2)


def test_staffing_without_the_actionable_list(api, world):
    body = value(api, STAFFING, unit="08", period="2024", actionable="false")

    assert "actionable" not in body
    assert body["numerator"] == 1


# -------------------------------------------------------------------------------------------- TRAINING


def test_training_over_the_phase(api, world):
    body = value(api, TRAINING, unit="08", period="2021-2025")

    assert body["unit"]["id"] == world.geo.new08.id
    assert body["period"]["start"] == "2021-01-01" and body["period"]["end"] == "2025-12-31"
    assert (body["value"], body["numerator"], body["denominator"]) == (7, None, None)
    assert body["target"]["value"] == 2000 and body["target"]["comparison"] == ">"
    assert body["progress"] == pytest.approx(7 / 2000)
    breakdowns = {b["code"]: {row["key"]: row["value"] for row in b["rows"]} for b in body["breakdowns"]}
    assert breakdowns["sex"] == {"female": 6, "male": 1}
    assert breakdowns["kind"] == {"commune_committee": 1, "school": 5, "health": 1}
    topics = next(b for b in body["breakdowns"] if b["code"] == "topic")["rows"]
    assert [(row["label"], row["value"]) for row in topics] == [
        ("Kỹ năng công tác xã hội", 7), ("Quản lý trường hợp", 7)]
    years = next(b for b in body["breakdowns"] if b["code"] == "year")["rows"]
    assert [(row["key"], row["value"], row["cumulative"]) for row in years] == [
        (2021, 0, 0), (2022, 2, 2), (2023, 0, 2), (2024, 5, 7), (2025, 0, 7)]


def test_training_for_a_year_a_commune_and_the_old_province(api, world):
    assert value(api, TRAINING, unit="08", period="2022")["value"] == 1  # old 08: Hoa, not Nam
    assert value(api, TRAINING, unit="08", period="2026")["value"] == 1
    assert value(api, TRAINING, unit="08", period="2021-2025", as_of="2024-01-01")["value"] == 6
    commune = value(api, TRAINING, unit="02210", period="2021-2025")
    assert commune["value"] == 1 and commune["target"] is None  # the target is the province's
    # One day: the session of 10/03/2022; 08 on that day is the old province (Hoa), today's takes Nam in.
    assert value(api, TRAINING, unit="08", date="2022-03-10")["value"] == 1
    assert value(api, TRAINING, unit="08", date="2022-03-10", as_of="2026-01-01")["value"] == 2


# ---------------------------------------------------------------------------------------- bad requests


@pytest.mark.parametrize(
    ("params", "param", "fragment"),
    [
        ({}, "unit", "unit=08"),
        ({"unit": "08", "period": "2025X"}, "period", "2025X"),
        ({"unit": "08", "period": "2025-2021"}, "period", "trước năm bắt đầu"),
        ({"unit": "08", "period": "2025", "date": "2025-01-01"}, "date", "period"),
        ({"unit": "08", "date": "2025-02-30"}, "date", "YYYY-MM-DD"),
        ({"unit": "08", "period": "2025", "as_of": "hôm nay"}, "as_of", "YYYY-MM-DD"),
        ({"unit": "08", "period": "2025", "actionable": "có"}, "actionable", "true hoặc false"),
        ({"unit": "08", "period": "2027"}, "period", "chưa bắt đầu"),
        ({"unit": "02206", "period": "2026", "as_of": "2024-01-01"}, "unit", "chấm dứt"),
    ],
)
def test_bad_parameters_answer_400_naming_the_parameter(api, world, params, param, fragment):
    message = errors(api.get(STAFFING, params), param)

    assert f"Tham số {param}" in message
    assert fragment in message


def test_an_unknown_indicator_or_unit_is_not_found(api, world):
    assert api.get(f"{URL}NOPE/values/", {"unit": "08", "period": "2025"}).status_code == 404
    assert api.get(STAFFING, {"unit": "77", "period": "2025"}).status_code == 404
    assert api.get(STAFFING, {"unit": "02210", "period": "2025", "as_of": "2024-01-01"}).status_code == 404


# ----------------------------------------------------------------------------------------------- scope


def test_a_unit_outside_the_scope_is_not_found_like_an_unknown_one(small_geo, world):
    nong_tien = client_for(make_user("nongtien", Role.ORG_OFFICER, units=[small_geo.n2]))

    outside = nong_tien.get(STAFFING, {"unit": "08", "period": "2025"})
    unknown = nong_tien.get(STAFFING, {"unit": "77", "period": "2025"})
    assert outside.status_code == unknown.status_code == 404
    assert outside.json()["detail"].replace("08", "77") == unknown.json()["detail"]
    assert nong_tien.get(TRAINING, {"unit": "02200", "period": "2021-2025"}).status_code == 404
    # Their own commune: Hà Giang's health station C, merged into Nông Tiến.
    own = value(nong_tien, STAFFING, unit="02210", period="2025")
    assert (own["numerator"], own["denominator"]) == (0, 1)
    assert value(nong_tien, TRAINING, unit="02210", period="2021-2025")["value"] == 1


# ---------------------------------------------------------------------------------------------- schema

NEW_LISTS = ["/api/v1/workers/", "/api/v1/positions/", "/api/v1/courses/", "/api/v1/sessions/",
             "/api/v1/attendances/", "/api/v1/indicators/{code}/values/"]


def test_the_schema_lists_the_workforce_training_and_indicator_paths():
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = response.json()["paths"]

    assert {
        "/api/v1/workers/", "/api/v1/workers/{id}/", "/api/v1/positions/", "/api/v1/positions/{id}/",
        "/api/v1/positions/{id}/allowances/", "/api/v1/base-salaries/", "/api/v1/base-salaries/{id}/",
        "/api/v1/courses/", "/api/v1/courses/{id}/", "/api/v1/sessions/", "/api/v1/sessions/{id}/",
        "/api/v1/attendances/", "/api/v1/attendances/{id}/", "/api/v1/indicators/",
        "/api/v1/indicators/{code}/", "/api/v1/indicators/{code}/values/",
    } <= set(paths)
    assert {"get", "post", "patch"} <= set(paths["/api/v1/workers/{id}/"]) | set(paths["/api/v1/workers/"])
    assert "409" in paths["/api/v1/workers/{id}/"]["patch"]["responses"]
    for path in NEW_LISTS:
        for param in paths[path]["get"]["parameters"]:
            assert param.get("description"), (path, param["name"])
    values = {param["name"] for param in paths["/api/v1/indicators/{code}/values/"]["get"]["parameters"]}
    assert values == {"code", "unit", "period", "date", "as_of", "actionable", "geography", "by", "children"}
