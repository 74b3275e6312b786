"""Demo workforce: the people who do social work in the province's in-scope organizations, 2019-2026.

Every in-scope organization of the demo network (commune People's Committees, schools, health stations and
centres, hospitals, social assistance, drug rehabilitation and detention facilities, judicial bodies) gets a
story, drawn from a random generator seeded with the province, so every run tells the same one:

- whether and when it first assigns someone to social work (some before the plan, most over 2021-2025,
  mountain districts later and less often: ``data/districts.csv``), and whether that person leaves and is
  replaced;
- how the person is paid, as a monthly allowance with its history. Most allowances follow the statutory base
  salary (1,490,000 then 1,800,000 from 2023-07-01, 2,340,000 from 2024-07-01, 2,530,000 from 2026-07-01),
  but some stop following it ("flat": 1,800,000 kept after 2024-07-01, so the organization stops counting
  that day), some follow it half a year late, some stay below it (a part-time allowance), and some employers
  do not apply the 2026 rise;
- on 2025-07-01 the committees of the old communes end: most of their people move to the committee of the new
  commune (the old committee's successor), the others leave. In phase 2 a commune needs two people, so some
  new communes hire a collaborator in 2026.

People get names of their ethnic group (``data/names.csv``), drawn by the ethnic mix of the district
(``data/districts.csv``), and a CCCD consistent with sex and birth year (some have none recorded). Every row
is validated like a form would validate it before it is written in bulk. Demo people carry `DEMO_NOTE`,
which is also how a second run recognizes them (with name and date of birth): it creates nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from ctxh.core.cccd import PROVINCE_CODES
from ctxh.core.models import Ethnicity
from ctxh.core.reference import Sex
from ctxh.core.text import fold, nfc
from ctxh.demo.builder import BATCH_SIZE, CHANGE_REASON, BuildStats, DemoDataError
from ctxh.demo.geography import REORG_DAY, Geography
from ctxh.demo.orgs import rng_for
from ctxh.geo.models import Unit, UnitKind
from ctxh.orgs.models import IN_SCOPE_KINDS, HealthLevel, Organization, OrganizationLocation, OrgKind
from ctxh.workforce.models import (
    AllowanceChange,
    BaseSalary,
    Category,
    Dedication,
    Position,
    ProfessionalTitle,
    Qualification,
    Worker,
)
from ctxh.workforce.selectors import StaffingResult, staffing

DATA_DIR = Path(__file__).resolve().parent / "data"
NAMES_CSV = DATA_DIR / "names.csv"
DISTRICTS_CSV = DATA_DIR / "districts.csv"

DEMO_NOTE = "Dữ liệu mẫu (load_demo): người không có thật, số CCCD sinh ngẫu nhiên."
MOVE_NOTE = "Chuyển từ {name} khi sắp xếp đơn vị hành chính (01/07/2025)."
CLOSED_NOTE = "Kết thúc do {name} chấm dứt hoạt động ngày {day}."

# The day load_demo reports STAFFING for, besides today: the end of phase 1.
STAFFING_DAY = dt.date(2025, 12, 31)
# The demo records nothing after this day, so that it never claims what has not happened yet.
HORIZON = dt.date(2026, 10, 31)
EARLIEST_START = dt.date(2019, 7, 1)  # the first base salary row: every allowance can be compared
PLAN_START = dt.date(2021, 3, 1)
LAST_PHASE_ONE_HIRE = dt.date(2025, 10, 1)
PHASE_TWO = dt.date(2026, 1, 1)
FREEZE_DAY = dt.date(2024, 7, 1)  # "flat" allowances do not follow the base salary from this rise on
LATE_RISE, LATE_DAY = dt.date(2024, 7, 1), dt.date(2025, 1, 1)  # "late": this rise applied on that day

# Share of the people of an old commune's committee who move to the new commune's committee.
MOVE_SHARE = 0.8
# Share of new commune committees short of the phase-2 norm of two people that hire a collaborator in 2026.
PHASE_TWO_HIRE_SHARE = 0.35
# How hiring is spread over 2021-2025: below 1, fewer hires in the first years and more in the last ones.
RAMP = 0.7
WITHOUT_CCCD_SHARE = 0.12


# ----------------------------------------------------------------------------------------------------
# Data files


@dataclass(frozen=True)
class Weighted:
    values: tuple[str, ...]
    weights: tuple[float, ...]

    def pick(self, rng: random.Random) -> str:
        return rng.choices(self.values, self.weights)[0]


def _weighted(text: str, where: str) -> Weighted:
    values, weights = [], []
    for item in text.split(";"):
        value, _sep, weight = item.partition(":")
        if not value.strip():
            raise DemoDataError(_("%(where)s: danh sách có phần tử rỗng.") % {"where": where})
        try:
            weights.append(float(weight) if weight else 1.0)
        except ValueError:
            raise DemoDataError(_("%(where)s: trọng số “%(weight)s” không phải là số.")
                                % {"where": where, "weight": weight}) from None
        values.append(nfc(value))
    return Weighted(tuple(values), tuple(weights))


NAME_PARTS = ("surname", "middle_male", "middle_female", "given_male", "given_female")


class NameBook:
    """Vietnamese full names by ethnic group (GSO code): surname, middle name and given name by sex."""

    def __init__(self, path: Path = NAMES_CSV):
        parts: dict[str, dict[str, Weighted]] = defaultdict(dict)
        references: list[tuple[str, str, str]] = []
        with path.open(encoding="utf-8", newline="") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                where = f"{path.name}, dòng {line}"
                if row["part"] not in NAME_PARTS:
                    raise DemoDataError(_("%(where)s: phần tên “%(part)s” không có.")
                                        % {"where": where, "part": row["part"]})
                if row["values"].startswith("@"):
                    references.append((row["ethnicity"], row["part"], row["values"][1:]))
                else:
                    parts[row["ethnicity"]][row["part"]] = _weighted(row["values"], where)
        for ethnicity, part, source in references:
            if part not in parts.get(source, {}):
                raise DemoDataError(_("%(file)s: dân tộc %(code)s dùng lại “%(part)s” của %(source)s, "
                                      "nhưng %(source)s không có.") % {"file": path.name, "code": ethnicity,
                                                                        "part": part, "source": source})
            parts[ethnicity][part] = parts[source][part]
        for ethnicity, found in parts.items():
            missing = set(NAME_PARTS) - set(found)
            if missing:
                raise DemoDataError(_("%(file)s: dân tộc %(code)s thiếu %(parts)s.") % {
                    "file": path.name, "code": ethnicity, "parts": ", ".join(sorted(missing))})
        self.parts = dict(parts)

    @property
    def ethnicities(self) -> set[str]:
        return set(self.parts)

    def full_name(self, rng: random.Random, ethnicity: str, sex: str) -> str:
        book = self.parts[ethnicity]
        suffix = "male" if sex == Sex.MALE else "female"
        return " ".join((book["surname"].pick(rng), book[f"middle_{suffix}"].pick(rng),
                         book[f"given_{suffix}"].pick(rng)))


@dataclass(frozen=True)
class DistrictProfile:
    """How a district (or, by default, an old province) staffs social work, and who its people are."""

    staffing: float  # multiplies the chance that an organization assigns someone, and how early
    urban_mix: Weighted  # ethnic groups of the people working in wards, townships and provincial bodies
    rural_mix: Weighted  # ... in rural communes


def read_districts(path: Path = DISTRICTS_CSV, names: NameBook | None = None) -> dict[str, DistrictProfile]:
    profiles = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            where = f"{path.name}, dòng {line}"
            try:
                staffing = float(row["staffing"])
            except ValueError:
                raise DemoDataError(_("%(where)s: cột staffing phải là số.") % {"where": where}) from None
            profile = DistrictProfile(staffing, _weighted(row["urban_mix"], where),
                                      _weighted(row["rural_mix"], where))
            if names is not None:
                unknown = (set(profile.urban_mix.values) | set(profile.rural_mix.values)) - names.ethnicities
                if unknown:
                    raise DemoDataError(
                        _("%(where)s: chưa có tên người cho dân tộc %(codes)s trong %(file)s.") % {
                            "where": where, "codes": ", ".join(sorted(unknown)), "file": NAMES_CSV.name})
            profiles[row["area"]] = profile
    return profiles


# ----------------------------------------------------------------------------------------------------
# Where organizations stand


@dataclass(frozen=True)
class UnitInfo:
    """What the demo needs to know of a unit: its old district (for a new commune, the district of the old
    commune it mainly continues), its old province's code, and whether it is urban."""

    district: Unit | None
    province_code: str
    urban: bool


