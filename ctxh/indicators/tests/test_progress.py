"""`ctxh.indicators.progress.evaluate`: every status, on hand-computed series (no database).

Least squares by hand: for years x with mean x̄ and values y with mean ȳ, slope = Σ(x-x̄)(y-ȳ) / Σ(x-x̄)²,
projection at year X = ȳ + slope × (X - x̄).
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from ctxh.indicators.models import (
    Comparison,
    IndicatorDefinition,
    IndicatorFact,
    IndicatorKind,
    Programme,
    Target,
)
from ctxh.indicators.progress import Status, evaluate, least_squares

PROGRAMME = Programme(code="PLAN154_TQ", name_vi="Kế hoạch 154", start_date=dt.date(2021, 1, 1),
                      end_date=dt.date(2030, 12, 31))


KINDS = {"STAFFING": (IndicatorKind.RATIO_STOCK, "ratio"), "CHILDREN": (IndicatorKind.RATIO_FLOW, "ratio"),
         "TRAINING": (IndicatorKind.COUNT_FLOW, "count"),
         "COUNSELLED": (IndicatorKind.DISTINCT_FLOW, "count")}


def target(code: str, period_code: str, value: str, comparison: str, *, first: int = 2021,
           last: int = 2025, baseline: str = "") -> Target:
    kind, value_kind = KINDS[code]
    indicator = IndicatorDefinition(code=code, name_vi=code, kind=kind, value_kind=value_kind)
    return Target(programme=PROGRAMME, indicator=indicator, period_code=period_code,
                  start_date=dt.date(first, 1, 1), deadline=dt.date(last, 12, 31), value=Decimal(value),
                  comparison=comparison, baseline_period_code=baseline, label_vi=f"{code} {value}")


@pytest.fixture(autouse=True)
def vietnamese():
    """The labels in Vietnamese, whatever a page test before left active in this thread."""
    with translation.override("vi"):
        yield


STAFFING = target("STAFFING", "2025", "0.60", Comparison.AT_LEAST)
CHILDREN = target("CHILDREN", "2025", "0.90", Comparison.AT_LEAST)
TRAINING = target("TRAINING", "2021-2025", "2000", Comparison.MORE_THAN)
COUNSELLED = target("COUNSELLED", "2025", "0.20", Comparison.GROWTH_AT_LEAST, baseline="2020")
EARLY_2024 = dt.date(2024, 3, 1)
AFTER_DEADLINE = dt.date(2026, 1, 15)


def test_least_squares_by_hand():
    # x̄ = 2022, ȳ = 0.46, slope = (0.06 + 0.06) / 2 = 0.06; at 2025: 0.46 + 0.06 x 3 = 0.64
    assert least_squares([(2021, 0.40), (2022, 0.46), (2023, 0.52)], 2025) == pytest.approx(0.64)
    assert least_squares([(2023, 0.58)], 2025) == 0.58  # one point: the point itself


def test_no_target():
    evaluation = evaluate(None, {"2024": 0.5}, EARLY_2024)
    assert evaluation.status == Status.NO_TARGET
    assert evaluation.label == "Không có chỉ tiêu"


def test_no_data_without_a_value_in_the_phase():
    # 2020 is before the phase: not a point
    evaluation = evaluate(STAFFING, {"2020": 0.3, "2021": None}, EARLY_2024)
    assert evaluation.status == Status.NO_DATA
    assert evaluation.label == "Chưa có số liệu"


def test_on_track_when_the_projection_meets_the_target():
    evaluation = evaluate(STAFFING, {"2021": 0.40, "2022": 0.46, "2023": 0.52}, EARLY_2024)
    assert evaluation.status == Status.ON_TRACK
    assert evaluation.projected == pytest.approx(0.64)
    assert evaluation.expected == pytest.approx(0.60)
    assert evaluation.progress == pytest.approx(0.52 / 0.60)  # the latest value / the target
    assert (evaluation.current, evaluation.current_year) == (pytest.approx(0.52), 2023)
    assert evaluation.colour == "primary" and evaluation.label == "Đúng tiến độ"


def test_at_risk_when_the_projection_reaches_90_to_100_percent():
    # x̄ = 2022, ȳ = 0.44, slope 0.04: 0.44 + 0.12 = 0.56, i.e. 93.3 % of 0.60
    evaluation = evaluate(STAFFING, {"2021": 0.40, "2022": 0.44, "2023": 0.48}, EARLY_2024)
    assert evaluation.status == Status.AT_RISK
    assert evaluation.projected == pytest.approx(0.56)
    assert evaluation.colour == "warning" and evaluation.label == "Có nguy cơ chậm"


def test_exactly_90_percent_is_at_risk_and_below_is_off_track():
    assert evaluate(STAFFING, {"2023": 0.54}, EARLY_2024).status == Status.AT_RISK  # 0.54 / 0.60 = 90 %
    assert evaluate(STAFFING, {"2023": 0.53}, EARLY_2024).status == Status.OFF_TRACK


def test_off_track_below_90_percent():
    # ȳ = 0.32, slope 0.02: 0.32 + 0.06 = 0.38, 63 % of 0.60
    evaluation = evaluate(STAFFING, {"2021": 0.30, "2022": 0.32, "2023": 0.34}, EARLY_2024)
    assert evaluation.status == Status.OFF_TRACK
    assert evaluation.projected == pytest.approx(0.38)
    assert evaluation.colour == "danger" and evaluation.symbol == "▼"


def test_a_share_is_never_projected_above_100_percent():
    evaluation = evaluate(CHILDREN, {"2021": 0.5, "2022": 0.8, "2023": 0.95}, EARLY_2024)
    assert evaluation.projected == 1.0
    assert evaluation.status == Status.ON_TRACK


def test_achieved_when_met_at_the_deadline():
    evaluation = evaluate(STAFFING, {"2024": 0.50, "2025": 0.62}, AFTER_DEADLINE)
    assert evaluation.status == Status.ACHIEVED
    assert evaluation.projected is None
    assert evaluation.colour == "success" and evaluation.label == "Đã đạt"


def test_the_deadline_day_itself_counts():
    assert evaluate(STAFFING, {"2025": 0.62}, dt.date(2025, 12, 31)).status == Status.ACHIEVED


def test_not_achieved_when_the_deadline_passed_unmet():
    evaluation = evaluate(STAFFING, {"2024": 0.70, "2025": 0.55}, AFTER_DEADLINE)
    assert evaluation.status == Status.NOT_ACHIEVED  # the value of 2025 counts, not the best year
    assert evaluation.label == "Không đạt" and evaluation.symbol == "✖"


def test_a_past_deadline_without_a_value_for_its_year_is_no_data():
    assert evaluate(CHILDREN, {"2024": 0.95}, AFTER_DEADLINE).status == Status.NO_DATA


def test_a_cumulative_count_uses_the_cumulative_series_and_leaves_out_the_running_year():
    # Cumulative: 2021 300, 2022 700, 2023 1,200 (2024 so far: 1,250, not over on 01/03/2024: left out).
    # x̄ = 2022, ȳ = 733.33, slope = (433.33 + 466.67) / 2 = 450; at 2025: 733.33 + 1,350 = 2,083.33 > 2,000.
    series = {"2021": 300, "2022": 400, "2023": 500, "2024": 50}
    evaluation = evaluate(TRAINING, series, EARLY_2024)
    assert evaluation.cumulative is True
    assert evaluation.status == Status.ON_TRACK
    assert evaluation.projected == pytest.approx(2083.333, abs=0.01)
    assert evaluation.current == 1250  # the cumulative so far
    assert evaluation.progress == pytest.approx(1250 / 2000)
    assert evaluation.points == ((2021, 300), (2022, 700), (2023, 1200))


def test_a_finished_year_is_a_point():
    # Evaluated at the end of 2024: 2024 is over, so it is a point: 300, 700, 1200, 1250:
    # x̄ = 2022.5, ȳ = 862.5, slope = 1,675 / 5 = 335; at 2025: 862.5 + 335 x 2.5 = 1,700: 85 % -> off track.
    series = {"2021": 300, "2022": 400, "2023": 500, "2024": 50}
    evaluation = evaluate(TRAINING, series, dt.date(2024, 12, 31))
    assert evaluation.projected == pytest.approx(1700)
    assert evaluation.status == Status.OFF_TRACK


def test_a_stock_uses_the_running_year():
    # STAFFING on 01/06/2024 (its value is taken on a day): 0.40, 0.46, 0.52, 0.40 are all points:
    # x̄ = 2022.5, ȳ = 0.445, slope = 0.03 / 5 = 0.006; at 2025: 0.445 + 0.015 = 0.46: 76.7 % -> off track.
    series = {"2021": 0.40, "2022": 0.46, "2023": 0.52, "2024": 0.40}
    evaluation = evaluate(STAFFING, series, dt.date(2024, 6, 1))
    assert evaluation.projected == pytest.approx(0.46)
    assert evaluation.status == Status.OFF_TRACK


def test_a_cumulative_more_than_count_met_before_the_deadline_is_achieved():
    evaluation = evaluate(TRAINING, {"2021": 900, "2022": 1200}, dt.date(2023, 3, 1))
    assert evaluation.status == Status.ACHIEVED  # 2,100 > 2,000 already; it can only grow
    assert evaluation.current == 2100


def test_more_than_means_strictly_more():
    series = {"2021": 400, "2022": 400, "2023": 400, "2024": 400, "2025": 400}  # exactly 2,000
    assert evaluate(TRAINING, series, AFTER_DEADLINE).status == Status.NOT_ACHIEVED


def test_growth_target_compares_with_the_baseline_times_one_plus_the_growth():
    # 2020: 1,000 -> to reach 1,200 in 2025. 1,050, 1,100, 1,150: slope 50, at 2025: 1,100 + 150 = 1,250.
    series = {"2020": 1000, "2021": 1050, "2022": 1100, "2023": 1150}
    evaluation = evaluate(COUNSELLED, series, EARLY_2024)
    assert evaluation.expected == pytest.approx(1200)
    assert evaluation.baseline == 1000
    assert evaluation.status == Status.ON_TRACK
    assert evaluation.projected == pytest.approx(1250)
    assert evaluation.progress == pytest.approx(1150 / 1200)


def test_growth_target_at_risk_and_at_the_deadline():
    series = {"2020": 1000, "2021": 1000, "2022": 1030, "2023": 1060}  # 1,030 + 90 = 1,120: 93 % of 1,200
    assert evaluate(COUNSELLED, series, EARLY_2024).status == Status.AT_RISK
    assert evaluate(COUNSELLED, {"2020": 1000, "2025": 1250}, AFTER_DEADLINE).status == Status.ACHIEVED
    assert evaluate(COUNSELLED, {"2020": 1000, "2025": 1199}, AFTER_DEADLINE).status == Status.NOT_ACHIEVED


def test_growth_without_a_baseline_is_no_data():
    evaluation = evaluate(COUNSELLED, {"2021": 1050, "2022": 1100}, EARLY_2024)
    assert evaluation.status == Status.NO_DATA
    assert "2020" in evaluation.message
    assert evaluate(COUNSELLED, {"2020": 0, "2021": 5}, EARLY_2024).status == Status.NO_DATA


def test_phase_two_growth_uses_its_own_baseline():
    phase2 = target("COUNSELLED", "2030", "0.30", Comparison.GROWTH_AT_LEAST, first=2026, last=2030,
                    baseline="2025")
    evaluation = evaluate(phase2, {"2020": 1, "2025": 1000, "2026": 1400}, dt.date(2027, 2, 1))
    assert evaluation.expected == pytest.approx(1300)
    assert evaluation.status == Status.ON_TRACK  # one point, 1,400 >= 1,300


def test_series_of_facts_are_read_by_their_value():
    series = {"2021": IndicatorFact(value=0.40), "2022": IndicatorFact(value=0.46),
              "2023": IndicatorFact(value=0.52), "2023S1": IndicatorFact(value=0.1)}
    assert evaluate(STAFFING, series, EARLY_2024).projected == pytest.approx(0.64)


def test_an_at_most_target_reverses_the_comparison():
    at_most = target("STAFFING", "2025", "0.10", Comparison.AT_MOST)
    assert evaluate(at_most, {"2023": 0.10}, EARLY_2024).status == Status.ON_TRACK
    assert evaluate(at_most, {"2023": 0.105}, EARLY_2024).status == Status.AT_RISK  # 95 %
    assert evaluate(at_most, {"2023": 0.2}, EARLY_2024).status == Status.OFF_TRACK
