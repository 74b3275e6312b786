"""The facts written by the engine equal the live computations (ctxh.indicators.registry.compute), for every
indicator and disaggregation, on units that are wholly inside each other (restatement through shares is
tested in test_engine_restatement). The world: ctxh/indicators/engine/testing.py (people served in 2024)
and ctxh/indicators/testing.py (organizations A-F, their staff, three training sessions).

Today is 01/03/2026.
"""

import datetime as dt

import pytest
import time_machine

from ctxh.core.models import Ethnicity
from ctxh.indicators.engine import fact_periods, rebuild_facts
from ctxh.indicators.engine.testing import TODAY, build_cases_world, fact, make_definitions
from ctxh.indicators.models import IndicatorFact
from ctxh.indicators.registry import compute
from ctxh.indicators.testing import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(dt.datetime(2026, 3, 1, 2, 0, tzinfo=dt.UTC), tick=False):
        yield TODAY


@pytest.fixture
def world(small_geo):
    people = build_cases_world(small_geo)
    people.orgs = build_world(small_geo)
    make_definitions("STAFFING", "TRAINING", "COUNSELLED", "CHILDREN")
    rebuild_facts()
    return people


def breakdown(code, unit, period, dimension) -> dict:
    return {f.category: f for f in IndicatorFact.objects.filter(
        indicator_code=code, unit=unit, period_code=period, dimension=dimension)}


def live_rows(result, dimension) -> dict:
    rows = result.breakdown(dimension).rows
    return {row.key: row for row in rows}


def whole_units(g):
    """Units whose data is wholly theirs through the map (no allocation share on the way)."""
    return [g.x1, g.x2, g.x3, g.y1, g.d070, g.d024, g.old08, g.old02, g.new08]


def test_the_periods_kept():
    codes = [p.code for p in fact_periods(TODAY)]
    assert codes[:3] == ["2020S1", "2020S2", "2020"]
    assert codes[-5:] == ["2025", "2026S1", "2026", "2021-2025", "2026-2030"]  # 2026S2 has not begun
    assert len(codes) == 7 * 3 - 1 + 2


def test_counselled_equals_the_live_computation_with_every_breakdown(world):
    g = world.geo
    ethnicity_codes = dict(Ethnicity.objects.values_list("pk", "code"))
    for period in ("2024", "2024S1", "2024S2", "2021-2025"):
        for unit in whole_units(g):
            live = compute("COUNSELLED", unit=unit, period=period, today=TODAY)
            total = fact("COUNSELLED", unit, period)
            assert (total.value if total else 0) == live.value, (unit.name, period)
            if not live.value:
                continue
            assert total.is_estimate is False and total.records_part == live.value
            for dimension in ("sex", "age", "group"):
                facts = breakdown("COUNSELLED", unit, period, dimension)
                assert {key: row.value for key, row in live_rows(live, dimension).items()} == {
                    key: f.value for key, f in facts.items()}, (unit.name, period, dimension)
            facts = breakdown("COUNSELLED", unit, period, "ethnicity")
            assert {ethnicity_codes.get(key, "unknown"): row.value
                    for key, row in live_rows(live, "ethnicity").items()} == {
                key: f.value for key, f in facts.items()}


def test_counselled_hand_counts(world):
    g = world.geo
    # 2024: An, Bình (moved from x2 to x3: counted once), Dũng, Em, Gấm; Cúc in the old Hà Giang.
    assert fact("COUNSELLED", g.old08, "2024").value == 5
    assert fact("COUNSELLED", g.new08, "2024").value == 6
    assert fact("COUNSELLED", g.x2, "2024").value == 1 and fact("COUNSELLED", g.x3, "2024").value == 2
    # Cúc's status ended on 30/04/2024: her service of 01/07/2024 does not count.
    assert fact("COUNSELLED", g.y1, "2024S1").value == 1 and fact("COUNSELLED", g.y1, "2024S2") is None
    # Dũng turned 16 on 15/08/2024: a child on 30/06/2024, not on 31/12/2024.
    assert fact("COUNSELLED", g.x1, "2024S1", "age", "0-15").value == 1
    assert fact("COUNSELLED", g.x1, "2024", "age", "16-59").value == 1
    assert fact("COUNSELLED", g.x1, "2024", "age", "0-15").value == 1  # Gấm
    assert fact("COUNSELLED", g.old08, "2024", "ethnicity", "02").value == 1  # Bình, Tày
    assert fact("COUNSELLED", g.old08, "2024", "ethnicity", "unknown").value == 3


