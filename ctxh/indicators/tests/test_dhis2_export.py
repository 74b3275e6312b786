"""DHIS2 dataValueSets export: the values of ctxh/indicators/dhis2/testing.py, hand-checked in JSON and CSV.

The province manager's scope is the new Tuyên Quang (08 from 01/07/2025) and, through the successions, the
old Tuyên Quang and the old Hà Giang.
"""

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from ctxh.accounts.roles import Role
from ctxh.indicators.dhis2.export import CSV_COLUMNS, build_export, data_value_set, from_csv, to_csv
from ctxh.indicators.dhis2.mapping import Kind
from ctxh.indicators.dhis2.testing import TODAY, build_dhis2_world, put_fact
from ctxh.indicators.models import Dhis2Mapping
from ctxh.indicators.registry import UnitNotAvailable
from ctxh.testing import make_unit, make_user

pytestmark = pytest.mark.django_db
STAMP = "2025-07-15T09:30:00.000+07:00"


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


def row(element, period, unit, option, value, comment="", stored_by="nhaplieu", stamp=STAMP) -> dict:
    return {"dataElement": element, "period": period, "orgUnit": unit, "categoryOptionCombo": option,
            "attributeOptionCombo": "default", "value": value, "comment": comment, "storedBy": stored_by,
            "created": stamp, "lastUpdated": stamp, "followup": False}


def short(payload) -> list[tuple]:
    return [(r["dataElement"], r["period"], r["orgUnit"], r["categoryOptionCombo"], r["value"])
            for r in payload["dataValues"]]


def test_a_data_set_for_the_old_province_and_its_communes(world, manager):
    payload = data_value_set(user=manager, data_set="CTXH_6M", periods=["2025S1"], org_units=["08"],
                             children=True)

    # In 2025S1 the code 08 is the old Tuyên Quang: its communes 02200 and 02203, not old Hà Giang's 00700.
    assert payload == {"dataSet": "CTXH_6M", "dataValues": [
        row("COUNSELLED_CHILDREN", "2025S1", "02200", "FEMALE", "2", comment="Hai em ở thôn 3"),
        row("COUNSELLED_PEOPLE", "2025S1", "02200", "FEMALE", "6"),
        row("COUNSELLED_PEOPLE", "2025S1", "02200", "MALE", "4"),
        row("COUNSELLED_PEOPLE", "2025S1", "02203", "FEMALE", "3"),
    ]}


def test_the_same_code_names_the_unit_of_each_period(world, manager):
    new = data_value_set(user=manager, data_set="CTXH_6M", periods=["2025S2"], org_units=["08"],
                         children=True)
    assert short(new) == [
        ("COUNSELLED_PEOPLE", "2025S2", "02200", "FEMALE", "7"),
        ("FACILITIES_PROVIDING", "2025S2", "02210", "default", "1"),
        ("FACILITIES_TOTAL", "2025S2", "02210", "default", "2"),
    ]
    both = data_value_set(user=manager, data_set="CTXH_6M", periods=["2025S1", "2025S2"], org_units=["02200"])
    # 02200 is Phan Thiết in the first half (3 values), Minh Xuân in the second (1 value); no children asked.
    assert short(both) == [
        ("COUNSELLED_CHILDREN", "2025S1", "02200", "FEMALE", "2"),
        ("COUNSELLED_PEOPLE", "2025S1", "02200", "FEMALE", "6"),
        ("COUNSELLED_PEOPLE", "2025S1", "02200", "MALE", "4"),
        ("COUNSELLED_PEOPLE", "2025S2", "02200", "FEMALE", "7"),
    ]


def test_the_yearly_data_set_takes_the_yearly_values_only(world, manager):
    payload = data_value_set(user=manager, data_set="CTXH_YEAR", periods=["2025"], org_units=["08"],
                             children=True)

    assert short(payload) == [("COUNSELLED_PEOPLE", "2025", "02200", "MALE", "12")]
    with pytest.raises(ValidationError) as error:
        data_value_set(user=manager, data_set="CTXH_YEAR", periods=["2025S1"], org_units=["08"])
    assert "không phải kỳ năm của bộ số liệu “CTXH_YEAR”" in error.value.message_dict["period"][0]


def test_elements_narrow_the_data_set(world, manager):
    payload = data_value_set(user=manager, data_set="CTXH_6M", elements=["COUNSELLED_CHILDREN"],
                             periods=["2025S1"], org_units=["08"], children=True)

    assert short(payload) == [("COUNSELLED_CHILDREN", "2025S1", "02200", "FEMALE", "2")]


