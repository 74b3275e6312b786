"""The read side of the fact table (`ctxh.indicators.facts`): what each function returns, one query each."""

import pytest

from ctxh.indicators import facts
from ctxh.indicators.dashboard_testing import fact

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(small_geo):
    g = small_geo
    fact("STAFFING", g.n1, "2024", 0.6, numerator=3, denominator=5)
    fact("STAFFING", g.n1, "2025", 0.8, numerator=4, denominator=5)
    fact("STAFFING", g.n2, "2024", 0.5, numerator=1, denominator=2, is_estimate=True)
    fact("STAFFING", g.n1, "2024", 1.0, numerator=1, denominator=1, dimension="kind", category="school")
    fact("STAFFING", g.n1, "2024", 0.5, numerator=2, denominator=4, dimension="kind", category="health")
    fact("COUNSELLED", g.n1, "2024", 12)
    fact("COUNSELLED", g.n1, "2024", 7, dimension="sex", category="female")
    fact("COUNSELLED", g.n1, "2024", 5, dimension="sex", category="male")
    fact("COUNSELLED", g.n2, "2024", 3, dimension="sex", category="female")
    return g


def test_value_is_the_total_or_one_category(stored, django_assert_num_queries):
    with django_assert_num_queries(1):
        total = facts.value("STAFFING", stored.n1.pk, "2024")
    assert (total.value, total.numerator, total.denominator) == (0.6, 3, 5)
    assert facts.value("STAFFING", stored.n1, "2024", "kind", "health").value == 0.5  # a Unit works too
    assert facts.value("STAFFING", stored.n1.pk, "2023") is None
    assert facts.value("TRAINING", stored.n1.pk, "2024") is None


def test_series_keeps_the_periods_asked_for_that_have_a_fact(stored, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = facts.series("STAFFING", stored.n1.pk, ["2023", "2024", "2025"])
    assert list(found) == ["2024", "2025"]
    assert found["2025"].value == 0.8
    assert facts.series("STAFFING", stored.n1.pk, []) == {}


def test_by_unit_gives_the_totals_or_the_categories_of_several_units(stored, django_assert_num_queries):
    with django_assert_num_queries(1):
        totals = facts.by_unit("STAFFING", [stored.n1.pk, stored.n2.pk, stored.x1.pk], "2024")
    assert set(totals) == {stored.n1.pk, stored.n2.pk}  # x1 has no fact
    assert [f.value for f in totals[stored.n1.pk]] == [0.6]
    assert totals[stored.n2.pk][0].is_estimate is True
    by_sex = facts.by_unit("COUNSELLED", [stored.n1, stored.n2], "2024", "sex")
    assert [(f.category, f.value) for f in by_sex[stored.n1.pk]] == [("female", 7), ("male", 5)]
    assert [(f.category, f.value) for f in by_sex[stored.n2.pk]] == [("female", 3)]


def test_breakdown_lists_one_dimension_by_category(stored, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = facts.breakdown("STAFFING", stored.n1.pk, "2024", "kind")
    assert [(f.category, f.numerator, f.denominator) for f in rows] == [("health", 2, 4), ("school", 1, 1)]
    assert facts.breakdown("STAFFING", stored.n1.pk, "2024", "sex") == []


def test_grid_reads_indicators_units_and_periods_in_one_query(stored, django_assert_num_queries):
    with django_assert_num_queries(1):
        grid = facts.grid(["STAFFING", "COUNSELLED"], [stored.n1.pk, stored.n2.pk], ["2024", "2025"])
    assert set(grid) == {("STAFFING", stored.n1.pk, "2024"), ("STAFFING", stored.n1.pk, "2025"),
                         ("STAFFING", stored.n2.pk, "2024"), ("COUNSELLED", stored.n1.pk, "2024")}
    assert grid[("COUNSELLED", stored.n1.pk, "2024")].value == 12  # the total, not a category


def test_a_missing_fact_reads_as_zero_for_a_count_and_no_data_for_a_ratio(stored):
    assert facts.reading(None, "count") == 0
    assert facts.reading(None, "ratio") is None
    assert facts.reading(facts.value("STAFFING", stored.n1.pk, "2024"), "ratio") == 0.6
