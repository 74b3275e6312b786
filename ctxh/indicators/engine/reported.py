"""Reported numbers (DataValue) in the facts, and the no-double-counting rule.

The reported part of a fact (unit `a`, period `P`): the values of the definition's data element (and, for a
ratio, of its denominator element), summed over their cells (the total) and per the `dimensions` of the
cells, for every reporting unit `r` that contributes to `a` (times its weight in the unit map), over the
reporting periods that make up `P` (`reporting_slots`): a half-year itself; a year the yearly value when `r`
reported it, else S1 + S2 (an estimate); a span of years the sum of its years (an estimate). A ratio's
numbers are a stock at the period's end: a year or a span takes `r`'s latest report in it, never a sum.

`records_first` (definitions with source "both"): a reported value of unit `r` for reporting period `R` is
used only when no record-based data exists for `r` in `R`, that is when the records part of the fact
(`r`, `R`) is zero: no counted service (COUNSELLED), no child in the denominator (CHILDREN) placed at `r` or
at a unit that contributes to it. Records of the facts recomputed in this run come from the staging table;
the others from the fact table (kept current by the refreshes). Merges sum, never "keep the last value".
"""

from ctxh.indicators.engine.context import STAGE, STAGE_INSERT, UC, Run
from ctxh.indicators.engine.periods import reporting_slots
from ctxh.indicators.engine.sql import placeholders, q, table, values_cte
from ctxh.indicators.models import (
    CategoryOptionCombo,
    CombinationRule,
    DataElement,
    DataValue,
    IndicatorDefinition,
    IndicatorFact,
    IndicatorKind,
)
from ctxh.indicators.periods import Period

PRESENCE = "ctxh_engine_presence"


def elements_of(definition: IndicatorDefinition) -> tuple[DataElement, DataElement | None] | None:
    """(numerator element, denominator element or None); None when a ratio's denominator is unknown."""
    element = definition.data_element
    if element is None:
        return None
    if definition.value_kind != "ratio":
        return element, None
    denominator = definition.denominator_element
    if denominator is None:
        return None
    return element, denominator


def element_ids_of(definition: IndicatorDefinition) -> set[int]:
    elements = elements_of(definition)
    return {e.pk for e in elements if e is not None} if elements else set()


def _cells(element_ids: list[int], dimensions: list[str] | None) -> list[tuple[int, str, str]]:
    """(option combo id, dimension, category) rows: every cell counts in the total ("", ""), and in each of
    its dimensions the indicator keeps."""
    combos = CategoryOptionCombo.objects.filter(combo__data_elements__in=element_ids).distinct()
    rows = []
    for combo in combos.order_by("pk"):
        rows.append((combo.pk, "", ""))
        for dimension, category in sorted((combo.dimensions or {}).items()):
            if dimensions is None or dimension in dimensions:
                rows.append((combo.pk, str(dimension)[:20], str(category)[:60]))
    return rows


def compute(run: Run, definition: IndicatorDefinition, periods: list[Period], *, run_periods: list[Period],
            records: bool) -> None:
    elements = elements_of(definition)
    if not elements or not periods:
        return
    numerator, denominator = elements
    element_ids = [numerator.pk] + ([denominator.pk] if denominator else [])
    chosen = [d for d in (definition.disaggregations or []) if isinstance(d, str)]
    cells = _cells(element_ids, chosen or None)
    if not cells:
        return
    additive = definition.kind == IndicatorKind.COUNT_FLOW
    first_rule = records and definition.combination_rule == CombinationRule.RECORDS_FIRST
    if first_rule:
        _presence(run, definition, periods, run_periods, additive)
    for period in periods:
        _period(run, definition, period, numerator, denominator, cells, additive, first_rule)


def _presence(run: Run, definition: IndicatorDefinition, periods: list[Period], run_periods: list[Period],
              additive: bool) -> None:
    """The (unit, reporting period) pairs with record-based data."""
    presence = run.temp.create(PRESENCE, "unit_id BIGINT NOT NULL, period_code VARCHAR(20) NOT NULL",
                               indexes=["unit_id, period_code"])
    slots = sorted({code for p in periods for code, _year, _est in reporting_slots(p, additive=additive)})
    run_codes = [p.code for p in run_periods]
    recomputed, recomputed_params = f"f.period_code IN ({placeholders(run_codes)})", list(run_codes)
    if run.ancestors is not None:
        units = run.ancestors or [0]
        recomputed += f" AND f.unit_id IN ({placeholders(units)})"
        recomputed_params += units
    run.execute(f"""
        INSERT INTO {presence} (unit_id, period_code)
        SELECT DISTINCT s.unit_id, s.period_code FROM {q(STAGE)} s
        WHERE s.indicator_code = %s AND s.dimension = '' AND s.rec > 0
        UNION
        SELECT f.unit_id, f.period_code FROM {table(IndicatorFact)} f
        WHERE f.indicator_code = %s AND f.dimension = '' AND f.category = '' AND f.records_part > 0
          AND f.period_code IN ({placeholders(slots)}) AND NOT ({recomputed})
    """, [definition.code, definition.code, *slots, *recomputed_params])


