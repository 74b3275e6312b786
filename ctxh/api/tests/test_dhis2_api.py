"""/api/v1/dhis2/dataValueSets: DHIS2's parameters, JSON and CSV, import summaries, access log, scope.

The world is ctxh/indicators/dhis2/testing.py (today 10/01/2026: 2025S2 open for entry, 2025S1 locked).
"""

import pytest
import time_machine
from rest_framework.test import APIClient

from ctxh.accounts.roles import Role
from ctxh.api.tests.helpers import errors
from ctxh.audit.models import AccessAction, AccessLog
from ctxh.indicators.dhis2.testing import TODAY, build_dhis2_world, value_rows
from ctxh.indicators.models import DataValue
from ctxh.testing import make_user

URL = "/api/v1/dhis2/dataValueSets"
STAMP = "2025-07-15T09:30:00.000+07:00"
SECOND_HALF = {"dataSet": "CTXH_6M", "period": "2025S2", "orgUnit": "08", "children": "true"}
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def world(small_geo):
    return build_dhis2_world(small_geo)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def manager(small_geo):
    return make_user("quanly", Role.PROGRAMME_MANAGER, units=[small_geo.new08])


@pytest.fixture
def api(manager):
    return client_for(manager)


def payload(*items) -> dict:
    return {"dataSet": "CTXH_6M", "dataValues": list(items)}


GOOD = {"dataElement": "COUNSELLED_PEOPLE", "categoryOptionCombo": "MALE", "orgUnit": "02200",
        "period": "2025S2", "value": "8"}
BAD = {**GOOD, "categoryOptionCombo": "FEMALE", "value": "nhiều"}


# ------------------------------------------------------------------------------------------------- export


def test_json_export_in_dhis2_format(api, world):
    response = api.get(URL, SECOND_HALF)

    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["dataSet"] == "CTXH_6M"
    assert body["dataValues"][0] == {
        "dataElement": "COUNSELLED_PEOPLE", "period": "2025S2", "orgUnit": "02200",
        "categoryOptionCombo": "FEMALE", "attributeOptionCombo": "default", "value": "7", "comment": "",
        "storedBy": "nhaplieu", "created": STAMP, "lastUpdated": STAMP, "followup": False}
    assert [(v["dataElement"], v["orgUnit"], v["value"]) for v in body["dataValues"]] == [
        ("COUNSELLED_PEOPLE", "02200", "7"), ("FACILITIES_PROVIDING", "02210", "1"),
        ("FACILITIES_TOTAL", "02210", "2")]
    assert api.get(f"{URL}.json", SECOND_HALF).json() == body


@pytest.mark.parametrize("how", ["suffix", "text/csv", "application/csv"])
def test_csv_export_by_suffix_or_accept_header(api, world, how):
    if how == "suffix":
        response = api.get(f"{URL}.csv", SECOND_HALF)
    else:
        response = api.get(URL, SECOND_HALF, HTTP_ACCEPT=how)

    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv" if how == "suffix" else how)
    assert response["Content-Disposition"] == 'attachment; filename="dataValueSets.csv"'
    assert response.content.decode() == (
        "dataelement,period,orgunit,catoptcombo,attroptcombo,value,storedby,lastupdated,comment,followup\n"
        f"COUNSELLED_PEOPLE,2025S2,02200,FEMALE,default,7,nhaplieu,{STAMP},,false\n"
        f"FACILITIES_PROVIDING,2025S2,02210,default,default,1,nhaplieu,{STAMP},,false\n"
        f"FACILITIES_TOTAL,2025S2,02210,default,default,2,nhaplieu,{STAMP},,false\n"
    )


def test_repeated_periods_and_a_date_range(api, world):
    repeated = api.get(URL, {"dataSet": "CTXH_6M", "period": ["2025S1", "2025S2"], "orgUnit": "02200"})
    ranged = api.get(URL, {"dataSet": "CTXH_6M", "startDate": "2025-01-01", "endDate": "2025-12-31",
                           "orgUnit": "02200"})

    expected = [("2025S1", "COUNSELLED_CHILDREN", "2"), ("2025S1", "COUNSELLED_PEOPLE", "6"),
                ("2025S1", "COUNSELLED_PEOPLE", "4"), ("2025S2", "COUNSELLED_PEOPLE", "7")]
    for response in (repeated, ranged):
        rows = response.json()["dataValues"]
        assert [(v["period"], v["dataElement"], v["value"]) for v in rows] == expected


def test_every_export_is_in_the_access_log(api, world, manager):
    api.get(f"{URL}.csv", SECOND_HALF)

    entry = AccessLog.objects.get(action=AccessAction.EXPORT)
    assert entry.user == manager and entry.count == 3
    assert sorted(entry.object_ids) == sorted(
        DataValue.objects.filter(period_code="2025S2").values_list("pk", flat=True))
    assert entry.description.startswith("csv · dataSet=CTXH_6M; period=2025S2; orgUnit=08; children=true")
    assert entry.path.startswith("/api/v1/dhis2/dataValueSets.csv?")


