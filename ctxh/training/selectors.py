"""Reads of training records, and the TRAINING indicator of Plan 154.

TRAINING: person-times (lượt người) of completed social work training in a period, for a set of units.
- A session belongs to the period when its start date is in [start, end] (both inclusive).
- Named attendance counts once per completed attendance: one person who completes two sessions counts two.
  Incomplete attendance does not count.
- It is attributed to a unit by the participant's organization and that organization's location on the
  session's start date. The organization is the one recorded on the attendance; when none is recorded (a
  registered worker), it is the organization of the worker's position active on that date (the most recently
  started one if several). An external person recorded with only an organization name cannot be placed: such
  attendance is reported as `unattributed` for the units where the course's organizer is.
- Counted attendance (where only numbers were kept) adds its numbers, attributed to the unit it names.
- Breakdowns: by sex, by kind of organization, by topic and by year (cumulative). A course with two topics
  counts each person-time under both topics in the topic breakdown, and once in the total.

Computed in the database (subqueries and grouped aggregates): the number of queries does not depend on the
number of attendances. `named_attendance_facts` and `counted_attendance_facts` are the per-row facts that the
monitoring engine can group as it likes.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractYear
from django.utils.translation import gettext_lazy as _

from ctxh.core.reference import Sex
from ctxh.core.text import fold
from ctxh.orgs.models import Organization, OrgKind
from ctxh.training.models import Attendance, CountedAttendance, Course, Session, Topic
from ctxh.workforce.models import Position, ProgrammePhase, Worker
from ctxh.workforce.selectors import UnitsArg, location_on, resolve_unit_ids

UNKNOWN = _("Không rõ")


def named_attendance_facts(start: dt.date, end: dt.date) -> QuerySet:
    """Completed named attendance of sessions starting in [start, end], each annotated with `day` (the
    session's start), `year`, `org_id` (the participant's organization that day), `unit_id` (its location
    that day), `org_kind` and `person_sex`. Rows that cannot be placed have `unit_id` NULL."""
    worker_org = (
        Position.objects.filter(worker=OuterRef("worker_id")).active_on(OuterRef("day"))
        .order_by("-start_date", "-pk").values("organization_id")[:1]
    )
    organization = Organization.objects.filter(pk=OuterRef("org_id"))
    return (
        Attendance.objects.filter(completed=True, session__start_date__gte=start,
                                  session__start_date__lte=end)
        .annotate(day=F("session__start_date"), year=ExtractYear("session__start_date"))
        .annotate(org_id=Coalesce(F("organization_id"), Subquery(worker_org), output_field=BigIntegerField()))
        .annotate(
            unit_id=Coalesce(location_on(OuterRef("day"), "org_id"),
                             Subquery(organization.values("unit_id")[:1]), output_field=BigIntegerField()),
            org_kind=Subquery(organization.values("kind")[:1]),
            person_sex=Case(When(worker__isnull=False, then=F("worker__sex")), default=F("sex"),
                            output_field=CharField()),
        )
    )


def counted_attendance_facts(start: dt.date, end: dt.date) -> QuerySet:
    """Counted attendance of sessions starting in [start, end], with `day` and `year`."""
    return CountedAttendance.objects.filter(
        session__start_date__gte=start, session__start_date__lte=end,
    ).annotate(day=F("session__start_date"), year=ExtractYear("session__start_date"))


@dataclass(frozen=True)
class CountRow:
    key: str | int | None
    label: str
    count: int


@dataclass(frozen=True)
class YearRow:
    year: int
    count: int
    cumulative: int


@dataclass
class TrainingResult:
    start: dt.date
    end: dt.date
    phase: ProgrammePhase | None
    named: int
    counted: int
    by_sex: list[CountRow]
    by_kind: list[CountRow]
    by_topic: list[CountRow]
    by_year: list[YearRow]
    unattributed: int

    @property
    def total(self) -> int:
        return self.named + self.counted


def _add(totals: dict, key, count: int) -> None:
    totals[key] = totals.get(key, 0) + (count or 0)


def _rows(totals: dict, labels: dict, order: list) -> list[CountRow]:
    def position(key):
        return (order.index(key) if key in order else len(order), str(labels.get(key, UNKNOWN)))

    return [CountRow(key, str(labels.get(key, UNKNOWN)), count)
            for key, count in sorted(totals.items(), key=lambda item: position(item[0]))]


def training(units: UnitsArg, *, start: dt.date | None = None, end: dt.date | None = None,
             phase: ProgrammePhase | str | None = None) -> TrainingResult:
    """TRAINING for a unit (its subtree across successions) or a set of unit ids, over a phase or a period."""
    if phase is not None:
        phase = phase if isinstance(phase, ProgrammePhase) else ProgrammePhase.objects.get(code=phase)
        start, end = phase.start_date, phase.end_date
    if start is None or end is None:
        raise ValueError("training(): give a phase, or both start and end")
    unit_ids = list(resolve_unit_ids(units))

    named_all = named_attendance_facts(start, end)
    named = named_all.filter(unit_id__in=unit_ids)
    counted = counted_attendance_facts(start, end).filter(unit_id__in=unit_ids)

    sexes: dict = {}
    kinds: dict = {}
    topics: dict = {}
    years: dict = {}
    named_total = counted_total = 0
    for row in named.order_by().values("person_sex", "org_kind", "year").annotate(n=Count("pk")):
        named_total += row["n"]
        _add(sexes, row["person_sex"] or None, row["n"])
        _add(kinds, row["org_kind"] or None, row["n"])
        _add(years, row["year"], row["n"])
    for row in counted.order_by().values("sex", "org_kind", "year").annotate(n=Sum("count")):
        counted_total += row["n"]
        _add(sexes, row["sex"] or None, row["n"])
        _add(kinds, row["org_kind"] or None, row["n"])
        _add(years, row["year"], row["n"])
    topic_key = "session__course__topics"
    for row in named.order_by().values(topic_key).annotate(n=Count("pk")):
        _add(topics, row[topic_key], row["n"])
    for row in counted.order_by().values(topic_key).annotate(n=Sum("count")):
        _add(topics, row[topic_key], row["n"])
    unattributed = named_all.filter(
        unit_id__isnull=True, session__course__organizer__unit_id__in=unit_ids,
    ).order_by().aggregate(n=Count("pk", output_field=IntegerField()))["n"]

    topic_rows = Topic.objects.filter(pk__in=[key for key in topics if key is not None]).order_by()
    topic_labels = {topic.pk: topic.name for topic in topic_rows}
    topic_labels[None] = _("Chưa phân loại chủ đề")
    topic_order = [topic.pk for topic in sorted(topic_rows, key=lambda t: (t.sort_order, t.name))]
    cumulative = 0
    by_year = []
    for year in range(start.year, end.year + 1):
        cumulative += years.get(year, 0)
        by_year.append(YearRow(year, years.get(year, 0), cumulative))
    return TrainingResult(
        start=start, end=end, phase=phase if isinstance(phase, ProgrammePhase) else None,
        named=named_total, counted=counted_total,
        by_sex=_rows(sexes, dict(Sex.choices), list(Sex.values)),
        by_kind=_rows(kinds, dict(OrgKind.choices), list(OrgKind.values)),
        by_topic=_rows(topics, topic_labels, topic_order),
        by_year=by_year, unattributed=unattributed,
    )


def worker_trainings(worker) -> QuerySet:
    """A worker's attendance, newest session first (worker page)."""
    return (Attendance.objects.filter(worker=worker).select_related("session__course")
            .order_by("-session__start_date", "pk"))


