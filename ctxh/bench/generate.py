"""A deterministic province-scale data set for `make bench`.

At scale 1.0, the issue's numbers for the new Tuyên Quang (province code 08 from 01/07/2025, which merged the
old Tuyên Quang and Hà Giang): 200,000 people, 60,000 cases and 1,000,000 services. The organizations, the
social work workforce and the trainings are the demo network of `load_demo` (ctxh.demo: every commune's
People's Committee, school and health station, the provincial facilities, about 900 workers, 150 training
sessions), which is already at the province's real size and makes STAFFING and TRAINING meaningful.

- People: names, sex, birth dates, ethnic groups (by the district's mix: ethnic minorities are most of the
  people of Lâm Bình, Na Hang and the former Hà Giang districts) and vulnerability statuses come from the
  demo's `Planner.person` (ctxh/demo/cases.py); each lives in an old commune until 30/06/2025 and in the new
  commune it mainly continues in from 01/07/2025; `MOVER_SHARE` of them move to another commune once,
  between 2020 and today. People of 14 and over mostly have a CCCD number.
- Households of two to five people of the same commune group `HOUSEHOLD_SHARE` of the people.
- Cases: opened between 01/01/2020 and today while the person held a status, mostly by the People's
  Committee of the person's commune (its successor holds it after 01/07/2025), some by the provincial Social
  Work Centre; a share is for children of the plan's six groups, followed for one to five years, the others
  for one month to two years; the recent ones are still open; a few are referred.
- Services: shared among the cases in proportion to how long each case lasted (monthly social assistance,
  counselling and support), every one on a day of its case (not before it opened, not after it closed, not
  after today). The services stop at today: the issue's "2020-2030" is the programme's span, and the data
  of a day that has not come is not recorded.

Everything comes from `random.Random(seed)` and the database's reference data, in a fixed order: the same
seed and scale give the same rows, with the same ids on an empty database. Rows are written with
`executemany` (SQLite) or `COPY` (PostgreSQL) in large batches, without the history tables (simple_history)
that the measured pages do not read.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import random
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connection, models, transaction
from django.utils import timezone

from ctxh.cases.models import (
    CHILD_AGE,
    Case,
    CaseSequence,
    ClosureReason,
    FundingSource,
    Household,
    HouseholdMember,
    Person,
    PersonAddress,
    PersonStatus,
    Referral,
    ReferralStatus,
    Relationship,
    RiskLevel,
    ServiceDelivery,
    ServiceType,
    Stage,
    VulnerabilityCategory,
)
from ctxh.core.models import Ethnicity
from ctxh.core.text import fold, nfc
from ctxh.demo import cases as demo_cases
from ctxh.demo import services as demo_services
from ctxh.demo import workforce as demo_workforce
from ctxh.demo.builder import BuildStats
from ctxh.demo.geography import LAST_OLD_DAY, REORG_DAY, Geography, geography_for
from ctxh.geo.models import Unit, UnitKind
from ctxh.orgs.models import Organization
from ctxh.workforce.models import Position

PROVINCE_CODE = "08"
PEOPLE, CASES, SERVICES = 200_000, 60_000, 1_000_000
FIRST_DAY = dt.date(2020, 1, 1)
MOVER_SHARE = 0.05
HOUSEHOLD_SHARE = 0.5
CENTRE_CASE_SHARE = 0.08
REFERRAL_SHARE = 0.03
# A share of the cases is for children of the plan's six groups (CHILDREN's denominator), followed longer.
PLAN_CHILD_CASE_SHARE = 0.3
CASE_MONTHS = (1, 2, 3, 6, 6, 9, 12, 12, 12, 18, 24)
CHILD_CASE_MONTHS = (12, 24, 36, 48, 60)
ASSIGNED_SHARE = 0.6
CCCD_AGE = 14
BATCH = 20_000
NOTE = "Dữ liệu đo hiệu năng (make bench): người không có thật; seed={seed}, scale={scale}."
CASE_SUMMARY = "Tiếp nhận theo danh sách rà soát đối tượng của xã (dữ liệu đo hiệu năng)."
REFERRAL_REASON = "Cần tư vấn tâm lý chuyên sâu và kết nối nguồn lực xã hội hóa."
# Tables the generator fills, in the order they are written (and emptied in reverse).
TABLES: tuple[type[models.Model], ...] = (
    Person, PersonAddress, PersonStatus, Household, HouseholdMember, Case, ServiceDelivery, Referral,
)

# The columns the generator writes (the others take their defaults).
COLUMNS: dict[type[models.Model], tuple[str, ...]] = {
    Person: ("id", "full_name", "search_name", "sex", "date_of_birth", "birth_year", "ethnicity_id", "cccd",
             "note", "created_at", "updated_at"),
    PersonAddress: ("id", "person_id", "unit_id", "valid_from", "valid_to"),
    PersonStatus: ("id", "person_id", "category_id", "start_date", "end_date", "severity", "event",
                   "evidence", "created_at"),
    Household: ("id", "name", "unit_id", "address_text", "is_poor", "is_near_poor", "created_at"),
    HouseholdMember: ("id", "household_id", "person_id", "relationship", "start_date", "end_date"),
    Case: ("id", "number", "person_id", "opening_organization_id", "organization_id", "assigned_worker_id",
           "assigned_on", "opened_at", "is_child_at_intake", "intake_summary", "stage", "risk_level",
           "closed_at", "closure_reason", "updated_at"),
    ServiceDelivery: ("id", "case_id", "person_id", "service_type", "delivered_on", "provider_id",
                      "funding_source", "amount_vnd", "created_at"),
    Referral: ("id", "case_id", "from_org_id", "to_org_id", "reason", "deadline", "status", "sent_at",
               "responded_at", "response_note", "closed_at"),
}


@dataclass(frozen=True)
class Size:
    people: int
    cases: int
    services: int

    @classmethod
    def of(cls, scale: float) -> Size:
        if scale <= 0:
            raise ValueError("scale must be positive")
        people = max(10, round(PEOPLE * scale))
        cases = max(3, round(CASES * scale))
        return cls(people, cases, max(cases, round(SERVICES * scale)))


def note_for(seed: int, scale: float) -> str:
    return NOTE.format(seed=seed, scale=f"{scale:g}")


# --- helpers ---


def _day(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, max(0, (last - first).days)))


@functools.cache  # a few thousand days, a million services
def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass
class Commune:
    """An old commune (until 30/06/2025) and the new one it mainly continues in."""

    old: Unit
    new: Unit | None
    mix: demo_workforce.Weighted
    province_code: str

    def timeline(self, first: dt.date) -> list[list]:
        """[unit id, from, to] rows of someone living here from `first` on."""
        if self.new is None:
            return [[self.old.pk, first, None]]
        return [[self.old.pk, first, LAST_OLD_DAY], [self.new.pk, REORG_DAY, None]]


def _cut(timeline: list[list], day: dt.date) -> list[list]:
    """The rows of `timeline` before `day` (the last one ending the day before)."""
    kept = []
    for unit_id, start, end in timeline:
        if start >= day:
            break
        last = day - dt.timedelta(days=1)
        kept.append([unit_id, start, last if end is None or end > last else end])
    return kept


def _on(timeline: list[list], day: dt.date) -> int | None:
    for unit_id, start, end in timeline:
        if start <= day and (end is None or day <= end):
            return unit_id
    return None


class _Cccd:
    """The demo workforce's CCCD numbers (province of birth, sex and century, year), unique here."""

    new_cccd = demo_workforce.Planner.new_cccd

    def __init__(self, rng: random.Random):
        self.rng, self.cccds = rng, set()