def unit_infos(geo: Geography) -> dict[int, UnitInfo]:
    infos: dict[int, UnitInfo] = {}
    for province in geo.old_provinces:
        infos[province.unit.pk] = UnitInfo(None, province.unit.code, True)
        for district in province.districts:
            urban = district.kind in (UnitKind.PROVINCIAL_CITY, UnitKind.TOWN)
            infos[district.pk] = UnitInfo(district, province.unit.code, urban)
            for commune in province.communes_by_district.get(district.pk, []):
                infos[commune.pk] = UnitInfo(district, province.unit.code, commune.kind != UnitKind.COMMUNE)
    infos[geo.province.pk] = UnitInfo(None, geo.province.code, True)
    for commune in geo.communes:
        choice = geo.main_predecessor(commune)
        old = infos.get(choice.unit.pk) if choice else None
        infos[commune.pk] = UnitInfo(old.district if old else None,
                                     old.province_code if old else geo.province.code,
                                     commune.kind != UnitKind.COMMUNE)
    return infos


@dataclass
class DemoOrg:
    org: Organization
    places: list[tuple[int, dt.date | None, dt.date | None]]  # (unit id, from, to), in time order

    def unit_on(self, day: dt.date) -> int | None:
        for unit_id, start, end in self.places:
            if (start is None or start <= day) and (end is None or end >= day):
                return unit_id
        return None

    @property
    def home_unit(self) -> int:
        return self.places[0][0]

    def active_on(self, day: dt.date) -> bool:
        return self.org.is_valid_on(day)


