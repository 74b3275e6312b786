"""What every method of the engine shares during a run: the cursor, today, the ancestors to compute (all,
or those a change reaches), the staging table the rows go to, and the day a stock is taken on per unit."""

import datetime as dt
from dataclasses import dataclass, field

from ctxh.geo.models import Unit
from ctxh.indicators.engine.sql import TempTables, placeholders, q, table
from ctxh.indicators.models import IndicatorDefinition, UnitContribution
from ctxh.indicators.periods import Period

STAGE = "ctxh_engine_stage"
PERIODS = "ctxh_engine_periods"
HALVES = "ctxh_engine_halves"
# One row per part of a fact: a method's records part (possibly in several rows: people placed in one unit,
# people placed in several), the reported part. `num`/`den` build the value (a count: `num` only); `rec` and
# `rep` are the records and reported parts (of the count, or of the denominator of a ratio); `est` says an
# allocation share or a sum of reports stands in for a measured value.
STAGE_COLUMNS = (
    "indicator_code VARCHAR(40) NOT NULL, unit_id BIGINT NOT NULL, period_code VARCHAR(20) NOT NULL, "
    "dimension VARCHAR(20) NOT NULL, category VARCHAR(60) NOT NULL, num DOUBLE PRECISION, "
    "den DOUBLE PRECISION, rec DOUBLE PRECISION, rep DOUBLE PRECISION, est INTEGER NOT NULL"
)
STAGE_INSERT = (f"INSERT INTO {q(STAGE)} (indicator_code, unit_id, period_code, dimension, category, num, "
                "den, rec, rep, est)")
# A weight below 1 comes from an allocation share: the part is an estimate.
ESTIMATE = "CASE WHEN MIN({w}) < 1.0 THEN 1 ELSE 0 END"

UC = table(UnitContribution)
UNIT = table(Unit)


@dataclass
class Run:
    cursor: object
    today: dt.date
    # None: every unit; otherwise only these ancestors are recomputed (a refresh).
    ancestors: list[int] | None
    temp: TempTables = field(init=False)

    def __post_init__(self) -> None:
        self.temp = TempTables(self.cursor)

    def execute(self, sql: str, params: list | tuple = ()) -> int:
        self.cursor.execute(sql, list(params))
        return self.cursor.rowcount

    def fetch(self, sql: str, params: list | tuple = ()) -> list[tuple]:
        self.cursor.execute(sql, list(params))
        return self.cursor.fetchall()

    def ancestor_filter(self, column: str) -> tuple[str, list]:
        """` AND column IN (...)` when the run is restricted to some ancestors."""
        if self.ancestors is None:
            return "", []
        if not self.ancestors:
            return " AND 1 = 0", []
        return f" AND {column} IN ({placeholders(self.ancestors)})", list(self.ancestors)

    def period_tables(self, periods: list[Period]) -> tuple[str, str]:
        """Temporary tables of the periods: `ctxh_engine_periods` (code, lo, hi: half-year indexes, and the
        days 60 and 16 years before the last day, for age bands) and `ctxh_engine_halves` (half_idx, code:
        the periods containing each half-year), for equality joins."""
        from ctxh.cases.indicators import ELDERLY_AGE
        from ctxh.cases.models import CHILD_AGE, years_before
        from ctxh.indicators.engine.periods import period_halves

        table_periods = self.temp.create(
            PERIODS, "code VARCHAR(20) NOT NULL, lo INTEGER NOT NULL, hi INTEGER NOT NULL, "
                     "eld_day DATE NOT NULL, eld_year INTEGER NOT NULL, child_day DATE NOT NULL, "
                     "child_year INTEGER NOT NULL",
            indexes=["code"])
        table_halves = self.temp.create(HALVES, "half_idx INTEGER NOT NULL, code VARCHAR(20) NOT NULL",
                                        indexes=["half_idx"])
        rows, halves = [], []
        for period in periods:
            lo, hi = period_halves(period)
            day = period.end
            rows.append((period.code, lo, hi, years_before(day, ELDERLY_AGE), day.year - ELDERLY_AGE,
                         years_before(day, CHILD_AGE), day.year - CHILD_AGE))
            halves += [(index, period.code) for index in range(lo, hi + 1)]
        self.execute(f"INSERT INTO {table_periods} (code, lo, hi, eld_day, eld_year, child_day, child_year) "
                     f"VALUES {', '.join(['(%s, %s, %s, %s, %s, %s, %s)'] * len(rows))}",
                     [value for row in rows for value in row])
        self.execute(f"INSERT INTO {table_halves} (half_idx, code) "
                     f"VALUES {', '.join(['(%s, %s)'] * len(halves))}",
                     [value for row in halves for value in row])
        return table_periods, table_halves

    def stock_days(self, period: Period) -> list[tuple[dt.date, str, list]]:
        """The days a stock is taken on in `period`, each with the SQL condition (on the unit `g`) choosing
        the units taken that day: the period's last day, but not after today nor after the unit's last
        day (an old unit in 2025: 30/06/2025). Empty when the period has not begun."""
        if period.start > self.today:
            return []
        last = min(period.end, self.today)
        condition, params = self.ancestor_filter("id")
        ends = [row[0] for row in self.fetch(
            f"SELECT DISTINCT valid_to FROM {UNIT} WHERE valid_to >= %s AND valid_to < %s{condition}",
            [period.start, last, *params])]
        days = [(last, "(g.valid_to IS NULL OR g.valid_to >= %s)", [last])]
        for end in sorted(ends):
            if isinstance(end, str):  # SQLite returns the raw text of a DISTINCT date
                end = dt.date.fromisoformat(end)
            days.append((end, "g.valid_to = %s", [end]))
        return days


