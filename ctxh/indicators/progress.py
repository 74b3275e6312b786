"""Progress of an indicator towards a programme target, and the status a leader reads in ten seconds.

    evaluation = evaluate(target, {"2021": 0.40, "2022": 0.46, "2023": 0.52}, today)
    evaluation.status     # "on_track"
    evaluation.projected  # 0.64: the straight line through the yearly values, at the deadline's year

The rule (also in docs/dashboard.md and the dashboard's help text):

- The value to reach (`expected`) is the target's value; for a growth target (comparison `growth>=`) it is
  the baseline period's value x (1 + the target's value), e.g. 2020's number x 1.2. Without a baseline value
  (or a baseline of 0, on which no growth can be measured) the status is "no data".
- A target measured over a span of years (`period_code` "2021-2025": a count cumulated over the phase) is
  compared with the **cumulative** series: the sum of the yearly values since the phase began.
- The points are the yearly values of the phase so far: the years from the target's first year to the
  evaluation day's year (not after the deadline's year) that have a value. A year not over yet is left out of
  a flow's projection (its number is still growing) unless it is the only point; a stock (a share taken on a
  day) uses it.
- Status, in this order:
  `no_target` (no target); `no_data` (no point, or no baseline);
  `achieved` when the deadline is reached (the evaluation day is on or after it) and the value is met, or, for
  a cumulative count, as soon as the cumulative value meets the target (it can only grow);
  `not_achieved` when the deadline is reached and the value is not met;
  otherwise the projection: the least-squares line through the points (one point: the point itself),
  extended to the deadline's year (a share is kept within 0-100 %, a count at 0 or more):
  `on_track` when the projection meets the target, `at_risk` when it reaches at least 90 % of it,
  `off_track` below 90 %. (For an "at most" target the same with the roles reversed.)
- `progress` is the latest value (the cumulative value for a cumulative count) divided by the value to reach.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ctxh.indicators.models import Comparison, IndicatorKind, Target
from ctxh.indicators.periods import PeriodKind, parse_period

AT_RISK_FLOOR = 0.9  # a projection reaching 90-100 % of the target is "at risk"
_EPSILON = 1e-9  # float noise: 0.6 read back from a FloatField must still meet ">= 0.6"


class Status(models.TextChoices):
    ACHIEVED = "achieved", _("Đã đạt")
    ON_TRACK = "on_track", _("Đúng tiến độ")
    AT_RISK = "at_risk", _("Có nguy cơ chậm")
    OFF_TRACK = "off_track", _("Chậm tiến độ")
    NOT_ACHIEVED = "not_achieved", _("Không đạt")
    NO_DATA = "no_data", _("Chưa có số liệu")
    NO_TARGET = "no_target", _("Không có chỉ tiêu")


# Bootstrap colour, and a symbol so that the status never rests on colour alone (print, colour blindness).
STATUS_STYLE: dict[str, tuple[str, str]] = {
    Status.ACHIEVED: ("success", "✔"),
    Status.ON_TRACK: ("primary", "▲"),
    Status.AT_RISK: ("warning", "!"),
    Status.OFF_TRACK: ("danger", "▼"),
    Status.NOT_ACHIEVED: ("danger", "✖"),
    Status.NO_DATA: ("secondary", "?"),
    Status.NO_TARGET: ("light", "–"),
}


@dataclass(frozen=True)
class Evaluation:
    status: str  # a Status
    progress: float | None  # the latest value / the value to reach
    projected: float | None  # the projection at the deadline's year
    expected: float | None  # the value to reach (growth: baseline x (1 + target))
    message: str
    current: float | None = None  # the latest value (cumulative for a cumulative count)
    current_year: int | None = None  # the year of that value
    baseline: float | None = None  # a growth target's baseline value
    cumulative: bool = False
    points: tuple[tuple[int, float], ...] = field(default=())  # the (year, value) the projection went through

    @property
    def label(self) -> str:
        return str(Status(self.status).label)

    @property
    def colour(self) -> str:
        return STATUS_STYLE[self.status][0]

    @property
    def symbol(self) -> str:
        return STATUS_STYLE[self.status][1]

    @property
    def progress_percent(self) -> float:
        """The progress bar's width, 0 to 100."""
        return round(max(0.0, min(1.0, self.progress or 0.0)) * 100, 1)


def _number(value) -> float | None:
    """A series item: a number, an IndicatorFact (its value), or None."""
    value = getattr(value, "value", value)
    if value is None:
        return None
    return float(value)


def _yearly(series: Mapping) -> dict[int, float | None]:
    """{year: value} from a series keyed by year codes ("2021") or years; other period codes are ignored."""
    years: dict[int, float | None] = {}
    for key, item in series.items():
        text = str(key).strip()
        if len(text) == 4 and text.isdigit():
            years[int(text)] = _number(item)
    return years


def is_cumulative(target: Target) -> bool:
    """A target measured on a span of years ("2021-2025") is a count cumulated over those years."""
    return _spans_years(target.period_code)


@lru_cache(maxsize=256)
def _spans_years(period_code: str) -> bool:
    try:
        return parse_period(period_code).kind == PeriodKind.YEARS
    except ValidationError:  # a malformed code in the data files: read as a yearly value
        return False


def meets(value: float | None, required: float, comparison: str) -> bool:
    if value is None:
        return False
    if comparison == Comparison.MORE_THAN:
        return value > required + _EPSILON
    if comparison == Comparison.AT_MOST:
        return value <= required + _EPSILON
    return value >= required - _EPSILON  # AT_LEAST, GROWTH_AT_LEAST


