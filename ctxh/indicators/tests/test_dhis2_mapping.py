"""ctxh codes <-> DHIS2 codes: identity without a row, rows both ways, unit generations, loading from CSV."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from ctxh.indicators.dhis2.mapping import (
    CodeMap,
    Kind,
    UnitRef,
    from_dhis2,
    load_mappings_csv,
    to_dhis2,
    unit_key,
)
from ctxh.indicators.models import Dhis2Mapping

pytestmark = pytest.mark.django_db


def mapping(kind, ctxh_code, dhis2_code, instance="default"):
    return Dhis2Mapping.objects.create(instance=instance, kind=kind, ctxh_code=ctxh_code,
                                       dhis2_code=dhis2_code)


def test_without_a_row_a_code_is_itself_both_ways():
    assert to_dhis2(Kind.DATA_ELEMENT, "COUNSELLED_PEOPLE") == "COUNSELLED_PEOPLE"
    assert from_dhis2(Kind.DATA_ELEMENT, "COUNSELLED_PEOPLE") == "COUNSELLED_PEOPLE"
    assert from_dhis2(Kind.DATA_ELEMENT, "  ") is None


def test_a_row_maps_both_ways_and_our_own_code_is_then_unknown():
    mapping(Kind.DATA_ELEMENT, "COUNSELLED_PEOPLE", "DE_TUVAN")
    mapping(Kind.CATEGORY_OPTION_COMBO, "default", "HllvX50cXC0")
    codes = CodeMap()

    assert codes.out(Kind.DATA_ELEMENT, "COUNSELLED_PEOPLE") == "DE_TUVAN"
    assert codes.back(Kind.DATA_ELEMENT, "DE_TUVAN") == "COUNSELLED_PEOPLE"
    # DHIS2 knows our COUNSELLED_PEOPLE as DE_TUVAN: its own COUNSELLED_PEOPLE is something else.
    assert codes.back(Kind.DATA_ELEMENT, "COUNSELLED_PEOPLE") is None
    # Kinds are separate, instances too.
    assert codes.back(Kind.CATEGORY_OPTION_COMBO, "DE_TUVAN") == "DE_TUVAN"
    assert codes.out(Kind.CATEGORY_OPTION_COMBO, "default") == "HllvX50cXC0"
    assert CodeMap("national").out(Kind.DATA_ELEMENT, "COUNSELLED_PEOPLE") == "COUNSELLED_PEOPLE"


def test_a_unit_generation_has_its_own_code(small_geo):
    g = small_geo
    mapping(Kind.ORG_UNIT, "02200@2025-07-01", "OU_MINHXUAN")
    mapping(Kind.ORG_UNIT, "02210", "OU_NONGTIEN")
    codes = CodeMap()

    assert unit_key(g.n1) == "02200@2025-07-01" and unit_key(g.x1) == "02200"
    assert codes.unit_out(g.n1) == "OU_MINHXUAN"
    assert codes.unit_out(g.x1) == "02200"  # the old Phan Thiết has no row of its own
    assert codes.unit_out(g.n2) == "OU_NONGTIEN"
    minh_xuan = codes.unit_back("OU_MINHXUAN")
    assert minh_xuan == UnitRef("02200", dt.date(2025, 7, 1))
    assert minh_xuan.allows(g.n1) and not minh_xuan.allows(g.x1)
    plain = codes.unit_back("02200")  # any generation but the one mapped elsewhere
    assert plain.allows(g.x1) and not plain.allows(g.n1)
    assert codes.unit_back("02210") is None  # mapped as a whole to OU_NONGTIEN
    assert codes.unit_back("OU_NONGTIEN") == UnitRef("02210")


def test_mappings_load_from_a_small_csv():
    mapping(Kind.DATA_SET, "CTXH_6M", "OLD_CODE")
    text = ("kind,ctxh_code,dhis2_code\n"
            "dataElement,COUNSELLED_PEOPLE,DE_TUVAN\n"
            "dataSet,CTXH_6M,DS_6T\n"
            "orgUnit,02200@2025-07-01,OU_MINHXUAN\n")

    result = load_mappings_csv(text)

    assert (result.created, result.updated, result.unchanged) == (2, 1, 0)
    assert CodeMap().out(Kind.DATA_SET, "CTXH_6M") == "DS_6T"
    again = load_mappings_csv(text)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_a_bad_mapping_csv_writes_nothing():
    text = ("kind,ctxh_code,dhis2_code\n"
            "dataElement,COUNSELLED_PEOPLE,DE_TUVAN\n"
            "unit,08,OU_TQ\n"
            "orgUnit,02200@01/07/2025,OU_MX\n"
            "dataElement,CHILDREN_SERVED,DE_TUVAN\n"
            "dataSet,CTXH_6M\n")

    with pytest.raises(ValidationError) as error:
        load_mappings_csv(text)

    assert error.value.messages == [
        "Dòng 3: loại “unit” không hợp lệ; hãy dùng dataElement, categoryOptionCombo, orgUnit, dataSet.",
        "Dòng 4: mã đơn vị “02200@01/07/2025” không hợp lệ; hãy viết MÃ hoặc MÃ@YYYY-MM-DD.",
        "Dòng 5: mã DHIS2 “DE_TUVAN” đã dùng ở dòng 2.",
        "Dòng 6: cần đúng 3 cột.",
    ]
    assert not Dhis2Mapping.objects.exists()
    with pytest.raises(ValidationError):
        load_mappings_csv("ma,dhis2\n")