# ----------------------------------------------------------------------------------------------------
# Reads for the pages. Each starts from a `for_user` door (ctxh/training/models.py): a course or session
# outside the user's scope is not found; counts are of what the user may see.


def course_list(*, user, filters: dict | None = None) -> QuerySet[Course]:
    """The user's courses narrowed by `filters`: q (words of the title, diacritics ignored), topic, organizer,
    year (a session started that year), funding_source. Newest first."""
    filters = filters or {}
    courses = Course.objects.for_user(user).select_related("organizer", "partner").prefetch_related("topics")
    for word in fold(filters.get("q") or "").split():
        courses = courses.filter(search_name__contains=word)
    if filters.get("topic"):
        courses = courses.filter(topics=filters["topic"])
    if filters.get("organizer"):
        courses = courses.filter(organizer=filters["organizer"])
    if filters.get("year"):
        courses = courses.filter(
            Exists(Session.objects.filter(course=OuterRef("pk"), start_date__year=int(filters["year"]))))
    if filters.get("funding_source"):
        courses = courses.filter(funding_source=filters["funding_source"])
    return courses.annotate(last_start=Max("sessions__start_date")).order_by(
        F("last_start").desc(nulls_last=True), "-created_at", "pk")


def course_organizers(*, user) -> QuerySet[Organization]:
    """The organizers of the courses the user sees (for the list's filter)."""
    return Organization.objects.filter(
        pk__in=Course.objects.for_user(user).values("organizer")).order_by("search_name", "code")


def course_years(*, user) -> list[int]:
    """The years in which the user's sessions started, newest first."""
    years = (Session.objects.for_user(user).annotate(year=ExtractYear("start_date"))
             .order_by("-year").values_list("year", flat=True).distinct())
    return list(years)


def course_detail(*, user, pk: int) -> Course:
    """One course of the user's scope; raises Course.DoesNotExist otherwise."""
    return (Course.objects.for_user(user).select_related("organizer", "partner")
            .prefetch_related("topics").get(pk=pk))


def course_sessions(*, user, course: Course) -> QuerySet[Session]:
    return (Session.objects.for_user(user).filter(course=course).prefetch_related("trainers")
            .order_by("-start_date", "pk"))


