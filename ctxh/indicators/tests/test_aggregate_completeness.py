"""Completeness and timeliness of the reports, hand-computed on the small geography.

Six months 2024S2 ends on 31/12/2024: on time when completed by 15/01/2025 (timely days 15, local time),
entry closes after 30/01/2025. The old Tuyên Quang (old08) has the communes x1, x2, x3; old Hà Giang has y1.
- x1 completed on 10/01/2025 10:00: on time; x2 on 15/01/2025 23:30: on time (the last minute of the day);
- y1 on 16/01/2025 00:10 (still 15/01 in UTC): late; x3 never: missing once the deadline is over (x3
  reported 2024S1, so it takes part in the reporting).
The new communes n1 and n2 take part too: old communes that reported were merged into them.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from ctxh.indicators.aggregate.selectors import ReportStatus, completeness, reported_values
from ctxh.indicators.aggregate.services import complete_registration, save_data_values
from ctxh.indicators.aggregate.testing import build_aggregate_world, cells

pytestmark = pytest.mark.django_db
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def w(small_geo):
    w = build_aggregate_world(small_geo)
    g = w.geo
    for unit, user, values in (
        (g.x1, w.officer_n1, cells(FACILITIES_TOTAL="3", COUNSELLED_PEOPLE__MALE="4")),
        (g.x2, w.officer_n1, cells(FACILITIES_TOTAL="2")),
        (g.y1, w.officer_n2, cells(FACILITIES_TOTAL="1", COUNSELLED_PEOPLE__MALE="2",
                                   COUNSELLED_PEOPLE__FEMALE="5")),
    ):
        save_data_values(user=user, data_set=w.six_months, unit=unit, period_code="2024S2", values=values,
                         today=dt.date(2025, 1, 5))
    save_data_values(user=w.officer_n1, data_set=w.six_months, unit=g.x3, period_code="2024S1",
                     values=cells(FACILITIES_TOTAL="4"), today=dt.date(2024, 7, 5))
    for unit, user, moment in ((g.x1, w.officer_n1, dt.datetime(2025, 1, 10, 10, 0)),
                               (g.x2, w.officer_n1, dt.datetime(2025, 1, 15, 23, 30)),
                               (g.y1, w.officer_n2, dt.datetime(2025, 1, 16, 0, 10))):
        with time_machine.travel(moment.replace(tzinfo=HANOI), tick=False):
            complete_registration(user, w.six_months, unit, "2024S2")
    return w


def by_code(result) -> dict[str, str]:
    return {row.code: row.status for row in result.rows}


def test_the_old_province_has_two_reports_of_three_on_time_and_one_missing(w):
    result = completeness(w.six_months, "2024S2", w.geo.old08, today=dt.date(2025, 2, 1))
    assert by_code(result) == {"02200": ReportStatus.ON_TIME, "02203": ReportStatus.ON_TIME,
                               "02206": ReportStatus.MISSING}
    assert (result.expected, result.completed, result.on_time, result.late, result.missing) == (3, 2, 2, 0, 1)
    assert result.completed_rate == pytest.approx(2 / 3) and result.on_time_rate == pytest.approx(2 / 3)
    assert result.timely_deadline == dt.date(2025, 1, 15)
    assert {row.code: row.values_count for row in result.rows} == {"02200": 2, "02203": 1, "02206": 0}
    assert result.expected_mode == "network"


def test_the_new_province_reads_both_old_provinces_and_a_report_after_midnight_is_late(w):
    result = completeness(w.six_months, "2024S2", w.geo.new08, today=dt.date(2025, 2, 1))
    assert by_code(result)["00700"] == ReportStatus.LATE
    assert (result.expected, result.completed, result.on_time, result.late, result.missing) == (4, 3, 2, 1, 1)
    assert result.completed_rate == 0.75 and result.on_time_rate == 0.5
    y1 = next(row for row in result.rows if row.code == "00700")
    assert y1.completed_by_name == "Đặng Văn Sơn"


def test_before_the_timely_deadline_a_missing_report_is_not_yet_due(w):
    result = completeness(w.six_months, "2024S2", w.geo.old08, today=dt.date(2025, 1, 15))
    assert by_code(result)["02206"] == ReportStatus.NOT_DUE
    assert (result.missing, result.not_due) == (0, 1)


def test_rows_sort_by_status_missing_first(w):
    result = completeness(w.six_months, "2024S2", w.geo.new08, today=dt.date(2025, 2, 1), sort="status")
    assert [row.status for row in result.rows] == [ReportStatus.MISSING, ReportStatus.LATE,
                                                   ReportStatus.ON_TIME,
                                                   ReportStatus.ON_TIME]
    result = completeness(w.six_months, "2024S2", w.geo.new08, today=dt.date(2025, 2, 1), sort="-values")
    assert [row.code for row in result.rows][:2] == ["00700", "02200"]  # 3 values, 2 values


def test_a_year_after_the_reorganization_expects_the_new_communes_only(w):
    save_data_values(user=w.officer_n1, data_set=w.year, unit=w.geo.x1, period_code="2025",
                     values=cells(FACILITIES_TOTAL="3"), today=dt.date(2026, 1, 5))
    save_data_values(user=w.officer_n1, data_set=w.year, unit=w.geo.n1, period_code="2025",
                     values=cells(FACILITIES_TOTAL="5"), today=dt.date(2026, 1, 5))
    result = completeness(w.year, "2025", w.geo.new08, today=dt.date(2026, 3, 1))
    rows = {row.code + ("*" if row.valid_to else ""): (row.expected, row.status) for row in result.rows}
    assert rows == {"02200": (True, ReportStatus.MISSING), "02210": (True, ReportStatus.MISSING),
                    "02200*": (False, ReportStatus.MISSING)}  # the old x1 reported: listed, not expected
    assert result.expected == 2


def test_a_commune_that_never_reported_is_expected_only_when_every_commune_is_counted(small_geo):
    w = build_aggregate_world(small_geo)
    g = w.geo
    save_data_values(user=w.officer_n1, data_set=w.six_months, unit=g.x1, period_code="2024S2",
                     values=cells(FACILITIES_TOTAL="3"), today=dt.date(2025, 1, 5))
    network = completeness(w.six_months, "2024S2", g.old08, today=dt.date(2025, 2, 1))
    assert [(row.code, row.expected) for row in network.rows] == [("02200", True)]  # x2, x3 keep records
    assert (network.expected, network.missing) == (1, 1)
    every = completeness(w.six_months, "2024S2", g.old08, today=dt.date(2025, 2, 1), expected="all")
    assert (every.expected, every.missing) == (3, 3)
    # n1 takes part from its first period on: x1, which reported, was merged into it.
    later = completeness(w.six_months, "2025S2", g.new08, today=dt.date(2026, 2, 1))
    assert [(row.code, row.status) for row in later.rows] == [("02200", ReportStatus.MISSING)]


def test_a_commune_officer_sees_only_the_units_of_the_scope(w):
    result = completeness(w.six_months, "2024S2", w.geo.new08, user=w.officer_n1, today=dt.date(2025, 2, 1))
    assert set(by_code(result)) == {"02200", "02203", "02206"}


def test_reported_values_give_the_engine_each_cell_with_its_dimensions(w):
    rows = list(reported_values("COUNSELLED_PEOPLE", "2024S2", [w.geo.y1.pk, w.geo.x1.pk]))
    assert [(r["unit_id"], r["option"], r["dimensions"], int(r["value"])) for r in rows] == sorted([
        (w.geo.x1.pk, "MALE", {"sex": "male"}, 4), (w.geo.y1.pk, "MALE", {"sex": "male"}, 2),
        (w.geo.y1.pk, "FEMALE", {"sex": "female"}, 5)], key=lambda r: (r[0], r[1] != "MALE"))
    assert len(list(reported_values("COUNSELLED_PEOPLE", "2024S2"))) == 3