# --- the plan ---


@dataclass
class PlannedPerson:
    plan: demo_cases.PlanPerson
    timeline: list[list]  # [unit id, from, to]
    cccd: str | None
    statuses: list[demo_cases.PlanStatus] = field(default_factory=list)


@dataclass
class Rows:
    """The rows to write, per model: (columns, list of tuples)."""

    tables: dict[type[models.Model], tuple[tuple[str, ...], list[tuple]]] = field(default_factory=dict)
    sequences: dict[int, int] = field(default_factory=dict)  # year -> last case number

    def add(self, model: type[models.Model], columns: Sequence[str], rows: list[tuple]) -> None:
        self.tables[model] = (tuple(columns), rows)

    def count(self, model: type[models.Model]) -> int:
        return len(self.tables[model][1]) if model in self.tables else 0


class Generator:
    def __init__(self, geo: Geography, *, seed: int, scale: float, today: dt.date):
        self.geo, self.seed, self.scale, self.today = geo, seed, scale, today
        self.size = Size.of(scale)
        self.rng = random.Random(f"ctxh-bench-{seed}")
        self.planner = demo_cases.Planner(geo)
        self.planner.rng = self.rng  # the demo's person, status and funding choices, from our seed
        self.cccd = _Cccd(self.rng)
        self.note = note_for(seed, scale)
        self.categories = dict(VulnerabilityCategory.objects.values_list("code", "pk"))
        self.ethnicities = dict(Ethnicity.objects.values_list("code", "pk"))
        self.communes = self._communes()
        self.new_communes = list(geo.communes)
        self.orgs = {row[0]: row for row in
                     Organization.objects.values_list("pk", "valid_to", "successor_id")}
        self.committees = demo_cases._committees(
            {c.old.pk for c in self.communes} | {c.pk for c in self.new_communes})
        self.centre = (Organization.objects.filter(code=demo_cases.CENTRE_CODE).values_list("pk", flat=True)
                       .first())
        self.positions: dict[int, list[tuple[int, dt.date, dt.date | None]]] = defaultdict(list)
        for worker_id, org_id, start, end in (Position.objects.order_by("organization_id", "start_date", "pk")
                                              .values_list("worker_id", "organization_id", "start_date",
                                                           "end_date")):
            self.positions[org_id].append((worker_id, start, end))

    def _communes(self) -> list[Commune]:
        profiles = self.planner.profiles
        found = []
        for province in self.geo.old_provinces:
            for district in province.districts:
                profile = profiles.get(district.code) or profiles[province.unit.code]
                for commune in province.communes_by_district.get(district.pk, []):
                    mix = profile.rural_mix if commune.kind == UnitKind.COMMUNE else profile.urban_mix
                    successor = self.geo.main_successor(commune)
                    found.append(Commune(commune, successor.unit if successor else None, mix,
                                         province.unit.code))
        if not found:
            raise ValueError(f"{self.geo.province} has no old communes")
        return found

    # people

    def people(self) -> list[PlannedPerson]:
        rng, today = self.rng, self.today
        people = []
        for _n in range(self.size.people):
            commune = rng.choice(self.communes)
            plan = self.planner.person(commune.old, commune.new, commune.mix)
            born = dt.date(plan.born.year, 1, 1) if plan.year_only else plan.born
            timeline = commune.timeline(born)
            if rng.random() < MOVER_SHARE:
                moved = _day(rng, max(FIRST_DAY, born + dt.timedelta(days=1)), today - dt.timedelta(days=30))
                if moved <= LAST_OLD_DAY:
                    target = rng.choice(self.communes).timeline(moved)
                else:
                    target = [[rng.choice(self.new_communes).pk, moved, None]]
                if target[0][0] != _on(timeline, moved):
                    timeline = _cut(timeline, moved) + target
            cccd = None
            if _years_after(plan.born, CCCD_AGE) <= today:
                info = demo_workforce.UnitInfo(None, commune.province_code, False)
                cccd = self.cccd.new_cccd(info, plan.sex, plan.born)
            statuses = [s for s in plan.statuses if s.start <= today]
            for status in statuses:
                if status.end is not None and status.end > today:
                    status.end = None
            people.append(PlannedPerson(plan, timeline, cccd, statuses))
        return people

    def household_rows(self, people: list[PlannedPerson], first_person_id: int, first_household_id: int
                       ) -> tuple[list[tuple], list[tuple]]:
        rng = self.rng
        by_commune: dict[int, list[int]] = defaultdict(list)
        for index, person in enumerate(people):
            by_commune[person.timeline[0][0]].append(index)
        households, members = [], []
        household_id = first_household_id
        for unit_id in sorted(by_commune):
            indexes = [i for i in by_commune[unit_id] if rng.random() < HOUSEHOLD_SHARE]
            while len(indexes) >= 2:
                size = min(len(indexes), rng.choice((2, 2, 3, 3, 4, 5)))
                group, indexes = indexes[:size], indexes[size:]
                group.sort(key=lambda i: people[i].plan.born)
                head = people[group[0]]
                poor = rng.random() < 0.25
                households.append((household_id, f"Hộ {head.plan.full_name}", head.timeline[-1][0], "",
                                   poor, not poor and rng.random() < 0.2, _at(dt.date(2019, 1, 2), 9)))
                for position, index in enumerate(group):
                    member = people[index]
                    if position == 0:
                        relationship = Relationship.HEAD
                    else:
                        gap = (member.plan.born - head.plan.born).days / 365.25
                        relationship = (Relationship.CHILD if gap > 15 else Relationship.GRANDCHILD
                                        if gap > 40 else Relationship.SPOUSE if position == 1
                                        else Relationship.SIBLING)
                    start = max(member.timeline[0][1], dt.date(2018, 1, 1))
                    members.append((household_id, first_person_id + index, relationship, start, None))
                household_id += 1
        return households, members

    # cases and services

    def org_on(self, org_id: int, day: dt.date) -> int:
        """The organization itself, or its successor once it ended (an old commune's committee)."""
        for _n in range(5):
            _pk, valid_to, successor = self.orgs[org_id]
            if valid_to is None or day <= valid_to or successor is None:
                return org_id
            org_id = successor
        return org_id

    def worker_of(self, org_id: int, day: dt.date) -> int | None:
        active = [w for w, start, end in self.positions.get(org_id, ()) if start <= day
                  and (end is None or day <= end)]
        return self.rng.choice(active) if active else None

    def plan_cases(self, people: list[PlannedPerson]) -> list[dict]:
        rng, today = self.rng, self.today
        in_group = self.planner._in_plan_group
        plan_children = [i for i, p in enumerate(people) if any(in_group(s) for s in p.statuses)
                         and p.plan.is_child_on(FIRST_DAY)]
        cases = []
        attempts = 0
        while len(cases) < self.size.cases:
            attempts += 1
            if attempts > 50 * self.size.cases:
                raise ValueError("too few people holding a status since 2020 for the cases asked")
            for_child = bool(plan_children) and rng.random() < PLAN_CHILD_CASE_SHARE
            index = rng.choice(plan_children) if for_child else rng.randrange(len(people))
            person = people[index]
            statuses = [s for s in person.statuses if in_group(s)] if for_child else person.statuses
            if not statuses:
                continue
            status = rng.choice(statuses)
            first = max(status.start, FIRST_DAY, person.plan.born)
            last = min(status.end or today, today)
            if for_child:
                last = min(last, _years_after(person.plan.born, CHILD_AGE) - dt.timedelta(days=1))
            if first > last:
                continue
            # Later years a little more often: the network grows.
            opened = first + dt.timedelta(days=int(((last - first).days + 1) * rng.random() ** 0.85))
            opened = min(opened, last)
            unit_id = _on(person.timeline, opened)
            by_committee = rng.random() >= CENTRE_CASE_SHARE or self.centre is None
            org = self.committees.get((unit_id, opened >= REORG_DAY)) if by_committee else self.centre
            if org is None:
                continue
            # A child of the plan's groups is followed for years; others for a few months to two years.
            months = rng.choice(CHILD_CASE_MONTHS if for_child else CASE_MONTHS)
            closes = opened + dt.timedelta(days=30 * months + rng.randint(0, 20))
            closed = closes if closes < today - dt.timedelta(days=14) else None
            end = closed or today
            holder = self.org_on(org, end)
            child = person.plan.is_child_on(opened)
            plan_child = child and any(self.planner._in_plan_group(s) for s in person.statuses)
            cases.append({
                "person": index, "opened": opened, "closed": closed, "end": end, "opening_org": org,
                "holder": holder, "child": child, "plan_child": plan_child,
                "referred": rng.random() < REFERRAL_SHARE,
                "assisted": rng.uniform(0.2, 0.7) if not plan_child else rng.uniform(0.3, 0.5),
                "weight": ((end - opened).days + 1) * rng.uniform(0.5, 1.5),
            })
        cases.sort(key=lambda c: (c["opened"], c["person"]))
        return cases

    def shares(self, cases: list[dict]) -> list[int]:
        """Services per case: at least one, the rest in proportion to the weights, summing exactly."""
        spare = self.size.services - len(cases)
        total = sum(c["weight"] for c in cases)
        exact = [spare * c["weight"] / total for c in cases]
        counts = [1 + math.floor(x) for x in exact]
        missing = self.size.services - sum(counts)
        order = sorted(range(len(cases)), key=lambda i: (-(exact[i] - math.floor(exact[i])), i))
        for i in order[:missing]:
            counts[i] += 1
        return counts

    def service(self, case: dict, day: dt.date) -> tuple[str, str, int | None]:
        rng = self.rng
        if rng.random() < case["assisted"]:
            funding = FundingSource.SOCIAL_MOBILIZATION if rng.random() < 0.15 else FundingSource.STATE_BUDGET
            return ServiceType.SOCIAL_ASSISTANCE, funding, rng.choice(demo_cases.ASSISTANCE_AMOUNTS)
        if rng.random() < 0.03:
            return ServiceType.OTHER, FundingSource.STATE_BUDGET, None
        kind = demo_cases._pick(rng, demo_cases.SUPPORT_TYPES)
        funding = self.planner.funding(min(day.year, 2026))
        if case["plan_child"] and rng.random() < 0.5:
            funding = FundingSource.SOCIAL_MOBILIZATION
        return kind, funding, None

    # all rows

    def rows(self, first_ids: dict[type[models.Model], int]) -> Rows:
        rng = self.rng
        rows = Rows()
        people = self.people()
        person_id = first_ids[Person]
        persons, addresses, statuses = [], [], []
        address_id, status_id = first_ids[PersonAddress], first_ids[PersonStatus]
        for index, person in enumerate(people):
            plan = person.plan
            pk = person_id + index
            registered = _at(min(max(dt.date(2019, 1, 2), min((s.start for s in person.statuses),
                                                               default=FIRST_DAY)), self.today), 8)
            persons.append((pk, nfc(plan.full_name), fold(plan.full_name), plan.sex,
                            None if plan.year_only else plan.born, plan.born.year,
                            self.ethnicities[plan.ethnicity], person.cccd, self.note, registered, registered))
            for unit_id, start, end in person.timeline:
                addresses.append((address_id, pk, unit_id, start, end))
                address_id += 1
            for status in person.statuses:
                statuses.append((status_id, pk, self.categories[status.code], status.start, status.end,
                                 status.severity, status.event, "Danh sách đối tượng của xã.", registered))
                status_id += 1
        rows.add(Person, COLUMNS[Person], persons)
        rows.add(PersonAddress, COLUMNS[PersonAddress], addresses)
        rows.add(PersonStatus, COLUMNS[PersonStatus], statuses)
        households, members = self.household_rows(people, person_id, first_ids[Household])
        rows.add(Household, COLUMNS[Household], households)
        member_id = first_ids[HouseholdMember]
        rows.add(HouseholdMember, COLUMNS[HouseholdMember],
                 [(member_id + i, *m) for i, m in enumerate(members)])

        cases = self.plan_cases(people)
        counts = self.shares(cases)
        case_rows, service_rows, referral_rows = [], [], []
        case_id, service_id, referral_id = first_ids[Case], first_ids[ServiceDelivery], first_ids[Referral]
        sequence: dict[int, int] = defaultdict(int)
        for case, count in zip(cases, counts, strict=True):
            person = people[case["person"]]
            opened, closed, end = case["opened"], case["closed"], case["end"]
            sequence[opened.year] += 1
            number = f"CTXH-{opened.year}-{sequence[opened.year]:06d}"
            worker = self.worker_of(case["holder"], end) if rng.random() < ASSIGNED_SHARE else None
            if closed:
                stage = Stage.CLOSED
            else:
                stage = demo_cases._pick(rng, ((Stage.INTAKE, 1), (Stage.ASSESSMENT, 1), (Stage.PLANNING, 1),
                                               (Stage.INTERVENTION, 6), (Stage.REVIEW, 1)))
            risk = demo_cases._pick(rng, ((RiskLevel.LOW, 5), (RiskLevel.MEDIUM, 4), (RiskLevel.HIGH, 1)))
            opened_at = _at(opened, 8 + rng.randint(0, 8))
            closed_at = _at(closed, 16) if closed else None
            case_rows.append((
                case_id, number, person_id + case["person"], case["opening_org"], case["holder"], worker,
                end if worker else None, opened_at, case["child"], CASE_SUMMARY, stage, risk, closed_at,
                ClosureReason.GOALS_MET if closed else "", closed_at or opened_at))
            span = (end - opened).days
            for offset in sorted(rng.randint(0, span) for _n in range(count)):
                day = opened + dt.timedelta(days=offset)
                kind, funding, amount = self.service(case, day)
                provider = self.org_on(case["opening_org"], day)
                service_rows.append((service_id, case_id, person_id + case["person"], kind, day, provider,
                                     funding, amount, _at(day, 17)))
                service_id += 1
            if case["referred"] and self.centre and self.centre != case["holder"]:
                sent = opened_at + dt.timedelta(days=3)
                done = closed is not None
                referral_rows.append((
                    referral_id, case_id, case["holder"], self.centre, REFERRAL_REASON,
                    (sent + dt.timedelta(days=10)).date(),
                    ReferralStatus.COMPLETED if done else ReferralStatus.ACCEPTED, sent,
                    sent + dt.timedelta(days=2), "Đồng ý tiếp nhận.", closed_at if done else None))
                referral_id += 1
            case_id += 1
        rows.add(Case, COLUMNS[Case], case_rows)
        rows.add(ServiceDelivery, COLUMNS[ServiceDelivery], service_rows)
        rows.add(Referral, COLUMNS[Referral], referral_rows)
        rows.sequences = dict(sequence)
        return rows


