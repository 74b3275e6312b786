"""STAFFING from records, for every unit and many periods at once.

The per-organization fact is `ctxh.workforce.selectors.organizations_staffing` itself (its SQL is embedded,
so the engine and the indicator pages cannot disagree on who qualifies): in-scope organizations active on
the stock day, located on that day, qualifying when enough people of a qualifying dedication are paid at
least the base salary in force. A unit's value is the share of the organizations located in the units that
contribute to it that qualify (each organization with the unit's weight; a share makes it an estimate).

Stock day: the period's last day, not after today nor after the unit's last day. No base salary for a day:
no fact that day (the indicator pages say so too). Dimension: `kind` (the organization's kind).
"""

from django.db.models import F

from ctxh.indicators.engine.context import Run, days_of, roll_up, wanted_dimensions
from ctxh.indicators.engine.sql import q
from ctxh.indicators.models import IndicatorDefinition
from ctxh.indicators.periods import Period
from ctxh.workforce.selectors import base_salary_on, organizations_staffing, phase_on

DIMENSIONS = ("kind",)

ORGANIZATIONS = "ctxh_engine_st_orgs"


def compute(run: Run, definition: IndicatorDefinition, periods: list[Period]) -> None:
    dimensions = wanted_dimensions(definition, DIMENSIONS)
    for day, uses in sorted(days_of(run, periods).items()):
        base = base_salary_on(day)
        if base is None or not _organizations_on(run, day, base.amount_vnd):
            continue
        for period, condition, condition_params in uses:
            parts = ["SELECT o.unit_id AS unit_id, %s AS period_code, '' AS dim, '' AS cat, SUM(o.q) AS num, "
                     f"COUNT(*) AS den FROM {q(ORGANIZATIONS)} o GROUP BY o.unit_id"]
            params = [period.code]
            if "kind" in dimensions:
                parts.append(f"SELECT o.unit_id, %s, 'kind', o.kind, SUM(o.q), COUNT(*) "
                             f"FROM {q(ORGANIZATIONS)} o GROUP BY o.unit_id, o.kind")
                params.append(period.code)
            roll_up(run, definition.code, " UNION ALL ".join(parts), params, ratio=True, condition=condition,
                    condition_params=condition_params)


def _organizations_on(run: Run, day, base_salary_vnd: int) -> int:
    """The in-scope organizations of the day: where they were, whether they qualify (one location each)."""
    organizations = run.temp.create(ORGANIZATIONS, "org_id BIGINT NOT NULL, kind VARCHAR(30) NOT NULL, "
                                                   "unit_id BIGINT NOT NULL, q INTEGER NOT NULL")
    queryset = (organizations_staffing(day, base_salary_vnd=base_salary_vnd, phase=phase_on(day))
                .order_by().values(org=F("pk"), org_kind=F("kind"), place=F("location_unit_id"),
                                   ok=F("qualifies")))
    inner, inner_params = queryset.query.sql_with_params()
    return run.execute(f"""
        INSERT INTO {organizations} (org_id, kind, unit_id, q)
        SELECT o.org, o.org_kind, o.place, CASE WHEN o.ok THEN 1 ELSE 0 END FROM ({inner}) o
    """, inner_params)