def demo_organizations(geo: Geography, infos: dict[int, UnitInfo],
                       kinds: Iterable[str] = IN_SCOPE_KINDS) -> list[DemoOrg]:
    """The organizations of `kinds` (by default the plan's in-scope kinds) standing, at some time, in the
    province or the provinces merged into it, in code order."""
    locations = (
        OrganizationLocation.objects.filter(unit_id__in=list(infos), organization__kind__in=list(kinds))
        .order_by("organization_id", "valid_from", "pk")
        .values_list("organization_id", "unit_id", "valid_from", "valid_to")
    )
    places: dict[int, list] = defaultdict(list)
    for org_id, unit_id, start, end in locations:
        places[org_id].append((unit_id, start, end))
    for rows in places.values():
        rows.sort(key=lambda place: (place[1] is not None, place[1] or dt.date.min))
    organizations = Organization.objects.filter(pk__in=list(places))
    # Sorted here, not by the database: collations differ, and the order feeds the random generator.
    return [DemoOrg(org, places[org.pk]) for org in sorted(organizations, key=lambda o: o.code)]


# ----------------------------------------------------------------------------------------------------
# Pay: allowances that follow (or not) the base salary


class Pay:
    TRACK = "track"  # follows every rise of the base salary
    FLAT = "flat"  # stops following from FREEZE_DAY: 1,800,000 kept after 2024-07-01
    LATE = "late"  # the 2024-07-01 rise applied only on 2025-01-01
    BELOW = "below"  # a part-time allowance: a fraction of the base salary


@dataclass(frozen=True)
class Policy:
    pay: str
    coefficient: float = 1.0

    def amount(self, base: int) -> int:
        if self.coefficient == 1.0:
            return base
        return int(round(base * self.coefficient, -4))


# Dealt like cards, so that even a small province gets each kind of story; (pay, coefficient, cards).
PART_TIME_DECK = ((Pay.TRACK, 1.0, 12), (Pay.TRACK, 1.2, 3), (Pay.FLAT, 1.0, 2), (Pay.LATE, 1.0, 1),
                  (Pay.BELOW, 0.5, 1), (Pay.BELOW, 0.7, 1))
# Full-time people are paid a salary: a coefficient of the base salary, raised with it.
FULL_TIME_DECK = ((Pay.TRACK, 2.34, 3), (Pay.TRACK, 2.67, 2), (Pay.TRACK, 3.0, 1), (Pay.TRACK, 3.33, 1))


class Deck:
    def __init__(self, rng: random.Random, cards: tuple):
        self.rng, self.cards, self.pile = rng, cards, []

    def deal(self) -> Policy:
        if not self.pile:
            self.pile = [Policy(pay, coefficient) for pay, coefficient, n in self.cards for _i in range(n)]
            self.rng.shuffle(self.pile)
        return self.pile.pop()


class SalaryTable:
    def __init__(self, rows: Iterable[tuple[dt.date, int]]):
        self.rows = sorted(rows)
        if not self.rows:
            raise DemoDataError(_("Chưa có bảng lương cơ sở: hãy chạy “manage.py migrate”."))

    def on(self, day: dt.date) -> int:
        amount = None
        for start, value in self.rows:
            if start <= day:
                amount = value
        if amount is None:
            raise DemoDataError(_("Chưa có mức lương cơ sở áp dụng vào ngày %(day)s.")
                                % {"day": day.strftime("%d/%m/%Y")})
        return amount

    def allowances(self, policy: Policy, start: dt.date, end: dt.date | None, *, raises_in_phase_two: bool,
                   carried: int | None = None) -> list[tuple[dt.date, int]]:
        """The allowance history of a position held from `start` to `end` (or the horizon)."""
        last = min(end or HORIZON, HORIZON)
        rows = [(start, carried if carried is not None else policy.amount(self.on(start)))]
        for rise, base in self.rows:
            if rise <= start:
                continue
            applied: dt.date | None = rise
            if policy.pay == Pay.FLAT and rise >= FREEZE_DAY:
                applied = None
            elif policy.pay == Pay.LATE and rise == LATE_RISE:
                applied = LATE_DAY
            elif rise >= PHASE_TWO and not raises_in_phase_two:
                applied = None
            amount = policy.amount(base)
            if applied is not None and start < applied <= last and amount != rows[-1][1]:
                rows.append((applied, amount))
        return rows


# ----------------------------------------------------------------------------------------------------
# Who does social work where


@dataclass(frozen=True)
class Job:
    category: str
    dedication: str
    title: str
    weight: float = 1.0


@dataclass(frozen=True)
class Profile:
    """How one kind of organization staffs social work."""

    slots: tuple[int, int]  # how many positions (at most), min and max
    early: float  # chance that a position is filled before the plan (2019-07 to 2021-02)
    by_2025: float  # chance that it is filled by October 2025
    female: float
    jobs: tuple[Job, ...]
    full_time: bool = False
    leave: float = 0.12  # chance that its holder leaves before the horizon
    replace: float = 0.55  # chance that someone replaces them
    raises_in_phase_two: float = 0.88  # chance that the employer applies the 2026 rise
    second_slot: float = 0.0  # chance of one more (part-time) position, e.g. a collaborator


