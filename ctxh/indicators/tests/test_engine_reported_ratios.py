"""Reported ratios in the fact table.

A reported ratio's denominator is a stock (children in the plan's groups, facilities, at the period's end):
a year reported by halves must not add the two halves' stocks (the same children or facilities twice), or a
unit reporting by halves weighs double next to a unit reporting the year.
"""

import datetime as dt

import pytest
import time_machine

from ctxh.indicators.engine import rebuild_facts
from ctxh.indicators.engine.testing import TODAY, fact, make_definitions, report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(dt.datetime(2026, 3, 1, 2, 0, tzinfo=dt.UTC), tick=False):
        yield TODAY


def test_a_reported_ratio_by_halves_takes_the_stock_at_the_years_end(small_geo):
    g = small_geo
    make_definitions("SERVICE_FACILITIES")
    # x2 reports the year: 10 facilities, all providing; x3 reports its halves: the same 10 facilities in
    # each half, none providing.
    report(g.x2, "2024", "FACILITIES_TOTAL", {"default": 10})
    report(g.x2, "2024", "FACILITIES_PROVIDING", {"default": 10})
    for half in ("2024S1", "2024S2"):
        report(g.x3, half, "FACILITIES_TOTAL", {"default": 10})
        report(g.x3, half, "FACILITIES_PROVIDING", {"default": 0})
    rebuild_facts()
    x3 = fact("SERVICE_FACILITIES", g.x3, "2024")
    assert (x3.numerator, x3.denominator, x3.value) == (0, 10, 0)
    district = fact("SERVICE_FACILITIES", g.d070, "2024")
    assert (district.numerator, district.denominator, district.value) == (10, 20, 0.5)


def test_a_reported_ratio_with_only_its_first_half_reported_keeps_it(small_geo):
    g = small_geo
    make_definitions("SERVICE_FACILITIES")
    report(g.x3, "2024S1", "FACILITIES_TOTAL", {"default": 8})
    report(g.x3, "2024S1", "FACILITIES_PROVIDING", {"default": 2})
    rebuild_facts()
    x3 = fact("SERVICE_FACILITIES", g.x3, "2024")
    assert (x3.numerator, x3.denominator, x3.value, x3.is_estimate) == (2, 8, 0.25, True)


def test_a_reported_ratio_over_a_phase_is_not_the_sum_of_its_years(small_geo):
    g = small_geo
    make_definitions("SERVICE_FACILITIES")
    for year, providing in (("2023", 4), ("2024", 6)):
        report(g.x2, year, "FACILITIES_TOTAL", {"default": 10})
        report(g.x2, year, "FACILITIES_PROVIDING", {"default": providing})
    rebuild_facts()
    phase = fact("SERVICE_FACILITIES", g.x2, "2021-2025")
    # The latest stock reported in the phase (x2 ended on 30/06/2025 and reported no more).
    assert (phase.numerator, phase.denominator) == (6, 10)