def test_children_equals_the_live_computation(world):
    g = world.geo
    for period in ("2024", "2024S1", "2024S2", "2025", "2025S1"):
        for unit in whole_units(g):
            if unit.valid_to and unit.valid_to < dt.date(int(period[:4]), 1, 1):
                continue
            live = compute("CHILDREN", unit=unit, period=period, today=TODAY)
            total = fact("CHILDREN", unit, period)
            if not live.denominator:
                assert total is None, (unit.name, period)
                continue
            assert (total.numerator, total.denominator, total.value) == (
                live.numerator, live.denominator, live.value), (unit.name, period)
            for dimension in ("group", "sex"):
                facts = breakdown("CHILDREN", unit, period, dimension)
                expected = {key: (row.numerator, row.denominator)
                            for key, row in live_rows(live, dimension).items()}
                assert expected == {key: (f.numerator, f.denominator) for key, f in facts.items()}, (
                    unit.name, period, dimension)


def test_children_hand_counts(world):
    g = world.geo
    year = fact("CHILDREN", g.old08, "2024")
    assert (year.numerator, year.denominator, year.value) == (1, 2, 0.5)  # Gấm served, Em not; Dũng is 16
    first_half = fact("CHILDREN", g.old08, "2024S1")
    assert (first_half.numerator, first_half.denominator) == (1, 3)  # Dũng served, Em and Gấm not yet
    assert fact("CHILDREN", g.old08, "2024", "group", "severe_disability").numerator == 1
    assert fact("CHILDREN", g.x2, "2024") is None  # Hà's disability is mild
    # The old units are taken on their last day in 2025: 30/06/2025.
    assert fact("CHILDREN", g.old08, "2025").denominator == 2


def test_staffing_and_training_equal_the_live_computation(world):
    g = world.geo
    for period in ("2024", "2024S1", "2022", "2025"):
        for unit in whole_units(g):
            if unit.valid_to and unit.valid_to < dt.date(int(period[:4]), 1, 1):
                continue
            live = compute("STAFFING", unit=unit, period=period, today=TODAY)
            total = fact("STAFFING", unit, period)
            if not live.denominator:
                assert total is None
                continue
            assert (total.numerator, total.denominator) == (live.numerator, live.denominator), (
                unit.name, period)
            facts = breakdown("STAFFING", unit, period, "kind")
            assert {row.key: (row.numerator, row.denominator) for row in live.breakdown("kind").rows} == {
                key: (f.numerator, f.denominator) for key, f in facts.items()}
    for period in ("2022", "2024", "2021-2025", "2026", "2026-2030"):
        for unit in [g.x1, g.x2, g.y1, g.old08, g.old02, g.new08]:
            if unit.valid_to and unit.valid_to < dt.date(int(period[:4]), 1, 1):
                continue
            live = compute("TRAINING", unit=unit, period=period, today=TODAY)
            total = fact("TRAINING", unit, period)
            assert (total.value if total else 0) == live.value, (unit.name, period)
            if total:
                facts = breakdown("TRAINING", unit, period, "sex")
                rows = live.breakdown("sex").rows
                expected = {row.key or "unknown": row.value for row in rows if row.value}
                assert expected == {key: f.value for key, f in facts.items()}


def test_staffing_and_training_hand_counts(world):
    g = world.geo
    staffing = fact("STAFFING", g.old08, "2024")
    assert (staffing.numerator, staffing.denominator) == (1, 4)
    assert fact("STAFFING", g.old08, "2024S1").numerator == 3  # the base salary was 1,800,000
    assert fact("STAFFING", g.new08, "2024").denominator == 5
    assert fact("TRAINING", g.old08, "2021-2025").value == 6
    assert fact("TRAINING", g.new08, "2021-2025").value == 7
    assert fact("TRAINING", g.new08, "2026").value == 1


def test_facts_only_where_there_is_data_and_not_for_units_gone_before_the_period(world):
    g = world.geo
    assert fact("COUNSELLED", g.x1, "2023") is None  # nobody served in 2023
    assert fact("STAFFING", g.x1, "2026") is None  # x1 ended on 30/06/2025 and is not valid today
    # Today's units restate older periods: the new commune n1 has 2024 facts through x1 and x2.
    assert fact("COUNSELLED", g.n1, "2024") is not None