def attainment(value: float, required: float, comparison: str) -> float:
    """How far `value` goes towards `required`: 1.0 means exactly there (reversed for "at most")."""
    if comparison == Comparison.AT_MOST:
        if value <= 0:
            return float("inf")
        return required / value
    if required <= 0:
        return float("inf") if value >= required else 0.0
    return value / required


def least_squares(points: list[tuple[int, float]], year: int) -> float:
    """The straight line through `points` (least squares) at `year`; one point: its value."""
    if len(points) == 1:
        return points[0][1]
    n = len(points)
    mean_x = sum(x for x, _y in points) / n
    mean_y = sum(y for _x, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _y in points)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread
    return mean_y + slope * (year - mean_x)


def _clamp(value: float, value_kind: str) -> float:
    value = max(0.0, value)
    return min(1.0, value) if value_kind == "ratio" else value


def evaluate(target: Target | None, series: Mapping, today: dt.date) -> Evaluation:
    """The status of the indicator against `target` on `today` (the evaluation day: for a past period, its
    last day), from `series`: yearly values keyed by year code ("2020", "2021", ...; numbers, IndicatorFacts
    or None for no data). The baseline of a growth target is read from the same series.

    For a count, the caller passes 0 for a year without a fact (facts exist only where there is data); None
    means "no data" and the year is skipped.
    """
    if target is None:
        return Evaluation(Status.NO_TARGET, None, None, None, str(_("Không có chỉ tiêu cho kỳ này.")))
    years = _yearly(series)
    comparison = target.comparison
    indicator = getattr(target, "indicator", None)
    value_kind = getattr(indicator, "value_kind", "count")
    stock = getattr(indicator, "kind", "") == IndicatorKind.RATIO_STOCK
    cumulative = is_cumulative(target)
    required = float(target.value)
    baseline = None
    if comparison == Comparison.GROWTH_AT_LEAST:
        baseline = years.get(_baseline_year(target))
        if baseline is None or baseline <= 0:
            return Evaluation(Status.NO_DATA, None, None, None, str(
                _("Chưa có số liệu năm gốc %(year)s nên chưa tính được mức cần đạt.")
                % {"year": target.baseline_period_code or "—"}), cumulative=cumulative)
        required = baseline * (1 + required)

    first, deadline_year = target.start_date.year, target.deadline.year
    last = min(deadline_year, today.year)
    points: list[tuple[int, float]] = []
    running_total = 0.0
    for year in range(first, last + 1):
        value = years.get(year)
        if cumulative:
            running_total += value or 0.0
            if value is not None:
                points.append((year, running_total))
        elif value is not None:
            points.append((year, value))
    if not points:
        return Evaluation(Status.NO_DATA, None, None, required, str(
            _("Chưa có số liệu trong giai đoạn %(start)s-%(end)s.") % {"start": first, "end": deadline_year}),
            baseline=baseline, cumulative=cumulative)

    current_year, current = points[-1]
    progress = None if required == 0 and comparison != Comparison.AT_MOST else (
        min(attainment(current, required, comparison), 10.0))
    common = {"current": current, "current_year": current_year, "baseline": baseline,
              "cumulative": cumulative}

    deadline_reached = today >= target.deadline
    if deadline_reached:
        final = _value_at(points, deadline_year, cumulative)
        if final is None:
            return Evaluation(Status.NO_DATA, progress, None, required, str(
                _("Chưa có số liệu năm %(year)s, năm phải đạt chỉ tiêu.") % {"year": deadline_year}),
                points=tuple(points), **common)
        if meets(final, required, comparison):
            return Evaluation(Status.ACHIEVED, progress, None, required, str(
                _("Đã đạt chỉ tiêu (%(label)s).") % {"label": target.label}), points=tuple(points), **common)
        day = target.deadline.strftime("%d/%m/%Y")
        return Evaluation(Status.NOT_ACHIEVED, progress, None, required, str(
            _("Đã hết thời hạn %(day)s mà chưa đạt chỉ tiêu.") % {"day": day}),
            points=tuple(points), **common)
    # A cumulative count only grows: met once, achieved for good.
    if cumulative and comparison != Comparison.AT_MOST and meets(current, required, comparison):
        return Evaluation(Status.ACHIEVED, progress, None, required, str(
            _("Đã đạt chỉ tiêu (%(label)s).") % {"label": target.label}), points=tuple(points), **common)

    # The running year of a flow is still growing: left out of the line unless it is all there is.
    used = points
    year_over = dt.date(current_year, 12, 31) <= today
    if not stock and not year_over and len(points) > 1:
        used = points[:-1]
    projected = _clamp(least_squares(used, deadline_year), value_kind if not cumulative else "count")
    reach = attainment(projected, required, comparison)
    if meets(projected, required, comparison):
        status, text = Status.ON_TRACK, _("Theo xu hướng hiện nay, sẽ đạt chỉ tiêu vào năm %(year)s.")
    elif reach >= AT_RISK_FLOOR:
        status, text = Status.AT_RISK, _("Theo xu hướng hiện nay, năm %(year)s chỉ đạt 90-100 %% chỉ tiêu.")
    else:
        status, text = Status.OFF_TRACK, _("Theo xu hướng hiện nay, năm %(year)s đạt dưới 90 %% chỉ tiêu.")
    return Evaluation(status, progress, projected, required, str(text % {"year": deadline_year}),
                      points=tuple(used), **common)


def _baseline_year(target: Target) -> int | None:
    code = (target.baseline_period_code or "").strip()
    return int(code) if len(code) == 4 and code.isdigit() else None


def _value_at(points: list[tuple[int, float]], year: int, cumulative: bool) -> float | None:
    """The value of the deadline's year: a cumulative count takes its total so far; otherwise that year's."""
    for point_year, value in reversed(points):
        if point_year == year or (cumulative and point_year <= year):
            return value
    return None
