"""The practical floor: the COUNSELLED and CHILDREN facts computed by DuckDB over an export of the tables.

`export` writes the tables the two indicators read (people, addresses, statuses and their categories,
services, units and the unit map the engine aggregates through) to CSV files with Python's csv module (no
DuckDB extension, no network), `load` reads them into an in-memory DuckDB database, `compute` runs one SQL
statement per indicator for every unit and period, and `compare` checks the numbers against the fact table.

The SQL follows docs/indicators.md, the semantics the engine implements:
- COUNSELLED(unit, period): distinct live people with a service of a counselling type delivered in the period
  while they held a status active that day, whose address unit that day contributes to the unit (the unit
  map: itself, its subtree, and the old units merged into it), each counted with the largest weight of
  those units (below 1 through a partly merged unit: the fact is then an estimate).
- CHILDREN(unit, period), on the day D = the period's last day, not after today nor after the unit's last
  day: denominator, live children under 16 on D holding one of the plan's six statuses on D (a severe-only
  group at a severe level) and living on D in a unit that contributes to the unit; numerator, those who got,
  between the period's first day and D, social assistance and a counselling-type service funded by social
  mobilization; each child with the largest weight of their units, as for COUNSELLED.
Facts exist for units of levels 1-3 valid at some time in the period or valid today, only where there is
data (a count above zero, a denominator above zero).
"""

from __future__ import annotations

import csv
import datetime as dt
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection

from ctxh.cases.indicators import COUNSELLING_TYPES
from ctxh.cases.models import (
    CHILD_AGE,
    SEVERE_LEVELS,
    FundingSource,
    Person,
    PersonAddress,
    PersonStatus,
    ServiceDelivery,
    ServiceType,
    VulnerabilityCategory,
)
from ctxh.geo.models import Unit
from ctxh.indicators.models import IndicatorFact, UnitContribution
from ctxh.indicators.periods import Period

# name: (model, {csv column: model field}, DuckDB column types)
EXPORTS: dict[str, tuple[type, dict[str, str], dict[str, str]]] = {
    "persons": (Person, {"id": "id", "sex": "sex", "date_of_birth": "date_of_birth",
                         "birth_year": "birth_year", "merged_into_id": "merged_into"},
                {"id": "BIGINT", "sex": "VARCHAR", "date_of_birth": "DATE", "birth_year": "INTEGER",
                 "merged_into_id": "BIGINT"}),
    "addresses": (PersonAddress, {"person_id": "person", "unit_id": "unit", "valid_from": "valid_from",
                                  "valid_to": "valid_to"},
                  {"person_id": "BIGINT", "unit_id": "BIGINT", "valid_from": "DATE", "valid_to": "DATE"}),
    "statuses": (PersonStatus, {"person_id": "person", "category_id": "category", "start_date": "start_date",
                                "end_date": "end_date", "severity": "severity"},
                 {"person_id": "BIGINT", "category_id": "BIGINT", "start_date": "DATE", "end_date": "DATE",
                  "severity": "VARCHAR"}),
    "categories": (VulnerabilityCategory, {"id": "id", "plan154_child_group": "plan154_child_group",
                                           "plan154_severe_only": "plan154_severe_only"},
                   {"id": "BIGINT", "plan154_child_group": "VARCHAR", "plan154_severe_only": "BOOLEAN"}),
    "services": (ServiceDelivery, {"person_id": "person", "service_type": "service_type",
                                   "delivered_on": "delivered_on", "funding_source": "funding_source"},
                 {"person_id": "BIGINT", "service_type": "VARCHAR", "delivered_on": "DATE",
                  "funding_source": "VARCHAR"}),
    "units": (Unit, {"id": "id", "level": "level", "valid_from": "valid_from", "valid_to": "valid_to"},
              {"id": "BIGINT", "level": "INTEGER", "valid_from": "DATE", "valid_to": "DATE"}),
    "unit_map": (UnitContribution, {"ancestor_id": "ancestor", "unit_id": "unit", "weight": "weight"},
                 {"ancestor_id": "BIGINT", "unit_id": "BIGINT", "weight": "DOUBLE"}),
}


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def export(directory: Path) -> tuple[dict[str, int], float]:
    """Write every table of EXPORTS to `directory`/<name>.csv with Python; row counts and seconds."""
    directory.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    counts = {}
    for name, (model, columns, _types) in EXPORTS.items():
        table = connection.ops.quote_name(model._meta.db_table)
        selected = ", ".join(connection.ops.quote_name(model._meta.get_field(f).column)
                             for f in columns.values())
        path = directory / f"{name}.csv"
        rows = 0
        with path.open("w", newline="", encoding="utf-8") as handle, connection.cursor() as cursor:
            writer = csv.writer(handle)
            writer.writerow(columns)
            cursor.execute(f"SELECT {selected} FROM {table}")
            while batch := cursor.fetchmany(50_000):
                writer.writerows([tuple(_csv_value(v) for v in row) for row in batch])
                rows += len(batch)
        counts[name] = rows
    return counts, time.monotonic() - started


