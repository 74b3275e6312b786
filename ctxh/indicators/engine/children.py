"""CHILDREN from records, for every unit and many periods at once (semantics: ctxh.cases.indicators).

For a unit and a period, on the stock day (the period's last day, not after today nor after the unit's last
day): the denominator is the live children (under 16 that day) holding one of the plan's six statuses that
day (a disability status only at a severe level), placed at their address unit that day; the numerator is
those of them who received, between the period's first day and the stock day, social assistance (any
funding) and a social work service funded by social mobilization. Each child counts with their largest
weight among the units contributing to the ancestor (an allocation share makes it an estimate).

Dimensions: `group` (the plan's group; a child in two groups counts in both), `sex`.

How: the services that can make a child served are copied once (of the people who ever held a status of
the plan's groups), indexed by person, kind and day. Then once per stock day (periods ending the same day
share it), the children of that day with their unit, groups, and the last day on or before the stock day
they received each kind of service; a period then
counts, per unit, the children and those whose last services fall on or after its first day, and rolls the
counts up through the unit map. A child with two addresses on one day (conflicting records) is rolled up
child by child.
"""

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
    years_before,
)
from ctxh.indicators.engine.context import UC, UNIT, Run, days_of, roll_up, stage_weighted, wanted_dimensions
from ctxh.indicators.engine.sql import placeholders, q, table
from ctxh.indicators.models import IndicatorDefinition
from ctxh.indicators.periods import Period

DIMENSIONS = ("group", "sex")

CHILDREN = "ctxh_engine_ch_children"  # a row per child, unit and group
PEOPLE = "ctxh_engine_ch_people"  # a row per child and unit
SERVED = "(ch.last_assistance >= %s AND ch.last_social_work >= %s)"


CHILD_SERVICES = "ctxh_engine_ch_services"
CANDIDATES = "ctxh_engine_ch_candidates"
ADDRESSES = "ctxh_engine_ch_addresses"


def plan_categories() -> tuple[list[int], list[int], str, list]:
    """The categories of the plan's six groups (reference data): all of them, those that count without a
    severity, and a CASE mapping a category to its group."""
    rows = list(VulnerabilityCategory.objects.exclude(plan154_child_group="").order_by("pk")
                .values_list("pk", "plan154_child_group", "plan154_severe_only"))
    ids = [pk for pk, _group, _severe in rows]
    any_severity = [pk for pk, _group, severe_only in rows if not severe_only]
    case = f"CASE st.category_id {' '.join(['WHEN %s THEN %s'] * len(rows))} ELSE '' END" if rows else "''"
    return ids, any_severity, case, [value for pk, group, _severe in rows for value in (pk, group)]


def compute(run: Run, definition: IndicatorDefinition, periods: list[Period]) -> None:
    dimensions = wanted_dimensions(definition, DIMENSIONS)
    categories = plan_categories()
    if not categories[0]:
        return
    days = days_of(run, periods)
    if not days:
        return
    _candidates(run, categories, min(days), max(days))
    _services_of_children(run, min(p.start for p in periods), max(days))
    for day, uses in sorted(days.items()):
        found, multi = _children_on(run, day)
        if not found:
            continue
        for period, condition, condition_params in uses:
            _period(run, definition.code, period, condition, condition_params, dimensions, multi)


def _services_of_children(run: Run, first_day, last_day) -> None:
    """The services that can make a child served (assistance: "a"; social work funded by social
    mobilization: "w") between the first and the last day, of the candidates (read through the index by
    person and day); indexed for "the last one on or before a day"."""
    services = run.temp.create(CHILD_SERVICES, "person_id BIGINT NOT NULL, kind CHAR(1) NOT NULL, "
                                               "delivered_on DATE NOT NULL",
                               indexes=["person_id, kind, delivered_on"])
    social_work = list(COUNSELLING_TYPES)
    run.execute(f"""
        INSERT INTO {services} (person_id, kind, delivered_on)
        SELECT DISTINCT s.person_id, CASE WHEN s.service_type = %s THEN 'a' ELSE 'w' END, s.delivered_on
        FROM (SELECT DISTINCT person_id FROM {q(CANDIDATES)}) c
        CROSS JOIN {table(ServiceDelivery)} s
        WHERE s.person_id = c.person_id AND s.delivered_on >= %s AND s.delivered_on <= %s
          AND (s.service_type = %s
               OR (s.service_type IN ({placeholders(social_work)}) AND s.funding_source = %s))
    """, [ServiceType.SOCIAL_ASSISTANCE, first_day, last_day, ServiceType.SOCIAL_ASSISTANCE, *social_work,
          FundingSource.SOCIAL_MOBILIZATION])
    run.temp.analyze(CHILD_SERVICES)


