"""Running the engine: compute the facts of some definitions, periods and units into a staging table, then
replace them in the fact table, inside a transaction per indicator (readers never see a half-written
period): the facts without data any more are deleted, those that changed updated, the new ones inserted (a
rebuild of unchanged data writes nothing).

- `rebuild_facts(indicators=None, periods=None)`: everything (or some indicators / periods), for every unit.
- `refresh_for(change)`: only the ancestors a change reaches (through the unit map) and the periods it
  touches; run by the refresh task after a record is saved (ctxh.indicators.refresh).

Concurrency: a run takes the rows of its definitions `FOR UPDATE` (PostgreSQL) before it computes, so two
runs on one indicator follow each other and the later one, which started after the earlier committed, reads
the newer data and writes last. SQLite writes one transaction at a time anyway; there a rebuild computes
outside the write transaction (which would otherwise stop every user's save for its duration) and writes
each indicator in a short one.
"""

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from ctxh.indicators.engine import children, counselled, reported, staffing, training
from ctxh.indicators.engine.context import STAGE, STAGE_COLUMNS, UNIT, Run
from ctxh.indicators.engine.periods import (
    check_fact_period,
    fact_periods,
    overlapping,
    parse_fact_period,
    reporting_slots,
)
from ctxh.indicators.engine.sql import is_postgresql, placeholders, q, table, tuned, values_cte
from ctxh.indicators.models import IndicatorDefinition, IndicatorFact, Source, UnitContribution
from ctxh.indicators.periods import Period

logger = logging.getLogger(__name__)

# The computations from records, by `IndicatorDefinition.method`.
METHODS: dict[str, Callable[[Run, IndicatorDefinition, list[Period]], None]] = {
    "counselled": counselled.compute,
    "children": children.compute,
    "staffing": staffing.compute,
    "training": training.compute,
}
METHOD_DIMENSIONS: dict[str, tuple[str, ...]] = {
    "counselled": counselled.DIMENSIONS,
    "children": children.DIMENSIONS,
    "staffing": staffing.DIMENSIONS,
    "training": training.DIMENSIONS,
}


def uses_records(definition: IndicatorDefinition) -> bool:
    return definition.source in (Source.RECORDS, Source.BOTH) and definition.method in METHODS


def uses_reported(definition: IndicatorDefinition) -> bool:
    return definition.source in (Source.AGGREGATE, Source.BOTH) and definition.data_element_id is not None


def runnable_definitions(codes: Iterable[str] | None = None) -> list[IndicatorDefinition]:
    """Active definitions the engine can compute (a known method, or a data element), by code."""
    definitions = IndicatorDefinition.objects.filter(is_active=True).select_related("data_element")
    if codes is not None:
        definitions = definitions.filter(code__in=[c.strip().upper() for c in codes])
    return [d for d in definitions.order_by("sort_order", "code") if uses_records(d) or uses_reported(d)]


@dataclass
class IndicatorRun:
    code: str
    periods: int
    facts: int = 0  # the facts of these periods (and ancestors) now
    changed: int = 0  # rows inserted, updated or deleted to get there
    seconds: float = 0.0


@dataclass
class RunResult:
    indicators: list[IndicatorRun] = field(default_factory=list)
    unit_map_seconds: float | None = None
    seconds: float = 0.0

    @property
    def facts(self) -> int:
        return sum(i.facts for i in self.indicators)

    @property
    def changed(self) -> int:
        return sum(i.changed for i in self.indicators)


def _expand_for_reports(definitions: list[IndicatorDefinition], periods: list[Period],
                        all_periods: list[Period]) -> list[Period]:
    """A rebuild of some periods also recomputes the reporting periods their reported numbers come from, so
    that the no-double-counting rule reads current records (a refresh reads them from the fact table)."""
    if not any(uses_reported(d) for d in definitions):
        return periods
    known = {p.code: p for p in all_periods}
    wanted = {p.code: p for p in periods}
    for period in periods:
        for code, _year, _est in reporting_slots(period, additive=False):
            if code in known:
                wanted.setdefault(code, known[code])
    return sorted(wanted.values(), key=lambda p: (p.start, p.end))


def _compute(run: Run, definition: IndicatorDefinition, periods: list[Period]) -> None:
    if uses_records(definition):
        METHODS[definition.method](run, definition, periods)
    if uses_reported(definition):
        reported.compute(run, definition, periods, run_periods=periods, records=uses_records(definition))


FINAL = "ctxh_engine_final"
FACT_VALUES = ("value", "numerator", "denominator", "records_part", "reported_part", "is_estimate")


