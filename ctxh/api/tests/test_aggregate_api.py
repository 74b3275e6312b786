"""/api/v1/data-sets/ and /api/v1/data-values/: definitions, reading values by code or id (children), saving a
batch through the entry service (400 naming the cell, 403 without the capability, 404 out of scope, 409
stale), on the small geography with the clock on 15/07/2025 (2025S1 open until 30/07/2025)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from ctxh.indicators.aggregate.services import save_data_values
from ctxh.indicators.aggregate.testing import build_aggregate_world, cells
from ctxh.indicators.models import DataValue, DataValueAudit

pytestmark = pytest.mark.django_db
VALUES = "/api/v1/data-values/"


@pytest.fixture
def w(small_geo):
    with time_machine.travel(dt.datetime(2025, 7, 15, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), tick=False):
        yield build_aggregate_world(small_geo)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def batch(unit="02200", period="2025S1", data_set="CTXH_6M", **values) -> dict:
    rows = []
    for key, value in values.items():
        element, _sep, option = key.partition("__")
        rows.append({"dataElement": element, "categoryOptionCombo": option or "default", "value": value})
    return {"dataSet": data_set, "period": period, "unit": unit, "dataValues": rows}


def test_data_sets_describe_elements_cells_rules_and_period_type(w):
    response = client_for(w.leader).get("/api/v1/data-sets/CTXH_6M/")
    assert response.status_code == 200
    body = response.json()
    assert (body["period_type"], body["unit_level"], body["expiry_days"], body["timely_days"]) == (
        "SixMonthly", 3, 30, 15)
    people = next(e for e in body["elements"] if e["code"] == "COUNSELLED_PEOPLE")
    assert people["category_combo"] == "SEX"
    assert people["options"] == [{"code": "MALE", "name": "Nam", "dimensions": {"sex": "male"}},
                                 {"code": "FEMALE", "name": "Nữ", "dimensions": {"sex": "female"}}]
    rule = next(r for r in body["rules"] if r["code"] == "COUNSELLED_CHILDREN_LE_PEOPLE")
    assert (rule["left_side"], rule["operator"], rule["right_side"], rule["action"]) == (
        "#{COUNSELLED_CHILDREN}", "<=", "#{COUNSELLED_PEOPLE}", "refuse")
    listed = client_for(w.leader).get("/api/v1/data-sets/").json()["results"]
    assert [s["code"] for s in listed] == ["CTXH_6M", "CTXH_YEAR"]
    assert client_for(w.leader).get("/api/v1/data-sets/NOPE/").status_code == 404


def test_a_batch_is_saved_and_read_back_by_code_with_versions(w):
    api = client_for(w.officer_n1)
    response = api.post(VALUES, batch(COUNSELLED_PEOPLE__MALE="10", COUNSELLED_PEOPLE__FEMALE=12,
                                      FACILITIES_TOTAL="3"), format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 3, "updated": 0, "deleted": 0, "unchanged": 0, "warnings": [],
                               "dryRun": False}
    assert set(DataValueAudit.objects.values_list("source", flat=True)) == {"api"}
    rows = api.get(VALUES, {"dataSet": "CTXH_6M", "period": "2025S1", "unit": "02200"}).json()["results"]
    found = [(r["dataElement"], r["categoryOptionCombo"], r["value"], r["version"], r["unit"]) for r in rows]
    assert found == [
        ("COUNSELLED_PEOPLE", "MALE", 10, 1, "02200"), ("COUNSELLED_PEOPLE", "FEMALE", 12, 1, "02200"),
        ("FACILITIES_TOTAL", "default", 3, 1, "02200")]
    assert rows[0]["unitId"] == w.geo.x1.pk  # 02200 in 2025S1 is the old Phan Thiết ward
    by_id = api.get(VALUES, {"dataSet": "CTXH_6M", "period": "2025S1", "unitId": w.geo.x1.pk}).json()
    assert by_id["count"] == 3
    again = api.post(VALUES, batch(COUNSELLED_PEOPLE__MALE="10"), format="json").json()
    assert (again["created"], again["unchanged"]) == (0, 1)  # a double submit changes nothing


def test_children_lists_the_reporting_units_under_a_unit_in_scope(w):
    save_data_values(user=w.officer_n1, data_set=w.six_months, unit=w.geo.x2, period_code="2025S1",
                     values=cells(FACILITIES_TOTAL="2"))
    save_data_values(user=w.officer_n2, data_set=w.six_months, unit=w.geo.y1, period_code="2025S1",
                     values=cells(FACILITIES_TOTAL="7"))
    manager = client_for(w.manager).get(VALUES, {"dataSet": "CTXH_6M", "period": "2025S1",
                                                 "unitId": w.geo.new08.pk, "children": "true"}).json()
    assert sorted(r["unit"] for r in manager["results"]) == ["00700", "02203"]
    officer = client_for(w.officer_n1).get(VALUES, {"dataSet": "CTXH_6M", "period": "2025S1",
                                                    "unitId": w.geo.n1.pk, "children": "true"}).json()
    assert [r["unit"] for r in officer["results"]] == ["02203"]


def test_bad_values_answer_400_naming_the_cell_and_write_nothing(w):
    api = client_for(w.officer_n1)
    response = api.post(VALUES, batch(COUNSELLED_PEOPLE__FEMALE="1.234", COUNSELLED_PEOPLE__MALE=-2,
                                      NOPE="1"), format="json")
    assert response.status_code == 400
    body = response.json()
    assert "“1.234” có dấu phân cách hàng nghìn" in body["COUNSELLED_PEOPLE.FEMALE"][0]
    assert "(COUNSELLED_PEOPLE.MALE): “-2” là số âm" in body["COUNSELLED_PEOPLE.MALE"][0]
    assert "không có trong bộ số liệu CTXH_6M" in body["NOPE.default"][0]
    assert not DataValue.objects.exists()


def test_a_refusing_rule_answers_400_keyed_by_the_element(w):
    response = client_for(w.officer_n1).post(VALUES, batch(FACILITIES_TOTAL="2", FACILITIES_PROVIDING="3"),
                                             format="json")
    assert response.status_code == 400
    assert "Số cơ sở cung cấp dịch vụ không được lớn hơn" in response.json()["FACILITIES_PROVIDING"][0]
    assert not DataValue.objects.exists()


def test_period_and_data_set_errors_name_their_parameter(w):
    api = client_for(w.officer_n1)
    assert "period: Kỳ “2025” không phải kỳ của bộ số liệu CTXH_6M" in api.post(
        VALUES, batch(period="2025", FACILITIES_TOTAL="1"), format="json").json()["period"][0]
    assert "không có bộ số liệu mã “X”" in api.post(
        VALUES, batch(data_set="X", FACILITIES_TOTAL="1"), format="json").json()["dataSet"][0]
    assert "đã khóa nhập liệu" not in str(api.post(VALUES, batch(FACILITIES_TOTAL="1"), format="json").json())
    missing = api.get(VALUES, {"period": "2025S1", "unit": "02200"})
    assert missing.status_code == 400 and "dataSet" in missing.json()
    both = api.get(VALUES, {"dataSet": "CTXH_6M", "period": "2025S1", "unit": "02200", "unitId": 1})
    assert both.status_code == 400 and "unit" in both.json()
    unknown = api.post(VALUES, {**batch(FACILITIES_TOTAL="1"), "strategy": "x"}, format="json")
    assert unknown.status_code == 400 and "strategy" in unknown.json()


def test_a_stale_version_answers_409_with_the_current_value(w):
    api = client_for(w.officer_n1)
    api.post(VALUES, batch(FACILITIES_TOTAL="3"), format="json")
    client_for(w.manager).post(VALUES, batch(FACILITIES_TOTAL="4"), format="json")
    body = batch()
    body["dataValues"] = [{"dataElement": "FACILITIES_TOTAL", "value": "5", "version": 1}]
    response = api.post(VALUES, body, format="json")
    assert response.status_code == 409
    cell = response.json()["cells"][0]
    assert (cell["cell"], cell["value"], cell["version"]) == ("FACILITIES_TOTAL.default", 4, 2)
    assert "giá trị hiện tại là 4" in cell["message"]


def test_a_dry_run_writes_nothing(w):
    response = client_for(w.officer_n1).post(VALUES, {**batch(FACILITIES_TOTAL="3"), "dryRun": True},
                                             format="json")
    assert response.json()["created"] == 1 and response.json()["dryRun"] is True
    assert not DataValue.objects.exists()


def test_a_role_without_the_capability_gets_403(w):
    for user in (w.leader, w.worker):
        assert client_for(user).post(VALUES, batch(FACILITIES_TOTAL="1"), format="json").status_code == 403
    assert APIClient().post(VALUES, batch(FACILITIES_TOTAL="1"), format="json").status_code == 401
    assert client_for(w.leader).get(VALUES, {"dataSet": "CTXH_6M", "period": "2025S1",
                                             "unit": "02200"}).status_code == 200  # reading is allowed


def test_a_commune_officer_cannot_read_or_write_another_communes_numbers(w):
    save_data_values(user=w.officer_n2, data_set=w.six_months, unit=w.geo.y1, period_code="2025S1",
                     values=cells(FACILITIES_TOTAL="7"))
    api = client_for(w.officer_n1)
    read = api.get(VALUES, {"dataSet": "CTXH_6M", "period": "2025S1", "unit": "00700"})
    assert read.status_code == 404
    assert read.json()["detail"] == "Không tìm thấy đơn vị hành chính (không có, hoặc ngoài phạm vi của bạn)."
    by_id = {"dataSet": "CTXH_6M", "period": "2025S1", "unitId": w.geo.y1.pk}
    assert api.get(VALUES, by_id).status_code == 404
    assert api.get(VALUES, {"dataSet": "CTXH_6M", "period": "2025S1", "unitId": w.geo.n2.pk,
                            "children": "true"}).status_code == 404
    assert api.post(VALUES, batch(unit="00700", FACILITIES_TOTAL="1"), format="json").status_code == 404
    assert api.post(VALUES, batch(unit=w.geo.y1.pk, FACILITIES_TOTAL="1"), format="json").status_code == 404
    assert DataValue.objects.get().value == 7


def test_the_schema_describes_both_endpoints(w):
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert {"/api/v1/data-sets/", "/api/v1/data-sets/{code}/", "/api/v1/data-values/"} <= set(schema["paths"])
    params = {p["name"] for p in schema["paths"]["/api/v1/data-values/"]["get"]["parameters"]}
    assert {"dataSet", "period", "unit", "unitId", "children", "page"} <= params
