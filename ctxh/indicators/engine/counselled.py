"""COUNSELLED from records, for every unit and many periods at once (semantics: ctxh.cases.indicators).

A person counts in a period when they received a `COUNSELLING_TYPES` service in it while holding at least one
vulnerability status on the service's date; they are placed at their address unit on that date. A unit's
value is the number of distinct people placed in a unit that contributes to it, each counted with the
largest weight among their units (1 when wholly inside; an allocation share through a partly merged unit,
and the fact is then an estimate). A person counts once, however many services, organizations or units.

Dimensions: `sex`; `age` (band on the period's last day: 0-15, 16-59, 60+, unknown); `ethnicity` (code, or
"unknown"); `group` (the category group of a status held on a counted service's date; a person in two
groups counts in both).

How (a fixed number of statements, whatever the number of periods):
1. one scan of the services keeps the distinct (person, day) of counted services, sorted by person, so that
   the look-ups of addresses and statuses that follow read each person's rows together; they give the
   "atoms": (person, unit, half-year, group), distinct;
2. the (period, person, unit) pairs of every period (a period is a range of half-years), with the person's
   sex, ethnicity and age band on the period's last day, and how many units the person has in the period;
3. people placed in a single unit in the period (nearly everyone) are counted per unit and category and
   rolled up through the unit map: a sum of counts x weights;
4. people placed in several units in the period (they moved) are rolled up person by person: their largest
   weight per ancestor.
"""

from ctxh.cases.indicators import COUNSELLING_TYPES
from ctxh.cases.models import Person, PersonAddress, PersonStatus, ServiceDelivery, VulnerabilityCategory
from ctxh.core.models import Ethnicity
from ctxh.indicators.engine.context import UC, Run, roll_up, stage_weighted, wanted_dimensions
from ctxh.indicators.engine.periods import Halves, half_index
from ctxh.indicators.engine.sql import placeholders, q, table
from ctxh.indicators.models import IndicatorDefinition
from ctxh.indicators.periods import Period

DIMENSIONS = ("sex", "age", "ethnicity", "group")
UNKNOWN = "unknown"

SERVED = "ctxh_engine_cs_served"
ATOMS = "ctxh_engine_cs_atoms"
PAIRS = "ctxh_engine_cs_pairs"
GROUPS = "ctxh_engine_cs_groups"
MOVERS = "ctxh_engine_cs_movers"

# The age band on the period's last day (`pm.eld_day` = the day 60 years before, ...), as
# ctxh.cases.indicators.age_band: a birth year alone counts as 1 January.
AGE = (f"CASE WHEN p.date_of_birth IS NULL AND p.birth_year IS NULL THEN '{UNKNOWN}' "
       "WHEN p.date_of_birth <= pm.eld_day OR (p.date_of_birth IS NULL AND p.birth_year <= pm.eld_year) "
       "THEN '60+' "
       "WHEN p.date_of_birth <= pm.child_day OR (p.date_of_birth IS NULL AND p.birth_year <= pm.child_year) "
       "THEN '16-59' ELSE '0-15' END")
# With many half-years, a condition the planner cannot serve from the date index: reading the whole table
# in order beats fetching most of its rows one by one through the index.
WHOLE_TABLE_HALVES = 6


def category_groups(column: str) -> tuple[str, list]:
    """A CASE mapping a category id to its group (reference data, a few dozen rows: no join per row)."""
    rows = list(VulnerabilityCategory.objects.order_by("pk").values_list("pk", "group"))
    if not rows:
        return "''", []
    return (f"CASE {column} {' '.join(['WHEN %s THEN %s'] * len(rows))} ELSE '' END",
            [value for row in rows for value in row])


