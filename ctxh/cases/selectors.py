"""Reads on people and cases, set-based: querysets the pages, the API and the indicators build on.

Child protection deadlines (Decree 56/2017/NĐ-CP), for a person who was a child (under 16) at intake:
- emergency measures within 12 hours of intake when the child is at serious risk (`risk_level` "serious");
  done when `emergency_measures_at` is recorded;
- a support plan within 5 working days of intake; done when a plan is drafted. Working days are Monday to
  Friday except the public holidays and days off of the `PublicHoliday` table, plus the weekend days worked
  instead (ctxh.cases.holidays): a child taken in on the eve of Tết has the plan due after the holiday.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import models as db
from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from ctxh.cases.holidays import WorkingCalendar
from ctxh.cases.holidays import calendar as working_calendar
from ctxh.cases.models import (
    CarePlan,
    Case,
    Person,
    PersonAddress,
    PersonStatus,
    Referral,
    ReferralStatus,
    RiskLevel,
    child_condition,
)
from ctxh.core.cccd import normalize_cccd

EMERGENCY_HOURS = 12
PLAN_WORKING_DAYS = 5


def is_working_day(day: dt.date, calendar: WorkingCalendar | None = None) -> bool:
    return working_calendar(calendar).is_working_day(day)


def add_working_days(day: dt.date, count: int, calendar: WorkingCalendar | None = None) -> dt.date:
    """The `count`-th working day after `day` (intake on a Friday, 5 working days: the next Friday, unless
    a holiday falls in between)."""
    return working_calendar(calendar).add_working_days(day, count)


def plan_due(intake_day: dt.date, calendar: WorkingCalendar | None = None) -> dt.date:
    """The last day on which the plan is on time."""
    return add_working_days(intake_day, PLAN_WORKING_DAYS, working_calendar(calendar))


def _latest_late_intake(today: dt.date, calendar: WorkingCalendar | None = None) -> dt.date:
    """The latest intake day whose plan deadline is already past on `today` (`plan_due` is monotone)."""
    calendar = working_calendar(calendar)
    day = today - dt.timedelta(days=1)
    while plan_due(day, calendar) >= today:
        day -= dt.timedelta(days=1)
    return day


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _emergency_overdue(now: dt.datetime) -> Q:
    return Q(is_child_at_intake=True, risk_level=RiskLevel.SERIOUS, emergency_measures_at__isnull=True,
             opened_at__lte=now - dt.timedelta(hours=EMERGENCY_HOURS))


def _plan_overdue(now: dt.datetime) -> Q:
    cutoff = _latest_late_intake(timezone.localdate(now))
    has_plan = Exists(CarePlan.objects.filter(case=OuterRef("pk")))
    return Q(is_child_at_intake=True, opened_at__lt=_start_of(cutoff + dt.timedelta(days=1))) & ~Q(has_plan)


def with_deadline_flags(cases: QuerySet, now: dt.datetime | None = None) -> QuerySet:
    """Annotate `emergency_overdue` and `plan_overdue` (both False on closed cases)."""
    now = now or timezone.now()
    open_ = ~Q(stage="closed")

    def flag(condition: Q) -> db.Case:
        return db.Case(When(open_ & condition, then=Value(True)), default=Value(False),
                       output_field=BooleanField())

    return cases.annotate(emergency_overdue=flag(_emergency_overdue(now)),
                          plan_overdue=flag(_plan_overdue(now)))


def overdue_cases(now: dt.datetime | dt.date | None = None, cases: QuerySet | None = None) -> QuerySet:
    """Open cases with a child protection deadline past and not met, annotated with which one.

    `now` may be a day (then: the end of that day). Pass `cases=Case.objects.for_user(user)` to scope it.
    """
    if isinstance(now, dt.date) and not isinstance(now, dt.datetime):
        now = _start_of(now + dt.timedelta(days=1)) - dt.timedelta(microseconds=1)
    now = now or timezone.now()
    cases = Case.objects.all() if cases is None else cases
    open_cases = cases.exclude(stage="closed")
    overdue = open_cases.filter(_emergency_overdue(now) | _plan_overdue(now))
    return with_deadline_flags(overdue, now)


@dataclass(frozen=True)
class Deadline:
    kind: str  # "emergency" or "plan"
    due: dt.datetime | dt.date
    met_at: dt.datetime | None
    overdue: bool


def case_deadlines(case: Case, now: dt.datetime | None = None,
                   calendar: WorkingCalendar | None = None) -> list[Deadline]:
    """The deadlines that apply to one case (for its page)."""
    now = now or timezone.now()
    if not case.is_child_at_intake:
        return []
    deadlines = []
    if case.risk_level == RiskLevel.SERIOUS:
        due = case.opened_at + dt.timedelta(hours=EMERGENCY_HOURS)
        met = case.emergency_measures_at
        late = met is None and now > due and case.stage != "closed"
        deadlines.append(Deadline("emergency", due, met, late))
    plan_day = plan_due(timezone.localdate(case.opened_at), calendar)
    first_plan = case.plans.order_by("drafted_at").first()
    met = first_plan.drafted_at if first_plan else None
    late = met is None and timezone.localdate(now) > plan_day and case.stage != "closed"
    deadlines.append(Deadline("plan", plan_day, met, late))
    return deadlines


# --- people ---


def visible_candidates(people: QuerySet, candidates: list) -> list:
    """The possible duplicates (ctxh.cases.services.find_duplicates) whose person is in `people`, a scoped
    queryset, in their order: one query for them all."""
    visible = set(people.filter(pk__in=[c.person.pk for c in candidates]).values_list("pk", flat=True))
    return [c for c in candidates if c.person.pk in visible]


def filter_persons(people: QuerySet, *, q: str = "", cccd: str = "", unit=None, category=None,
                   as_of: dt.date | None = None, child_on: dt.date | None = None) -> QuerySet:
    """The person list's filters (pages, API and export alike), on an already scoped queryset:

    - `q`: diacritic-insensitive name, or a CCCD number;
    - `cccd`: the exact number;
    - `unit`: an address (at any time) in the unit, its subtree or the older units merged into it;
    - `category`: a status of this category active on `as_of` (default today);
    - `child_on`: under 16 on that day.
    """
    from ctxh.accounts.scoping import unit_closure

    if (q or "").strip():
        people = people.search(q.strip())
    if cccd:
        people = people.filter(cccd=normalize_cccd(cccd))
    if unit is not None:
        units = unit_closure([unit.pk])
        people = people.filter(Exists(PersonAddress.objects.filter(person=OuterRef("pk"), unit_id__in=units)))
    if category is not None:
        day = as_of or timezone.localdate()
        statuses = PersonStatus.objects.active_on(day).filter(person=OuterRef("pk"), category=category)
        people = people.filter(Exists(statuses))
    if child_on is not None:
        people = people.children_on(child_on)
    return people


def disadvantaged_persons(day: dt.date) -> QuerySet:
    """Live people holding at least one vulnerability status on `day`."""
    return Person.objects.live().disadvantaged_on(day)


def plan154_children(day: dt.date) -> QuerySet:
    """Live children (under 16 on `day`) in one of the plan's six groups on `day` (the CHILDREN denominator),
    annotated with nothing: join `PersonStatus.objects.plan154_children()` for the group."""
    statuses = PersonStatus.objects.active_on(day).plan154_children().filter(person=OuterRef("pk"))
    return Person.objects.live().filter(child_condition(day)).filter(Exists(statuses))


def referral_inbox(organization_ids, *, open_only: bool = True) -> QuerySet:
    """Referrals received by these organizations, the ones waiting for an answer first."""
    referrals = Referral.objects.inbox(organization_ids).select_related("case", "from_org", "to_org")
    if open_only:
        referrals = referrals.filter(status__in=[ReferralStatus.SENT, ReferralStatus.ACCEPTED])
    waiting = db.Case(When(status=ReferralStatus.SENT, then=Value(0)), default=Value(1))
    return referrals.order_by(waiting, "deadline", "-sent_at")
