"""Working days with Vietnamese public holidays: the data file, the table administrators correct, and the
child protection deadline "a support plan within 5 working days" across Tết and the swapped days off."""

import datetime as dt
from collections import Counter

import pytest
from django.core.management import call_command

from ctxh.cases.holidays import WorkingCalendar, load_holidays, read_holidays
from ctxh.cases.models import Case, HolidayKind, PublicHoliday
from ctxh.cases.selectors import case_deadlines, overdue_cases, plan_due
from ctxh.cases.testing import at, make_case, make_person
from ctxh.testing import make_org

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def holidays_loaded(db):
    """The table as the migration loads it (a browser test's flush may have emptied it on this worker)."""
    load_holidays(PublicHoliday)


# --- the data file


def test_every_year_2020_2030_has_tet_hung_kings_30_4_1_5_and_2_9():
    rows = read_holidays()
    by_year = Counter(row["date"].year for row in rows if "Tết Nguyên đán" in row["name"])
    assert sorted(by_year) == list(range(2020, 2031))
    assert all(count >= 5 for count in by_year.values())  # five statutory days, more when a weekend falls in
    dates = {row["date"] for row in rows}
    for year in range(2020, 2031):
        assert {D(year, 1, 1), D(year, 4, 30), D(year, 5, 1), D(year, 9, 2)} <= dates, year
        assert any("Hùng Vương" in row["name"] and row["date"].year == year for row in rows), year


def test_known_days_off_and_lunar_dates():
    names = {row["date"]: row["name"] for row in read_holidays()}
    assert names[D(2025, 1, 29)] == "Tết Nguyên đán (mùng 1)"  # Tết Ất Tỵ
    assert names[D(2024, 2, 10)] == "Tết Nguyên đán (mùng 1)"  # Tết Giáp Thìn
    assert names[D(2030, 2, 2)] == "Tết Nguyên đán (mùng 1)"  # Vietnam's calendar (China's: 3 February)
    assert names[D(2025, 4, 7)] == "Giỗ Tổ Hùng Vương (10/3 Âm lịch)"


def test_years_without_an_official_notice_are_marked_unconfirmed():
    rows = read_holidays()
    assert all(row["confirmed"] for row in rows if row["date"].year <= 2025)
    assert not any(row["confirmed"] for row in rows if row["date"].year >= 2026)


def test_make_up_working_days_are_weekend_days_and_swapped_days_are_week_days():
    rows = read_holidays()
    makeup = [row["date"] for row in rows if row["kind"] == HolidayKind.MAKEUP_WORKDAY]
    swapped = [row["date"] for row in rows if row["kind"] == HolidayKind.SWAPPED]
    assert D(2025, 4, 26) in makeup and D(2025, 5, 2) in swapped
    assert all(day.weekday() >= 5 for day in makeup)
    assert all(day.weekday() < 5 for day in swapped)
    assert len(makeup) == len(swapped)


def test_the_migration_loaded_the_table_and_the_loader_keeps_corrections():
    assert PublicHoliday.objects.filter(date=D(2025, 1, 29)).exists()
    total = PublicHoliday.objects.count()
    assert total == len(read_holidays())
    corrected = PublicHoliday.objects.get(date=D(2027, 2, 10))
    corrected.confirmed = True
    corrected.note = "Thông báo năm 2027"
    corrected.save()
    call_command("load_public_holidays")
    corrected.refresh_from_db()
    assert corrected.confirmed and PublicHoliday.objects.count() == total
    call_command("load_public_holidays", "--overwrite")
    corrected.refresh_from_db()
    assert not corrected.confirmed


# --- working days


def test_a_plan_due_after_tet_2025_skips_the_five_days_off():
    # Intake on Friday 24/01/2025; 27-31/01 are Tết (days off); the 5 working days are 03-07/02.
    assert plan_due(D(2025, 1, 24)) == D(2025, 2, 7)
    assert WorkingCalendar().add_working_days(D(2025, 1, 24), 5) == D(2025, 1, 31)  # weekends only


def test_a_plan_due_after_tet_2024_across_the_weekend_inside_the_holiday():
    # Intake on Wednesday 07/02/2024: 08-14/02 are off (a weekend inside); then 15, 16, 19, 20, 21/02.
    assert plan_due(D(2024, 2, 7)) == D(2024, 2, 21)


def test_a_saturday_worked_instead_counts_and_the_swapped_friday_does_not():
    # 2025: Saturday 26/04 is worked in place of Friday 02/05; 30/04 and 01/05 are holidays.
    calendar = WorkingCalendar.load()
    assert calendar.is_working_day(D(2025, 4, 26)) and not calendar.is_working_day(D(2025, 5, 2))
    # Intake Friday 25/04: 26/04 (Sat, worked), 28, 29/04, then 05, 06/05.
    assert plan_due(D(2025, 4, 25), calendar) == D(2025, 5, 6)
    assert calendar.working_days_between(D(2025, 4, 25), D(2025, 5, 6)) == 5


def test_an_administrator_adds_a_day_off_and_the_deadline_follows():
    assert plan_due(D(2027, 6, 7)) == D(2027, 6, 14)
    PublicHoliday.objects.create(date=D(2027, 6, 10), name="Nghỉ đột xuất", kind=HolidayKind.HOLIDAY)
    assert plan_due(D(2027, 6, 7)) == D(2027, 6, 15)


def test_the_overdue_flag_waits_for_the_end_of_tet(small_geo):
    org = make_org(small_geo.n1, "Trung tâm Công tác xã hội")
    child = make_person("Hà Thị Lan", date_of_birth=D(2016, 2, 2))
    case = make_case(child, org, opened_at=at(2025, 1, 24, 15))
    # 31/01 would be the deadline without the holidays: the plan is not overdue during Tết.
    assert not overdue_cases(D(2025, 2, 3), cases=Case.objects.filter(pk=case.pk)).exists()
    assert not overdue_cases(D(2025, 2, 7), cases=Case.objects.filter(pk=case.pk)).exists()
    late = overdue_cases(D(2025, 2, 8), cases=Case.objects.filter(pk=case.pk)).get()
    assert late.plan_overdue and not late.emergency_overdue
    plan = next(d for d in case_deadlines(case, now=at(2025, 2, 4)) if d.kind == "plan")
    assert plan.due == D(2025, 2, 7) and not plan.overdue