def test_csv_has_dhis2_columns_in_dhis2_order(world, manager):
    payload = data_value_set(user=manager, data_set="CTXH_6M", periods=["2025S1"], org_units=["02200"])

    assert to_csv(payload) == (
        "dataelement,period,orgunit,catoptcombo,attroptcombo,value,storedby,lastupdated,comment,followup\n"
        f"COUNSELLED_CHILDREN,2025S1,02200,FEMALE,default,2,nhaplieu,{STAMP},Hai em ở thôn 3,false\n"
        f"COUNSELLED_PEOPLE,2025S1,02200,FEMALE,default,6,nhaplieu,{STAMP},,false\n"
        f"COUNSELLED_PEOPLE,2025S1,02200,MALE,default,4,nhaplieu,{STAMP},,false\n"
    )
    assert CSV_COLUMNS[:5] == ("dataelement", "period", "orgunit", "catoptcombo", "attroptcombo")
    # Read back (the header skipped, as DHIS2 does): the same values.
    again = from_csv(to_csv(payload))["dataValues"]
    assert [(v["dataElement"], v["orgUnit"], v["categoryOptionCombo"], v["value"], v.get("comment", ""))
            for v in again] == [(r["dataElement"], r["orgUnit"], r["categoryOptionCombo"], r["value"],
                                 r["comment"]) for r in payload["dataValues"]]


def test_codes_go_out_through_the_mapping(world, manager):
    Dhis2Mapping.objects.create(kind=Kind.DATA_ELEMENT, ctxh_code="COUNSELLED_PEOPLE", dhis2_code="DE_TUVAN")
    Dhis2Mapping.objects.create(kind=Kind.CATEGORY_OPTION_COMBO, ctxh_code="FEMALE", dhis2_code="COC_NU")
    Dhis2Mapping.objects.create(kind=Kind.CATEGORY_OPTION_COMBO, ctxh_code="default",
                                dhis2_code="HllvX50cXC0")
    Dhis2Mapping.objects.create(kind=Kind.DATA_SET, ctxh_code="CTXH_6M", dhis2_code="DS_6T")
    # Only the new Minh Xuân has its own DHIS2 code; the old Phan Thiết keeps 02200.
    Dhis2Mapping.objects.create(kind=Kind.ORG_UNIT, ctxh_code="02200@2025-07-01", dhis2_code="OU_MINHXUAN")
    Dhis2Mapping.objects.create(instance="national", kind=Kind.DATA_ELEMENT, ctxh_code="COUNSELLED_PEOPLE",
                                dhis2_code="OTHER")

    payload = data_value_set(user=manager, data_set="DS_6T", periods=["2025S1", "2025S2"],
                             org_units=["02200", "OU_MINHXUAN"])

    assert payload["dataSet"] == "DS_6T"
    assert [(r["dataElement"], r["period"], r["orgUnit"], r["categoryOptionCombo"], r["attributeOptionCombo"],
             r["value"]) for r in payload["dataValues"]] == [
        ("COUNSELLED_CHILDREN", "2025S1", "02200", "COC_NU", "HllvX50cXC0", "2"),
        ("DE_TUVAN", "2025S1", "02200", "COC_NU", "HllvX50cXC0", "6"),
        ("DE_TUVAN", "2025S1", "02200", "MALE", "HllvX50cXC0", "4"),
        ("DE_TUVAN", "2025S2", "OU_MINHXUAN", "COC_NU", "HllvX50cXC0", "7"),
    ]
    # Another instance's mapping is its own.
    national = data_value_set(user=manager, data_set="CTXH_6M", periods=["2025S2"], org_units=["02200"],
                              instance="national")
    assert short(national) == [("OTHER", "2025S2", "02200", "FEMALE", "7")]


