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
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce, ExtractYear
from django.utils.translation import gettext_lazy as _

from ctxh.core.reference import Sex
from ctxh.orgs.models import Organization, OrgKind
from ctxh.training.models import Attendance, CountedAttendance, Topic
from ctxh.workforce.models import Position, ProgrammePhase
from ctxh.workforce.selectors import UnitsArg, location_on, resolve_unit_ids
from ctxh.workforce.targets import Target, target_for

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
    target: Target | None = None

    @property
    def total(self) -> int:
        return self.named + self.counted

    @property
    def progress(self) -> float | None:
        """The total as a share of the target."""
        return self.total / float(self.target.value) if self.target else None


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
        target=target_for("TRAINING", phase.code) if isinstance(phase, ProgrammePhase) else None,
    )


def worker_trainings(worker) -> QuerySet:
    """A worker's attendance, newest session first (worker page)."""
    return (Attendance.objects.filter(worker=worker).select_related("session__course")
            .order_by("-session__start_date", "pk"))