def build_atoms(run: Run, periods: list[Period]) -> int:
    """(person, unit, half-year, group) of every counted service in the periods' half-years."""
    halves = Halves.covering(periods)
    served = run.temp.create(SERVED, "person_id BIGINT NOT NULL, delivered_on DATE NOT NULL")
    types = list(COUNSELLING_TYPES)
    # Only the half-years up to today hold services (a phase reaches into the future).
    if min(halves.last, half_index(run.today)) - halves.first + 1 >= WHOLE_TABLE_HALVES:
        within = "(CASE WHEN s.delivered_on >= %s AND s.delivered_on <= %s THEN 1 ELSE 0 END) = 1"
    else:
        within = "s.delivered_on >= %s AND s.delivered_on <= %s"
    found = run.execute(f"""
        INSERT INTO {served} (person_id, delivered_on)
        SELECT DISTINCT s.person_id, s.delivered_on FROM {table(ServiceDelivery)} s
        WHERE s.service_type IN ({placeholders(types)}) AND {within}
        ORDER BY 1, 2
    """, [*types, halves.start, halves.end])
    if not found:
        return 0
    atoms = run.temp.create(ATOMS, "person_id BIGINT NOT NULL, unit_id BIGINT NOT NULL, half_idx INTEGER NOT "
                                   "NULL, grp VARCHAR(30) NOT NULL", indexes=["person_id, unit_id, half_idx"])
    case, case_params = halves.case("s.delivered_on")
    groups, group_params = category_groups("st.category_id")
    found = run.execute(f"""
        INSERT INTO {atoms} (person_id, unit_id, half_idx, grp)
        SELECT DISTINCT s.person_id, a.unit_id, {case}, {groups}
        FROM {served} s
        JOIN {table(PersonAddress)} a ON a.person_id = s.person_id
             AND (a.valid_from IS NULL OR a.valid_from <= s.delivered_on)
             AND (a.valid_to IS NULL OR a.valid_to >= s.delivered_on)
        JOIN {table(PersonStatus)} st ON st.person_id = s.person_id AND st.start_date <= s.delivered_on
             AND (st.end_date IS NULL OR st.end_date >= s.delivered_on)
    """, [*case_params, *group_params])
    # Records merged into another person do not count (their services moved to the person kept).
    found -= run.execute(f"DELETE FROM {atoms} WHERE person_id IN "
                         f"(SELECT id FROM {table(Person)} WHERE merged_into_id IS NOT NULL)")
    run.temp.analyze(ATOMS)
    return found


