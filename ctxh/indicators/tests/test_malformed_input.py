"""Malformed input to the monitoring pages and API answers 400 or 404 with a message naming what is wrong,
never a server error, and writes nothing.

World: ctxh/indicators/dhis2/testing.py (today 10/01/2026: 2025S2 open for entry, 2025S1 locked).
"""

import json

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from ctxh.accounts.roles import Role
from ctxh.indicators.dhis2.testing import TODAY, build_dhis2_world
from ctxh.indicators.models import DataValue
from ctxh.testing import make_user

pytestmark = pytest.mark.django_db
DHIS2 = "/api/v1/dhis2/dataValueSets"
# A number too long for Python's int() (more than 4,300 digits) and one written with an exponent.
HUGE_DIGITS = "9" * 5000
HUGE_EXPONENT = "1e400000"
# Characters that str.isdigit() accepts but int() refuses.
SUPERSCRIPT_TWO = "²"


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def world(small_geo):
    return build_dhis2_world(small_geo)


@pytest.fixture
def manager(small_geo):
    return make_user("quanly", Role.PROGRAMME_MANAGER, units=[small_geo.new08])


@pytest.fixture
def api(manager):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(manager)
    return client


@pytest.fixture
def browser(manager):
    client = Client(raise_request_exception=False)
    client.force_login(manager)
    return client


def snapshot() -> list:
    return list(DataValue.objects.order_by("pk").values_list("pk", "value", "version"))


# ---------------------------------------------------------------------------- DHIS2 export: a date range


@pytest.mark.parametrize(("start", "end", "param", "year"), [
    ("0001-01-01", "2025-12-31", "startDate", "1"),
    ("2025-01-01", "9999-12-31", "endDate", "9999"),
])
def test_dhis2_export_date_range_outside_the_years_names_the_parameter(api, world, start, end, param, year):
    response = api.get(DHIS2, {"dataSet": "CTXH_6M", "startDate": start, "endDate": end, "orgUnit": "08"})

    assert response.status_code == 400, response.content
    [message] = response.json()[param]
    assert message.startswith(f"Tham số {param}:") and f"năm {year} nằm ngoài khoảng 1900-2100" in message


# ------------------------------------------------------------------------- DHIS2 import: a huge number


GOOD = {"dataElement": "COUNSELLED_PEOPLE", "categoryOptionCombo": "MALE", "orgUnit": "02200",
        "period": "2025S2", "value": "8"}


@pytest.mark.parametrize("value", [HUGE_EXPONENT, HUGE_DIGITS])
def test_dhis2_import_of_a_huge_number_is_a_conflict_naming_the_value(api, world, value):
    before = snapshot()

    bad = {**GOOD, "categoryOptionCombo": "FEMALE", "value": value}
    response = api.post(DHIS2, {"dataSet": "CTXH_6M", "dataValues": [GOOD, bad]}, format="json")

    assert response.status_code == 409, response.content
    body = response.json()
    assert body["status"] == "ERROR"
    [conflict] = body["conflicts"]
    assert conflict["indexes"] == [1] and conflict["errorCode"] == "not_a_number"
    assert conflict["value"].startswith("Giá trị thứ 2: COUNSELLED_PEOPLE: số")
    assert "quá lớn" in conflict["value"]
    assert snapshot() == before


