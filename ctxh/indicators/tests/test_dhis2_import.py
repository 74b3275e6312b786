"""DHIS2 dataValueSets import: round trip, dry run, every bad input ignored with its reason, atomic refusal.

Today is 10/01/2026: 2025S2 and 2025 are open for entry (until 30/01/2026), 2025S1 is locked. The world is
ctxh/indicators/dhis2/testing.py; the importer is the province manager of the new Tuyên Quang.
"""

from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from ctxh.accounts.roles import Role
from ctxh.geo.models import UnitKind
from ctxh.indicators.dhis2.export import data_value_set, from_csv, to_csv
from ctxh.indicators.dhis2.imports import import_data_value_set, reasons
from ctxh.indicators.dhis2.mapping import Kind
from ctxh.indicators.dhis2.testing import TODAY, build_dhis2_world, value_rows
from ctxh.indicators.models import DataSetLockException, DataValue, DataValueAudit, Dhis2Mapping
from ctxh.testing import make_unit, make_user

pytestmark = pytest.mark.django_db


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


def value(element, unit, period, option=None, number="1", **extra) -> dict:
    item = {"dataElement": element, "orgUnit": unit, "period": period, "value": number, **extra}
    if option:
        item["categoryOptionCombo"] = option
    return item


def stored(world, unit, period, element, option):
    found = DataValue.objects.filter(unit=unit, period_code=period, data_element__code=element,
                                     category_option_combo__code=option).first()
    return found.value if found else None


# --------------------------------------------------------------------------------------------- round trip


def test_export_then_import_into_an_empty_database_gives_the_same_values(world, manager):
    g = world.geo
    DataSetLockException.objects.create(data_set=world.six_months, period_code="2025S1",
                                        open_until=TODAY.date(), reason="Nhập lại từ DHIS2")
    payloads = [
        data_value_set(user=manager, data_set="CTXH_6M", periods=["2025S1", "2025S2"], org_units=["08"],
                       children=True),
        data_value_set(user=manager, data_set="CTXH_YEAR", periods=["2025"], org_units=["08"], children=True),
    ]
    wanted = {"unit_id__in": [g.x1.pk, g.x2.pk, g.n1.pk, g.n2.pk]}
    before = value_rows(**wanted)
    assert len(before) == 8  # old Hà Giang's 00700 is not under 08 in 2025S1
    DataValue.objects.all().delete()

    summaries = [import_data_value_set(payload, user=manager, dry_run=False) for payload in payloads]

    assert [(s.status, s.import_count) for s in summaries] == [
        ("SUCCESS", {"imported": 7, "updated": 0, "ignored": 0, "deleted": 0}),
        ("SUCCESS", {"imported": 1, "updated": 0, "ignored": 0, "deleted": 0}),
    ]
    # The same codes went back to the same generation: 02200 is Phan Thiết in 2025S1, Minh Xuân after.
    assert value_rows() == before
    assert set(DataValue.objects.values_list("stored_by__username", flat=True)) == {"quanly"}
    assert DataValueAudit.objects.filter(source="dhis2_import").count() == 8


def test_a_csv_export_imports_back(world, manager):
    payload = data_value_set(user=manager, data_set="CTXH_6M", periods=["2025S2"], org_units=["08"],
                             children=True)
    before = value_rows(period_code="2025S2")
    DataValue.objects.filter(period_code="2025S2").delete()

    summary = import_data_value_set(from_csv(to_csv(payload)), user=manager, dry_run=False)

    assert (summary.status, summary.imported) == ("SUCCESS", 3)
    assert value_rows(period_code="2025S2") == before


def test_importing_the_same_values_again_changes_nothing(world, manager):
    payload = data_value_set(user=manager, data_set="CTXH_6M", periods=["2025S2"], org_units=["08"],
                             children=True)

    summary = import_data_value_set(payload, user=manager, dry_run=False)

    assert summary.status == "SUCCESS"
    assert summary.import_count == {"imported": 0, "updated": 0, "ignored": 3, "deleted": 0}
    assert summary.unchanged == 3 and summary.conflicts == []


# ------------------------------------------------------------------------------------------------ dry run


def good_payload() -> dict:
    return {"dataSet": "CTXH_6M", "dataValues": [
        value("COUNSELLED_PEOPLE", "02200", "2025S2", "MALE", "8"),
        value("COUNSELLED_PEOPLE", "02200", "2025S2", "FEMALE", "9", comment="Sửa theo sổ"),
        value("FACILITIES_TOTAL", "02210", "2025S2", number="3"),
    ]}