COMMITTEE_JOBS = (
    Job(Category.CIVIL_SERVANT, Dedication.PART_TIME,
        "Công chức Văn hóa - Xã hội phụ trách lao động, thương binh và xã hội", 6),
    Job(Category.STAFF, Dedication.PART_TIME,
        "Người hoạt động không chuyên trách phụ trách công tác xã hội", 2),
    Job(Category.COLLABORATOR, Dedication.COLLABORATOR, "Cộng tác viên công tác xã hội", 2),
)
COLLABORATOR_JOB = Job(Category.COLLABORATOR, Dedication.COLLABORATOR, "Cộng tác viên công tác xã hội")

PROFILES: dict[str, Profile] = {
    "committee": Profile((1, 1), 0.30, 0.85, 0.55, COMMITTEE_JOBS, second_slot=0.2, raises_in_phase_two=0.75),
    "school": Profile((1, 1), 0.20, 0.70, 0.75, (
        Job(Category.PUBLIC_EMPLOYEE, Dedication.PART_TIME,
            "Giáo viên kiêm nhiệm tư vấn tâm lý, công tác xã hội trường học", 8),
        Job(Category.STAFF, Dedication.PART_TIME, "Nhân viên tư vấn học đường", 1),
    )),
    "health_station": Profile((1, 1), 0.32, 0.78, 0.65, (
        Job(Category.PUBLIC_EMPLOYEE, Dedication.PART_TIME, "Y sĩ kiêm nhiệm công tác xã hội", 3),
        Job(Category.PUBLIC_EMPLOYEE, Dedication.PART_TIME, "Điều dưỡng kiêm nhiệm công tác xã hội", 2),
    )),
    "hospital": Profile((1, 2), 0.75, 1.0, 0.7, (
        Job(Category.PUBLIC_EMPLOYEE, Dedication.FULL_TIME, "Nhân viên công tác xã hội, Tổ Công tác xã hội"),
    ), full_time=True, leave=0.08),
    "social_assistance": Profile((4, 6), 0.85, 1.0, 0.65, (
        Job(Category.PUBLIC_EMPLOYEE, Dedication.FULL_TIME, "Công tác xã hội viên", 3),
        Job(Category.PUBLIC_EMPLOYEE, Dedication.FULL_TIME, "Nhân viên công tác xã hội", 2),
        Job(Category.STAFF, Dedication.FULL_TIME, "Nhân viên chăm sóc, trợ giúp đối tượng", 1),
    ), full_time=True, leave=0.08, replace=0.9),
    "drug_rehab": Profile((2, 2), 0.8, 1.0, 0.4, (
        Job(Category.PUBLIC_EMPLOYEE, Dedication.FULL_TIME, "Nhân viên tư vấn, công tác xã hội"),
    ), full_time=True, leave=0.08, replace=0.9),
    "detention": Profile((1, 1), 0.5, 0.9, 0.25, (
        Job(Category.OFFICIAL, Dedication.PART_TIME, "Cán bộ quản giáo kiêm nhiệm tư vấn, hỗ trợ tâm lý"),
    )),
    "judicial": Profile((1, 1), 0.4, 0.85, 0.5, (
        Job(Category.CIVIL_SERVANT, Dedication.PART_TIME,
            "Công chức phụ trách hỗ trợ người chưa thành niên, người yếu thế"),
    )),
}


def profile_key(org: Organization) -> str:
    if org.kind == OrgKind.COMMUNE_COMMITTEE:
        return "committee"
    if org.kind == OrgKind.HEALTH:
        return "health_station" if org.health_level == HealthLevel.HEALTH_STATION else "hospital"
    return org.kind


OTHER_FIELDS = {
    "committee": ("Cử nhân Luật", "Cử nhân Quản lý nhà nước", "Trung cấp Văn hóa - Xã hội", "Cử nhân Kinh tế",
                  "Trung cấp Hành chính"),
    "school": ("Cử nhân Sư phạm Ngữ văn", "Cao đẳng Sư phạm Tiểu học", "Cao đẳng Sư phạm Mầm non",
               "Cử nhân Tâm lý học giáo dục", "Cử nhân Sư phạm Lịch sử"),
    "health_station": ("Y sĩ đa khoa", "Điều dưỡng", "Hộ sinh", "Dược sĩ trung cấp"),
    "hospital": ("Điều dưỡng", "Cử nhân Xã hội học", "Cử nhân Tâm lý học", "Y sĩ đa khoa"),
    "social_assistance": ("Cử nhân Xã hội học", "Cử nhân Tâm lý học", "Điều dưỡng",
                          "Cử nhân Giáo dục đặc biệt"),
    "drug_rehab": ("Cử nhân Tâm lý học", "Y sĩ đa khoa", "Cử nhân Luật"),
    "detention": ("Cử nhân An ninh nhân dân", "Cử nhân Luật"),
    "judicial": ("Cử nhân Luật",),
}
PART_TIME_QUALIFICATIONS = Weighted(
    (Qualification.NONE, Qualification.INTERMEDIATE, Qualification.COLLEGE, Qualification.BACHELOR,
     Qualification.MASTER), (48, 21, 17, 13, 1))
FULL_TIME_QUALIFICATIONS = Weighted(
    (Qualification.NONE, Qualification.INTERMEDIATE, Qualification.COLLEGE, Qualification.BACHELOR,
     Qualification.MASTER), (10, 12, 20, 52, 6))