def _period(run: Run, definition: IndicatorDefinition, period: Period, numerator: DataElement,
            denominator: DataElement | None, cells: list, additive: bool, first_rule: bool) -> None:
    # A ratio's denominator (and the numerator counted among it) is a stock at the period's end: a year or a
    # span of years takes the unit's latest report in it (the yearly one, else S2, else S1), never a sum of
    # stocks (the same children or facilities counted twice). `rnk` orders the reports by how late they are.
    lateness = {"S1": 0, "S2": 1}
    slots = [(code, year_code, est, int(code[:4]) * 3 + lateness.get(code[4:], 2))
             for code, year_code, est in reporting_slots(period, additive=additive)]
    slots_sql, slots_params = values_cte("slots", ("code", "year_code", "est", "rnk"), slots)
    cells_sql, cells_params = values_cte("cells", ("coc", "dim", "cat"), cells)
    value = table(DataValue)
    element_ids = [numerator.pk] + ([denominator.pk] if denominator else [])
    absent = ""
    if first_rule:
        absent = (f" AND NOT EXISTS (SELECT 1 FROM {q(PRESENCE)} pr WHERE pr.unit_id = dv.unit_id "
                  "AND pr.period_code = dv.period_code)")
    latest = ""
    if denominator is not None:
        later_records = ""
        if first_rule:  # a later stock from records stands for the unit too
            later_records = (f" UNION ALL SELECT 1 FROM {q(PRESENCE)} pr "
                             "JOIN slots s2 ON s2.code = pr.period_code "
                             "WHERE pr.unit_id = dv.unit_id AND s2.rnk > sl.rnk")
        latest = (f" AND NOT EXISTS (SELECT 1 FROM {value} y JOIN slots s2 ON s2.code = y.period_code "
                  "WHERE y.unit_id = dv.unit_id AND y.data_element_id = dv.data_element_id "
                  f"AND s2.rnk > sl.rnk{later_records})")
    if denominator is None:
        num = "SUM(ch.v * uc.weight)"
        den = "NULL"
        rep = num
    else:
        num = "SUM(CASE WHEN ch.el = %s THEN ch.v * uc.weight ELSE 0 END)"
        den = "SUM(CASE WHEN ch.el = %s THEN ch.v * uc.weight ELSE 0 END)"
        rep = den
    select_params = [definition.code, period.code]
    if denominator is not None:
        select_params += [numerator.pk, denominator.pk, denominator.pk]
    ancestors, ancestor_params = run.ancestor_filter("uc.ancestor_id")
    run.execute(f"""
        {STAGE_INSERT}
        WITH {slots_sql}, {cells_sql},
        chosen AS (
            SELECT dv.unit_id AS unit_id, dv.category_option_combo_id AS coc, dv.data_element_id AS el,
                   CAST(dv.value AS DOUBLE PRECISION) AS v, sl.est AS est
            FROM {value} dv JOIN slots sl ON sl.code = dv.period_code
            WHERE dv.data_element_id IN ({placeholders(element_ids)})
              AND (sl.year_code = '' OR NOT EXISTS (
                   SELECT 1 FROM {value} y WHERE y.unit_id = dv.unit_id
                   AND y.data_element_id = dv.data_element_id AND y.period_code = sl.year_code))
              {absent}{latest}
        )
        SELECT %s, uc.ancestor_id, %s, c.dim, c.cat, {num}, {den}, 0, {rep},
               CASE WHEN MAX(ch.est) > 0 OR MIN(uc.weight) < 1.0 THEN 1 ELSE 0 END
        FROM chosen ch JOIN cells c ON c.coc = ch.coc CROSS JOIN {UC} uc
        WHERE uc.unit_id = ch.unit_id{ancestors}
        GROUP BY uc.ancestor_id, c.dim, c.cat
    """, [*slots_params, *cells_params, *element_ids, *select_params, *ancestor_params])
