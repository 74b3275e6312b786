"""Demo people in need, their statuses, cases, services and referrals (`load_demo`), 2020-2026.

The story (seeded by the province, so every run is the same):
- `PEOPLE_PER_OLD_COMMUNE` people in every old commune (30/06/2025), who move with their commune into the new
  one it mainly continues in on 01/07/2025 (a second address). Ethnic groups follow the district's mix of
  ctxh/demo/data/districts.csv (rural communes: `rural_mix`; wards and townships: `urban_mix`): ethnic
  minorities are most of the people in Lâm Bình, Na Hang and the former Hà Giang districts. Names come from
  data/names.csv.
- Age groups: children 30 %, 16-59 45 %, 60 and over 25 %. Each person holds one or two vulnerability
  statuses (ctxh/demo/data/case_statuses.csv: by age group, with weights); most began before 2020, the others
  between 2020 and 2025; poverty ends for some households, drug rehabilitation and reintegration end.
- Counselling and support (the COUNSELLED services) reach a growing number of the people holding a status
  (`COUNSELLING_GROWTH` on 35 % of those of 2020): +25 % in 2025 on 2020.
- The children of the plan's six groups receive social assistance and a social work service funded by social
  mobilization with a growing probability (`CHILDREN_SERVED`: about 80 % in 2025); the others get only part
  of it (assistance alone, or services from the state budget only).
- A case per person and year of services, opened by the People's Committee of the commune a few days before
  the first service, closed at the end of the year (2026: still open); about 5 % are referred to the
  provincial Social Work Centre (accepted, then completed).

Idempotent: when demo people exist already, nothing is written. Bulk inserts, validated like a form would.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from ctxh.cases.indicators import COUNSELLING_TYPES, children_served, counselled_by_year
from ctxh.cases.models import (
    CHILD_AGE,
    Case,
    ClosureReason,
    FundingSource,
    Person,
    PersonAddress,
    PersonStatus,
    Referral,
    ReferralStatus,
    RiskLevel,
    ServiceDelivery,
    ServiceType,
    Stage,
    VulnerabilityCategory,
)
from ctxh.core.models import Ethnicity
from ctxh.core.reference import Sex
from ctxh.core.text import fold, nfc
from ctxh.demo.aggregate import keeps_no_records
from ctxh.demo.builder import BATCH_SIZE, CHANGE_REASON, BuildStats, DemoDataError
from ctxh.demo.geography import LAST_OLD_DAY, REORG_DAY, Geography
from ctxh.demo.orgs import rng_for
from ctxh.demo.workforce import DATA_DIR, NameBook, read_districts
from ctxh.geo.models import Unit, UnitKind
from ctxh.orgs.models import Organization, OrganizationLocation, OrgKind

STATUSES_CSV = DATA_DIR / "case_statuses.csv"
DEMO_NOTE = "Dữ liệu mẫu (load_demo): người không có thật."
PEOPLE_PER_OLD_COMMUNE = 12
FIRST_YEAR = 2020
HORIZON = dt.date(2026, 10, 31)
CENTRE_CODE = "TTCTXH-TQ"
AGE_GROUPS = (("child", 0.30), ("adult", 0.45), ("elderly", 0.25))
# People counselled or supported in a year, as a multiple of `COUNSELLING_BASE_SHARE` of those holding a
# status in 2020 (2021: COVID-19; 2026: January to October).
COUNSELLING_BASE_SHARE = 0.35
COUNSELLING_GROWTH = {2020: 1.0, 2021: 0.96, 2022: 1.04, 2023: 1.10, 2024: 1.17, 2025: 1.25, 2026: 1.20}
# The chance that a child of the plan's groups gets both services in a year.
CHILDREN_SERVED = {2020: 0.45, 2021: 0.50, 2022: 0.58, 2023: 0.66, 2024: 0.74, 2025: 0.81, 2026: 0.70}
SUPPORT_TYPES = (
    (ServiceType.COUNSELLING, 45), (ServiceType.HEALTH_CARE, 10), (ServiceType.EDUCATION, 10),
    (ServiceType.LEGAL_AID, 8), (ServiceType.VOCATIONAL, 8), (ServiceType.REHABILITATION, 7),
    (ServiceType.EMERGENCY_PROTECTION, 4), (ServiceType.ALTERNATIVE_CARE, 3),
)
ASSISTANCE_AMOUNTS = (500_000, 750_000, 1_000_000, 1_500_000, 2_000_000)
REFERRAL_SHARE = 0.05
REFERRAL_REASONS = (
    "Cần tư vấn tâm lý chuyên sâu.",
    "Cần đánh giá và can thiệp của nhân viên công tác xã hội chuyên nghiệp.",
    "Cần kết nối nguồn lực xã hội hóa để hỗ trợ lâu dài.",
)


@dataclass(frozen=True)
class StatusChoice:
    age_group: str
    code: str
    weight: float
    severity: str
    event: str
    event_start: dt.date | None
    ends: float  # the chance the status ends
    lasts: tuple[int, int]  # years, when it ends


def read_statuses(path: Path = STATUSES_CSV) -> dict[str, list[StatusChoice]]:
    choices: dict[str, list[StatusChoice]] = defaultdict(list)
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            where = f"{path.name}, dòng {line}"
            try:
                first, _sep, last = row["lasts"].partition("-")
                choice = StatusChoice(
                    row["age_group"], row["code"], float(row["weight"]), row["severity"], nfc(row["event"]),
                    dt.date.fromisoformat(row["event_start"]) if row["event_start"] else None,
                    float(row["ends"] or 0), (int(first or 1), int(last or first or 1)),
                )
            except ValueError as exc:
                raise DemoDataError(_("%(where)s: %(error)s") % {"where": where, "error": exc}) from None
            if choice.age_group not in dict(AGE_GROUPS):
                raise DemoDataError(_("%(where)s: nhóm tuổi “%(group)s” không có.")
                                    % {"where": where, "group": choice.age_group})
            choices[choice.age_group].append(choice)
    return dict(choices)


# --- the plan (pure Python, no database writes) ---


@dataclass
class PlanStatus:
    code: str
    start: dt.date
    end: dt.date | None
    severity: str = ""
    event: str = ""

    def active_in(self, first: dt.date, last: dt.date) -> tuple[dt.date, dt.date] | None:
        start, end = max(self.start, first), min(self.end or last, last)
        return (start, end) if start <= end else None


@dataclass
class PlanService:
    kind: str
    day: dt.date
    funding: str
    by_centre: bool = False
    amount: int | None = None


@dataclass
class PlanCase:
    year: int
    services: list[PlanService]
    referred: bool = False


@dataclass
class PlanPerson:
    full_name: str
    sex: str
    born: dt.date
    year_only: bool
    ethnicity: str
    old_unit: Unit
    new_unit: Unit | None
    statuses: list[PlanStatus] = field(default_factory=list)
    cases: list[PlanCase] = field(default_factory=list)

    def unit_on(self, day: dt.date) -> Unit:
        return self.old_unit if day <= LAST_OLD_DAY or self.new_unit is None else self.new_unit

    def is_child_on(self, day: dt.date) -> bool:
        try:
            sixteenth = self.born.replace(year=self.born.year + CHILD_AGE)
        except ValueError:
            sixteenth = self.born.replace(year=self.born.year + CHILD_AGE, day=28)
        return day < sixteenth


def _day(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, max(0, (last - first).days)))


def _pick(rng: random.Random, weighted) -> object:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


class Planner:
    def __init__(self, geo: Geography):
        self.geo = geo
        self.rng = rng_for(geo, "cases")
        self.names = NameBook()
        self.profiles = read_districts(names=self.names)
        self.statuses = read_statuses()
        self.plan154 = set(VulnerabilityCategory.objects.exclude(plan154_child_group="")
                           .values_list("code", flat=True))
        self.severe_only = set(VulnerabilityCategory.objects.filter(plan154_severe_only=True)
                               .values_list("code", flat=True))

    def people(self) -> list[PlanPerson]:
        people = []
        numbers_only = keeps_no_records(self.geo)  # they report numbers instead (ctxh/demo/aggregate.py)
        for province in self.geo.old_provinces:
            for district in province.districts:
                profile = self.profiles.get(district.code) or self.profiles.get(province.unit.code)
                if profile is None:
                    raise DemoDataError(_("districts.csv: thiếu dòng mặc định cho tỉnh %(code)s.")
                                        % {"code": province.unit.code})
                for commune in province.communes_by_district.get(district.pk, []):
                    if commune.pk in numbers_only:
                        continue
                    mix = profile.rural_mix if commune.kind == UnitKind.COMMUNE else profile.urban_mix
                    successor = self.geo.main_successor(commune)
                    for _n in range(PEOPLE_PER_OLD_COMMUNE):
                        people.append(self.person(commune, successor.unit if successor else None, mix))
        self.services(people)
        return people

    def person(self, commune: Unit, successor: Unit | None, mix) -> PlanPerson:
        rng = self.rng
        group = _pick(rng, AGE_GROUPS)
        if group == "child":
            born = _day(rng, dt.date(2010, 1, 1), dt.date(2024, 6, 30))
        elif group == "adult":
            born = _day(rng, dt.date(1966, 1, 1), dt.date(2007, 12, 31))
        else:
            born = _day(rng, dt.date(1930, 1, 1), dt.date(1963, 12, 31))
        female = 0.55 if group == "elderly" else 0.5
        sex = Sex.FEMALE if rng.random() < female else Sex.MALE
        ethnicity = mix.pick(rng)
        person = PlanPerson(
            full_name=self.names.full_name(rng, ethnicity, sex), sex=sex, born=born,
            year_only=group == "elderly" and rng.random() < 0.3, ethnicity=ethnicity, old_unit=commune,
            new_unit=successor,
        )
        count = 1 if rng.random() < 0.65 else 2
        codes = set()
        for _n in range(count):
            choice = _pick(rng, [(c, c.weight) for c in self.statuses[group]])
            if choice.code in codes:
                continue
            codes.add(choice.code)
            person.statuses.append(self.status(choice, born))
        return person

    def status(self, choice: StatusChoice, born: dt.date) -> PlanStatus:
        rng = self.rng
        if choice.event_start:
            start = max(choice.event_start, born)
        elif rng.random() < 0.6:
            start = max(_day(rng, dt.date(2012, 1, 1), dt.date(2019, 12, 31)), born)
        else:
            start = max(_day(rng, dt.date(2020, 1, 1), dt.date(2025, 12, 31)), born)
        end = None
        if rng.random() < choice.ends:
            end = start + dt.timedelta(days=365 * rng.randint(*choice.lasts) + rng.randint(0, 200))
            if end > HORIZON:
                end = None
        severity = choice.severity
        if severity == "random":
            severity = _pick(rng, (("mild", 3), ("severe", 5), ("extremely_severe", 2)))
        return PlanStatus(choice.code, start, end, severity, choice.event)

    def _in_plan_group(self, status: PlanStatus) -> bool:
        if status.code not in self.plan154:
            return False
        return status.code not in self.severe_only or status.severity in ("severe", "extremely_severe")

    def services(self, people: list[PlanPerson]) -> None:
        """Children's services first; then counselling and support for enough other people holding a
        status that year to follow `COUNSELLING_GROWTH` on the first year; assistance alone for some
        others."""
        rng = self.rng
        years = range(FIRST_YEAR, HORIZON.year + 1)
        planned: dict[tuple[int, int], list[PlanService]] = defaultdict(list)
        eligible: dict[int, list[tuple[int, list]]] = {}
        counted: dict[int, set[int]] = {}
        for year in years:
            first, last = dt.date(year, 1, 1), min(dt.date(year, 12, 31), HORIZON)
            eligible[year], counted[year] = [], set()
            for index, person in enumerate(people):
                start = max(first, person.born)
                windows = [w for s in person.statuses if (w := s.active_in(start, last))]
                if not windows:
                    continue
                eligible[year].append((index, windows))
                plan_windows = [w for s in person.statuses if self._in_plan_group(s)
                                and (w := s.active_in(start, last)) and person.is_child_on(w[0])]
                if plan_windows:
                    services = self.child_services(plan_windows[0], year)
                    planned[(index, year)] += services
                    if any(service.kind in COUNSELLING_TYPES for service in services):
                        counted[year].add(index)
        base = COUNSELLING_BASE_SHARE * len(eligible[FIRST_YEAR])
        for year in years:
            candidates = [(i, w) for i, w in eligible[year] if i not in counted[year]]
            wanted = max(0, min(len(candidates), round(base * COUNSELLING_GROWTH[year]) - len(counted[year])))
            chosen = {i for i, _w in rng.sample(candidates, wanted)}
            for index, windows in candidates:
                if index in chosen:
                    start, end = rng.choice(windows)
                    for _n in range(rng.choice((1, 1, 2, 3))):
                        planned[(index, year)].append(self.support(_day(rng, start, end), year))
                elif rng.random() < 0.25:
                    planned[(index, year)].append(self.assistance(_day(rng, *rng.choice(windows))))
        for (index, year), services in sorted(planned.items()):
            if services:
                services.sort(key=lambda s: s.day)
                people[index].cases.append(PlanCase(year, services, referred=rng.random() < REFERRAL_SHARE))

    def funding(self, year: int) -> str:
        mobilized = 0.20 + 0.03 * (year - FIRST_YEAR)
        return _pick(self.rng, ((FundingSource.STATE_BUDGET, 0.65 - mobilized),
                                (FundingSource.SOCIAL_MOBILIZATION, mobilized), (FundingSource.ODA, 0.05),
                                (FundingSource.INTEGRATED_PROGRAMME, 0.10)))

    def support(self, day: dt.date, year: int) -> PlanService:
        funding = self.funding(year)
        return PlanService(_pick(self.rng, SUPPORT_TYPES), day, funding,
                           by_centre=funding == FundingSource.SOCIAL_MOBILIZATION and self.rng.random() < 0.5)

    def assistance(self, day: dt.date, funding: str = FundingSource.STATE_BUDGET) -> PlanService:
        return PlanService(ServiceType.SOCIAL_ASSISTANCE, day, funding,
                           amount=self.rng.choice(ASSISTANCE_AMOUNTS))

    def child_services(self, window: tuple[dt.date, dt.date], year: int) -> list[PlanService]:
        rng = self.rng
        start, end = window
        assistance_funding = (FundingSource.SOCIAL_MOBILIZATION if rng.random() < 0.3
                              else FundingSource.STATE_BUDGET)
        if rng.random() < CHILDREN_SERVED[year]:
            kind = _pick(rng, SUPPORT_TYPES)
            return [self.assistance(_day(rng, start, end), assistance_funding),
                    PlanService(kind, _day(rng, start, end), FundingSource.SOCIAL_MOBILIZATION,
                                by_centre=rng.random() < 0.5)]
        roll = rng.random()
        if roll < 0.5:
            return [self.assistance(_day(rng, start, end), assistance_funding)]
        if roll < 0.8:
            return [self.assistance(_day(rng, start, end)),
                    PlanService(ServiceType.COUNSELLING, _day(rng, start, end), FundingSource.STATE_BUDGET)]
        return []


# --- saving ---


def _validate(instance, exclude: list[str]) -> None:
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise DemoDataError(_("Dữ liệu mẫu không hợp lệ (%(object)s): %(errors)s") % {
            "object": instance, "errors": "; ".join(exc.messages)}) from exc


def _committees(unit_ids: set[int]) -> dict[tuple[int, bool], int]:
    """The People's Committee of each commune, before (False) and from (True) 01/07/2025."""
    rows = (OrganizationLocation.objects
            .filter(organization__kind=OrgKind.COMMUNE_COMMITTEE, unit_id__in=unit_ids)
            .values_list("unit_id", "organization_id", "valid_from", "valid_to").order_by("valid_from", "pk"))
    found: dict[tuple[int, bool], int] = {}
    for unit_id, org_id, valid_from, valid_to in rows:
        if valid_from is None or valid_from < REORG_DAY:
            found.setdefault((unit_id, False), org_id)
        if valid_to is None or valid_to >= REORG_DAY:
            found.setdefault((unit_id, True), org_id)
    return found


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def save_people(geo: Geography, people: list[PlanPerson], stats: BuildStats) -> None:
    ethnicities = dict(Ethnicity.objects.values_list("code", "pk"))
    categories = {c.code: c for c in VulnerabilityCategory.objects.all()}
    units = {p.old_unit.pk for p in people} | {p.new_unit.pk for p in people if p.new_unit}
    committees = _committees(units)
    centre = Organization.objects.filter(code=CENTRE_CODE).values_list("pk", flat=True).first()

    persons = []
    for plan in people:
        if plan.ethnicity not in ethnicities:
            raise DemoDataError(_("Chưa có dân tộc mã %(code)s: hãy chạy “manage.py migrate”.")
                                % {"code": plan.ethnicity})
        person = Person(full_name=nfc(plan.full_name), search_name=fold(plan.full_name), sex=plan.sex,
                        date_of_birth=None if plan.year_only else plan.born, birth_year=plan.born.year,
                        ethnicity_id=ethnicities[plan.ethnicity], note=DEMO_NOTE)
        _validate(person, ["ethnicity", "guardian", "merged_into", "created_by"])
        persons.append(person)
    persons = bulk_create_with_history(persons, Person, batch_size=BATCH_SIZE,
                                       default_change_reason=CHANGE_REASON)
    if any(p.pk is None for p in persons):
        ids = list(Person.objects.filter(note=DEMO_NOTE).order_by("pk").values_list("pk", flat=True))
        for person, pk in zip(persons, ids, strict=True):
            person.pk = pk
    stats.created["person"] += len(persons)

    addresses, statuses = [], []
    for person, plan in zip(persons, people, strict=True):
        born = dt.date(plan.born.year, 1, 1) if plan.year_only else plan.born
        if plan.new_unit is None:
            addresses.append(PersonAddress(person=person, unit=plan.old_unit, valid_from=born))
        else:
            addresses.append(PersonAddress(person=person, unit=plan.old_unit, valid_from=born,
                                           valid_to=LAST_OLD_DAY))
            addresses.append(PersonAddress(person=person, unit=plan.new_unit, valid_from=REORG_DAY))
        for status in plan.statuses:
            row = PersonStatus(person=person, category=categories[status.code], start_date=status.start,
                               end_date=status.end, severity=status.severity, event=status.event,
                               evidence="Danh sách đối tượng của xã (dữ liệu mẫu).")
            _validate(row, ["person", "verified_by"])
            statuses.append(row)
    PersonAddress.objects.bulk_create(addresses, batch_size=BATCH_SIZE)
    bulk_create_with_history(statuses, PersonStatus, batch_size=BATCH_SIZE,
                             default_change_reason=CHANGE_REASON)
    stats.created["person_address"] += len(addresses)
    stats.created["person_status"] += len(statuses)

    sequence: dict[int, int] = defaultdict(int)
    rng = rng_for(geo, "cases-save")
    planned: list[tuple[Case, PlanCase, PlanPerson]] = []
    for person, plan in zip(persons, people, strict=True):
        for plan_case in plan.cases:
            first = plan_case.services[0].day
            opened = max(first - dt.timedelta(days=rng.randint(0, 10)), dt.date(plan_case.year, 1, 1))
            if plan.new_unit is not None and opened < REORG_DAY <= first:
                opened = REORG_DAY
            org = committees.get((plan.unit_on(opened).pk, opened >= REORG_DAY))
            if org is None:
                continue
            sequence[plan_case.year] += 1
            closed = plan_case.year < HORIZON.year
            last = plan_case.services[-1].day
            case = Case(
                number=f"DEMO-{geo.province.code}-{plan_case.year}-{sequence[plan_case.year]:05d}",
                person=person, opening_organization_id=org, organization_id=org, opened_at=_at(opened),
                is_child_at_intake=plan.is_child_on(opened),
                stage=Stage.CLOSED if closed else Stage.INTERVENTION,
                risk_level=_pick(rng, ((RiskLevel.LOW, 5), (RiskLevel.MEDIUM, 4), (RiskLevel.HIGH, 1))),
                closed_at=_at(min(last + dt.timedelta(days=30), dt.date(plan_case.year, 12, 31)), 16)
                if closed else None,
                closure_reason=ClosureReason.GOALS_MET if closed else "",
                intake_summary="Tiếp nhận theo danh sách rà soát đối tượng của xã (dữ liệu mẫu).",
            )
            planned.append((case, plan_case, plan))
    created = bulk_create_with_history([c for c, _p, _q in planned], Case, batch_size=BATCH_SIZE,
                                       default_change_reason=CHANGE_REASON)
    if any(c.pk is None for c in created):
        ids = dict(Case.objects.filter(number__startswith=f"DEMO-{geo.province.code}-")
                   .values_list("number", "pk"))
        for case in created:
            case.pk = ids[case.number]
    stats.created["case"] += len(created)

    services, referrals = [], []
    for case, plan_case, plan in planned:
        for service in plan_case.services:
            provider = committees.get((plan.unit_on(service.day).pk, service.day >= REORG_DAY),
                                      case.organization_id)
            if service.by_centre and centre:
                provider = centre
            row = ServiceDelivery(case=case, person_id=case.person_id, service_type=service.kind,
                                  delivered_on=service.day, provider_id=provider,
                                  funding_source=service.funding, amount_vnd=service.amount)
            _validate(row, ["case", "person", "provider", "worker", "created_by"])
            services.append(row)
        if plan_case.referred and centre and centre != case.organization_id:
            sent = case.opened_at + dt.timedelta(days=3)
            closed = plan_case.year < HORIZON.year
            referrals.append(Referral(
                case=case, from_org_id=case.organization_id, to_org_id=centre,
                reason=rng.choice(REFERRAL_REASONS), deadline=(sent + dt.timedelta(days=10)).date(),
                status=ReferralStatus.COMPLETED if closed else ReferralStatus.ACCEPTED, sent_at=sent,
                responded_at=sent + dt.timedelta(days=2), response_note="Đồng ý tiếp nhận (dữ liệu mẫu).",
                closed_at=case.closed_at if closed else None,
            ))
    ServiceDelivery.objects.bulk_create(services, batch_size=BATCH_SIZE)
    Referral.objects.bulk_create(referrals, batch_size=BATCH_SIZE)
    stats.created["service"] += len(services)
    stats.created["referral"] += len(referrals)


def demo_cases(geo: Geography, *, stats: BuildStats) -> int:
    """The part of `demo_load`: people, statuses, cases, services and referrals, once."""
    if Person.objects.filter(note=DEMO_NOTE).exists():
        return 0
    people = Planner(geo).people()
    save_people(geo, people, stats)
    return len(people)


@dataclass(frozen=True)
class CasesSummary:
    counselled: dict[int, int]
    children_value: float | None
    children_numerator: int
    children_denominator: int

    @property
    def growth_2025(self) -> float | None:
        base = self.counselled.get(2020)
        return (self.counselled.get(2025, 0) - base) / base if base else None


def cases_summary(province: Unit) -> CasesSummary:
    """COUNSELLED by year and CHILDREN in 2025 for the province, as load_demo prints them."""
    years = counselled_by_year(province, FIRST_YEAR, HORIZON.year)
    children = children_served(province, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    return CasesSummary(years, children.value, children.numerator, children.denominator)