def roll_up(run: Run, code: str, rows: str, params: list, *, ratio: bool, prefix: str = "",
            prefix_params: list | None = None, condition: str = "",
            condition_params: list | None = None) -> int:
    """Stage unit-level rows for every ancestor: `rows` selects (unit_id, period_code, dim, cat, num, den)
    (den NULL for a count) of things placed at one unit each; each ancestor gets the sum of num and den
    times the unit's weight. `prefix` is a WITH clause the rows use; `condition` (on the ancestor `g`)
    chooses the ancestors (a stock day).

    `CROSS JOIN` keeps the unit-level rows in the outer loop in SQLite (its documented join-order rule; an
    inner join elsewhere): with a few ancestors to refresh, the planner would otherwise read the map first
    and scan the rows once per unit."""
    ancestors, ancestor_params = run.ancestor_filter("uc.ancestor_id")
    day = f" JOIN {UNIT} g ON g.id = uc.ancestor_id AND {condition}" if condition else ""
    den = "SUM(r.den * uc.weight)" if ratio else "NULL"
    rec = den if ratio else "SUM(r.num * uc.weight)"
    return run.execute(f"""
        {STAGE_INSERT}
        {prefix}
        SELECT %s, uc.ancestor_id, r.period_code, r.dim, r.cat, SUM(r.num * uc.weight), {den}, {rec}, NULL,
               {ESTIMATE.format(w="uc.weight")}
        FROM ({rows}) r CROSS JOIN {UC} uc{day}
        WHERE uc.unit_id = r.unit_id{ancestors}
        GROUP BY uc.ancestor_id, r.period_code, r.dim, r.cat
    """, [*(prefix_params or []), code, *params, *(condition_params or []), *ancestor_params])


def stage_weighted(run: Run, code: str, rows: str, params: list, *, ratio: bool, prefix: str = "",
                   prefix_params: list | None = None) -> int:
    """Stage rows already weighted per ancestor: `rows` selects (ancestor_id, period_code, dim, cat, w, hit)
    for things placed at several units (each with its largest weight): num = sum of w x hit, den = sum of w
    (a ratio), or num = sum of w (a count, `hit` ignored)."""
    num = "SUM(r.w * r.hit)" if ratio else "SUM(r.w)"
    den = "SUM(r.w)" if ratio else "NULL"
    rec = "SUM(r.w)"
    return run.execute(f"""
        {STAGE_INSERT}
        {prefix}
        SELECT %s, r.ancestor_id, r.period_code, r.dim, r.cat, {num}, {den}, {rec}, NULL,
               {ESTIMATE.format(w="r.w")}
        FROM ({rows}) r
        GROUP BY r.ancestor_id, r.period_code, r.dim, r.cat
    """, [*(prefix_params or []), code, *params])


def days_of(run: Run, periods: list[Period]) -> dict[dt.date, list[tuple[Period, str, list]]]:
    """The stock days of the periods, each with the (period, condition on the ancestor) pairs taken that
    day: a day is computed once for all the periods that share it."""
    days: dict[dt.date, list[tuple[Period, str, list]]] = {}
    for period in periods:
        for day, condition, params in run.stock_days(period):
            days.setdefault(day, []).append((period, condition, params))
    return days


def wanted_dimensions(definition: IndicatorDefinition, available: tuple[str, ...]) -> list[str]:
    """The disaggregations to keep: the definition's list when it has one, else all the method offers."""
    chosen = [d for d in (definition.disaggregations or []) if isinstance(d, str)]
    if not chosen:
        return list(available)
    return [d for d in available if d in chosen]