def load(directory: Path, periods: Iterable[Period], today: dt.date):
    """An in-memory DuckDB database with the exported tables and the periods; (connection, seconds)."""
    import duckdb

    started = time.monotonic()
    con = duckdb.connect(":memory:")
    for name, (_model, _columns, types) in EXPORTS.items():
        spec = ", ".join(f"'{column}': '{kind}'" for column, kind in types.items())
        path = str(directory / f"{name}.csv").replace("'", "''")
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv('{path}', header = true, "
                    f"columns = {{{spec}}}, nullstr = '')")
    con.execute("CREATE TABLE periods (code VARCHAR, start_day DATE, end_day DATE)")
    con.executemany("INSERT INTO periods VALUES (?, ?, ?)", [(p.code, p.start, p.end) for p in periods])
    con.execute("CREATE TABLE params AS SELECT ?::DATE AS today", [today])
    return con, time.monotonic() - started


def _in(values: Iterable[str]) -> str:
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)


# The (unit, period) pairs facts are kept for: units of levels 1-3 valid at some time in the period or today.
FACT_UNITS = """
fact_units AS (
    SELECT u.id AS unit_id, p.code, p.start_day, p.end_day,
           LEAST(p.end_day, params.today, COALESCE(u.valid_to, p.end_day)) AS day
    FROM units u CROSS JOIN periods p CROSS JOIN params
    WHERE u.level BETWEEN 1 AND 3
      AND ((COALESCE(u.valid_from, DATE '0001-01-01') <= p.end_day
            AND COALESCE(u.valid_to, DATE '9999-12-31') >= p.start_day)
           OR (COALESCE(u.valid_from, DATE '0001-01-01') <= params.today
               AND COALESCE(u.valid_to, DATE '9999-12-31') >= params.today))
)"""


# A date's half-year index (year x 2 + 0 or 1), as the engine's.
HALF = "(year({d}) * 2 + CASE WHEN month({d}) > 6 THEN 1 ELSE 0 END)"


def counselled_sql() -> str:
    """One statement: "atoms" (person, unit, half-year) of the counted services; per period the units each
    person was placed in; people placed in one unit (nearly all) counted per unit and rolled up through the
    unit map (count x weight), the others person by person (their largest weight)."""
    return f"""
WITH {FACT_UNITS},
atoms AS (
    SELECT DISTINCT s.person_id, a.unit_id, {HALF.format(d='s.delivered_on')} AS half
    FROM services s
    JOIN persons p ON p.id = s.person_id AND p.merged_into_id IS NULL
    JOIN addresses a ON a.person_id = s.person_id
         AND COALESCE(a.valid_from, DATE '0001-01-01') <= s.delivered_on
         AND COALESCE(a.valid_to, DATE '9999-12-31') >= s.delivered_on
    WHERE s.service_type IN ({_in(COUNSELLING_TYPES)})
      AND EXISTS (SELECT 1 FROM statuses st WHERE st.person_id = s.person_id
                  AND st.start_date <= s.delivered_on
                  AND (st.end_date IS NULL OR st.end_date >= s.delivered_on))
),
period_halves AS (
    SELECT code, unnest(range({HALF.format(d='start_day')}, {HALF.format(d='end_day')} + 1)) AS half
    FROM periods
),
placed AS (
    SELECT code, person_id, unit_id, COUNT(*) OVER (PARTITION BY code, person_id) AS places
    FROM (SELECT DISTINCT ph.code, t.person_id, t.unit_id
          FROM atoms t JOIN period_halves ph ON ph.half = t.half)
),
single AS (
    SELECT f.unit_id, f.code, SUM(l.n * m.weight) AS people, MIN(m.weight) AS min_w
    FROM (SELECT code, unit_id, COUNT(*) AS n FROM placed WHERE places = 1 GROUP BY code, unit_id) l
    JOIN unit_map m ON m.unit_id = l.unit_id
    JOIN fact_units f ON f.unit_id = m.ancestor_id AND f.code = l.code
    GROUP BY f.unit_id, f.code
),
several AS (
    SELECT unit_id, code, SUM(w) AS people, MIN(w) AS min_w FROM (
        SELECT f.unit_id, f.code, pl.person_id, MAX(m.weight) AS w
        FROM placed pl JOIN unit_map m ON m.unit_id = pl.unit_id
        JOIN fact_units f ON f.unit_id = m.ancestor_id AND f.code = pl.code
        WHERE pl.places > 1 GROUP BY f.unit_id, f.code, pl.person_id)
    GROUP BY unit_id, code
)
SELECT unit_id, code, SUM(people) AS people, MIN(min_w) < 1.0 AS estimate
FROM (SELECT * FROM single UNION ALL SELECT * FROM several)
GROUP BY unit_id, code
"""


