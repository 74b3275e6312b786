"""The registry answers what the domain selectors answer, on the hand-counted `world` (see conftest.py)."""

import datetime as dt
import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from ctxh.accounts.roles import Role
from ctxh.indicators.registry import (
    UnitNotAvailable,
    UnknownIndicator,
    compute,
    get_indicator,
    indicator_list,
    indicator_value,
)
from ctxh.indicators.results import Status
from ctxh.orgs.models import OrgKind
from ctxh.testing import make_user
from ctxh.training.selectors import training
from ctxh.workforce.selectors import StaffingGap, staffing

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 27)
DEC_31 = dt.date(2024, 12, 31)


def value(code, unit, period, user, **kwargs):
    return indicator_value(code, unit=unit, period=period, user=user, today=TODAY, **kwargs)


def test_the_registry_lists_staffing_and_training_with_names_in_both_languages():
    assert [i.code for i in indicator_list()] == ["STAFFING", "TRAINING", "COUNSELLED", "CHILDREN"]
    staffing_def = get_indicator("staffing")
    assert staffing_def.is_stock and not get_indicator("TRAINING").is_stock
    assert staffing_def.name_vi.startswith("Tỷ lệ") and staffing_def.name_en.startswith("Share")
    with pytest.raises(UnknownIndicator, match="Không có chỉ số mã “NOPE”"):
        get_indicator("NOPE")


def test_staffing_for_a_year_is_its_value_on_the_last_day(world, province_manager):
    g = world.geo
    result = value("STAFFING", "08", "2024", province_manager)
    assert result.unit.id == g.old08.pk  # code 08 in 2024 is the old Tuyên Quang
    assert result.day == DEC_31
    assert (result.numerator, result.denominator, result.value) == (1, 4, 0.25)
    on_the_day = value("STAFFING", "08", DEC_31, province_manager)
    assert (on_the_day.numerator, on_the_day.denominator) == (1, 4)
    selector = staffing(g.old08, DEC_31)
    assert (selector.numerator, selector.denominator) == (result.numerator, result.denominator)
    # The first half of 2024 ends before the base salary rise: B still qualifies, E's position still runs.
    first_half = value("STAFFING", "08", "2024S1", province_manager)
    assert (first_half.day, first_half.numerator, first_half.denominator) == (dt.date(2024, 6, 30), 3, 4)


def test_staffing_breakdowns_target_and_actionable_list(world, province_manager):
    result = value("STAFFING", "08", "2024", province_manager)
    by_kind = {row.key: (row.numerator, row.denominator) for row in result.breakdown("kind").rows}
    assert by_kind == {OrgKind.COMMUNE_COMMITTEE: (1, 1), OrgKind.SCHOOL: (0, 2), OrgKind.HEALTH: (0, 1)}
    by_commune = {row.label: (row.numerator, row.denominator) for row in result.breakdown("commune").rows}
    assert by_commune == {"Phường Phan Thiết (đến 30/06/2025)": (1, 2),
                          "Phường Minh Xuân (đến 30/06/2025)": (0, 1), "Xã Tràng Đà (đến 30/06/2025)": (0, 1)}
    # Target of phase 1: at least 60 % by the end of 2025; 25 % at the end of 2024 is behind, still in time.
    assert (result.target.value, result.target.comparison, result.target.phase_code) == (0.6, ">=", "1")
    assert result.target.met is False and result.status == Status.IN_PROGRESS
    assert result.progress == pytest.approx(0.25 / 0.6)
    gaps = {row["name"]: (row["gap"], row["reason"]) for row in result.actionable.rows}
    assert gaps == {
        "Trường THCS Minh Xuân": (StaffingGap.BELOW_BASE, "Phụ cấp cao nhất 2.000.000 đồng/tháng, thấp hơn "
                                                          "mức lương cơ sở 2.340.000 đồng."),
        "Trường Tiểu học Tràng Đà": (StaffingGap.POSITION_ENDED, "Vị trí công tác xã hội đã kết thúc ngày "
                                                                 "31/10/2024; chưa bố trí người thay."),
        "Trạm y tế phường Phan Thiết": (StaffingGap.NO_STAFF, "Chưa bố trí người làm công tác xã hội."),
    }


def test_staffing_in_todays_province_restates_the_old_units(world, province_manager):
    result = value("STAFFING", world.geo.new08, "2024", province_manager)
    assert (result.numerator, result.denominator) == (1, 5)  # the old Hà Giang's station C too
    assert any("chưa được thành lập" in note for note in result.notes)


def test_an_old_unit_over_phase_1_is_taken_on_its_last_day(world, province_manager):
    result = value("STAFFING", "08", "2021-2025", province_manager)
    assert result.unit.id == world.geo.new08.pk  # valid on the period's last day
    old = value("STAFFING", world.geo.old08, "2021-2025", province_manager)
    assert old.day == dt.date(2025, 6, 30)
    assert (old.numerator, old.denominator) == (1, 4)
    assert any("chấm dứt ngày 30/06/2025" in note for note in old.notes)
    with pytest.raises(ValidationError, match="đã chấm dứt từ ngày 30/06/2025"):
        value("STAFFING", world.geo.old08, "2026", province_manager)


def test_staffing_of_an_unfinished_period_is_taken_today_and_a_future_one_is_refused(world, province_manager):
    assert value("STAFFING", "08", "2026", province_manager).day == TODAY
    with pytest.raises(ValidationError, match="chưa bắt đầu"):
        value("STAFFING", "08", "2027", province_manager)