def test_a_dry_run_writes_nothing_and_tells_what_the_import_does(world, manager):
    before = value_rows()
    audits = DataValueAudit.objects.count()

    dry = import_data_value_set(good_payload(), user=manager, dry_run=True)

    assert value_rows() == before and DataValueAudit.objects.count() == audits
    real = import_data_value_set(good_payload(), user=manager, dry_run=False)
    assert dry.import_count == real.import_count == {"imported": 1, "updated": 2, "ignored": 0, "deleted": 0}
    assert dry.status == real.status == "SUCCESS"
    assert dry.to_dict()["importOptions"]["dryRun"] is True
    assert real.to_dict()["importOptions"]["dryRun"] is False
    assert dry.description.startswith("Chạy thử (chưa ghi gì): sẽ nhập mới 1, sửa 2")
    assert real.description.startswith("Đã nhập mới 1, sửa 2")
    g = world.geo
    assert stored(world, g.n1, "2025S2", "COUNSELLED_PEOPLE", "FEMALE") == Decimal(9)
    assert stored(world, g.n2, "2025S2", "FACILITIES_TOTAL", "default") == Decimal(3)


# ------------------------------------------------------------------------------------------- bad values


def bad_payload() -> tuple[dict, dict[int, str]]:
    """A good value (index 0) among bad ones; the reason expected for each bad one, by index."""
    items = [
        (value("COUNSELLED_PEOPLE", "02200", "2025S2", "MALE", "8"), None),
        (value("NOPE", "02200", "2025S2"), "unknown_data_element"),
        (value("COUNSELLED_PEOPLE", "02200", "2025S2", "GROUP_OTHER"), "unknown_category_option_combo"),
        (value("COUNSELLED_PEOPLE", "99999", "2025S2", "MALE"), "unknown_org_unit"),
        (value("COUNSELLED_PEOPLE", "00004", "2025S2", "MALE"), "unknown_org_unit"),  # Hà Nội: out of scope
        (value("COUNSELLED_PEOPLE", "02210", "2025S1", "MALE"), "org_unit_not_in_period"),
        (value("COUNSELLED_PEOPLE", "02210", "2025Q1", "MALE"), "bad_period"),
        (value("COUNSELLED_PEOPLE", "02210", "2025", "MALE"), "period_not_in_data_set"),
        (value("COUNSELLED_PEOPLE", "02210", "2025S2", "MALE", "abc"), "not_a_number"),
        (value("COUNSELLED_PEOPLE", "02210", "2025S2", "FEMALE", "-1"), "not_a_number"),
        (value("COUNSELLED_PEOPLE", "02203", "2025S1", "MALE", "5"), "locked_period"),
        (value("FACILITIES_PROVIDING", "02210", "2025S2", number="5"), "validation_rule"),  # > 2 in total
        (value("COUNSELLED_PEOPLE", "08", "2025S2", "MALE"), "org_unit_level"),
        (value("COUNSELLED_PEOPLE", "02200", "2025S2", "MALE", "8"), "duplicate"),
        (value("COUNSELLED_PEOPLE", "02210", "2025S2", "MALE", attributeOptionCombo="NGUON_ODA"),
         "unknown_attribute_option_combo"),
        (value("COUNSELLED", "02210", "2025S2"), "computed_value"),
        ("không phải đối tượng", "bad_value"),
    ]
    return ({"dataSet": "CTXH_6M", "dataValues": [item for item, _reason in items]},
            {index: reason for index, (_item, reason) in enumerate(items) if reason})


@pytest.fixture
def hanoi(world):
    city = make_unit("01", "Thành phố Hà Nội", UnitKind.MUNICIPALITY)
    return make_unit("00004", "Phường Ba Đình", UnitKind.WARD, city)


def conflict_reasons(summary) -> dict[int, str]:
    return {index: conflict.reason for conflict in summary.conflicts for index in conflict.indexes}