def test_dhis2_import_page_with_a_huge_number_shows_the_dry_run(browser, world):
    payload = {"dataSet": "CTXH_6M", "dataValues": [{**GOOD, "value": HUGE_EXPONENT}]}

    response = browser.post("/dhis2/nhap/", {
        "file": SimpleUploadedFile("dhis2.json", json.dumps(payload).encode()), "atomic_mode": "ALL",
        "import_strategy": "CREATE_AND_UPDATE"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Giá trị thứ 1: COUNSELLED_PEOPLE: số" in page and "quá lớn" in page


# ------------------------------------------------------------------------- pages: a unit id that is no id


@pytest.mark.parametrize("unit", [SUPERSCRIPT_TWO, HUGE_DIGITS])
@pytest.mark.parametrize("url", ["/bang-dieu-khien/", "/bang-dieu-khien/excel/"])
def test_dashboard_with_a_malformed_unit_answers_404(browser, world, url, unit):
    assert browser.get(url, {"unit": unit}).status_code == 404


@pytest.mark.parametrize("unit", [SUPERSCRIPT_TWO, HUGE_DIGITS])
@pytest.mark.parametrize("url", ["/bao-cao-so-lieu/tien-do/", "/bao-cao-so-lieu/tien-do/excel/"])
def test_completeness_with_a_malformed_unit_answers_404(browser, world, url, unit):
    response = browser.get(url, {"data_set": "CTXH_6M", "period": "2025S2", "unit": unit})

    assert response.status_code == 404


@pytest.mark.parametrize("version", [SUPERSCRIPT_TWO, HUGE_DIGITS])
def test_entry_form_with_a_malformed_version_saves_like_an_unversioned_cell(browser, world, small_geo,
                                                                            version):
    url = f"/bao-cao-so-lieu/CTXH_6M/2025S2/{small_geo.n1.pk}/"

    response = browser.post(url, {"v:COUNSELLED_PEOPLE.MALE": "3", "o:COUNSELLED_PEOPLE.MALE": "",
                                  "ver:COUNSELLED_PEOPLE.MALE": version})

    assert response.status_code == 200
    saved = DataValue.objects.get(unit=small_geo.n1, period_code="2025S2",
                                  data_element__code="COUNSELLED_PEOPLE", category_option_combo__code="MALE")
    assert saved.value == 3


def test_dhis2_import_of_zero_with_a_large_exponent_is_zero(api, world):
    zero = {**GOOD, "value": "0e100"}
    response = api.post(DHIS2, {"dataSet": "CTXH_6M", "dataValues": [zero]}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["importCount"]["imported"] == 1


# ------------------------------------------------------------------ CSV: a cell over the csv module's limit

LONG_CELL_CSV = "dataelement,period,orgunit\n" + "COUNSELLED_PEOPLE,2025S2,02200\n" + "x" * 200_000 + "\n"
UNREADABLE = "Dòng 3: không đọc được (một ô quá dài hoặc dấu ngoặc kép không đóng)."


def test_dhis2_csv_import_with_a_cell_too_long_answers_400_naming_the_row(api, world):
    before = snapshot()

    response = api.post(DHIS2, LONG_CELL_CSV, content_type="text/csv")

    assert response.status_code == 400
    assert response.json() == {"detail": UNREADABLE}
    assert snapshot() == before


def test_dhis2_import_page_with_a_cell_too_long_shows_the_row(browser, world):
    response = browser.post("/dhis2/nhap/", {
        "file": SimpleUploadedFile("dhis2.csv", LONG_CELL_CSV.encode()), "atomic_mode": "ALL",
        "import_strategy": "CREATE_AND_UPDATE"})

    assert response.status_code == 400
    assert UNREADABLE in response.content.decode()


def test_mapping_csv_with_a_cell_too_long_shows_the_row(browser, world):
    text = "kind,ctxh_code,dhis2_code\norgUnit,02200,ABC\n" + "x" * 200_000 + "\n"

    response = browser.post("/dhis2/anh-xa/", {"file": SimpleUploadedFile("m.csv", text.encode()),
                                               "instance": "dhis2"})

    assert response.status_code == 400
    assert UNREADABLE in response.content.decode()


def test_mapping_csv_with_a_code_too_long_names_the_row_and_writes_nothing(browser, world):
    from ctxh.indicators.models import Dhis2Mapping

    before = Dhis2Mapping.objects.count()
    text = "kind,ctxh_code,dhis2_code\norgUnit,02200,ABC\norgUnit,02210," + "X" * 81 + "\n"

    response = browser.post("/dhis2/anh-xa/", {"file": SimpleUploadedFile("m.csv", text.encode()),
                                               "instance": "dhis2"})

    assert response.status_code == 400
    assert "Dòng 3: mã dài quá 80 ký tự." in response.content.decode()
    assert Dhis2Mapping.objects.count() == before