FULL_TIME_TITLES = Weighted(
    (ProfessionalTitle.NONE, ProfessionalTitle.GRADE_IV, ProfessionalTitle.GRADE_III,
     ProfessionalTitle.GRADE_II),
    (15, 30, 45, 10))
# Where people were born (the first three digits of a CCCD): mostly the province they work in.
BIRTH_PROVINCES = {
    "08": Weighted(("008", "002", "015", "019", "025", "026", "001"), (88, 4, 2, 2, 2, 1, 1)),
    "02": Weighted(("002", "008", "010", "004", "015", "001"), (88, 4, 3, 2, 2, 1)),
}


def birth_provinces(province_code: str) -> Weighted:
    """Where the people working in an old province were born; for a province without data, mostly there."""
    if province_code in BIRTH_PROVINCES:
        return BIRTH_PROVINCES[province_code]
    own = f"{int(province_code):03d}" if province_code.isdigit() else ""
    return Weighted((own, "001"), (90, 10)) if own in PROVINCE_CODES else Weighted(("001",), (1,))


# ----------------------------------------------------------------------------------------------------
# The plan: what the demo wants to exist, computed without writing anything


@dataclass
class WorkerPlan:
    full_name: str
    sex: str
    date_of_birth: dt.date
    ethnicity: str  # GSO code
    cccd: str | None
    sw_qualification: str
    qualification_field: str
    professional_title: str
    key: tuple[str, dt.date] = field(init=False)  # how a second run finds the person: (folded name, birth)

    def __post_init__(self) -> None:
        self.key = (fold(self.full_name), self.date_of_birth)


@dataclass
class PositionPlan:
    worker: WorkerPlan
    org: DemoOrg
    job: Job
    start: dt.date
    end: dt.date | None
    policy: Policy
    allowances: list[tuple[dt.date, int]]
    note: str = ""

    def active_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or self.end >= day)


@dataclass
class WorkforcePlan:
    orgs: list[DemoOrg]
    infos: dict[int, UnitInfo]
    workers: list[WorkerPlan] = field(default_factory=list)
    positions: list[PositionPlan] = field(default_factory=list)

    def positions_on(self, day: dt.date) -> Iterator[PositionPlan]:
        return (p for p in self.positions if p.active_on(day))


def _first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, max(0, (last - first).days)))