def _candidates(run: Run, categories, first_day, last_day) -> None:
    """The statuses of the plan's groups (with the severity the group needs) of live people held on some
    day between the first and the last stock day, with the person's sex and birth, and those people's
    addresses: read once, sorted by person, for every day."""
    ids, any_severity, group_case, group_params = categories
    candidates = run.temp.create(
        CANDIDATES, "person_id BIGINT NOT NULL, grp VARCHAR(30) NOT NULL, start_date DATE NOT NULL, "
                    "end_date DATE, sex VARCHAR(10) NOT NULL, date_of_birth DATE, birth_year INTEGER",
        indexes=["start_date"])
    severe = sorted(SEVERE_LEVELS)
    severity = f"st.severity IN ({placeholders(severe)})"
    if any_severity:
        severity = f"(st.category_id IN ({placeholders(any_severity)}) OR {severity})"
    run.execute(f"""
        INSERT INTO {candidates} (person_id, grp, start_date, end_date, sex, date_of_birth, birth_year)
        SELECT st.person_id, {group_case}, st.start_date, st.end_date, p.sex, p.date_of_birth, p.birth_year
        FROM {table(PersonStatus)} st JOIN {table(Person)} p ON p.id = st.person_id
        WHERE st.category_id IN ({placeholders(ids)}) AND {severity} AND p.merged_into_id IS NULL
          AND st.start_date <= %s AND (st.end_date IS NULL OR st.end_date >= %s)
        ORDER BY st.person_id
    """, [*group_params, *ids, *any_severity, *severe, last_day, first_day])
    addresses = run.temp.create(ADDRESSES, "person_id BIGINT NOT NULL, unit_id BIGINT NOT NULL, "
                                           "valid_from DATE, valid_to DATE", indexes=["person_id"])
    run.execute(f"""
        INSERT INTO {addresses} (person_id, unit_id, valid_from, valid_to)
        SELECT a.person_id, a.unit_id, a.valid_from, a.valid_to FROM {table(PersonAddress)} a
        WHERE a.person_id IN (SELECT person_id FROM {candidates})
        ORDER BY a.person_id
    """)
    run.temp.analyze(CANDIDATES)
    run.temp.analyze(ADDRESSES)


def _children_on(run: Run, day) -> tuple[int, bool]:
    """The children of the day (rows per unit and group); whether one has several units that day."""
    children = run.temp.create(
        CHILDREN, "person_id BIGINT NOT NULL, unit_id BIGINT NOT NULL, grp VARCHAR(30) NOT NULL, "
                  "sex VARCHAR(10) NOT NULL, last_assistance DATE, last_social_work DATE, "
                  "multi INTEGER NOT NULL",
        indexes=["person_id"])
    services = q(CHILD_SERVICES)
    found = run.execute(f"""
        INSERT INTO {children} (person_id, unit_id, grp, sex, last_assistance, last_social_work, multi)
        SELECT x.id, x.unit_id, x.grp, x.sex,
               (SELECT c.delivered_on FROM {services} c WHERE c.person_id = x.id AND c.kind = 'a'
                AND c.delivered_on <= %s ORDER BY c.delivered_on DESC LIMIT 1),
               (SELECT c.delivered_on FROM {services} c WHERE c.person_id = x.id AND c.kind = 'w'
                AND c.delivered_on <= %s ORDER BY c.delivered_on DESC LIMIT 1),
               0
        FROM (SELECT DISTINCT c.person_id AS id, a.unit_id AS unit_id, c.grp AS grp, c.sex AS sex
              FROM {q(CANDIDATES)} c
              JOIN {q(ADDRESSES)} a ON a.person_id = c.person_id
                   AND (a.valid_from IS NULL OR a.valid_from <= %s)
                   AND (a.valid_to IS NULL OR a.valid_to >= %s)
              WHERE c.start_date <= %s AND (c.end_date IS NULL OR c.end_date >= %s)
                AND (c.date_of_birth > %s OR (c.date_of_birth IS NULL AND c.birth_year > %s))) x
    """, [day, day, day, day, day, day, years_before(day, CHILD_AGE), day.year - CHILD_AGE])
    multi = 0
    if found:
        multi = run.execute(f"""
            UPDATE {children} SET multi = 1 WHERE person_id IN (
                SELECT person_id FROM {children} GROUP BY person_id HAVING COUNT(DISTINCT unit_id) > 1)
        """)
        people = run.temp.create(PEOPLE, "person_id BIGINT NOT NULL, unit_id BIGINT NOT NULL, "
                                         "sex VARCHAR(10) NOT NULL, last_assistance DATE, "
                                         "last_social_work DATE, multi INTEGER NOT NULL")
        run.execute(f"""
            INSERT INTO {people} (person_id, unit_id, sex, last_assistance, last_social_work, multi)
            SELECT DISTINCT person_id, unit_id, sex, last_assistance, last_social_work, multi FROM {children}
        """)
        run.temp.analyze(CHILDREN)
    return found, multi > 0