def test_atomic_mode_none_imports_the_good_values_and_names_each_bad_one(world, manager, hanoi):
    payload, expected = bad_payload()
    before = value_rows()

    summary = import_data_value_set(payload, user=manager, dry_run=False, atomic_mode="NONE")

    assert conflict_reasons(summary) == expected
    assert summary.status == "WARNING"
    assert summary.import_count == {"imported": 1, "updated": 0, "ignored": 16, "deleted": 0}
    assert value_rows() - before == {("COUNSELLED_PEOPLE", "MALE", world.geo.n1.pk, "2025S2", Decimal(8), "")}
    messages = {conflict.indexes[0]: conflict.value for conflict in summary.conflicts}
    assert messages[1] == "Giá trị thứ 2: không có phần tử dữ liệu mã “NOPE”."
    assert messages[4] == "Giá trị thứ 5: không có đơn vị “00004” trong phạm vi của bạn."
    assert messages[3] == "Giá trị thứ 4: không có đơn vị “99999” trong phạm vi của bạn."
    assert "đã khóa nhập liệu" in messages[10]
    assert "Số cơ sở cung cấp dịch vụ không được lớn hơn số cơ sở thuộc diện" in messages[11]
    assert "không tồn tại trong 6 tháng đầu năm 2025" in messages[5]
    assert summary.to_dict()["conflicts"][0] == {
        "object": "NOPE", "value": "Giá trị thứ 2: không có phần tử dữ liệu mã “NOPE”.",
        "errorCode": "unknown_data_element", "indexes": [1]}
    assert reasons(summary)["unknown_org_unit"] == 2


def test_by_default_one_bad_value_and_nothing_is_written(world, manager, hanoi):
    payload, expected = bad_payload()
    before = value_rows()
    audits = DataValueAudit.objects.count()

    summary = import_data_value_set(payload, user=manager, dry_run=False)

    assert summary.atomic_mode == "ALL"
    assert summary.status == "ERROR"
    assert summary.import_count == {"imported": 0, "updated": 0, "ignored": 17, "deleted": 0}
    assert conflict_reasons(summary) == expected
    assert value_rows() == before and DataValueAudit.objects.count() == audits
    assert summary.description == "Không giá trị nào được ghi: 16 giá trị bị từ chối (xem danh sách lỗi)."


def test_a_dry_run_of_a_bad_payload_gives_the_same_summary(world, manager, hanoi):
    payload, _expected = bad_payload()
    dry = import_data_value_set(payload, user=manager, dry_run=True, atomic_mode="NONE").to_dict()
    before = value_rows()
    real = import_data_value_set(payload, user=manager, dry_run=False, atomic_mode="NONE").to_dict()

    for summary in (dry, real):
        summary.pop("importOptions")
        summary.pop("description")
    assert dry == real
    assert len(value_rows()) == len(before) + 1


def test_a_warning_rule_is_reported_and_the_values_saved(world, manager):
    payload = {"dataValues": [value("COUNSELLED_BY_GROUP", "02200", "2025S2", "GROUP_OTHER", "1")]}

    summary = import_data_value_set(payload, user=manager, dry_run=False)

    assert (summary.status, summary.imported) == ("SUCCESS", 1)
    [warning] = summary.warnings
    assert warning.startswith("02200 2025S2 CTXH_6M: ")
    # Without a dataSet the element's data set is the one of the period's type.
    assert stored(world, world.geo.n1, "2025S2", "COUNSELLED_BY_GROUP", "GROUP_OTHER") == Decimal(1)


# --------------------------------------------------------------------------------------- import strategies


def test_import_strategies(world, manager):
    existing = value("COUNSELLED_PEOPLE", "02200", "2025S2", "FEMALE", "9")
    missing = value("COUNSELLED_PEOPLE", "02200", "2025S2", "MALE", "9")

    create = import_data_value_set({"dataValues": [existing, missing]}, user=manager, dry_run=False,
                                   import_strategy="CREATE", atomic_mode="NONE")
    assert conflict_reasons(create) == {0: "value_exists"} and create.imported == 1

    update = import_data_value_set({"dataValues": [value("FACILITIES_TOTAL", "02210", "2025S2", number="4"),
                                                   value("COUNSELLED_CHILDREN", "02200", "2025S2", "MALE")]},
                                   user=manager, dry_run=False, import_strategy="UPDATE", atomic_mode="NONE")
    assert conflict_reasons(update) == {1: "value_missing"} and update.updated == 1

    delete = import_data_value_set({"dataValues": [existing]}, user=manager, dry_run=False,
                                   import_strategy="DELETE")
    assert (delete.status, delete.deleted) == ("SUCCESS", 1)
    assert stored(world, world.geo.n1, "2025S2", "COUNSELLED_PEOPLE", "FEMALE") is None


