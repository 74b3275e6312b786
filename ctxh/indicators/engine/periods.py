"""The periods the fact table is kept for, and how the engine decomposes them.

Every fact period is a union of half-years (a year = S1 + S2, a phase = its years' halves), so record-based
flows are computed once per half-year ("half index" = year x 2 + half - 1) and combined per period; reported
numbers are read per reporting period (a year, or its halves when the year was not reported).
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ctxh.indicators.periods import (
    Period,
    PeriodKind,
    parse_period,
    six_months_period,
    year_period,
    years_period,
)

FIRST_YEAR = 2020  # the base year of phase 1's growth target
PHASES: tuple[tuple[int, int], ...] = ((2021, 2025), (2026, 2030))


def fact_periods(today: dt.date | None = None) -> list[Period]:
    """Years FIRST_YEAR..the current year, their halves that have begun, and the programme phases."""
    today = today or timezone.localdate()
    periods: list[Period] = []
    for year in range(FIRST_YEAR, today.year + 1):
        periods += [p for p in (six_months_period(year, 1), six_months_period(year, 2)) if p.start <= today]
        periods.append(year_period(year))
    periods += [years_period(first, last) for first, last in PHASES]
    return periods


def half_index(day: dt.date) -> int:
    return day.year * 2 + (0 if day.month <= 6 else 1)


def half_start(index: int) -> dt.date:
    return dt.date(index // 2, 1 if index % 2 == 0 else 7, 1)


@dataclass(frozen=True)
class Halves:
    """The half-years `first`..`last` (indexes, both included) covering some periods."""

    first: int
    last: int

    @classmethod
    def covering(cls, periods: list[Period]) -> "Halves":
        return cls(min(half_index(p.start) for p in periods), max(half_index(p.end) for p in periods))

    @property
    def start(self) -> dt.date:
        return half_start(self.first)

    @property
    def end(self) -> dt.date:
        return half_start(self.last + 1) - dt.timedelta(days=1)

    def case(self, column: str) -> tuple[str, list]:
        """SQL mapping the date `column` (within start..end) to its half index, with its parameters."""
        branches, params = [], []
        for index in range(self.first, self.last):
            branches.append(f"WHEN {column} < %s THEN {index}")
            params.append(half_start(index + 1))
        if not branches:
            return str(self.first), []
        return f"CASE {' '.join(branches)} ELSE {self.last} END", params


def period_halves(period: Period) -> tuple[int, int]:
    return half_index(period.start), half_index(period.end)


def check_fact_period(period: Period) -> None:
    """Facts are kept for whole half-years, years and spans of years; a day has no fact."""
    aligned = (period.start.month, period.start.day) in ((1, 1), (7, 1)) and (
        (period.end.month, period.end.day) in ((6, 30), (12, 31)))
    if period.kind == PeriodKind.DAY or not aligned:
        raise ValidationError(
            _("Kỳ “%(code)s”: chỉ số chỉ được tính sẵn cho năm, sáu tháng hoặc giai đoạn."),
            code="fact_period", params={"code": period.code})


def parse_fact_period(code: str) -> Period:
    period = parse_period(code)
    check_fact_period(period)
    return period


def reporting_slots(period: Period, *, additive: bool) -> list[tuple[str, str, int]]:
    """The reporting periods whose reported numbers make up `period`: (code, year_code, estimate).

    A half-year: itself. A year: the yearly value, or (`year_code` set: only when the unit did not report
    the year) S1 + S2, an estimate unless the indicator is additive (person-times). A span of years: the
    same for each year, an estimate unless additive (distinct people over several years are not a sum).
    """
    if period.kind == PeriodKind.SIX_MONTHS:
        return [(period.code, "", 0)]
    halves_estimate = 0 if additive else 1
    years_estimate = 0 if additive or period.kind == PeriodKind.YEAR else 1
    slots = []
    for year in range(period.start.year, period.end.year + 1):
        code = str(year)
        slots += [(code, "", years_estimate), (f"{code}S1", code, halves_estimate),
                  (f"{code}S2", code, halves_estimate)]
    return slots


def overlapping(periods: list[Period], lo: dt.date | None, hi: dt.date | None) -> list[Period]:
    """The periods that share at least a day with [lo, hi] (open ends allowed)."""
    return [p for p in periods if (lo is None or p.end >= lo) and (hi is None or p.start <= hi)]
