"""/api/v1/indicators/{code}/values/ with geography, by and children: read from the fact table.

Facts written by hand (ctxh/indicators/dhis2/testing.py `put_fact`), for 2024 (small_geo: the old Tuyên
Quang "08" until 30/06/2025, the new one "08" after, which restates the old Tuyên Quang and the old Hà Giang):

| unit | geography | COUNSELLED 2024 | by sex |
|---|---|---|---|
| old 08 | historical | 15 (10 from records, 5 reported) | female 9, male 6 |
| new 08 | current (restated) | 20 | female 12, male 8 |
| n1 (new 02200) | current | 11, an estimate (part of Tràng Đà) | — |
| d070 (old district) | historical | 15 | — |
"""

import datetime as dt

import pytest
import time_machine
from rest_framework.test import APIClient

from ctxh.accounts.roles import Role
from ctxh.api.tests.helpers import errors
from ctxh.indicators.dhis2.testing import make_reference, put_fact
from ctxh.testing import make_user

URL = "/api/v1/indicators/{code}/values/"
COUNSELLED = URL.format(code="COUNSELLED")
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def world(small_geo):
    g = small_geo
    make_reference()
    put_fact("COUNSELLED", g.old08, "2024", 15)
    from ctxh.indicators.models import IndicatorFact

    IndicatorFact.objects.filter(unit=g.old08).update(records_part=10, reported_part=5)
    put_fact("COUNSELLED", g.old08, "2024", 9, dimension="sex", category="female")
    put_fact("COUNSELLED", g.old08, "2024", 6, dimension="sex", category="male")
    put_fact("COUNSELLED", g.new08, "2024", 20)
    put_fact("COUNSELLED", g.new08, "2024", 12, dimension="sex", category="female")
    put_fact("COUNSELLED", g.new08, "2024", 8, dimension="sex", category="male")
    put_fact("COUNSELLED", g.n1, "2024", 11, is_estimate=True)
    put_fact("COUNSELLED", g.d070, "2024", 15)
    put_fact("STAFFING", g.new08, "2024", 0.5, numerator=1, denominator=2)
    return g


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def api(small_geo):
    return client_for(make_user("quanly", Role.PROGRAMME_MANAGER, units=[small_geo.new08]))


def get(api, url, **params) -> dict:
    response = api.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_current_geography_is_todays_unit_restating_the_old_ones(api, world):
    body = get(api, COUNSELLED, unit="08", period="2024", geography="current")

    assert (body["source"], body["geography"], body["unit"]["id"]) == ("facts", "current", world.new08.id)
    assert (body["value"], body["is_estimate"], body["period"]["code"]) == (20, False, "2024")
    assert body["rows"] == [] and body["children"] is None and body["by"] is None


def test_historical_geography_is_the_unit_of_the_period(api, world):
    body = get(api, COUNSELLED, unit="08", period="2024", geography="historical")

    assert (body["unit"]["id"], body["unit"]["valid_to"]) == (world.old08.id, "2025-06-30")
    assert (body["value"], body["records_part"], body["reported_part"]) == (15, 10, 5)
    assert body["computed_at"].startswith("2025-07-15T09:30:00")


def test_by_a_dimension_lists_its_categories(api, world):
    historical = get(api, COUNSELLED, unit="08", period="2024", by="sex")
    current = get(api, COUNSELLED, unit="08", period="2024", by="sex", geography="current")

    assert historical["geography"] == "historical" and historical["by"] == "sex"
    assert [(r["category"], r["label"], r["value"]) for r in historical["rows"]] == [
        ("female", "Nữ", 9), ("male", "Nam", 6)]
    assert [(r["category"], r["value"]) for r in current["rows"]] == [("female", 12), ("male", 8)]


def test_children_of_todays_unit_and_of_the_periods_unit(api, world):
    current = get(api, COUNSELLED, unit="08", period="2024", geography="current", children="true")
    historical = get(api, COUNSELLED, unit="08", period="2024", children="true")

    # Nông Tiến has no fact: a count reads 0.
    assert [(c["unit"]["code"], c["value"], c["is_estimate"]) for c in current["children"]] == [
        ("02200", 11, True), ("02210", 0, False)]
    assert [(c["unit"]["code"], c["value"]) for c in historical["children"]] == [("070", 15)]


def test_a_ratio_without_data_reads_null(api, world):
    body = get(api, URL.format(code="STAFFING"), unit="08", period="2024", geography="current",
               children="true")

    assert (body["value"], body["numerator"], body["denominator"]) == (0.5, 1, 2)
    assert [(c["unit"]["code"], c["value"]) for c in body["children"]] == [("02200", None), ("02210", None)]


def test_without_geography_by_or_children_the_live_answer_is_kept(api, world):
    body = get(api, COUNSELLED, unit="08", period="2024")

    assert "source" not in body and "breakdowns" in body and "actionable" in body


@pytest.mark.parametrize(("params", "param", "message"), [
    ({"date": "2024-06-30", "geography": "current"}, "date", "bảng tổng hợp giữ giá trị của cả kỳ"),
    ({"period": "2024-06-30", "by": "sex"}, "date", "không theo ngày"),
    ({"period": "2024", "by": "kind"}, "by", "chỉ số COUNSELLED không có phân tổ theo “kind”"),
    ({"period": "2024", "by": "colour"}, "by", "“colour” không phải cách phân tổ hợp lệ"),
    ({"period": "2024", "geography": "future"}, "geography", "“future” không phải địa giới hợp lệ"),
    ({"period": "2024", "children": "yes"}, "children", "hãy dùng true hoặc false"),
])
def test_bad_fact_parameters_answer_400(api, world, params, param, message):
    assert message in errors(api.get(COUNSELLED, {"unit": "08", **params}), param)


def test_a_commune_officer_reads_their_commune_only(world):
    officer = client_for(make_user("canbo", Role.ORG_OFFICER, units=[world.n1]))

    own = get(officer, COUNSELLED, unit="02200", period="2024", geography="current")
    assert (own["unit"]["id"], own["value"]) == (world.n1.id, 11)
    for unit, geography in (("08", "current"), ("08", "historical"), ("02210", "current")):
        response = officer.get(COUNSELLED, {"unit": unit, "period": "2024", "geography": geography})
        assert response.status_code == 404
    assert APIClient().get(COUNSELLED, {"unit": "08", "geography": "current"}).status_code == 401


def test_an_indicator_kept_only_in_the_fact_table(api, world):
    put_fact("SERVICE_FACILITIES", world.new08, "2025", 0.25, numerator=1, denominator=4)

    body = get(api, URL.format(code="SERVICE_FACILITIES"), unit="08", period="2025", geography="current")

    assert (body["value"], body["value_kind"]) == (0.25, "ratio")
    assert api.get(URL.format(code="NOPE"), {"unit": "08", "geography": "current"}).status_code == 404