def _finish(run: Run, definition: IndicatorDefinition, periods: list[Period]) -> int:
    """The definition's facts as they should be, from the staged parts, into a temporary table: the sums,
    the value, the estimate flag; for units of levels 1-3 valid at some time in the period (historical
    geography) or valid today (today's geography restates older periods through the units merged into it)."""
    final = run.temp.create(FINAL, "unit_id BIGINT NOT NULL, period_code VARCHAR(20) NOT NULL, "
                                   "dimension VARCHAR(20) NOT NULL, category VARCHAR(60) NOT NULL, "
                                   "value DOUBLE PRECISION, numerator DOUBLE PRECISION, "
                                   "denominator DOUBLE PRECISION, records_part DOUBLE PRECISION, "
                                   "reported_part DOUBLE PRECISION, is_estimate BOOLEAN NOT NULL",
                            indexes=["unit_id, period_code, dimension, category"])
    if definition.value_kind == "ratio":
        value = "CASE WHEN SUM(s.den) > 0 THEN SUM(s.num) * 1.0 / SUM(s.den) ELSE NULL END"
        numerator, denominator = "SUM(s.num)", "SUM(s.den)"
    else:
        value, numerator, denominator = "SUM(s.num)", "NULL", "NULL"
    records = "COALESCE(SUM(s.rec), 0)" if uses_records(definition) else "NULL"
    reports = "COALESCE(SUM(s.rep), 0)" if uses_reported(definition) else "NULL"
    periods_sql, periods_params = values_cte("pv", ("code", "start_day", "end_day"),
                                             [(p.code, p.start, p.end) for p in periods])
    today = run.today
    found = run.execute(f"""
        INSERT INTO {final} (unit_id, period_code, dimension, category, {", ".join(FACT_VALUES)})
        WITH {periods_sql}
        SELECT s.unit_id, s.period_code, s.dimension, s.category, {value}, {numerator}, {denominator},
               {records}, {reports}, CASE WHEN MAX(s.est) > 0 THEN %s ELSE %s END
        FROM {q(STAGE)} s JOIN pv ON pv.code = s.period_code JOIN {UNIT} g ON g.id = s.unit_id
        WHERE s.indicator_code = %s AND g.level <= 3
          AND (((g.valid_from IS NULL OR g.valid_from <= pv.end_day)
                AND (g.valid_to IS NULL OR g.valid_to >= pv.start_day))
               OR ((g.valid_from IS NULL OR g.valid_from <= %s) AND (g.valid_to IS NULL OR g.valid_to >= %s)))
        GROUP BY s.unit_id, s.period_code, s.dimension, s.category
    """, [*periods_params, True, False, definition.code, today, today])
    run.temp.analyze(FINAL)
    return found


def _write(run: Run, definition: IndicatorDefinition, periods: list[Period], computed_at: dt.datetime) -> int:
    """Bring the definition's facts of these periods (and ancestors) in line with the finished ones: delete
    those that have no data any more, update those that changed, insert the new ones. Returns how many rows
    changed (a rebuild of unchanged data writes nothing)."""
    fact, final, codes = table(IndicatorFact), q(FINAL), [p.code for p in periods]
    condition, condition_params = run.ancestor_filter(f"{fact}.unit_id")
    same_key = (f"n.unit_id = {fact}.unit_id AND n.period_code = {fact}.period_code "
                f"AND n.dimension = {fact}.dimension AND n.category = {fact}.category")
    scope = (f"{fact}.indicator_code = %s AND {fact}.period_code IN ({placeholders(codes)}){condition}")
    scope_params = [definition.code, *codes, *condition_params]
    deleted = run.execute(f"DELETE FROM {fact} WHERE {scope} AND NOT EXISTS (SELECT 1 FROM {final} n "
                          f"WHERE {same_key})", scope_params)
    # NULL-safe "differs", portable: (a <> b) is NULL when one side is NULL, then the second test decides.
    differs = " OR ".join(f"(n.{c} <> {fact}.{c} OR (n.{c} IS NULL) <> ({fact}.{c} IS NULL))"
                          for c in FACT_VALUES)
    updated = run.execute(f"""
        UPDATE {fact} SET {", ".join(f"{c} = n.{c}" for c in FACT_VALUES)}, computed_at = %s
        FROM {final} n WHERE {scope} AND {same_key} AND ({differs})
    """, [computed_at, *scope_params])
    columns, values = ", ".join(FACT_VALUES), ", ".join(f"n.{c}" for c in FACT_VALUES)
    inserted = run.execute(f"""
        INSERT INTO {fact} (indicator_code, unit_id, period_code, dimension, category, {columns}, computed_at)
        SELECT %s, n.unit_id, n.period_code, n.dimension, n.category, {values}, %s
        FROM {final} n
        WHERE NOT EXISTS (SELECT 1 FROM {fact} WHERE {fact}.indicator_code = %s AND {same_key})
    """, [definition.code, computed_at, definition.code])
    return deleted + updated + inserted


def _lock(definitions: list[IndicatorDefinition]) -> None:
    list(IndicatorDefinition.objects.select_for_update().filter(pk__in=[d.pk for d in definitions])
         .order_by("pk").values_list("pk", flat=True))