# --- writing ---


def _constant_columns(model: type[models.Model], given: Iterable[str]) -> tuple[list[str], list]:
    """The columns not given, with their defaults (an error for a required one without a default)."""
    given = set(given)
    names, values = [], []
    for f in model._meta.concrete_fields:
        if f.column in given:
            continue
        if f.has_default():
            value = f.get_default()
        elif f.null:
            value = None
        elif isinstance(f, models.CharField | models.TextField) and f.blank:
            value = ""
        else:
            raise ValueError(f"{model.__name__}.{f.name}: no value and no default")
        names.append(f.column)
        values.append(value)
    return names, values


def insert(model: type[models.Model], columns: Sequence[str], rows: list[tuple]) -> None:
    """Bulk insert raw tuples (ids included): COPY on PostgreSQL, executemany in batches elsewhere."""
    if not rows:
        return
    extra_names, extra_values = _constant_columns(model, columns)
    fields = {f.column: f for f in model._meta.concrete_fields}
    names = [*columns, *extra_names]
    adapt = [i for i, name in enumerate(columns) if isinstance(fields[name], models.DateTimeField)]
    adapter = functools.cache(connection.ops.adapt_datetimefield_value)
    table = connection.ops.quote_name(model._meta.db_table)
    column_sql = ", ".join(connection.ops.quote_name(n) for n in names)
    extra = tuple(extra_values)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({column_sql}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row + extra)
            return
        sql = f"INSERT INTO {table} ({column_sql}) VALUES ({', '.join(['%s'] * len(names))})"
        for start in range(0, len(rows), BATCH):
            batch = rows[start:start + BATCH]
            if adapt:
                batch = [_adapted(row, adapt, adapter) for row in batch]
            cursor.executemany(sql, [row + extra for row in batch])