def test_an_empty_or_deleted_value_deletes(world, manager):
    g = world.geo
    payload = {"dataValues": [
        value("FACILITIES_TOTAL", "02210", "2025S2", number=""),
        value("FACILITIES_PROVIDING", "02210", "2025S2", number="1", deleted=True),
        value("COUNSELLED_CHILDREN", "02210", "2025S2", "MALE", number=""),  # nothing to delete
    ]}

    summary = import_data_value_set(payload, user=manager, dry_run=False)

    assert summary.import_count == {"imported": 0, "updated": 0, "ignored": 1, "deleted": 2}
    assert summary.conflicts == []
    assert stored(world, g.n2, "2025S2", "FACILITIES_TOTAL", "default") is None


# ------------------------------------------------------------------------------------------------ mapping


def test_codes_come_back_through_the_mapping(world, manager):
    Dhis2Mapping.objects.create(kind=Kind.DATA_ELEMENT, ctxh_code="COUNSELLED_PEOPLE", dhis2_code="DE_TUVAN")
    Dhis2Mapping.objects.create(kind=Kind.CATEGORY_OPTION_COMBO, ctxh_code="MALE", dhis2_code="COC_NAM")
    Dhis2Mapping.objects.create(kind=Kind.DATA_SET, ctxh_code="CTXH_6M", dhis2_code="DS_6T")
    Dhis2Mapping.objects.create(kind=Kind.ORG_UNIT, ctxh_code="02200@2025-07-01", dhis2_code="OU_MINHXUAN")
    payload = {"dataSet": "DS_6T", "dataValues": [
        value("DE_TUVAN", "OU_MINHXUAN", "2025S2", "COC_NAM", "11"),
        # Our own code of a mapped element is not DHIS2's: reported, never guessed.
        value("COUNSELLED_PEOPLE", "OU_MINHXUAN", "2025S2", "COC_NAM", "11"),
        # 02200 without its mapped generation means the old Phan Thiết, which did not exist in 2025S2.
        value("DE_TUVAN", "02200", "2025S2", "COC_NAM", "11"),
    ]}

    summary = import_data_value_set(payload, user=manager, dry_run=False, atomic_mode="NONE")

    assert conflict_reasons(summary) == {1: "unknown_data_element", 2: "org_unit_not_in_period"}
    assert stored(world, world.geo.n1, "2025S2", "COUNSELLED_PEOPLE", "MALE") == Decimal(11)


# ------------------------------------------------------------------------------------ refused as a whole


def test_a_payload_that_cannot_be_read_is_refused(world, manager):
    cases = [
        ([], "payload", "Nội dung phải là một đối tượng JSON dataValueSets."),
        ({"values": []}, "payload", "Nội dung phải có “dataValues”"),
        ({"dataValues": []}, "payload", "rỗng"),
        ({"idScheme": "uid", "dataValues": [{}]}, "idScheme", "“uid” không được hỗ trợ"),
        ({"orgUnitIdScheme": "name", "dataValues": [{}]}, "orgUnitIdScheme", "“name” không được hỗ trợ"),
    ]
    for payload, key, message in cases:
        with pytest.raises(ValidationError) as error:
            import_data_value_set(payload, user=manager, dry_run=True)
        assert message in " ".join(error.value.message_dict[key]), payload
    with pytest.raises(ValidationError) as error:
        import_data_value_set(good_payload(), user=manager, dry_run=True, import_strategy="MERGE")
    assert "importStrategy" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        import_data_value_set(good_payload(), user=manager, dry_run=True, atomic_mode="OBJECT")
    assert "atomicMode" in error.value.message_dict


def test_an_unknown_data_set_ignores_every_value(world, manager):
    summary = import_data_value_set({"dataSet": "NOPE", **{"dataValues": good_payload()["dataValues"]}},
                                    user=manager, dry_run=False, atomic_mode="NONE")

    assert set(conflict_reasons(summary).values()) == {"unknown_data_set"} and summary.status == "ERROR"


def test_only_the_reporting_managers_import(world, small_geo):
    leader = make_user("lanhdao", Role.LEADER, units=[small_geo.new08])
    officer = make_user("canbo", Role.ORG_OFFICER, units=[small_geo.n1])
    for user in (leader, officer):
        with pytest.raises(PermissionDenied):
            import_data_value_set(good_payload(), user=user, dry_run=True)