def _execute(definitions: list[IndicatorDefinition],
             periods_of: Callable[[IndicatorDefinition], list[Period]], *, ancestors: list[int] | None,
             today: dt.date, one_transaction: bool) -> RunResult:
    started = time.monotonic()
    result = RunResult()
    with transaction.atomic() if one_transaction else nullcontext():
        if one_transaction:
            _lock(definitions)
        with connection.cursor() as cursor, tuned(cursor):
            run = Run(cursor, today, ancestors)
            try:
                run.temp.create(STAGE, STAGE_COLUMNS, indexes=["indicator_code, period_code, unit_id"])
                for definition in definitions:
                    periods = periods_of(definition)
                    if not periods:
                        continue
                    t0 = time.monotonic()
                    _compute(run, definition, periods)
                    run.temp.analyze(STAGE)
                    facts = _finish(run, definition, periods)
                    computed_at = timezone.now()
                    with transaction.atomic():
                        if not one_transaction:
                            _lock([definition])
                        changed = _write(run, definition, periods, computed_at)
                    run.execute(f"DELETE FROM {q(STAGE)}")
                    result.indicators.append(IndicatorRun(definition.code, len(periods), facts, changed,
                                                          time.monotonic() - t0))
            finally:
                run.temp.drop_all()
    result.seconds = time.monotonic() - started
    return result


def rebuild_facts(indicators: Iterable[str] | None = None, periods: Iterable[Period | str] | None = None, *,
                  unit_map: bool = False, today: dt.date | None = None) -> RunResult:
    """Recompute and replace the facts of the active definitions (or those coded `indicators`) for
    `fact_periods()` (or `periods`), for every unit. Rebuilds the unit map first when asked, or when it is
    empty. Returns the facts written and the time taken per indicator."""
    from ctxh.indicators.unitmap import rebuild_unit_map

    started = time.monotonic()
    today = today or timezone.localdate()
    map_seconds = None
    if unit_map or not UnitContribution.objects.exists():
        map_seconds = rebuild_unit_map().seconds
    all_periods = fact_periods(today)
    if periods is None:
        chosen = all_periods
    else:
        chosen = []
        for period in periods:
            period = parse_fact_period(period) if isinstance(period, str) else period
            check_fact_period(period)
            chosen.append(period)
    definitions = runnable_definitions(indicators)
    expanded = _expand_for_reports(definitions, chosen, all_periods) if periods is not None else chosen
    result = _execute(definitions, lambda d: expanded if uses_reported(d) else chosen, ancestors=None,
                      today=today, one_transaction=is_postgresql())
    result.unit_map_seconds = map_seconds
    result.seconds = time.monotonic() - started
    logger.info("rebuild_facts: %s facts in %.2f s", result.facts, result.seconds)
    return result


@dataclass(frozen=True)
class Change:
    """What a saved record touches: the computations (`methods`) and data elements it feeds, the units it
    is placed at (`units`; None: any unit), the people and organizations whose units count too (resolved at
    refresh time, after the commit), and the dates [lo, hi] it concerns (None: open)."""

    methods: frozenset[str] = frozenset()
    elements: frozenset[int] = frozenset()
    units: frozenset[int] | None = frozenset()
    persons: frozenset[int] = frozenset()
    organizations: frozenset[int] = frozenset()
    lo: dt.date | None = None
    hi: dt.date | None = None


def _leaf_units(change: Change) -> set[int] | None:
    from ctxh.cases.models import PersonAddress
    from ctxh.orgs.models import Organization, OrganizationLocation

    if change.units is None:
        return None
    units = set(change.units)
    if change.persons:
        addresses = PersonAddress.objects.filter(person_id__in=change.persons)
        units |= set(addresses.values_list("unit_id", flat=True))
    if change.organizations:
        orgs = list(change.organizations)
        locations = OrganizationLocation.objects.filter(organization_id__in=orgs)
        units |= set(locations.values_list("unit_id", flat=True))
        units |= set(Organization.objects.filter(pk__in=orgs).values_list("unit_id", flat=True))
    return units


def definitions_for(change: Change, definitions: list[IndicatorDefinition]) -> list[IndicatorDefinition]:
    chosen = []
    for definition in definitions:
        by_records = uses_records(definition) and definition.method in change.methods
        by_reports = uses_reported(definition) and bool(change.elements & reported.element_ids_of(definition))
        if by_records or by_reports:
            chosen.append(definition)
    return chosen


def refresh_for(change: Change, *, today: dt.date | None = None) -> RunResult:
    """Recompute the facts a change touches: the definitions fed by its methods or elements, the ancestors
    of its units (through the unit map), the periods sharing a day with [lo, hi] (a flow counts in the
    periods containing its date; a stock from its date on, hence an open `hi`)."""
    today = today or timezone.localdate()
    definitions = definitions_for(change, runnable_definitions())
    if not definitions or not UnitContribution.objects.exists():
        return RunResult()
    leaves = _leaf_units(change)
    ancestors = None
    if leaves is not None:
        ancestors = sorted(set(UnitContribution.objects.filter(unit_id__in=leaves)
                               .values_list("ancestor_id", flat=True)))
        if not ancestors:
            return RunResult()
    periods = overlapping(fact_periods(today), change.lo, change.hi)
    if not periods:
        return RunResult()
    return _execute(definitions, lambda d: periods, ancestors=ancestors, today=today, one_transaction=True)