def _adapted(row: tuple, positions: list[int], adapter) -> tuple:
    values = list(row)
    for i in positions:
        values[i] = adapter(values[i])
    return tuple(values)


def _next_ids() -> dict[type[models.Model], int]:
    return {model: (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1 for model in TABLES}


def _reset_sequences() -> None:
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), [*TABLES, CaseSequence])
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def analyze() -> None:
    """Fresh planner statistics after a bulk load (as a DBA would run after an import)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- entry points ---


# The demo parts the bench does not take: its people and cases (the bench generates its own, at scale) and
# its aggregate reports (the bench measures records; without reported numbers every fact is comparable with
# DuckDB's).
SKIPPED_DEMO_MODULES = frozenset({"ctxh.demo.cases", "ctxh.demo.aggregate"})


def ensure_network(province_code: str = PROVINCE_CODE) -> Geography:
    """The demo's organizations, workforce and trainings (not its people), created once."""
    province = demo_services.demo_province(province_code)
    geo = geography_for(province)
    stats = BuildStats()
    with transaction.atomic():
        for part in demo_services.PARTS:
            if part.__module__ not in SKIPPED_DEMO_MODULES:
                part(geo, stats=stats)
    return geo


def present(seed: int, scale: float) -> bool:
    """Whether this seed and scale were generated here already (and nothing else)."""
    size = Size.of(scale)
    note = note_for(seed, scale)
    return (Person.objects.filter(note=note).count() == size.people == Person.objects.count()
            and Case.objects.count() == size.cases)