def session_detail(*, user, pk: int) -> Session:
    """One session of the user's scope, with its course; raises Session.DoesNotExist otherwise."""
    return (Session.objects.for_user(user).select_related("course__organizer", "course__partner")
            .prefetch_related("trainers", "course__topics").get(pk=pk))


@dataclass
class AttendanceStats:
    """What a user sees of a course or session: named participants, of whom completed, and counted people."""

    sessions: int = 0
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    named: int = 0
    named_completed: int = 0
    counted: int = 0

    @property
    def participants(self) -> int:
        return self.named + self.counted

    @property
    def completed(self) -> int:
        """Person-times of completed attendance: completed named participants, and counted people (who are
        counted only when they completed)."""
        return self.named_completed + self.counted


def _stats(*, user, key: str, ids: list[int]) -> dict[int, AttendanceStats]:
    """Statistics per course (key "course") or per session (key ""), in three grouped queries."""
    stats = {pk: AttendanceStats() for pk in ids}
    session_key = f"session__{key}_id" if key else "session_id"
    if key:
        for row in (Session.objects.for_user(user).filter(course_id__in=ids).order_by().values("course_id")
                    .annotate(n=Count("pk"), first=Min("start_date"), last=Max("start_date"))):
            stats[row["course_id"]].sessions = row["n"]
            stats[row["course_id"]].first_day, stats[row["course_id"]].last_day = row["first"], row["last"]
    named = (Attendance.objects.for_user(user).filter(**{f"{session_key}__in": ids}).order_by()
             .values(session_key).annotate(n=Count("pk"), done=Count("pk", filter=Q(completed=True))))
    for row in named:
        stats[row[session_key]].named, stats[row[session_key]].named_completed = row["n"], row["done"]
    counted = (CountedAttendance.objects.for_user(user).filter(**{f"{session_key}__in": ids}).order_by()
               .values(session_key).annotate(n=Sum("count")))
    for row in counted:
        stats[row[session_key]].counted = row["n"] or 0
    return stats


def course_stats(*, user, course_ids: list[int]) -> dict[int, AttendanceStats]:
    return _stats(user=user, key="course", ids=list(course_ids))


def session_stats(*, user, session_ids: list[int]) -> dict[int, AttendanceStats]:
    return _stats(user=user, key="", ids=list(session_ids))


def _worker_organization(worker_ref: str, day, positions: QuerySet) -> Subquery:
    """The name of the organization where the worker held a position on `day` (the latest position started
    if none was held that day)."""
    return Subquery(
        positions.filter(worker=OuterRef(worker_ref))
        .annotate(held=Case(When(Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day)),
                                 then=Value(0)), default=Value(1)))
        .order_by("held", "-start_date", "-pk").values("organization__name")[:1]
    )


def session_attendance(*, user, session: Session) -> QuerySet[Attendance]:
    """The session's attendance the user may see, in the order it was entered, each with `org_label`: the
    organization recorded, or the one typed, or (a registered worker) where the worker worked that day."""
    return (
        Attendance.objects.for_user(user).filter(session=session)
        .select_related("worker", "organization")
        .annotate(worker_org_name=_worker_organization("worker_id", session.start_date,
                                                       Position.objects.all()))
        .order_by("pk")
    )


def session_counts(*, user, session: Session) -> QuerySet[CountedAttendance]:
    return (CountedAttendance.objects.for_user(user).filter(session=session).select_related("unit__parent")
            .order_by("unit__search_name", "org_kind", "sex"))


def worker_candidates(*, user, session: Session, text: str) -> QuerySet[Worker]:
    """Registered workers of the user's scope whose name holds every word of `text` (diacritics ignored), or
    whose CCCD is `text`; each with `org_name` (their organization on the session's start date, among the
    user's organizations), `birth_year` and `in_session` (already on the attendance list)."""
    words = fold(text).split()
    if not words:
        return Worker.objects.none()
    workers = Worker.objects.for_user(user)
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) == 12 and digits == text.strip():
        workers = workers.filter(cccd=digits)
    else:
        for word in words:
            workers = workers.filter(search_name__contains=word)
    return workers.annotate(
        org_name=_worker_organization("pk", session.start_date, Position.objects.for_user(user)),
        birth_year=ExtractYear("date_of_birth"),
        in_session=Exists(Attendance.objects.filter(session=session, worker=OuterRef("pk"))),
    ).order_by("search_name", "date_of_birth", "pk")


def organization_suggestions(*, user, text: str, day: dt.date) -> QuerySet[Organization]:
    """Organizations of the user's scope, active on `day`, whose name holds every word of `text` or whose code
    is `text`."""
    words = fold(text).split()
    if not words:
        return Organization.objects.none()
    organizations = Organization.objects.for_user(user).as_of(day)
    by_name = Q()
    for word in words:
        by_name &= Q(search_name__contains=word)
    return organizations.filter(by_name | Q(code__iexact=text.strip())).order_by("search_name", "code")