def children_sql() -> str:
    """One statement: the children of the plan's groups at their units on each stock day; whether each was
    served in each (period start, stock day) window; then, as for COUNSELLED, children with one address
    that day counted per unit and rolled up through the unit map, the others child by child."""
    return f"""
WITH {FACT_UNITS},
slots AS (SELECT DISTINCT code, start_day, day FROM fact_units),
kids AS (
    SELECT DISTINCT d.day, a.unit_id, p.id AS person_id
    FROM (SELECT DISTINCT day FROM slots) d
    JOIN addresses a ON COALESCE(a.valid_from, DATE '0001-01-01') <= d.day
         AND COALESCE(a.valid_to, DATE '9999-12-31') >= d.day
    JOIN persons p ON p.id = a.person_id AND p.merged_into_id IS NULL
         AND (p.date_of_birth > d.day - INTERVAL {CHILD_AGE} YEAR
              OR (p.date_of_birth IS NULL AND p.birth_year > year(d.day) - {CHILD_AGE}))
    JOIN statuses st ON st.person_id = p.id AND st.start_date <= d.day
         AND (st.end_date IS NULL OR st.end_date >= d.day)
    JOIN categories c ON c.id = st.category_id AND c.plan154_child_group <> ''
         AND (NOT c.plan154_severe_only OR st.severity IN ({_in(SEVERE_LEVELS)}))
),
places AS (SELECT day, person_id, COUNT(*) AS n FROM kids GROUP BY day, person_id),
windows AS (SELECT DISTINCT k.person_id, s.start_day, s.day FROM slots s JOIN kids k ON k.day = s.day),
served AS (
    SELECT w.person_id, w.start_day, w.day FROM windows w
    WHERE EXISTS (SELECT 1 FROM services x WHERE x.person_id = w.person_id
                  AND x.delivered_on BETWEEN w.start_day AND w.day
                  AND x.service_type = '{ServiceType.SOCIAL_ASSISTANCE}')
      AND EXISTS (SELECT 1 FROM services x WHERE x.person_id = w.person_id
                  AND x.delivered_on BETWEEN w.start_day AND w.day
                  AND x.service_type IN ({_in(COUNSELLING_TYPES)})
                  AND x.funding_source = '{FundingSource.SOCIAL_MOBILIZATION}')
),
flagged AS (
    SELECT s.code, s.day, k.unit_id, k.person_id, pl.n AS places,
           CASE WHEN sv.person_id IS NULL THEN 0 ELSE 1 END AS served
    FROM slots s JOIN kids k ON k.day = s.day
    JOIN places pl ON pl.day = k.day AND pl.person_id = k.person_id
    LEFT JOIN served sv ON sv.person_id = k.person_id AND sv.start_day = s.start_day AND sv.day = s.day
),
single AS (
    SELECT f.unit_id, f.code, SUM(l.served * m.weight) AS num, SUM(l.n * m.weight) AS den,
           MIN(m.weight) AS min_w
    FROM (SELECT code, day, unit_id, COUNT(*) AS n, SUM(served) AS served FROM flagged WHERE places = 1
          GROUP BY code, day, unit_id) l
    JOIN unit_map m ON m.unit_id = l.unit_id
    JOIN fact_units f ON f.unit_id = m.ancestor_id AND f.code = l.code AND f.day = l.day
    GROUP BY f.unit_id, f.code
),
several AS (
    SELECT unit_id, code, SUM(served * w) AS num, SUM(w) AS den, MIN(w) AS min_w FROM (
        SELECT f.unit_id, f.code, fl.person_id, MAX(fl.served) AS served, MAX(m.weight) AS w
        FROM flagged fl JOIN unit_map m ON m.unit_id = fl.unit_id
        JOIN fact_units f ON f.unit_id = m.ancestor_id AND f.code = fl.code AND f.day = fl.day
        WHERE fl.places > 1 GROUP BY f.unit_id, f.code, fl.person_id)
    GROUP BY unit_id, code
)
SELECT unit_id, code, SUM(num) AS numerator, SUM(den) AS denominator, MIN(min_w) < 1.0 AS estimate
FROM (SELECT * FROM single UNION ALL SELECT * FROM several)
GROUP BY unit_id, code
"""