def clear() -> None:
    """Empty the tables the generator fills (the bench database only), and the facts computed from them."""
    from ctxh.cases.models import CaseEvent
    from ctxh.indicators.models import IndicatorFact

    with transaction.atomic(), connection.cursor() as cursor:
        for model in (IndicatorFact, CaseEvent, *reversed(TABLES), CaseSequence):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


@dataclass
class Generated:
    counts: dict[str, int]
    plan_seconds: float
    write_seconds: float
    analyze_seconds: float

    @property
    def seconds(self) -> float:
        return self.plan_seconds + self.write_seconds + self.analyze_seconds


def plan_rows(geo: Geography, *, seed: int, scale: float, today: dt.date | None = None,
              first_ids: dict[type[models.Model], int] | None = None) -> Rows:
    """The rows, without writing them (what the determinism test compares)."""
    generator = Generator(geo, seed=seed, scale=scale, today=today or timezone.localdate())
    return generator.rows(first_ids or _next_ids())


def generate(geo: Geography, *, seed: int = 1, scale: float = 1.0, today: dt.date | None = None) -> Generated:
    """Write the data set into the current database (which should hold no other people or cases)."""
    started = time.monotonic()
    rows = plan_rows(geo, seed=seed, scale=scale, today=today)
    planned = time.monotonic()
    if connection.vendor == "sqlite":
        # The default page cache (2 MB) makes every index insert read pages again: 256 MB during the load.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")
    with transaction.atomic():
        for model in TABLES:
            insert(model, *rows.tables[model])
        for year, last in rows.sequences.items():
            CaseSequence.objects.update_or_create(year=year, defaults={"last": last})
        _reset_sequences()
    written = time.monotonic()
    analyze()
    return Generated({m._meta.model_name: rows.count(m) for m in TABLES}, planned - started,
                     written - planned, time.monotonic() - written)

