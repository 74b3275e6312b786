"""Outliers against the same cell's history (median ± 3 × 1.4826 × MAD, with a floor), hand-computed."""

import datetime as dt
from decimal import Decimal

import pytest

from ctxh.indicators.aggregate.outliers import History, histories
from ctxh.indicators.aggregate.selectors import entry_form
from ctxh.indicators.aggregate.testing import build_aggregate_world
from ctxh.indicators.models import CategoryOptionCombo, DataElement, DataValue
from ctxh.indicators.periods import parse_period


def history(*numbers) -> History:
    return History(tuple((f"P{index}", Decimal(number)) for index, number in enumerate(numbers)))


def test_bounds_are_the_median_plus_or_minus_three_scaled_mads():
    # 10, 12, 11, 30: median 11.5; deviations 1.5, 0.5, 0.5, 18.5: MAD 1.0; floor 10 % of 11.5 = 1.15 wins:
    # 11.5 ± 3 × 1.4826 × 1.15 = 11.5 ± 5.114970 -> [6.385030, 16.614970].
    bounds = history(10, 12, 11, 30).bounds
    assert bounds.median == Decimal("11.5")
    assert (bounds.low, bounds.high) == (Decimal("6.385030"), Decimal("16.614970"))
    h = history(10, 12, 11, 30)
    assert [n for n in (5, 6, 7, 16, 17, 40) if h.is_outlier(Decimal(n))] == [5, 6, 17, 40]


def test_a_spread_history_uses_its_mad():
    # 20, 40, 60, 80, 100: median 60; deviations 40, 20, 0, 20, 40: MAD 20 (above the floor of 6):
    # 60 ± 3 × 1.4826 × 20 = 60 ± 88.956 -> [-28.956, 148.956].
    h = history(20, 40, 60, 80, 100)
    assert (h.bounds.low, h.bounds.high) == (Decimal("-28.956"), Decimal("148.956"))
    assert not h.is_outlier(Decimal(148)) and h.is_outlier(Decimal(149))


def test_a_constant_history_does_not_flag_every_change():
    h = history(10, 10, 10)  # MAD 0: the floor of 1 gives 10 ± 4.4478
    assert [n for n in range(4, 17) if h.is_outlier(Decimal(n))] == [4, 5, 15, 16]
    big = history(100, 100, 100)  # floor: 10 % of the median, 100 ± 44.478
    assert not big.is_outlier(Decimal(56)) and not big.is_outlier(Decimal(144))
    assert big.is_outlier(Decimal(145))


def test_fewer_than_three_earlier_periods_never_flag():
    assert history(10, 10).bounds is None
    assert not history(10, 10).is_outlier(Decimal(1000))
    assert not history(10, 10, 10).is_outlier(None)


@pytest.fixture
def w(small_geo):
    return build_aggregate_world(small_geo)


def put(unit, element, option, period_code, value):
    period = parse_period(period_code)
    DataValue.objects.create(data_element=DataElement.objects.get(code=element),
                             category_option_combo=CategoryOptionCombo.objects.get(code=option), unit=unit,
                             period_code=period.code, period_start=period.start, period_end=period.end,
                             value=value)


def test_the_history_is_the_same_unit_element_cell_and_period_type_before_the_period(w):
    x1, x2 = w.geo.x1, w.geo.x2
    for code, value in (("2022S2", 10), ("2023S1", 12), ("2023S2", 11), ("2024S1", 30)):
        put(x1, "COUNSELLED_PEOPLE", "FEMALE", code, value)
    put(x1, "COUNSELLED_PEOPLE", "FEMALE", "2023", 99)  # a year: another period type
    put(x1, "COUNSELLED_PEOPLE", "FEMALE", "2025S1", 500)  # later: not history of 2024S2
    put(x1, "COUNSELLED_PEOPLE", "MALE", "2023S1", 77)  # another cell
    put(x2, "COUNSELLED_PEOPLE", "FEMALE", "2023S1", 66)  # another unit
    element = DataElement.objects.get(code="COUNSELLED_PEOPLE")
    female = CategoryOptionCombo.objects.get(code="FEMALE")
    found = histories(unit=x1, element_ids=[element.pk], period=parse_period("2024S2"))
    assert found[(element.pk, female.pk)].values == (
        ("2024S1", Decimal(30)), ("2023S2", Decimal(11)), ("2023S1", Decimal(12)), ("2022S2", Decimal(10)))


def test_the_form_flags_its_outliers_with_one_query_for_all_histories(w, django_assert_num_queries):
    x1 = w.geo.x1
    for code, value in (("2022S2", 10), ("2023S1", 12), ("2023S2", 11), ("2024S1", 30)):
        put(x1, "COUNSELLED_PEOPLE", "FEMALE", code, value)
        put(x1, "COUNSELLED_PEOPLE", "MALE", code, value)
    put(x1, "COUNSELLED_PEOPLE", "FEMALE", "2024S2", 17)
    put(x1, "COUNSELLED_PEOPLE", "MALE", "2024S2", 16)
    # elements, options, values, histories, lock exceptions (the period is past its deadline), registration
    with django_assert_num_queries(6):
        form = entry_form(data_set=w.six_months, unit=x1, period_code="2024S2", today=dt.date(2026, 1, 5))
        cells = form.cells()
    female, male = cells["COUNSELLED_PEOPLE.FEMALE"], cells["COUNSELLED_PEOPLE.MALE"]
    assert female.is_outlier and not male.is_outlier
    assert female.outlier_message == ("Khác xa các kỳ trước: trung vị 11,5, khoảng thường gặp 7 – 16. Hãy "
                                      "kiểm tra "
                                      "lại.")
    assert female.history_text == "2024S1: 30 · 2023S2: 11 · 2023S1: 12"
    assert form.outliers == 1
