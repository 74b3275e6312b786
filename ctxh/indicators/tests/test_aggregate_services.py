"""Saving reported numbers (`save_data_values`): every bad input of the contract is refused with a message
naming the cell and writes nothing; good input is saved, audited, and a double submit changes nothing.

Dates: the six-monthly period 2025S1 ends on 30/06/2025; with 30 days of expiry its entry closes after
30/07/2025. The tests pass `today` explicitly.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ctxh.indicators.aggregate.services import (
    StaleValueError,
    ValueInput,
    complete_registration,
    open_entry,
    save_data_values,
    uncomplete,
)
from ctxh.indicators.aggregate.testing import build_aggregate_world, cells
from ctxh.indicators.models import (
    CompleteDataSetRegistration,
    DataSetLockException,
    DataValue,
    DataValueAudit,
)

pytestmark = pytest.mark.django_db

IN_PERIOD = dt.date(2025, 7, 15)  # 2025S1 is open (deadline 30/07/2025); x1 existed in 2025S1
AFTER_DEADLINE = dt.date(2025, 8, 15)


@pytest.fixture
def w(small_geo):
    return build_aggregate_world(small_geo)


def save(w, values, *, unit=None, period="2025S1", user=None, today=IN_PERIOD, data_set=None, **kwargs):
    return save_data_values(user=user or w.officer_n1, data_set=data_set or w.six_months,
                            unit=unit or w.geo.x1, period_code=period, values=values, today=today, **kwargs)


def stored(w, unit=None, period="2025S1") -> dict[str, Decimal]:
    return {f"{v.data_element.code}.{v.category_option_combo.code}": v.value
            for v in DataValue.objects.filter(unit=unit or w.geo.x1, period_code=period)
            .select_related("data_element", "category_option_combo")}


def refused(w, values, **kwargs) -> dict[str, list[str]]:
    """The errors of a refused save, after checking that nothing was written."""
    before_values, before_audits = DataValue.objects.count(), DataValueAudit.objects.count()
    with pytest.raises(ValidationError) as error:
        save(w, values, **kwargs)
    assert DataValue.objects.count() == before_values
    assert DataValueAudit.objects.count() == before_audits
    return error.value.message_dict


# --- good input ---


def test_a_form_is_saved_with_one_audit_row_per_cell(w):
    result = save(w, cells(COUNSELLED_PEOPLE__MALE="10", COUNSELLED_PEOPLE__FEMALE=" 12 ",
                           FACILITIES_TOTAL="3"))
    assert (result.created, result.updated, result.deleted, result.unchanged) == (3, 0, 0, 0)
    assert stored(w) == {"COUNSELLED_PEOPLE.MALE": 10, "COUNSELLED_PEOPLE.FEMALE": 12,
                         "FACILITIES_TOTAL.default": 3}
    value = DataValue.objects.get(data_element__code="COUNSELLED_PEOPLE",
                                  category_option_combo__code="FEMALE")
    assert (value.period_start, value.period_end, value.version, value.stored_by) == (
        dt.date(2025, 1, 1), dt.date(2025, 6, 30), 1, w.officer_n1)
    audits = DataValueAudit.objects.filter(action="create")
    assert audits.count() == 3
    assert {(a.previous_value, a.value, a.user, a.source) for a in audits} == {
        (None, Decimal(10), w.officer_n1, "form"), (None, Decimal(12), w.officer_n1, "form"),
        (None, Decimal(3), w.officer_n1, "form")}


def test_update_and_delete_are_audited_with_the_previous_value(w):
    save(w, cells(COUNSELLED_PEOPLE__MALE="10", FACILITIES_TOTAL="3"))
    result = save(w, [ValueInput("COUNSELLED_PEOPLE", "MALE", "11", expected_version=1),
                      ValueInput("FACILITIES_TOTAL", "default", "", expected_version=1)], source="api")
    assert (result.created, result.updated, result.deleted) == (0, 1, 1)
    assert stored(w) == {"COUNSELLED_PEOPLE.MALE": 11}
    assert DataValue.objects.get().version == 2
    update = DataValueAudit.objects.get(action="update")
    assert (update.previous_value, update.value, update.source) == (10, 11, "api")
    delete = DataValueAudit.objects.get(action="delete")
    assert (delete.previous_value, delete.value) == (3, None)


def test_a_double_submit_changes_nothing(w):
    values = [ValueInput("COUNSELLED_PEOPLE", "MALE", "10", expected_version=0)]
    save(w, values)
    again = save(w, values)  # the same form posted twice: the version read is stale, the value the same
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert DataValueAudit.objects.count() == 1
    assert DataValue.objects.get().version == 1


def test_deleting_an_empty_cell_is_unchanged(w):
    result = save(w, [ValueInput("COUNSELLED_PEOPLE", "MALE", None)])
    assert (result.deleted, result.unchanged) == (0, 1)
    assert not DataValueAudit.objects.exists()


def test_a_dry_run_checks_everything_and_writes_nothing(w):
    result = save(w, cells(COUNSELLED_PEOPLE__MALE="10"), dry_run=True)
    assert (result.created, result.dry_run) == (1, True)
    assert not DataValue.objects.exists() and not DataValueAudit.objects.exists()
    errors = refused(w, cells(COUNSELLED_PEOPLE__MALE="mười"), dry_run=True)
    assert "COUNSELLED_PEOPLE.MALE" in errors


def test_a_yearly_form_takes_a_year(w):
    result = save(w, cells(FACILITIES_TOTAL="4"), data_set=w.year, unit=w.geo.n1, period="2025",
                  today=dt.date(2026, 1, 10))
    assert result.created == 1
    assert stored(w, w.geo.n1, "2025") == {"FACILITIES_TOTAL.default": 4}


# --- bad numbers and codes ---


@pytest.mark.parametrize(("text", "expected"), [
    ("abc", "“abc” không phải là số"),
    ("-3", "“-3” là số âm"),
    ("1.234", "“1.234” có dấu phân cách hàng nghìn; hãy nhập chữ số liền nhau, ví dụ 1234"),
    ("1,234", "có dấu phân cách hàng nghìn"),
    ("12 345", "có dấu phân cách hàng nghìn"),
    ("1,5", "“1,5” không phải số nguyên"),
    ("0.500", "không phải số nguyên"),
    ("1234567890123", "quá lớn"),
])
def test_a_cell_that_is_not_a_whole_number_from_zero_is_refused_naming_the_cell(w, text, expected):
    errors = refused(w, cells(COUNSELLED_PEOPLE__FEMALE=text, FACILITIES_TOTAL="3"))
    assert list(errors) == ["COUNSELLED_PEOPLE.FEMALE"]
    message = errors["COUNSELLED_PEOPLE.FEMALE"][0]
    assert message.startswith(
        "Số người có hoàn cảnh khó khăn được tư vấn, hỗ trợ, Nữ (COUNSELLED_PEOPLE.FEMALE): ")
    assert expected in message


def test_every_bad_cell_is_reported_at_once(w):
    errors = refused(w, cells(COUNSELLED_PEOPLE__MALE="x", COUNSELLED_PEOPLE__FEMALE="-1",
                              FACILITIES_TOTAL="2.5"))
    assert set(errors) == {"COUNSELLED_PEOPLE.MALE", "COUNSELLED_PEOPLE.FEMALE", "FACILITIES_TOTAL.default"}


def test_unknown_element_and_cell_are_refused(w):
    errors = refused(w, [ValueInput("NO_SUCH", "default", "1"), ValueInput("COUNSELLED_PEOPLE", "OTHER", "1"),
                         ValueInput("FACILITIES_TOTAL", "default", "1")])
    assert errors["NO_SUCH.default"] == ["Phần tử dữ liệu “NO_SUCH” không có trong bộ số liệu CTXH_6M "
                                         "(ô NO_SUCH.default)."]
    assert "không có ô “OTHER”; các ô của phần tử này: MALE, FEMALE" in errors["COUNSELLED_PEOPLE.OTHER"][0]


def test_a_cell_sent_twice_is_refused(w):
    errors = refused(w, cells(FACILITIES_TOTAL="1") + cells(FACILITIES_TOTAL="2"))
    assert "được gửi hai lần" in errors["FACILITIES_TOTAL.default"][0]


# --- periods, units, scope, locks ---


@pytest.mark.parametrize(("period", "expected"), [
    ("2025", "Kỳ “2025” không phải kỳ của bộ số liệu CTXH_6M (Sáu tháng): hãy dùng mã như 2025S1."),
    ("2025Q1", "Mã kỳ “2025Q1” không hợp lệ."),
    ("", "Chưa chọn kỳ báo cáo."),
])
def test_a_period_of_another_type_or_no_period_is_refused(w, period, expected):
    errors = refused(w, cells(FACILITIES_TOTAL="1"), period=period)
    assert errors["period"][0].startswith(expected)


def test_a_period_that_has_not_begun_is_refused(w):
    errors = refused(w, cells(FACILITIES_TOTAL="1"), unit=w.geo.n1, period="2027S1",
                     today=dt.date(2026, 11, 27))
    assert errors["period"] == [
        "6 tháng đầu năm 2027 chưa bắt đầu (từ ngày 01/01/2027): chưa nhập được số liệu."]


def test_a_unit_that_did_not_exist_in_the_period_is_refused(w):
    errors = refused(w, cells(FACILITIES_TOTAL="1"), unit=w.geo.n1, period="2024S2",
                     today=dt.date(2025, 1, 10))
    assert errors["unit"] == ["Phường Minh Xuân không tồn tại trong 6 tháng cuối năm 2024 (hiệu lực "
                              "01/07/2025 – …)."]
    errors = refused(w, cells(FACILITIES_TOTAL="1"), unit=w.geo.x1, period="2025S2",
                     today=dt.date(2025, 12, 1))
    assert "không tồn tại trong 6 tháng cuối năm 2025" in errors["unit"][0]


def test_a_unit_of_another_level_is_refused(w):
    errors = refused(w, cells(FACILITIES_TOTAL="1"), unit=w.geo.d070, period="2024S2", user=w.manager,
                     today=dt.date(2025, 1, 10))
    assert errors["unit"] == ["Thành phố Tuyên Quang (đến 30/06/2025) không phải đơn vị báo cáo của bộ số "
                              "liệu "
                              "CTXH_6M (chỉ đơn vị cấp xã báo cáo)."]


def test_a_commune_officer_cannot_enter_another_communes_numbers(w):
    errors = refused(w, cells(FACILITIES_TOTAL="1"), unit=w.geo.y1)  # y1 went into n2, not n1
    assert errors["unit"] == ["Phường Quang Trung (đến 30/06/2025) không thuộc phạm vi của bạn."]


def test_a_role_without_the_capability_is_denied(w):
    for user in (w.leader, w.worker):
        with pytest.raises(PermissionDenied):
            save(w, cells(FACILITIES_TOTAL="1"), user=user)
    assert not DataValue.objects.exists()


def test_after_the_deadline_the_form_is_locked(w):
    assert save(w, cells(FACILITIES_TOTAL="1"), today=dt.date(2025, 7, 30)).created == 1  # the last day
    errors = refused(w, cells(FACILITIES_TOTAL="2"), today=dt.date(2025, 7, 31))
    assert errors["period"] == ["6 tháng đầu năm 2025 đã khóa nhập liệu từ ngày 31/07/2025 (hạn nhập: "
                                "30/07/2025). Cần sửa số liệu, hãy đề nghị cấp tỉnh mở lại."]


def test_a_reopened_form_takes_values_until_the_day_given(w):
    open_entry(w.manager, w.six_months, w.geo.x1, "2025S1", dt.date(2025, 8, 20), "Xã bổ sung số liệu",
               today=AFTER_DEADLINE)
    assert save(w, cells(FACILITIES_TOTAL="2"), today=dt.date(2025, 8, 20)).created == 1
    errors = refused(w, cells(FACILITIES_TOTAL="3"), today=dt.date(2025, 8, 21))
    assert "đã khóa nhập liệu" in errors["period"][0]
    # The reopening is for x1 only.
    errors = refused(w, cells(FACILITIES_TOTAL="3"), unit=w.geo.x2, today=dt.date(2025, 8, 20))
    assert "đã khóa nhập liệu" in errors["period"][0]


# --- validation rules ---


def test_a_refusing_rule_writes_nothing_and_names_the_rule_and_its_sums(w):
    errors = refused(w, cells(COUNSELLED_PEOPLE__MALE="5", COUNSELLED_PEOPLE__FEMALE="5",
                              COUNSELLED_CHILDREN__MALE="8", COUNSELLED_CHILDREN__FEMALE="4"))
    assert errors == {"COUNSELLED_CHILDREN": [
        "Số trẻ em được tư vấn, hỗ trợ không được lớn hơn tổng số người được tư vấn, hỗ trợ. Hiện tại: "
        "Trong đó: "
        "trẻ em dưới 16 tuổi = 12; Số người có hoàn cảnh khó khăn được tư vấn, hỗ trợ = 10."]}


def test_a_rule_is_checked_only_when_both_sides_have_values(w):
    assert save(w, cells(COUNSELLED_CHILDREN__MALE="8")).created == 1  # no people entered yet: not checked
    errors = refused(w, cells(COUNSELLED_PEOPLE__MALE="5"))  # now both sides have values: 8 > 5
    assert "COUNSELLED_CHILDREN" in errors
    assert save(w, cells(COUNSELLED_PEOPLE__MALE="5", COUNSELLED_PEOPLE__FEMALE="3")).created == 2


def test_a_warning_rule_saves_and_warns(w):
    result = save(w, cells(COUNSELLED_PEOPLE__MALE="5", COUNSELLED_PEOPLE__FEMALE="5",
                           COUNSELLED_BY_GROUP__GROUP_OTHER="6"))
    assert result.created == 3
    assert result.warnings == ["Tổng theo nhóm đối tượng thường không nhỏ hơn tổng số người (một người có "
                               "thể "
                               "thuộc nhiều nhóm). Hiện tại: Số người được tư vấn, hỗ trợ theo nhóm đối "
                               "tượng "
                               "= 6; Số người có hoàn cảnh khó khăn được tư vấn, hỗ trợ = 10."]
    assert list(result.warnings_by_key) == ["COUNSELLED_BY_GROUP"]


def test_a_refusing_rule_broken_before_and_untouched_only_warns(w):
    save(w, cells(COUNSELLED_CHILDREN__MALE="8", COUNSELLED_PEOPLE__MALE="9"))
    # Broken outside the form (as a rule added later would find older values): 8 children > 5 people.
    DataValue.objects.filter(data_element__code="COUNSELLED_PEOPLE").update(value=5)
    result = save(w, cells(FACILITIES_TOTAL="3"))  # an unrelated cell is still saved
    assert result.created == 1
    assert len(result.warnings) == 1 and "Hiện tại: Trong đó: trẻ em dưới 16 tuổi = 8" in result.warnings[0]
    errors = refused(w, cells(COUNSELLED_CHILDREN__FEMALE="1"))  # touching the rule: refused
    assert "COUNSELLED_CHILDREN" in errors


def test_facilities_providing_cannot_exceed_the_total(w):
    errors = refused(w, cells(FACILITIES_TOTAL="3", FACILITIES_PROVIDING="4"))
    assert list(errors) == ["FACILITIES_PROVIDING"]


# --- concurrency ---


def test_a_stale_version_is_refused_naming_the_cell_and_the_current_value(w):
    save(w, cells(COUNSELLED_PEOPLE__FEMALE="12"))
    save(w, [ValueInput("COUNSELLED_PEOPLE", "FEMALE", "1234", expected_version=1)], user=w.manager)
    with pytest.raises(StaleValueError) as error:
        save(w, [ValueInput("COUNSELLED_PEOPLE", "FEMALE", "15", expected_version=1)])
    assert error.value.message_dict == {"COUNSELLED_PEOPLE.FEMALE": [
        "Số người có hoàn cảnh khó khăn được tư vấn, hỗ trợ, Nữ (COUNSELLED_PEOPLE.FEMALE): người khác đã "
        "sửa ô "
        "này sau khi bạn mở biểu mẫu; giá trị hiện tại là 1.234. Hãy tải lại trang, xem rồi nhập lại."]}
    assert [(c.key, c.value, c.version) for c in error.value.cells] == [("COUNSELLED_PEOPLE.FEMALE", 1234, 2)]
    assert stored(w) == {"COUNSELLED_PEOPLE.FEMALE": 1234}


def test_a_cell_entered_by_someone_else_since_the_form_was_read_is_not_overwritten(w):
    save(w, cells(FACILITIES_TOTAL="3"), user=w.manager)
    with pytest.raises(StaleValueError) as error:
        save(w, [ValueInput("FACILITIES_TOTAL", "default", "4", expected_version=0),
                 ValueInput("FACILITIES_PROVIDING", "default", "1", expected_version=0)])
    assert "giá trị hiện tại là 3" in error.value.messages[0]
    assert stored(w) == {"FACILITIES_TOTAL.default": 3}


def test_a_cell_deleted_by_someone_else_is_reported(w):
    save(w, cells(FACILITIES_TOTAL="3"))
    save(w, [ValueInput("FACILITIES_TOTAL", "default", "")], user=w.manager)
    with pytest.raises(StaleValueError) as error:
        save(w, [ValueInput("FACILITIES_TOTAL", "default", "4", expected_version=1)])
    assert "đã bị người khác xóa" in error.value.messages[0]


# --- completing and reopening ---


def test_completing_needs_values_and_keeps_the_first_time(w):
    with pytest.raises(ValidationError) as error:
        complete_registration(w.officer_n1, w.six_months, w.geo.x1, "2025S1", today=IN_PERIOD)
    assert "Chưa có số liệu nào cho Phường Phan Thiết (đến 30/06/2025), 6 tháng đầu năm 2025" in (
        error.value.messages[0])
    save(w, cells(FACILITIES_TOTAL="3"))
    first = complete_registration(w.officer_n1, w.six_months, w.geo.x1, "2025S1", today=IN_PERIOD)
    again = complete_registration(w.officer_n1, w.six_months, w.geo.x1, "2025S1", today=IN_PERIOD)
    assert first.pk == again.pk and first.completed_by == w.officer_n1
    assert uncomplete(w.officer_n1, w.six_months, w.geo.x1, "2025S1", today=IN_PERIOD) is True
    assert not CompleteDataSetRegistration.objects.exists()


def test_completing_a_locked_form_or_another_communes_form_is_refused(w):
    save(w, cells(FACILITIES_TOTAL="3"))
    with pytest.raises(ValidationError, match="đã khóa nhập liệu"):
        complete_registration(w.officer_n1, w.six_months, w.geo.x1, "2025S1", today=AFTER_DEADLINE)
    with pytest.raises(ValidationError, match="không thuộc phạm vi của bạn"):
        complete_registration(w.officer_n2, w.six_months, w.geo.x1, "2025S1", today=IN_PERIOD)
    with pytest.raises(PermissionDenied):
        complete_registration(w.leader, w.six_months, w.geo.x1, "2025S1", today=IN_PERIOD)


def test_reopening_needs_the_capability_a_future_day_and_a_reason(w):
    with pytest.raises(PermissionDenied):
        open_entry(w.officer_n1, w.six_months, w.geo.x1, "2025S1", dt.date(2025, 9, 1), "x",
                   today=AFTER_DEADLINE)
    with pytest.raises(ValidationError) as error:
        open_entry(w.manager, w.six_months, w.geo.x1, "2025", dt.date(2025, 8, 1), " ", today=AFTER_DEADLINE)
    assert set(error.value.message_dict) == {"period", "open_until", "reason"}
    assert not DataSetLockException.objects.exists()


def test_reopening_every_unit_of_a_scoped_manager_opens_the_units_of_the_scope_only(w):
    opened = open_entry(w.manager, w.six_months, None, "2025S1", dt.date(2025, 9, 1), "Gia hạn chung",
                        today=AFTER_DEADLINE)
    assert {exception.unit for exception in opened} == {w.geo.x1, w.geo.x2, w.geo.x3, w.geo.y1}
    again = open_entry(w.manager, w.six_months, None, "2025S1", dt.date(2025, 9, 5), "Gia hạn thêm",
                       today=AFTER_DEADLINE)
    assert DataSetLockException.objects.count() == 4
    assert {e.open_until for e in again} == {dt.date(2025, 9, 5)}


# --- the engine ---


def test_a_save_refreshes_the_indicator_facts_after_the_commit(w, django_capture_on_commit_callbacks):
    from ctxh.indicators.models import IndicatorFact
    from ctxh.indicators.unitmap import rebuild_unit_map

    rebuild_unit_map()
    with django_capture_on_commit_callbacks(execute=True):
        save(w, cells(COUNSELLED_PEOPLE__MALE="4", COUNSELLED_PEOPLE__FEMALE="6"), unit=w.geo.y1,
             user=w.officer_n2, period="2024S2", today=dt.date(2025, 1, 5))
    fact = IndicatorFact.objects.get(indicator_code="COUNSELLED", unit=w.geo.y1, period_code="2024S2",
                                     dimension="", category="")
    assert (fact.value, fact.reported_part, fact.records_part) == (10, 10, 0)  # y1 keeps no records