@dataclass
class DuckResult:
    counselled: dict[tuple[int, str], float]  # (unit, period) -> people (weighted)
    children: dict[tuple[int, str], tuple[float, float]]  # (unit, period) -> (numerator, denominator)
    estimates: set[tuple[str, int, str]]  # (indicator, unit, period) of the facts that are estimates
    seconds: float
    counselled_seconds: float = 0.0
    children_seconds: float = 0.0


def compute(con) -> DuckResult:
    started = time.monotonic()
    estimates = set()
    counselled = {}
    for unit, code, people, estimate in con.execute(counselled_sql()).fetchall():
        counselled[(unit, code)] = people
        if estimate:
            estimates.add(("COUNSELLED", unit, code))
    middle = time.monotonic()
    children = {}
    for unit, code, numerator, denominator, estimate in con.execute(children_sql()).fetchall():
        children[(unit, code)] = (numerator, denominator)
        if estimate:
            estimates.add(("CHILDREN", unit, code))
    done = time.monotonic()
    return DuckResult(counselled, children, estimates, done - started, middle - started, done - middle)


@dataclass
class Comparison:
    compared: int = 0
    mismatches: list[str] = field(default_factory=list)
    reported: int = 0  # facts with a reported part (aggregate numbers): DuckDB computes records only

    @property
    def ok(self) -> bool:
        return not self.mismatches


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) < 1e-6


def compare(result: DuckResult, period_codes: Iterable[str]) -> Comparison:
    """DuckDB's totals against the fact table: the same facts, the same numbers, the same estimate flags.
    Facts with a reported part are counted apart (the bench writes no aggregate reports)."""
    codes = list(period_codes)
    facts = IndicatorFact.objects.filter(indicator_code__in=["COUNSELLED", "CHILDREN"], period_code__in=codes,
                                         dimension="", category="")
    found = {(f.indicator_code, f.unit_id, f.period_code): f for f in facts}
    expected: dict[tuple[str, int, str], tuple] = {}
    for (unit, code), people in result.counselled.items():
        expected[("COUNSELLED", unit, code)] = (people,)
    for (unit, code), pair in result.children.items():
        expected[("CHILDREN", unit, code)] = pair
    comparison = Comparison()
    for key in sorted(set(found) | set(expected), key=str):
        comparison.compared += 1
        ours, fact = expected.get(key), found.get(key)
        if fact is not None and fact.reported_part:
            comparison.reported += 1
            continue
        if ours is None or fact is None:
            comparison.mismatches.append(f"{key}: DuckDB {ours}, ctxh {fact and fact.value}")
            continue
        if key[0] == "COUNSELLED":
            theirs = (fact.records_part if fact.records_part is not None else fact.value,)
        else:
            theirs = (fact.numerator, fact.denominator)
        if not all(_close(a, b) for a, b in zip(ours, theirs, strict=True)):
            comparison.mismatches.append(f"{key}: DuckDB {ours}, ctxh {theirs}")
        elif fact.is_estimate != (key in result.estimates):
            comparison.mismatches.append(f"{key}: estimate in DuckDB {key in result.estimates}, "
                                         f"in ctxh {fact.is_estimate}")
    return comparison
