"""Demo training: courses, sessions and who attended them, 2021-2026.

The catalogue is ``data/courses.csv`` (columns in data/README.md): courses of the Social Work Centre, of Tân
Trào University and of the department in charge of social work (Sở Lao động - Thương binh và Xã hội until
28/02/2025, then Sở Y tế: the organizer of a session is found by following the department's successors to the
one active that day). A course is run once a year as a course "... năm 2023" with one session per district
(every few years, in turn) or per province:

- before 2025 sessions are held for the old districts and the two old provinces; from 2025 (sessions after the
  reorganization, August onwards) for the new province and its communes, grouped by the old district they
  mainly continue;
- a session recorded by name takes people of the demo workforce (ctxh.demo.workforce) who hold, that day, a
  position in an organization of the session's area and of the course's audience, those trained least so far
  first; most complete it, some do not. Province-level sessions also have a few people of mass
  organizations, recorded by name and organization;
- a session "counted" keeps only numbers: per commune, kind of organization and sex.

Nothing is dated after the workforce's horizon (October 2026). Like the workforce, the plan is drawn from a
generator seeded with the province and written in bulk after validation; a second run creates nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from ctxh.core.reference import Sex
from ctxh.core.text import fold, nfc
from ctxh.demo.builder import BATCH_SIZE, CHANGE_REASON, BuildStats, DemoDataError
from ctxh.demo.geography import REORG_DAY, Geography, name_in_sentence
from ctxh.demo.orgs import rng_for
from ctxh.demo.workforce import (
    HORIZON,
    DemoOrg,
    NameBook,
    PositionPlan,
    WorkforcePlan,
    demo_organizations,
    demo_worker_ids,
    read_districts,
    workforce_plan,
)
from ctxh.geo.models import Unit
from ctxh.orgs.models import Organization, OrgKind
from ctxh.training.models import (
    Attendance,
    CountedAttendance,
    Course,
    CourseLevel,
    FundingSource,
    Session,
    Topic,
    organization_key,
)
from ctxh.training.selectors import TrainingResult, training
from ctxh.workforce.models import Dedication

DATA_DIR = Path(__file__).resolve().parent / "data"
COURSES_CSV = DATA_DIR / "courses.csv"
COLUMNS = ("key", "title", "organizer", "partner", "level", "topics", "funding", "audience", "scope",
           "record", "years", "every", "size", "days", "months", "note")
DEMO_NOTE = "Dữ liệu mẫu (load_demo)."

# Who organizes, by role and by old province (code as of 30/06/2025). From 2025 the new province's.
ORGANIZERS = {
    "centre": {"08": "TTCTXH-TQ", "02": "TTBTXH-HG"},
    "university": {"08": "DHTT", "02": "DHTT"},
    "department": {"08": "SO-LDTBXH-TQ", "02": "SO-LDTBXH-HG"},
}
UNIVERSITY_ROLE = "university"
COMPLETION = {CourseLevel.BASIC: 0.92, CourseLevel.ADVANCED: 0.85}
# After the reorganization of 01/07/2025 training resumed in August; nothing is planned beyond the horizon.
RESUMED = dt.date(2025, 8, 1)
# People of mass organizations recorded by name at province-level sessions.
EXTERNAL_TITLES = ("Cán bộ chuyên trách", "Chuyên viên", "Phó Chủ tịch", "Ủy viên Ban Thường vụ")
LECTURER_TITLES = ("ThS.", "ThS.", "TS.")
COUNTED_FEMALE_SHARE = 0.6


@dataclass(frozen=True)
class CourseSpec:
    key: str
    title: str
    organizer: str
    partner: str
    level: str
    topics: tuple[str, ...]
    funding: str
    audience: frozenset[str]
    scope: str
    record: str
    years: range
    every: int
    size: tuple[int, int]
    days: int
    months: tuple[int, int]


def _range(text: str, where: str, column: str) -> tuple[int, int]:
    first, _sep, last = text.partition("-")
    try:
        low, high = int(first), int(last or first)
    except ValueError:
        raise DemoDataError(_("%(where)s, cột “%(column)s”: “%(text)s” phải có dạng số hoặc số-số.")
                            % {"where": where, "column": column, "text": text}) from None
    if low > high:
        raise DemoDataError(_("%(where)s, cột “%(column)s”: số đầu lớn hơn số sau.")
                            % {"where": where, "column": column})
    return low, high


def read_courses(path: Path = COURSES_CSV) -> list[CourseSpec]:
    topics = set(Topic.objects.values_list("code", flat=True))
    specs = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise DemoDataError(_("Tệp %(file)s: tiêu đề phải là %(columns)s.")
                                % {"file": path.name, "columns": ",".join(COLUMNS)})
        for line, row in enumerate(reader, start=2):
            where = f"{path.name}, dòng {line}"
            checks = (("organizer", row["organizer"] in ORGANIZERS),
                      ("partner", row["partner"] in ("", *ORGANIZERS)),
                      ("level", row["level"] in CourseLevel.values),
                      ("funding", row["funding"] in FundingSource.values),
                      ("audience", set(row["audience"].split(";")) <= set(OrgKind.values)),
                      ("scope", row["scope"] in ("district", "province")),
                      ("record", row["record"] in ("named", "counted")),
                      ("topics", set(row["topics"].split(";")) <= topics))
            for column, ok in checks:
                if not ok:
                    raise DemoDataError(_("%(where)s, cột “%(column)s”: giá trị “%(value)s” không có.")
                                        % {"where": where, "column": column, "value": row[column]})
            first, last = _range(row["years"], where, "years")
            specs.append(CourseSpec(
                key=row["key"], title=nfc(row["title"]), organizer=row["organizer"], partner=row["partner"],
                level=row["level"], topics=tuple(row["topics"].split(";")), funding=row["funding"],
                audience=frozenset(row["audience"].split(";")), scope=row["scope"], record=row["record"],
                years=range(first, last + 1), every=_range(row["every"], where, "every")[0],
                size=_range(row["size"], where, "size"), days=_range(row["days"], where, "days")[0],
                months=_range(row["months"], where, "months"),
            ))
    return specs


# ----------------------------------------------------------------------------------------------------
# The plan


@dataclass
class NamedPlan:
    position: PositionPlan | None  # a demo worker (by the position held that day) ...
    person_name: str = ""  # ... or an external person
    sex: str = ""
    organization: Organization | None = None
    position_title: str = ""
    completed: bool = True
    certificate: str = ""


@dataclass
class SessionPlan:
    start: dt.date
    end: dt.date
    place: str
    trainers: list[PositionPlan] = field(default_factory=list)
    trainer_names: str = ""
    named: list[NamedPlan] = field(default_factory=list)
    counted: list[tuple[Unit, str, str, int]] = field(default_factory=list)  # unit, org kind, sex, count


@dataclass
class CoursePlan:
    spec: CourseSpec
    title: str
    organizer: Organization
    partner: Organization | None
    year: int
    sessions: list[SessionPlan] = field(default_factory=list)
    issued: int = 0  # certificates numbered so far
    held: set = field(default_factory=set)  # (day, place) of its sessions


@dataclass
class Area:
    """Where a session is held: an old district (from 2025: the new communes that mainly continue it) or a
    province (before 2025 an old one, from 2025 the new one)."""

    key: str
    province_code: str
    district: Unit | None = None
    whole: bool = False  # the new province: every unit


class TrainingPlanner:
    def __init__(self, geo: Geography, workforce: WorkforcePlan, organizations: dict[str, Organization],
                 mass_orgs: list[DemoOrg], names: NameBook):
        self.geo, self.workforce, self.names = geo, workforce, names
        self.organizations, self.mass_orgs = organizations, mass_orgs
        self.rng = rng_for(geo, "training")
        self.infos = workforce.infos
        self.trained: Counter = Counter()
        self.courses: dict[tuple[str, int, int], CoursePlan] = {}
        self.warnings: list[str] = []
        self.mixes = read_districts(names=names)
        self.lecturers = [self._lecturer() for _i in range(6)]
        self.by_kind: dict[str, list[PositionPlan]] = defaultdict(list)
        self.by_org: dict[int, list[PositionPlan]] = defaultdict(list)
        for position in workforce.positions:
            self.by_kind[position.org.org.kind].append(position)
            self.by_org[position.org.org.pk].append(position)

    def _lecturer(self) -> str:
        sex = self.rng.choice((Sex.MALE, Sex.FEMALE))
        ethnicity = self.rng.choice(("01", "01", "01", "02"))
        return f"{self.rng.choice(LECTURER_TITLES)} {self.names.full_name(self.rng, ethnicity, sex)}"

    # --- who organizes

    def organizer(self, role: str, province_code: str, day: dt.date) -> Organization | None:
        """The organization playing `role` for the province on `day`, following successors."""
        org = self.organizations.get(ORGANIZERS[role].get(province_code, ""))
        seen = set()
        while org is not None and not org.is_valid_on(day) and org.pk not in seen:
            seen.add(org.pk)
            org = self.organizations.get(f"#{org.successor_id}") if org.successor_id else None
        return org if org is not None and org.is_valid_on(day) else None

    # --- where

    def areas(self, spec: CourseSpec, year: int) -> list[Area]:
        if spec.scope == "province":
            if year < REORG_DAY.year:
                return [Area(p.unit.code, p.unit.code) for p in self.geo.old_provinces]
            return [Area(self.geo.province.code, self.geo.province.code, whole=True)]
        areas = []
        for province in self.geo.old_provinces:
            for district in province.districts:
                code = province.unit.code if year < REORG_DAY.year else self.geo.province.code
                areas.append(Area(district.code, code, district))
        return areas

    def in_area(self, area: Area, unit_id: int | None) -> bool:
        info = self.infos.get(unit_id)
        if info is None:
            return False
        if area.district is not None:
            return info.district is not None and info.district.pk == area.district.pk
        return area.whole or info.province_code == area.province_code

    def place(self, area: Area, organizer: Organization, day: dt.date) -> str:
        if area.district is None:
            return f"Hội trường {organizer.name}"
        seat = self.seat(area.district)
        if day >= REORG_DAY:
            choice = self.geo.main_successor(seat) if seat is not None else None
            seat = choice.unit if choice else None
            if seat is None:
                return f"Hội trường {organizer.name}"
            return f"Hội trường Ủy ban nhân dân {name_in_sentence(seat.name)}"
        return f"Hội trường Ủy ban nhân dân {name_in_sentence(area.district.name)}"

    def seat(self, district: Unit) -> Unit | None:
        for province in self.geo.old_provinces:
            if district in province.districts:
                return province.seat_of(district)
        return None

    def communes(self, area: Area, day: dt.date) -> list[Unit]:
        if day < REORG_DAY:
            units = [c for p in self.geo.old_provinces for c in p.communes]
        else:
            units = list(self.geo.communes)
        return [u for u in units if self.in_area(area, u.pk)]

    # --- when

    def session_day(self, spec: CourseSpec, year: int) -> dt.date | None:
        first_month, last_month = spec.months
        if year == REORG_DAY.year:
            first_month = max(first_month, RESUMED.month)
        if year == HORIZON.year:
            last_month = min(last_month, HORIZON.month - 1)
        if first_month > last_month:
            return None
        return dt.date(year, self.rng.randint(first_month, last_month), self.rng.randint(3, 24))

    # --- the plan

    def plan(self, specs: list[CourseSpec]) -> list[CoursePlan]:
        for year in range(min(s.years.start for s in specs), max(s.years.stop for s in specs)):
            for spec in specs:
                if year not in spec.years:
                    continue
                for index, area in enumerate(self.areas(spec, year)):
                    count = spec.every if spec.scope == "province" else 1
                    if spec.scope == "district" and (year + index) % spec.every:
                        continue
                    for _i in range(count):
                        self.session(spec, year, area)
        return list(self.courses.values())

    def course(self, spec: CourseSpec, year: int, organizer: Organization, day: dt.date) -> CoursePlan:
        key = (spec.key, year, organizer.pk)
        if key not in self.courses:
            partner = self.organizer(spec.partner, self.geo.province.code, day) if spec.partner else None
            self.courses[key] = CoursePlan(spec, f"{spec.title} năm {year}", organizer, partner, year)
        return self.courses[key]

    def session(self, spec: CourseSpec, year: int, area: Area) -> None:
        day = self.session_day(spec, year)
        if day is None:
            return
        organizer = self.organizer(spec.organizer, area.province_code, day)
        if organizer is None:
            self.warnings.append(_("Không có đơn vị tổ chức “%(role)s” (%(codes)s) cho tỉnh %(code)s: bỏ qua "
                                   "các lớp do đơn vị này tổ chức.") % {
                "role": spec.organizer, "code": area.province_code,
                "codes": ", ".join(sorted(set(ORGANIZERS[spec.organizer].values())))})
            return
        course = self.course(spec, year, organizer, day)
        place = self.place(area, organizer, day)
        while (day, place) in course.held:  # one session of a course per day and place
            day += dt.timedelta(days=1)
        course.held.add((day, place))
        session = SessionPlan(day, day + dt.timedelta(days=spec.days - 1), place)
        self.add_trainers(session, spec, organizer, day)
        if spec.record == "named":
            self.add_named(session, spec, area, day, course)
        else:
            self.add_counted(session, spec, area, day)
        if session.named or session.counted:
            course.sessions.append(session)

    def add_trainers(self, session: SessionPlan, spec: CourseSpec, organizer: Organization, day: dt.date):
        own = [p for p in self.by_org.get(organizer.pk, ())
               if p.active_on(day) and p.job.dedication == Dedication.FULL_TIME]
        if own:
            session.trainers = self.rng.sample(own, min(len(own), self.rng.randint(1, 2)))
        if not own or spec.partner or spec.organizer == UNIVERSITY_ROLE:
            lecturers = self.rng.sample(self.lecturers, self.rng.randint(1, 2))
            session.trainer_names = ", ".join(f"{name} (Trường Đại học Tân Trào)" for name in lecturers)

    def add_named(self, session: SessionPlan, spec: CourseSpec, area: Area, day: dt.date,
                  course: CoursePlan) -> None:
        rng = self.rng
        eligible: dict[tuple, PositionPlan] = {}
        trainers = {id(p.worker) for p in session.trainers}
        for position in (p for kind in sorted(spec.audience) for p in self.by_kind.get(kind, ())):
            if (position.active_on(day) and self.in_area(area, position.org.unit_on(day))
                    and position.worker.key not in eligible and id(position.worker) not in trainers):
                eligible[position.worker.key] = position
        chosen = sorted(eligible.values(), key=lambda p: (self.trained[p.worker.key], rng.random()))
        chosen = chosen[:rng.randint(*spec.size)]
        completion = COMPLETION.get(spec.level, 0.9)
        for position in sorted(chosen, key=lambda p: p.worker.key):
            self.trained[position.worker.key] += 1
            completed = rng.random() < completion
            session.named.append(NamedPlan(position, completed=completed,
                                           certificate=self.certificate(course) if completed else ""))
        if spec.scope == "province":
            self.add_external(session, area, day, course, completion)

    def add_external(self, session: SessionPlan, area: Area, day: dt.date, course: CoursePlan,
                     completion: float) -> None:
        rng = self.rng
        orgs = [o for o in self.mass_orgs if o.active_on(day) and self.in_area(area, o.unit_on(day))]
        if not orgs:
            return
        mix = self.mixes.get(area.province_code)
        taken = set()
        for _i in range(rng.randint(2, 4)):
            org = rng.choice(orgs)
            sex = Sex.FEMALE if rng.random() < 0.6 else Sex.MALE
            ethnicity = mix.urban_mix.pick(rng) if mix else "01"
            name = self.names.full_name(rng, ethnicity, sex)
            if (fold(name), org.org.pk) in taken:
                continue
            taken.add((fold(name), org.org.pk))
            completed = rng.random() < completion
            session.named.append(NamedPlan(
                None, person_name=name, sex=sex, organization=org.org,
                position_title=rng.choice(EXTERNAL_TITLES), completed=completed,
                certificate=self.certificate(course) if completed else ""))

    def certificate(self, course: CoursePlan) -> str:
        if course.spec.level not in (CourseLevel.ADVANCED, CourseLevel.INTERMEDIATE, CourseLevel.COLLEGE):
            return ""
        course.issued += 1
        return f"{course.issued:03d}/{course.year}/GCN-{course.organizer.code}"

    def add_counted(self, session: SessionPlan, spec: CourseSpec, area: Area, day: dt.date) -> None:
        rng = self.rng
        for unit in self.communes(area, day):
            for kind in sorted(spec.audience):
                number = rng.randint(*spec.size)
                women = sum(rng.random() < COUNTED_FEMALE_SHARE for _i in range(number))
                for sex, count in ((Sex.FEMALE, women), (Sex.MALE, number - women)):
                    if count:
                        session.counted.append((unit, kind, sex, count))


def training_plan(geo: Geography,
                  workforce: WorkforcePlan | None = None) -> tuple[list[CoursePlan], list[str]]:
    """What the demo wants: every course, session and attendance, and warnings (organizers missing)."""
    workforce = workforce or workforce_plan(geo)
    specs = read_courses()
    codes = {code for role in ORGANIZERS.values() for code in role.values()}
    organizations: dict[str, Organization] = {}
    batch = list(Organization.objects.filter(code__in=codes))
    while batch:  # the organizers and their successors, a few queries
        for org in batch:
            organizations[org.code] = organizations[f"#{org.pk}"] = org
        wanted = {o.successor_id for o in batch
                  if o.successor_id and f"#{o.successor_id}" not in organizations}
        batch = list(Organization.objects.filter(pk__in=wanted))
    mass_orgs = demo_organizations(geo, workforce.infos, kinds=[OrgKind.MASS_ORG])
    planner = TrainingPlanner(geo, workforce, organizations, mass_orgs, NameBook())
    return planner.plan(specs), planner.warnings


# ----------------------------------------------------------------------------------------------------
# Writing the plan


def _validate(instance, exclude: list[str]) -> None:
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise DemoDataError(_("Dữ liệu mẫu không hợp lệ (%(object)s): %(errors)s") % {
            "object": instance, "errors": "; ".join(exc.messages)}) from exc


def _bulk(objects: list, model, stats: BuildStats, label: str) -> None:
    if objects:
        bulk_create_with_history(objects, model, batch_size=BATCH_SIZE, default_change_reason=CHANGE_REASON)
        stats.created[label] += len(objects)


def _save_courses(courses: list[CoursePlan], stats: BuildStats) -> dict[int, int]:
    demo = Course.objects.filter(note=DEMO_NOTE)
    existing = {(t, o): pk for pk, t, o in demo.values_list("pk", "title", "organizer_id")}
    topics = dict(Topic.objects.values_list("code", "pk"))
    new = []
    for plan in courses:
        if (plan.title, plan.organizer.pk) in existing:
            continue
        course = Course(title=plan.title, search_name=fold(plan.title), organizer=plan.organizer,
                        partner=plan.partner, level=plan.spec.level, funding_source=plan.spec.funding,
                        note=DEMO_NOTE)
        _validate(course, ["organizer", "partner"])
        new.append((plan, course))
    _bulk([course for _plan, course in new], Course, stats, "course")
    if new:
        existing = {(t, o): pk for pk, t, o in demo.values_list("pk", "title", "organizer_id")}
        Course.topics.through.objects.bulk_create([
            Course.topics.through(course_id=existing[(plan.title, plan.organizer.pk)], topic_id=topics[code])
            for plan, _course in new for code in plan.spec.topics
        ], batch_size=BATCH_SIZE)
    return {id(plan): existing[(plan.title, plan.organizer.pk)] for plan in courses}


def _save_sessions(courses: list[CoursePlan], course_ids: dict[int, int], worker_ids: dict[int, int],
                   stats: BuildStats) -> dict[int, int]:
    demo = Session.objects.filter(course__note=DEMO_NOTE)
    existing = {(c, s, p): pk for pk, c, s, p in demo.values_list("pk", "course_id", "start_date", "place")}
    new = []
    for plan in courses:
        for session in plan.sessions:
            key = (course_ids[id(plan)], session.start, session.place)
            if key in existing:
                continue
            row = Session(course_id=key[0], start_date=session.start, end_date=session.end,
                          place=session.place, trainer_names=session.trainer_names)
            _validate(row, ["course"])
            if row.end_date < row.start_date:
                raise DemoDataError(_("Lớp mẫu kết thúc trước ngày bắt đầu: %(place)s.")
                                    % {"place": row.place})
            new.append((session, key, row))
    _bulk([row for _s, _k, row in new], Session, stats, "session")
    if new:
        existing = {(c, s, p): pk
                    for pk, c, s, p in demo.values_list("pk", "course_id", "start_date", "place")}
        Session.trainers.through.objects.bulk_create([
            Session.trainers.through(session_id=existing[key], worker_id=worker_ids[id(trainer.worker)])
            for session, key, _row in new for trainer in session.trainers
        ], batch_size=BATCH_SIZE)
    return {id(session): existing[(course_ids[id(plan)], session.start, session.place)]
            for plan in courses for session in plan.sessions}


def _save_attendance(courses: list[CoursePlan], session_ids: dict[int, int], worker_ids: dict[int, int],
                     stats: BuildStats) -> None:
    demo = Attendance.objects.filter(session__course__note=DEMO_NOTE)
    have_workers = set(demo.filter(worker__isnull=False).values_list("session_id", "worker_id"))
    have_people = set(demo.filter(worker__isnull=True)
                      .values_list("session_id", "person_search_name", "organization_key"))
    named, counted = [], []
    for plan in courses:
        for session in plan.sessions:
            session_id = session_ids[id(session)]
            for person in session.named:
                if person.position is not None:
                    worker_id = worker_ids[id(person.position.worker)]
                    if (session_id, worker_id) in have_workers:
                        continue
                    row = Attendance(session_id=session_id, worker_id=worker_id, completed=person.completed,
                                     certificate_number=person.certificate,
                                     organization_key=organization_key(None, ""))
                else:
                    key = organization_key(person.organization.pk, "")
                    if (session_id, fold(person.person_name), key) in have_people:
                        continue
                    row = Attendance(
                        session_id=session_id, person_name=nfc(person.person_name),
                        person_search_name=fold(person.person_name), organization=person.organization,
                        organization_key=key, position_title=person.position_title, sex=person.sex,
                        completed=person.completed, certificate_number=person.certificate)
                _validate(row, ["session", "worker", "organization"])
                named.append(row)
    have_counts = set(CountedAttendance.objects.filter(session__course__note=DEMO_NOTE)
                      .values_list("session_id", "unit_id", "org_kind", "sex"))
    for plan in courses:
        for session in plan.sessions:
            session_id = session_ids[id(session)]
            for unit, kind, sex, number in session.counted:
                if (session_id, unit.pk, kind, sex) in have_counts:
                    continue
                row = CountedAttendance(session_id=session_id, unit=unit, org_kind=kind, sex=sex,
                                        count=number)
                _validate(row, ["session", "unit"])
                counted.append(row)
    _bulk(named, Attendance, stats, "attendance")
    _bulk(counted, CountedAttendance, stats, "counted_attendance")


def demo_training(geo: Geography, *, stats: BuildStats) -> list[CoursePlan]:
    """The part of `demo_load`: create the demo courses, sessions and attendance that do not exist yet."""
    workforce = workforce_plan(geo)
    courses, warnings = training_plan(geo, workforce)
    stats.warnings.extend(dict.fromkeys(warnings))
    by_key = demo_worker_ids()
    missing = [w for w in workforce.workers if w.key not in by_key]
    if missing:
        raise DemoDataError(_("Chưa có %(count)s người làm CTXH mẫu: phần dữ liệu đào tạo cần phần nhân sự "
                              "chạy trước.") % {"count": len(missing)})
    worker_ids = {id(w): by_key[w.key] for w in workforce.workers}
    course_ids = _save_courses(courses, stats)
    session_ids = _save_sessions(courses, course_ids, worker_ids, stats)
    _save_attendance(courses, session_ids, worker_ids, stats)
    return courses


def training_summary(province: Unit) -> list[TrainingResult]:
    """TRAINING for the province in phase 1 (2021-2025) and phase 2 (2026-2030), as load_demo prints it."""
    return [training(province, phase=code) for code in ("1", "2")]