def test_indicator_facts_as_data_elements(world, manager):
    g = world.geo
    put_fact("COUNSELLED", g.old08, "2025S1", 13, numerator=None)
    put_fact("COUNSELLED", g.old08, "2025S1", 9, dimension="sex", category="female")
    put_fact("COUNSELLED", g.old08, "2025S1", 4, dimension="sex", category="male")
    put_fact("COUNSELLED", g.old08, "2025S1", 2.5, dimension="age", category="0-15", is_estimate=True)
    put_fact("STAFFING", g.old08, "2025S1", 1 / 3, numerator=1, denominator=3)
    put_fact("STAFFING", g.old08, "2025S1", None, dimension="kind", category="school", numerator=0,
             denominator=0)
    # The new province's fact restates 2025S1 (current geography): not exported.
    put_fact("STAFFING", g.new08, "2025S1", 0.5, numerator=1, denominator=2)

    payload = data_value_set(user=manager, indicators=["COUNSELLED", "STAFFING"], periods=["2025S1"],
                             org_units=["08"])

    estimate = "Ước tính: có phần phân bổ từ đơn vị cũ sáp nhập một phần."
    assert "dataSet" not in payload
    assert [(r["dataElement"], r["orgUnit"], r["categoryOptionCombo"], r["value"], r["comment"],
             r["storedBy"]) for r in payload["dataValues"]] == [
        ("COUNSELLED", "08", "default", "13", "", "ctxh"),
        ("COUNSELLED_AGE", "08", "AGE_0_15", "2.5", estimate, "ctxh"),
        ("COUNSELLED_SEX", "08", "FEMALE", "9", "", "ctxh"),
        ("COUNSELLED_SEX", "08", "MALE", "4", "", "ctxh"),
        ("STAFFING", "08", "default", "0.333333", "", "ctxh"),
        ("STAFFING_DENOMINATOR", "08", "default", "3", "", "ctxh"),
        # The share by kind has no value (nothing to divide): its numerator and denominator still go.
        ("STAFFING_KIND_DENOMINATOR", "08", "KIND_SCHOOL", "0", "", "ctxh"),
        ("STAFFING_KIND_NUMERATOR", "08", "KIND_SCHOOL", "0", "", "ctxh"),
        ("STAFFING_NUMERATOR", "08", "default", "1", "", "ctxh"),
    ]
    assert payload["dataValues"][0]["lastUpdated"] == STAMP
    # One fact element asked for by its code: only those values.
    sex = data_value_set(user=manager, elements=["COUNSELLED_SEX"], periods=["2025S1"], org_units=["08"])
    assert short(sex) == [("COUNSELLED_SEX", "2025S1", "08", "FEMALE", "9"),
                          ("COUNSELLED_SEX", "2025S1", "08", "MALE", "4")]


def test_the_export_tells_what_to_log(world, manager):
    export = build_export(user=manager, data_set="CTXH_6M", periods=["2025S2"], org_units=["08"],
                          children=True)

    assert export.count == 3 and len(export.data_value_ids) == 3 and export.fact_ids == []


def test_a_commune_officer_exports_their_commune_only(world, small_geo):
    officer = make_user("canbo", Role.ORG_OFFICER, units=[small_geo.n1])

    own = data_value_set(user=officer, data_set="CTXH_6M", periods=["2025S2"], org_units=["02200"],
                         children=True)
    assert short(own) == [("COUNSELLED_PEOPLE", "2025S2", "02200", "FEMALE", "7")]
    for code in ("08", "02210", "00700"):
        with pytest.raises(UnitNotAvailable):
            data_value_set(user=officer, data_set="CTXH_6M", periods=["2025S2"], org_units=[code])


def test_children_stay_inside_the_scope(world, small_geo):
    """A user given an organization sees its unit only: the export with children keeps to it."""
    from ctxh.testing import make_org

    org = make_org(small_geo.d070, "Phòng Lao động thành phố")
    officer = make_user("phong", Role.ORG_OFFICER, organizations=[org])

    payload = data_value_set(user=officer, data_set="CTXH_6M", periods=["2025S1"], org_units=["070"],
                             children=True)
    assert payload["dataValues"] == []


def test_bad_parameters_are_named(world, manager):
    cases = [
        ({"data_set": "NOPE"}, "dataSet", "Không có bộ số liệu mã “NOPE”."),
        ({"data_set": "CTXH_6M", "periods": ["2025Q1"]}, "period", "Mã kỳ “2025Q1” không hợp lệ"),
        ({"data_set": "CTXH_6M", "periods": ["2021-2025"]}, "period", "Mã kỳ “2021-2025” không hợp lệ"),
        ({"elements": ["NOPE"]}, "dataElement", "Không có phần tử dữ liệu mã “NOPE”."),
        ({}, "dataSet", "Hãy chọn một bộ số liệu"),
        ({"data_set": "CTXH_6M", "periods": []}, "period", "Hãy chọn ít nhất một kỳ"),
        ({"data_set": "CTXH_6M", "org_units": []}, "orgUnit", "Hãy chọn ít nhất một đơn vị"),
    ]
    for overrides, param, message in cases:
        arguments = {"periods": ["2025S1"], "org_units": ["08"], **overrides}
        with pytest.raises(ValidationError) as error:
            data_value_set(user=manager, **arguments)
        assert message in " ".join(error.value.message_dict[param]), (overrides, error.value.message_dict)


def test_a_code_that_names_no_unit_in_the_periods_is_not_available(world, manager):
    make_unit("01", "Thành phố Hà Nội", "municipality")
    for code in ("02210", "01", "99999"):  # 02210 exists only from 01/07/2025; 01 is outside the scope
        with pytest.raises(UnitNotAvailable):
            data_value_set(user=manager, data_set="CTXH_6M", periods=["2025S1"], org_units=[code])


def test_only_a_signed_in_user_with_the_capability_exports(world):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        data_value_set(user=AnonymousUser(), data_set="CTXH_6M", periods=["2025S1"], org_units=["08"])