def compute(run: Run, definition: IndicatorDefinition, periods: list[Period]) -> None:
    if not periods or not build_atoms(run, periods):
        return
    code, dimensions = definition.code, wanted_dimensions(definition, DIMENSIONS)
    atoms = q(ATOMS)
    periods_table, halves_table = run.period_tables(periods)
    pairs = run.temp.create(PAIRS, "period_code VARCHAR(20) NOT NULL, person_id BIGINT NOT NULL, "
                                   "unit_id BIGINT NOT NULL, n_units INTEGER NOT NULL, "
                                   "sex VARCHAR(10) NOT NULL, eth VARCHAR(10) NOT NULL, "
                                   "age VARCHAR(10) NOT NULL",
                            indexes=["period_code, person_id, unit_id"])
    # Each person's units in each period, how many they are (a window over the person's pairs), and the
    # person's categories in the period.
    run.execute(f"""
        INSERT INTO {pairs} (period_code, person_id, unit_id, n_units, sex, eth, age)
        SELECT x.code, x.person_id, x.unit_id, COUNT(*) OVER (PARTITION BY x.code, x.person_id), p.sex,
               COALESCE(e.code, '{UNKNOWN}'), {AGE}
        FROM (SELECT DISTINCT hm.code AS code, t.person_id AS person_id, t.unit_id AS unit_id
              FROM {atoms} t JOIN {halves_table} hm ON hm.half_idx = t.half_idx) x
        JOIN {periods_table} pm ON pm.code = x.code
        JOIN {table(Person)} p ON p.id = x.person_id
        LEFT JOIN {table(Ethnicity)} e ON e.id = p.ethnicity_id
    """)
    run.temp.analyze(PAIRS)
    groups = None
    if "group" in dimensions:
        # The groups of each person in each period and unit, with the person's number of units.
        groups = run.temp.create(GROUPS, "period_code VARCHAR(20) NOT NULL, person_id BIGINT NOT NULL, "
                                         "unit_id BIGINT NOT NULL, grp VARCHAR(30) NOT NULL, "
                                         "n_units INTEGER NOT NULL")
        run.execute(f"""
            INSERT INTO {groups} (period_code, person_id, unit_id, grp, n_units)
            SELECT x.code, x.person_id, x.unit_id, x.grp, pu.n_units
            FROM (SELECT DISTINCT hm.code AS code, t.person_id AS person_id, t.unit_id AS unit_id,
                                  t.grp AS grp
                  FROM {atoms} t JOIN {halves_table} hm ON hm.half_idx = t.half_idx) x
            JOIN {pairs} pu ON pu.period_code = x.code AND pu.person_id = x.person_id
                 AND pu.unit_id = x.unit_id
        """)

    # People placed in one unit: counts per unit and category.
    columns = {"sex": "pu.sex", "ethnicity": "pu.eth", "age": "pu.age"}
    parts = [f"SELECT pu.unit_id AS unit_id, pu.period_code AS period_code, '' AS dim, '' AS cat, "
             f"COUNT(*) AS num, NULL AS den FROM {pairs} pu WHERE pu.n_units = 1 GROUP BY pu.unit_id, "
             "pu.period_code"]
    for dimension in dimensions:
        if dimension == "group":
            parts.append(f"SELECT g.unit_id, g.period_code, 'group', g.grp, COUNT(*), NULL FROM {groups} g "
                         "WHERE g.n_units = 1 GROUP BY g.unit_id, g.period_code, g.grp")
        else:
            column = columns[dimension]
            parts.append(f"SELECT pu.unit_id, pu.period_code, '{dimension}', {column}, COUNT(*), NULL "
                         f"FROM {pairs} pu WHERE pu.n_units = 1 "
                         f"GROUP BY pu.unit_id, pu.period_code, {column}")
    roll_up(run, code, " UNION ALL ".join(parts), [], ratio=False)

    # People placed in several units of a period (they moved): their largest weight per ancestor.
    ancestors, ancestor_params = run.ancestor_filter("uc.ancestor_id")
    movers = run.temp.create(MOVERS, "period_code VARCHAR(20) NOT NULL, ancestor_id BIGINT NOT NULL, "
                                     "person_id BIGINT NOT NULL, w DOUBLE PRECISION NOT NULL, "
                                     "sex VARCHAR(10) NOT NULL, eth VARCHAR(10) NOT NULL, "
                                     "age VARCHAR(10) NOT NULL")
    moved = run.execute(f"""
        INSERT INTO {movers} (period_code, ancestor_id, person_id, w, sex, eth, age)
        SELECT pu.period_code, uc.ancestor_id, pu.person_id, MAX(uc.weight), MAX(pu.sex), MAX(pu.eth),
               MAX(pu.age)
        FROM {pairs} pu CROSS JOIN {UC} uc
        WHERE pu.n_units > 1 AND uc.unit_id = pu.unit_id{ancestors}
        GROUP BY pu.period_code, uc.ancestor_id, pu.person_id
    """, ancestor_params)
    if not moved:
        return
    columns = {"sex": "mv.sex", "ethnicity": "mv.eth", "age": "mv.age"}
    parts = [f"SELECT mv.ancestor_id AS ancestor_id, mv.period_code AS period_code, '' AS dim, '' AS cat, "
             f"mv.w AS w, 1 AS hit FROM {movers} mv"]
    params: list = []
    for dimension in dimensions:
        if dimension == "group":
            parts.append(f"SELECT uc.ancestor_id, g.period_code, 'group', g.grp, MAX(uc.weight), 1 "
                         f"FROM {groups} g CROSS JOIN {UC} uc "
                         f"WHERE g.n_units > 1 AND uc.unit_id = g.unit_id{ancestors} "
                         "GROUP BY uc.ancestor_id, g.period_code, g.person_id, g.grp")
            params += ancestor_params
        else:
            parts.append(f"SELECT mv.ancestor_id, mv.period_code, '{dimension}', {columns[dimension]}, "
                         f"mv.w, 1 FROM {movers} mv")
    stage_weighted(run, code, " UNION ALL ".join(parts), params, ratio=False)