def test_training_sums_the_sessions_of_the_period(world, province_manager):
    g = world.geo
    phase = value("TRAINING", "08", "2021-2025", province_manager)
    assert phase.unit.id == g.new08.pk
    assert phase.value == 7 == training(g.new08, start=dt.date(2021, 1, 1), end=dt.date(2025, 12, 31)).total
    assert phase.details["named"] == 2 and phase.details["counted"] == 5
    assert value("TRAINING", g.old08, "2021-2025", province_manager).value == 6
    assert value("TRAINING", "08", "2022", province_manager).value == 1  # old Tuyên Quang in 2022: Hoa
    assert value("TRAINING", g.new08, "2022", province_manager).value == 2
    assert value("TRAINING", "08", "2026-2030", province_manager).value == 1
    assert value("TRAINING", "08", "2022-03-10", province_manager).value == 1


def test_training_target_is_the_phase_total_for_a_province(world, province_manager):
    g = world.geo
    phase = value("TRAINING", g.new08, "2021-2025", province_manager)
    assert (phase.target.value, phase.target.comparison) == (2000, ">")
    assert phase.status == Status.NOT_ACHIEVED  # the phase is over
    assert phase.progress == pytest.approx(7 / 2000)
    years = phase.breakdown("year").rows
    assert [(row.key, row.value, row.cumulative) for row in years] == [
        (2021, 0, 0), (2022, 2, 2), (2023, 0, 2), (2024, 5, 7), (2025, 0, 7)]
    # A year inside the phase: its own value, progress on the cumulative since the phase began.
    year = value("TRAINING", g.new08, "2024", province_manager)
    assert year.value == 5 and year.progress == pytest.approx(7 / 2000)
    assert [row.key for row in year.breakdown("year").rows] == [2021, 2022, 2023, 2024]
    # Phase 2, still running: in progress.
    assert value("TRAINING", "08", "2026-2030", province_manager).status == Status.IN_PROGRESS
    # A commune has no share of the province's target.
    commune = value("TRAINING", g.n1, "2021-2025", province_manager)
    assert commune.target is None and commune.status == Status.NO_TARGET


def test_training_breakdowns_and_person_times_by_commune(world, province_manager):
    result = value("TRAINING", world.geo.new08, "2021-2025", province_manager)
    assert {row.label: row.value for row in result.breakdown("sex").rows} == {"Nữ": 6, "Nam": 1}
    assert {row.key: row.value for row in result.breakdown("kind").rows} == {
        OrgKind.SCHOOL: 5, OrgKind.HEALTH: 1, OrgKind.COMMUNE_COMMITTEE: 1}
    assert {row.label: row.value for row in result.breakdown("topic").rows} == {
        "Kỹ năng công tác xã hội": 7, "Quản lý trường hợp": 7}
    rows = {row["unit_code"] + " " + row["unit_name"]: row["total"] for row in result.actionable.rows}
    assert rows == {
        "02200 Phường Phan Thiết (đến 30/06/2025)": 1, "02203 Phường Minh Xuân (đến 30/06/2025)": 5,
        "02206 Xã Tràng Đà (đến 30/06/2025)": 0, "00700 Phường Quang Trung (đến 30/06/2025)": 1,
        "02200 Phường Minh Xuân": 0, "02210 Xã Nông Tiến": 0,
    }
    assert sum(rows.values()) == result.value
    assert result.actionable.rows[0]["total"] == 0  # the communes with none come first


def test_scope_a_commune_officer_sees_only_their_commune_and_its_old_communes(world, commune_officer):
    g = world.geo
    own = value("STAFFING", "02200", "2026", commune_officer)
    assert own.unit.id == g.n1.pk
    old = value("STAFFING", "02200", "2024", commune_officer)  # code 02200 in 2024: the old Phan Thiết
    assert old.unit.id == g.x1.pk and (old.numerator, old.denominator) == (1, 2)
    for unit in ("02210", g.n2, "08", g.y1, "99999"):
        with pytest.raises(UnitNotAvailable, match="trong phạm vi của bạn"):
            value("STAFFING", unit, "2024", commune_officer)


def test_the_actionable_list_leaves_out_organizations_outside_the_users_scope(world):
    # An officer of one organization sees the indicator of its commune, but not the other organizations.
    officer = make_user("canbo-ubnd", Role.ORG_OFFICER, organizations=[world.a])
    result = value("STAFFING", world.geo.x1, "2024", officer)
    assert (result.numerator, result.denominator) == (1, 2)
    assert result.actionable.rows == [] and result.actionable.hidden == 1
    assert "1 tổ chức chưa đạt nằm ngoài phạm vi" in result.actionable.note


def test_only_signed_in_users_who_may_view_indicators(world):
    with pytest.raises(PermissionDenied):
        value("STAFFING", "08", "2024", AnonymousUser())


def test_compute_without_a_user_and_the_result_as_json(world):
    result = compute("TRAINING", unit=world.geo.new08, period="2021-2025", today=TODAY)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["indicator"] == "TRAINING" and data["value"] == 7
    assert data["period"] == {"code": "2021-2025", "kind": "years", "label": "Giai đoạn 2021-2025",
                              "start": "2021-01-01", "end": "2025-12-31"}
    assert data["unit"]["code"] == "08" and data["target"]["value"] == 2000
    assert data["actionable"]["columns"][0] == {"key": "unit_code", "label": "Mã đơn vị", "kind": "text"}
    staffing_data = json.loads(json.dumps(compute("STAFFING", unit=world.geo.old08, period="2024",
                                                  today=TODAY).to_dict()))
    assert staffing_data["numerator"] == 1 and staffing_data["day"] == "2024-12-31"
    assert staffing_data["actionable"]["rows"][0]["organization_id"]