class Planner:
    def __init__(self, geo: Geography, orgs: list[DemoOrg], infos: dict[int, UnitInfo], salaries: SalaryTable,
                 names: NameBook, districts: dict[str, DistrictProfile]):
        self.geo, self.infos, self.salaries = geo, infos, salaries
        self.names, self.districts = names, districts
        self.rng = rng_for(geo, "workforce")
        self.part_time = Deck(self.rng, PART_TIME_DECK)
        self.full_time = Deck(self.rng, FULL_TIME_DECK)
        self.plan = WorkforcePlan(orgs=orgs, infos=infos)
        self.by_id = {o.org.pk: o for o in orgs}
        self.keys: set[tuple[str, dt.date]] = set()
        self.cccds: set[str] = set()
        self.raises: dict[int, bool] = {}

    # --- people

    def district_profile(self, info: UnitInfo) -> DistrictProfile:
        if info.district is not None and info.district.code in self.districts:
            return self.districts[info.district.code]
        return self.districts.get(info.province_code) or self.districts[next(iter(self.districts))]

    def new_worker(self, org: DemoOrg, profile: Profile, job: Job, start: dt.date) -> WorkerPlan:
        rng = self.rng
        info = self.infos[org.home_unit]
        district = self.district_profile(info)
        ethnicity = (district.urban_mix if info.urban else district.rural_mix).pick(rng)
        sex = Sex.FEMALE if rng.random() < profile.female else Sex.MALE
        for _attempt in range(50):
            full_name = self.names.full_name(rng, ethnicity, sex)
            age = rng.randint(23, 44)
            birth = dt.date(start.year - age, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
            if (fold(full_name), birth) not in self.keys:
                break
        else:  # pragma: no cover - fifty draws of name and birthday all taken
            raise DemoDataError(_("Không sinh được tên người mới không trùng."))
        self.keys.add((fold(full_name), birth))
        key = profile_key(org.org)
        qualifications = FULL_TIME_QUALIFICATIONS if profile.full_time else PART_TIME_QUALIFICATIONS
        qualification = qualifications.pick(rng)
        title = ProfessionalTitle.NONE  # a grade of the social work profession is for full-time viên chức
        if job.category == Category.PUBLIC_EMPLOYEE and job.dedication == Dedication.FULL_TIME:
            title = FULL_TIME_TITLES.pick(rng)
        # Someone with a degree in social work seldom has another one worth recording.
        other = rng.choice(OTHER_FIELDS.get(key, ("",)))
        if qualification in (Qualification.BACHELOR, Qualification.MASTER) and rng.random() < 0.7:
            other = ""
        worker = WorkerPlan(
            full_name=full_name, sex=sex, date_of_birth=birth, ethnicity=ethnicity,
            cccd=self.new_cccd(info, sex, birth), sw_qualification=qualification, qualification_field=other,
            professional_title=title,
        )
        self.plan.workers.append(worker)
        return worker

    def new_cccd(self, info: UnitInfo, sex: str, birth: dt.date) -> str | None:
        rng = self.rng
        if rng.random() < WITHOUT_CCCD_SHARE:
            return None
        province = birth_provinces(info.province_code).pick(rng)
        century = 0 if birth.year < 2000 else 2
        digit = century + (0 if sex == Sex.MALE else 1)
        while True:
            number = f"{province}{digit}{birth.year % 100:02d}{rng.randint(0, 999_999):06d}"
            if number not in self.cccds:
                self.cccds.add(number)
                return number

    # --- positions

    def employer_raises(self, org: DemoOrg, profile: Profile) -> bool:
        if org.org.pk not in self.raises:
            self.raises[org.org.pk] = profile.full_time or self.rng.random() < profile.raises_in_phase_two
        return self.raises[org.org.pk]

    def deal(self, profile: Profile, job: Job, start: dt.date) -> Policy:
        if job.dedication == Dedication.FULL_TIME and profile.full_time:
            return self.full_time.deal()
        policy = self.part_time.deal()
        if policy.pay == Pay.FLAT and start >= FREEZE_DAY:
            return Policy(Pay.TRACK)  # nobody is hired below the base salary of the day by a frozen scale
        if policy.pay == Pay.LATE and start >= LATE_RISE:
            return Policy(Pay.TRACK)
        return policy

    def add(self, worker: WorkerPlan, org: DemoOrg, job: Job, start: dt.date, end: dt.date | None,
            policy: Policy, profile: Profile, *, carried: int | None = None, note: str = "") -> PositionPlan:
        allowances = self.salaries.allowances(policy, start, end, carried=carried,
                                              raises_in_phase_two=self.employer_raises(org, profile))
        position = PositionPlan(worker, org, job, start, end, policy, allowances, note)
        self.plan.positions.append(position)
        return position

    def pick_job(self, profile: Profile) -> Job:
        return self.rng.choices(profile.jobs, [job.weight for job in profile.jobs])[0]

    def first_start(self, org: DemoOrg, profile: Profile, factor: float) -> dt.date | None:
        """When a slot is first filled: drawn so that the share of filled slots grows from 2021 to 2025."""
        rng = self.rng
        valid_from = org.org.valid_from or EARLIEST_START
        window_end = LAST_PHASE_ONE_HIRE
        if org.org.valid_to is not None:
            window_end = min(window_end, org.org.valid_to - dt.timedelta(days=60))
        early = min(0.97, profile.early * factor)
        by_2025 = min(0.985, max(early, profile.by_2025 * factor))
        draw = rng.random()
        if draw < early:
            start = _between(rng, max(valid_from, EARLIEST_START), PLAN_START - dt.timedelta(days=1))
        elif draw < by_2025:
            # Slow at first, faster as the plan gathers pace (share ** RAMP puts hires later).
            share = ((draw - early) / (by_2025 - early)) ** RAMP
            start = PLAN_START + dt.timedelta(days=int(share * (window_end - PLAN_START).days))
            start += dt.timedelta(days=rng.randint(-20, 20))
        elif org.org.valid_to is None and rng.random() < 0.12:
            start = _between(rng, dt.date(2026, 2, 1), dt.date(2026, 9, 1))
        else:
            return None
        start = _first_of_month(max(start, valid_from, EARLIEST_START))
        if start < valid_from:  # founded mid-month: from the next month
            start = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return start if org.org.is_valid_on(start) and start <= HORIZON else None

    def end_of(self, org: DemoOrg, profile: Profile, start: dt.date) -> dt.date | None:
        rng = self.rng
        end = None
        if rng.random() < profile.leave:
            first = start + dt.timedelta(days=365)
            if first <= HORIZON - dt.timedelta(days=90):
                end = _between(rng, first, HORIZON - dt.timedelta(days=90))
                end = _first_of_month(end) - dt.timedelta(days=1)
        valid_to = org.org.valid_to
        if valid_to is not None and (end is None or end > valid_to):
            end = valid_to
        return end

    def staff(self, org: DemoOrg) -> None:
        """The story of one organization that existed before the reorganization."""
        profile = PROFILES[profile_key(org.org)]
        info = self.infos[org.home_unit]
        # Where the district lags, part-time social work is assigned later and less often.
        factor = 1.0 if profile.full_time else self.district_profile(info).staffing
        slots = self.rng.randint(*profile.slots)
        jobs = [self.pick_job(profile) for _i in range(slots)]
        if profile.second_slot and self.rng.random() < profile.second_slot * factor:
            jobs.append(COLLABORATOR_JOB)
        for job in jobs:
            start = self.first_start(org, profile, factor)
            while start is not None:
                end = self.end_of(org, profile, start)
                worker = self.new_worker(org, profile, job, start)
                closed = end is not None and end == org.org.valid_to
                note = CLOSED_NOTE.format(name=org.org.name, day=end.strftime("%d/%m/%Y")) if closed else ""
                self.add(worker, org, job, start, end, self.deal(profile, job, start), profile, note=note)
                start = None
                if end is not None and end != org.org.valid_to and self.rng.random() < profile.replace:
                    later = _first_of_month(end + dt.timedelta(days=self.rng.randint(60, 240)))
                    if later <= HORIZON and org.org.is_valid_on(later):
                        start = later

    def ensure_a_flip(self) -> None:
        """Make sure the demo shows STAFFING falling when the base salary rises on FREEZE_DAY.

        A small province may not deal a "flat" allowance where it shows, or may hire someone that very day:
        as long as as many organizations count on the day as the day before, the allowance of one more
        position that is alone in its organization stops following the base salary.
        """
        before, after = FREEZE_DAY - dt.timedelta(days=1), FREEZE_DAY
        counting: dict[int, list[PositionPlan]] = defaultdict(list)
        for position in self.plan.positions:
            counting[position.org.org.pk].append(position)

        def count(day: dt.date) -> int:
            return sum(any(self.counts(p, day) for p in positions) for positions in counting.values())

        candidates = [
            positions[0] for positions in counting.values()
            if len(positions) == 1 and positions[0].end is None and positions[0].policy == Policy(Pay.TRACK)
            and positions[0].start < FREEZE_DAY - dt.timedelta(days=365)
        ]
        while candidates and count(after) >= count(before):
            position = candidates.pop(0)
            position.policy = Policy(Pay.FLAT)
            profile = PROFILES[profile_key(position.org.org)]
            position.allowances = self.salaries.allowances(
                position.policy, position.start, position.end,
                raises_in_phase_two=self.employer_raises(position.org, profile))

    def counts(self, position: PositionPlan, day: dt.date) -> bool:
        """Whether the position counts for STAFFING on `day` (active, paid at least the base salary)."""
        if not position.active_on(day):
            return False
        paid = [amount for start, amount in position.allowances if start <= day]
        return bool(paid) and paid[-1] >= self.salaries.on(day)

    def move_at_reorganization(self) -> None:
        """People of organizations that ended on 30/06/2025 move to the successor, if it is in the plan."""
        for position in list(self.plan.positions):
            org = position.org.org
            if org.valid_to is None or position.end != org.valid_to or org.successor_id not in self.by_id:
                continue
            successor = self.by_id[org.successor_id]
            start = org.valid_to + dt.timedelta(days=1)
            if not successor.org.is_valid_on(start) or self.rng.random() >= MOVE_SHARE:
                continue
            profile = PROFILES[profile_key(successor.org)]
            carried = position.allowances[-1][1]
            self.add(position.worker, successor, position.job, start, None, position.policy, profile,
                     carried=carried, note=MOVE_NOTE.format(name=org.name))

    def hire_for_phase_two(self, org: DemoOrg) -> None:
        """A new commune short of the two people phase 2 asks for may hire a collaborator in 2026."""
        profile = PROFILES[profile_key(org.org)]
        held = {p.worker.key for p in self.plan.positions if p.org is org}
        if len(held) >= 2 or self.rng.random() >= PHASE_TWO_HIRE_SHARE:
            return
        start = _first_of_month(_between(self.rng, dt.date(2026, 1, 1), dt.date(2026, 9, 1)))
        worker = self.new_worker(org, profile, COLLABORATOR_JOB, start)
        self.add(worker, org, COLLABORATOR_JOB, start, None, Policy(Pay.TRACK), profile)


def workforce_plan(geo: Geography) -> WorkforcePlan:
    """What the demo wants: every worker, position and allowance (deterministic for a given province)."""
    infos = unit_infos(geo)
    orgs = demo_organizations(geo, infos)
    names = NameBook()
    salaries = SalaryTable(BaseSalary.objects.values_list("effective_date", "amount_vnd"))
    planner = Planner(geo, orgs, infos, salaries, names, read_districts(names=names))
    for org in orgs:
        if org.org.valid_from is None or org.org.valid_from < REORG_DAY:
            planner.staff(org)
    planner.ensure_a_flip()
    planner.move_at_reorganization()
    for org in orgs:
        if org.org.kind == OrgKind.COMMUNE_COMMITTEE and org.org.valid_from == REORG_DAY:
            planner.hire_for_phase_two(org)
    return planner.plan


# ----------------------------------------------------------------------------------------------------
# Writing the plan


def _chunks(items: list, size: int = BATCH_SIZE) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _validate(instance, exclude: list[str]) -> None:
    """What a form would check (fields, the model's clean()); foreign keys are known to exist."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise DemoDataError(_("Dữ liệu mẫu không hợp lệ (%(object)s): %(errors)s") % {
            "object": instance, "errors": "; ".join(exc.messages)}) from exc


def demo_worker_ids() -> dict[tuple[str, dt.date], int]:
    """The demo people already in the database, by (folded name, date of birth)."""
    rows = Worker.objects.filter(note=DEMO_NOTE).values_list("search_name", "date_of_birth", "pk")
    return {(name, birth): pk for name, birth, pk in rows}


def _save_workers(plan: WorkforcePlan, stats: BuildStats) -> dict[tuple[str, dt.date], int]:
    ids = demo_worker_ids()
    ethnicities = dict(Ethnicity.objects.values_list("code", "pk"))
    missing = [w for w in plan.workers if w.key not in ids]
    taken: set[str] = set()
    numbers = [w.cccd for w in missing if w.cccd]
    for chunk in _chunks(numbers):
        taken.update(Worker.objects.filter(cccd__in=chunk).values_list("cccd", flat=True))
    objects = []
    for plan_worker in missing:
        if plan_worker.ethnicity not in ethnicities:
            raise DemoDataError(_("Chưa có dân tộc mã %(code)s: hãy chạy “manage.py migrate”.")
                                % {"code": plan_worker.ethnicity})
        cccd = plan_worker.cccd
        if cccd in taken:
            stats.warnings.append(_("Số CCCD mẫu %(cccd)s đã có người dùng; %(name)s được ghi không có CCCD.")
                                  % {"cccd": cccd, "name": plan_worker.full_name})
            cccd = None
        worker = Worker(
            full_name=nfc(plan_worker.full_name), search_name=fold(plan_worker.full_name),
            sex=plan_worker.sex, date_of_birth=plan_worker.date_of_birth,
            ethnicity_id=ethnicities[plan_worker.ethnicity], cccd=cccd,
            sw_qualification=plan_worker.sw_qualification,
            qualification_field=plan_worker.qualification_field,
            professional_title=plan_worker.professional_title, note=DEMO_NOTE,
        )
        _validate(worker, ["ethnicity"])
        objects.append(worker)
    if objects:
        created = bulk_create_with_history(objects, Worker, batch_size=BATCH_SIZE,
                                           default_change_reason=CHANGE_REASON)
        stats.created["worker"] += len(created)
        ids = demo_worker_ids()
    return ids


def _save_positions(plan: WorkforcePlan, worker_ids: dict, stats: BuildStats) -> dict[int, int]:
    """Positions, then allowances; returns the id of each planned position (by its index in the plan)."""
    demo_positions = Position.objects.filter(worker__note=DEMO_NOTE)
    existing = {(w, o, s): pk for pk, w, o, s in
                demo_positions.values_list("pk", "worker_id", "organization_id", "start_date")}
    keys = [(worker_ids[p.worker.key], p.org.org.pk, p.start) for p in plan.positions]
    objects, pending = [], []
    for index, (position, key) in enumerate(zip(plan.positions, keys, strict=True)):
        if key in existing:
            continue
        row = Position(worker_id=key[0], organization=position.org.org, category=position.job.category,
                       dedication=position.job.dedication, title=position.job.title,
                       start_date=position.start, end_date=position.end, note=position.note)
        _validate(row, ["worker", "organization"])
        objects.append(row)
        pending.append(index)
    if objects:
        bulk_create_with_history(objects, Position, batch_size=BATCH_SIZE,
                                 default_change_reason=CHANGE_REASON)
        stats.created["position"] += len(objects)
        existing = {(w, o, s): pk for pk, w, o, s in
                    demo_positions.values_list("pk", "worker_id", "organization_id", "start_date")}
    position_ids = {index: existing[key] for index, key in enumerate(keys)}

    have = set(AllowanceChange.objects.filter(position__worker__note=DEMO_NOTE)
               .values_list("position_id", "effective_date"))
    changes = []
    for index, position in enumerate(plan.positions):
        for day, amount in position.allowances:
            if (position_ids[index], day) in have:
                continue
            change = AllowanceChange(position_id=position_ids[index], effective_date=day,
                                     monthly_allowance_vnd=amount)
            _validate(change, ["position"])
            if not position.start <= day <= (position.end or day):
                raise DemoDataError(_("Mức phụ cấp mẫu ngoài thời gian giữ vị trí: %(object)s.")
                                    % {"object": change})
            changes.append(change)
    if changes:
        bulk_create_with_history(changes, AllowanceChange, batch_size=BATCH_SIZE,
                                 default_change_reason=CHANGE_REASON)
        stats.created["allowance"] += len(changes)
    return position_ids


def demo_workforce(geo: Geography, *, stats: BuildStats) -> WorkforcePlan:
    """The part of `demo_load`: create the demo workers, positions and allowances that do not exist yet."""
    plan = workforce_plan(geo)
    _check_plan(plan)
    worker_ids = _save_workers(plan, stats)
    _save_positions(plan, worker_ids, stats)
    return plan


def staffing_summary(province: Unit, days: Iterable[dt.date]) -> list[StaffingResult]:
    """STAFFING for the province on each day, as load_demo prints it."""
    return [staffing(province, day) for day in days]


def _check_plan(plan: WorkforcePlan) -> None:
    """Invariants the bulk insert relies on (the database would refuse some, the models' clean() others)."""
    keys = Counter(w.key for w in plan.workers)
    numbers = Counter(w.cccd for w in plan.workers if w.cccd)
    if keys.most_common(1) and keys.most_common(1)[0][1] > 1:
        raise DemoDataError(_("Hai người mẫu trùng tên và ngày sinh."))
    if numbers.most_common(1) and numbers.most_common(1)[0][1] > 1:
        raise DemoDataError(_("Hai người mẫu trùng số CCCD."))
    for position in plan.positions:
        days = [day for day, _amount in position.allowances]
        if len(set(days)) != len(days) or days != sorted(days):
            raise DemoDataError(_("Lịch sử phụ cấp mẫu không theo thứ tự ngày: %(name)s.")
                                % {"name": position.worker.full_name})