def _period(run: Run, code: str, period: Period, condition: str, condition_params: list,
            dimensions: list[str], multi: bool) -> None:
    children, people = q(CHILDREN), q(PEOPLE)
    served = [period.start, period.start]
    counted = f"SUM(CASE WHEN {SERVED} THEN 1 ELSE 0 END), COUNT(*)"
    parts = [f"SELECT ch.unit_id AS unit_id, %s AS period_code, '' AS dim, '' AS cat, "
             f"SUM(CASE WHEN {SERVED} THEN 1 ELSE 0 END) AS num, COUNT(*) AS den "
             f"FROM {people} ch WHERE ch.multi = 0 GROUP BY ch.unit_id"]
    params: list = [period.code, *served]
    if "sex" in dimensions:
        parts.append(f"SELECT ch.unit_id, %s, 'sex', ch.sex, {counted} FROM {people} ch WHERE ch.multi = 0 "
                     "GROUP BY ch.unit_id, ch.sex")
        params += [period.code, *served]
    if "group" in dimensions:
        parts.append(f"SELECT ch.unit_id, %s, 'group', ch.grp, {counted} FROM {children} ch "
                     "WHERE ch.multi = 0 GROUP BY ch.unit_id, ch.grp")
        params += [period.code, *served]
    roll_up(run, code, " UNION ALL ".join(parts), params, ratio=True, condition=condition,
            condition_params=condition_params)
    if multi:
        _multi(run, code, period, condition, condition_params, dimensions, children)


def _multi(run: Run, code: str, period: Period, condition: str, condition_params: list, dimensions: list[str],
           children: str) -> None:
    """Children placed at several units on the day: their largest weight per ancestor."""
    ancestors, ancestor_params = run.ancestor_filter("uc.ancestor_id")
    joined = (f"FROM {children} ch CROSS JOIN {UC} uc JOIN {UNIT} g ON g.id = uc.ancestor_id AND {condition} "
              f"WHERE ch.multi = 1 AND uc.unit_id = ch.unit_id{ancestors}")
    hit = f"MAX(CASE WHEN {SERVED} THEN 1 ELSE 0 END)"
    parts = [f"SELECT uc.ancestor_id AS ancestor_id, %s AS period_code, '' AS dim, '' AS cat, "
             f"MAX(uc.weight) AS w, {hit} AS hit {joined} GROUP BY uc.ancestor_id, ch.person_id"]
    params: list = [period.code, period.start, period.start, *condition_params, *ancestor_params]
    for dimension, column in (("sex", "ch.sex"), ("group", "ch.grp")):
        if dimension in dimensions:
            parts.append(f"SELECT uc.ancestor_id, %s, '{dimension}', {column}, MAX(uc.weight), {hit} "
                         f"{joined} GROUP BY uc.ancestor_id, ch.person_id, {column}")
            params += [period.code, period.start, period.start, *condition_params, *ancestor_params]
    stage_weighted(run, code, " UNION ALL ".join(parts), params, ratio=True)
