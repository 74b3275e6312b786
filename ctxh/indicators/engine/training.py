"""TRAINING from records, for every unit and many periods at once.

The attendance facts are `ctxh.training.selectors.named_attendance_facts` and `counted_attendance_facts`
themselves (their SQL is embedded): completed person-times of sessions starting in the period, placed where
the participant's organization was on the session's first day (counted attendance: its unit). Person-times
add up, so they are counted once per half-year and unit, then summed per period and rolled up through the
unit map (each person-time with the unit's weight; a share makes the fact an estimate). Attendance that
cannot be placed is not counted (as on the indicator page). Dimension: `sex` ("unknown" when not recorded).
"""

from django.db.models import Case, Count, F, IntegerField, Sum, Value, When

from ctxh.indicators.engine.context import Run, roll_up, wanted_dimensions
from ctxh.indicators.engine.periods import Halves, half_start, period_halves
from ctxh.indicators.engine.sql import values_cte
from ctxh.indicators.models import IndicatorDefinition
from ctxh.indicators.periods import Period
from ctxh.training.selectors import counted_attendance_facts, named_attendance_facts

DIMENSIONS = ("sex",)
UNKNOWN = "unknown"

COUNTS = "ctxh_engine_tr_counts"


def _half(halves: Halves) -> Case:
    whens = [When(day__lt=half_start(index + 1), then=Value(index))
             for index in range(halves.first, halves.last)]
    return Case(*whens, default=Value(halves.last), output_field=IntegerField())


def compute(run: Run, definition: IndicatorDefinition, periods: list[Period]) -> None:
    if not periods:
        return
    halves = Halves.covering(periods)
    counts = run.temp.create(COUNTS, "half_idx INTEGER NOT NULL, unit_id BIGINT NOT NULL, "
                                     "sex VARCHAR(10) NOT NULL, n DOUBLE PRECISION NOT NULL")
    named = (named_attendance_facts(halves.start, halves.end).filter(unit_id__isnull=False)
             .annotate(half=_half(halves)).order_by()
             .values("half", place=F("unit_id"), gender=F("person_sex")).annotate(n=Count("pk")))
    counted = (counted_attendance_facts(halves.start, halves.end).annotate(half=_half(halves)).order_by()
               .values("half", place=F("unit_id"), gender=F("sex")).annotate(n=Sum("count")))
    for queryset in (named, counted):
        inner, params = queryset.query.sql_with_params()
        run.execute(f"""
            INSERT INTO {counts} (half_idx, unit_id, sex, n)
            SELECT x.half, x.place, COALESCE(NULLIF(x.gender, ''), '{UNKNOWN}'), x.n FROM ({inner}) x
        """, params)
    rows = []
    for period in periods:
        lo, hi = period_halves(period)
        rows.append((period.code, lo, hi))
    prefix, prefix_params = values_cte("pm", ("code", "lo", "hi"), rows)
    parts = [f"SELECT t.unit_id AS unit_id, pm.code AS period_code, '' AS dim, '' AS cat, SUM(t.n) AS num, "
             f"NULL AS den FROM {counts} t JOIN pm ON t.half_idx BETWEEN pm.lo AND pm.hi "
             "GROUP BY t.unit_id, pm.code"]
    if "sex" in wanted_dimensions(definition, DIMENSIONS):
        parts.append(f"SELECT t.unit_id, pm.code, 'sex', t.sex, SUM(t.n), NULL FROM {counts} t "
                     "JOIN pm ON t.half_idx BETWEEN pm.lo AND pm.hi GROUP BY t.unit_id, pm.code, t.sex")
    roll_up(run, definition.code, " UNION ALL ".join(parts), [], ratio=False, prefix=f"WITH {prefix}",
            prefix_params=prefix_params)