@pytest.mark.parametrize(("params", "param", "message"), [
    ({"idScheme": "uid"}, "idScheme", "idScheme “uid” không được hỗ trợ: ctxh chỉ trao đổi theo mã"),
    ({"orgUnitIdScheme": "name"}, "orgUnitIdScheme", "“name” không được hỗ trợ"),
    ({"dataSet": ""}, "dataSet", "Tham số dataSet: hãy chọn một bộ số liệu"),
    ({"dataSet": ["CTXH_6M", "CTXH_YEAR"]}, "dataSet", "chỉ chọn một bộ số liệu"),
    ({"dataSet": "NOPE"}, "dataSet", "Tham số dataSet: Không có bộ số liệu mã “NOPE”."),
    ({"period": "2025-07"}, "period", "Tham số period: Mã kỳ “2025-07” không hợp lệ"),
    ({"period": "2025"}, "period", "không phải kỳ sáu tháng"),
    ({"period": "", "startDate": "01/01/2025", "endDate": "2025-12-31"}, "startDate", "YYYY-MM-DD"),
    ({"period": ""}, "period", "hãy chọn ít nhất một kỳ"),
    ({"orgUnit": ""}, "orgUnit", "hãy chọn ít nhất một đơn vị"),
    ({"children": "yes"}, "children", "hãy dùng true hoặc false"),
    ({"dataElement": "NOPE"}, "dataElement", "Không có phần tử dữ liệu mã “NOPE”."),
])
def test_bad_parameters_answer_400_naming_them(api, world, params, param, message):
    for url in (URL, f"{URL}.csv"):
        response = api.get(url, {**SECOND_HALF, **params})
        assert response["Content-Type"] == "application/json"  # errors are JSON even for the CSV URL
        assert message in errors(response, param)
    assert not AccessLog.objects.filter(action=AccessAction.EXPORT).exists()


# ------------------------------------------------------------------------------------------------- import


def test_a_dry_run_answers_the_summary_and_writes_nothing(api, world):
    before = value_rows()

    response = api.post(f"{URL}?dryRun=true", payload(GOOD), format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["responseType"], body["status"]) == ("ImportSummary", "SUCCESS")
    assert body["importCount"] == {"imported": 1, "updated": 0, "ignored": 0, "deleted": 0}
    assert body["importOptions"] == {"dryRun": True, "importStrategy": "CREATE_AND_UPDATE",
                                     "atomicMode": "ALL", "idSchemes": {"idScheme": "CODE"}}
    assert value_rows() == before
    assert api.post(URL, payload(GOOD), format="json").json()["importCount"]["imported"] == 1
    assert len(value_rows()) == len(before) + 1


def test_one_bad_value_refuses_the_import_with_409(api, world):
    before = value_rows()

    response = api.post(URL, payload(GOOD, BAD), format="json")

    assert response.status_code == 409
    body = response.json()
    assert body["status"] == "ERROR"
    assert body["importCount"] == {"imported": 0, "updated": 0, "ignored": 2, "deleted": 0}
    assert body["conflicts"] == [{
        "object": "COUNSELLED_PEOPLE.FEMALE 02200 2025S2",
        "value": "Giá trị thứ 2: “nhiều” không phải một số.", "errorCode": "not_a_number", "indexes": [1]}]
    assert value_rows() == before


def test_atomic_mode_none_imports_the_good_values_like_dhis2(api, world):
    response = api.post(f"{URL}?atomicMode=NONE", payload(GOOD, BAD), format="json")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["importCount"]["imported"]) == ("WARNING", 1)


def test_a_csv_body_is_imported(api, world):
    body = (b"dataelement,period,orgunit,catoptcombo,attroptcombo,value\n"
            b"COUNSELLED_PEOPLE,2025S2,02200,MALE,default,8\n")

    response = api.post(URL, body, content_type="text/csv")

    assert response.status_code == 200, response.content
    assert response.json()["importCount"]["imported"] == 1


@pytest.mark.parametrize(("url", "body", "key", "message"), [
    (f"{URL}?idScheme=uid", payload(GOOD), "idScheme", "không được hỗ trợ"),
    (f"{URL}?importStrategy=MERGE", payload(GOOD), "importStrategy", "MERGE"),
    (f"{URL}?atomicMode=OBJECT", payload(GOOD), "atomicMode", "OBJECT"),
    (f"{URL}?dryRun=maybe", payload(GOOD), "dryRun", "true hoặc false"),
    (URL, [GOOD], "payload", "đối tượng JSON"),
    (URL, {"dataValues": []}, "payload", "rỗng"),
])
def test_an_unreadable_import_answers_400(api, world, url, body, key, message):
    before = value_rows()

    response = api.post(url, body, format="json")

    assert message in " ".join(response.json()[key]) and response.status_code == 400
    assert value_rows() == before


# -------------------------------------------------------------------------------------------------- scope


def test_anonymous_callers_are_told_to_authenticate(world):
    anonymous = APIClient()

    assert anonymous.get(URL, SECOND_HALF).status_code == 401
    assert anonymous.post(URL, payload(GOOD), format="json").status_code == 401


def test_a_leader_may_export_but_not_import(world, small_geo):
    leader = client_for(make_user("lanhdao", Role.LEADER, units=[small_geo.new08]))

    assert leader.get(URL, SECOND_HALF).status_code == 200
    response = leader.post(URL, payload(GOOD), format="json")
    assert response.status_code == 403
    assert "không có quyền thay đổi" in response.json()["detail"]


def test_a_commune_officer_exports_their_commune_only(world, small_geo):
    officer = client_for(make_user("canbo", Role.ORG_OFFICER, units=[small_geo.n1]))

    own = officer.get(URL, {**SECOND_HALF, "orgUnit": "02200"})
    assert [v["orgUnit"] for v in own.json()["dataValues"]] == ["02200"]
    for code in ("08", "02210", "99999"):
        response = officer.get(URL, {**SECOND_HALF, "orgUnit": code})
        assert response.status_code == 404
        assert response.json()["detail"] == f"Không có đơn vị hành chính “{code}” trong phạm vi của bạn."
    assert officer.post(URL, payload(GOOD), format="json").status_code == 403
