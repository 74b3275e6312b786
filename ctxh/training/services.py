"""Changes to training records: courses, sessions, attendance (named or counted).

Every function validates first and writes nothing when the input is wrong (ValidationError with Vietnamese
messages keyed by field, or by row for a list). Each runs in one transaction.
"""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ctxh.core.text import fold, nfc
from ctxh.geo.models import Unit
from ctxh.orgs.models import Organization
from ctxh.training.models import Attendance, CountedAttendance, Course, Session, Topic, organization_key
from ctxh.workforce.models import Worker
from ctxh.workforce.services import ConcurrentEditError, changes_since

COURSE_FIELDS = ("title", "level", "organizer", "partner", "funding_source", "note")


def _short(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


# --- courses and sessions ---


@transaction.atomic
def course_create(*, title: str, organizer: Organization, level: str = "basic", topics: Iterable[Topic] = (),
                  partner: Organization | None = None, funding_source: str = "state_budget",
                  note: str = "") -> Course:
    course = Course(title=nfc(title), organizer=organizer, level=level, partner=partner,
                    funding_source=funding_source, note=note)
    course.full_clean()
    course.save()
    course.topics.set(list(topics))
    return course


@transaction.atomic
def course_update(*, course: Course, version: int, data: Mapping[str, Any],
                  topics: Iterable[Topic] | None = None) -> Course:
    unknown = set(data) - set(COURSE_FIELDS)
    if unknown:
        raise ValueError(f"course_update: unknown fields {sorted(unknown)}")
    current = Course.objects.select_for_update().get(pk=course.pk)
    if current.version != version:
        raise ConcurrentEditError(changes_since(current, version, COURSE_FIELDS))
    for name, value in data.items():
        setattr(current, name, value)
    current.title = nfc(current.title)
    current.version = version + 1
    current.full_clean()
    current.save()
    if topics is not None:
        current.topics.set(list(topics))
    return current


def _check_session_dates(start_date: dt.date, end_date: dt.date) -> None:
    if end_date < start_date:
        raise ValidationError({"end_date": _("Ngày kết thúc không được trước ngày bắt đầu (%(day)s).") % {
            "day": _short(start_date)}})


@transaction.atomic
def session_create(*, course: Course, start_date: dt.date, end_date: dt.date | None = None, place: str = "",
                   trainers: Iterable[Worker] = (), trainer_names: str = "", note: str = "") -> Session:
    end_date = end_date or start_date
    _check_session_dates(start_date, end_date)
    session = Session(course=course, start_date=start_date, end_date=end_date, place=nfc(place),
                      trainer_names=nfc(trainer_names), note=note)
    session.full_clean()
    session.save()
    session.trainers.set(list(trainers))
    return session


@transaction.atomic
def session_update(*, session: Session, start_date: dt.date, end_date: dt.date, place: str = "",
                   trainer_names: str = "", trainers: Iterable[Worker] | None = None,
                   note: str = "") -> Session:
    _check_session_dates(start_date, end_date)
    session = Session.objects.select_for_update().get(pk=session.pk)
    session.start_date, session.end_date = start_date, end_date
    session.place, session.trainer_names, session.note = nfc(place), nfc(trainer_names), note
    session.full_clean()
    session.save()
    if trainers is not None:
        session.trainers.set(list(trainers))
    return session


# --- named attendance ---


@dataclass(frozen=True)
class AttendanceEntry:
    """One line of an attendance list: a registered worker, or an external person."""

    worker: Worker | None = None
    person_name: str = ""
    organization: Organization | None = None
    organization_name: str = ""
    position_title: str = ""
    sex: str = ""
    completed: bool = False
    certificate_number: str = ""
    note: str = ""

    def key(self) -> tuple:
        """Who this is, for duplicate detection within a session."""
        if self.worker is not None:
            return ("worker", self.worker.pk)
        org_id = self.organization.pk if self.organization else None
        return ("person", fold(self.person_name), organization_key(org_id, self.organization_name))

    @property
    def label(self) -> str:
        return self.worker.full_name if self.worker else nfc(self.person_name)


def _entry_errors(entry: AttendanceEntry) -> dict[str, str]:
    errors: dict[str, str] = {}
    if entry.worker is None and not nfc(entry.person_name):
        errors["worker"] = str(
            _("Hãy chọn một người trong danh sách người làm CTXH, hoặc nhập họ tên người dự."))
    if entry.worker is not None and nfc(entry.person_name):
        errors["person_name"] = str(_("Đã chọn người trong danh sách: không nhập thêm họ tên."))
    if entry.worker is None and nfc(entry.person_name) and not entry.sex:
        errors["sex"] = str(_("Hãy chọn giới tính của người dự."))
    if entry.certificate_number.strip() and not entry.completed:
        errors["certificate_number"] = str(_("Chỉ ghi số chứng chỉ khi người dự đã hoàn thành lớp."))
    return errors


def _existing_keys(session: Session, entries: Sequence[AttendanceEntry]) -> set[tuple]:
    """The identities among `entries` that the session already has (one query)."""
    worker_ids = [e.worker.pk for e in entries if e.worker is not None]
    names = [fold(e.person_name) for e in entries if e.worker is None]
    rows = Attendance.objects.filter(session=session).filter(
        Q(worker_id__in=worker_ids) | Q(worker__isnull=True, person_search_name__in=names)
    ).values_list("worker_id", "person_search_name", "organization_key")
    return {("worker", w) if w else ("person", name, key) for w, name, key in rows}


def _duplicate_message(entry: AttendanceEntry) -> str:
    return _("%(name)s đã có trong danh sách dự lớp này.") % {"name": entry.label}


@transaction.atomic
def attendance_add(*, session: Session, entry: AttendanceEntry) -> Attendance:
    """Add one person to a session's attendance list; a person already on it is refused."""
    errors = _entry_errors(entry)
    if not errors and entry.key() in _existing_keys(session, [entry]):
        errors["worker" if entry.worker else "person_name"] = _duplicate_message(entry)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return _create(session, entry)
    except IntegrityError:  # the same person added at the same moment by someone else
        field = "worker" if entry.worker else "person_name"
        raise ValidationError({field: _duplicate_message(entry)}) from None


class AttendanceListError(ValidationError):
    """Errors of an attendance list, by line (1-based): `rows[line] = {field: message}`. Nothing was saved."""

    def __init__(self, rows: dict[int, dict[str, str]]):
        self.rows = rows
        messages = [
            _("Dòng %(line)s: %(message)s") % {"line": line, "message": message}
            for line, fields in sorted(rows.items()) for message in fields.values()
        ]
        super().__init__(messages)


@transaction.atomic
def attendance_add_list(*, session: Session, entries: Sequence[AttendanceEntry]) -> list[Attendance]:
    """Add a list of people (an attendance sheet) at once: all or nothing."""
    rows: dict[int, dict[str, str]] = {}
    existing = _existing_keys(session, entries)
    seen: dict[tuple, int] = {}
    for line, entry in enumerate(entries, start=1):
        errors = _entry_errors(entry)
        if not errors:
            key = entry.key()
            field = "worker" if entry.worker else "person_name"
            if key in existing:
                errors[field] = _duplicate_message(entry)
            elif key in seen:
                errors[field] = _("%(name)s đã có ở dòng %(line)s.") % {
                    "name": entry.label, "line": seen[key]}
            seen.setdefault(key, line)
        if errors:
            rows[line] = errors
    if rows:
        raise AttendanceListError(rows)
    return [_create(session, entry) for entry in entries]


def _create(session: Session, entry: AttendanceEntry) -> Attendance:
    attendance = Attendance(
        session=session, worker=entry.worker, person_name=nfc(entry.person_name) if not entry.worker else "",
        organization=entry.organization, organization_name=nfc(entry.organization_name),
        position_title=nfc(entry.position_title), sex=entry.sex if not entry.worker else "",
        completed=entry.completed, certificate_number=entry.certificate_number.strip(), note=entry.note,
    )
    attendance.save()
    return attendance


@transaction.atomic
def attendance_set_result(*, attendance: Attendance, completed: bool,
                          certificate_number: str = "") -> Attendance:
    """Record whether the person completed the session, and the certificate number."""
    if certificate_number.strip() and not completed:
        raise ValidationError(
            {"certificate_number": _("Chỉ ghi số chứng chỉ khi người dự đã hoàn thành lớp.")})
    attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
    attendance.completed = completed
    attendance.certificate_number = certificate_number.strip()
    attendance.save()
    return attendance


def attendance_set_results(
    *, results: Iterable[tuple[Attendance, bool, str]]
) -> dict[int, ValidationError]:
    """Record (attendance, completed, certificate number) for several rows, all or nothing.

    Returns the refusals by attendance pk; when there is any, nothing is saved.
    """
    errors: dict[int, ValidationError] = {}
    with transaction.atomic():
        for attendance, completed, certificate_number in results:
            try:
                attendance_set_result(attendance=attendance, completed=completed,
                                      certificate_number=certificate_number)
            except ValidationError as exc:
                errors[attendance.pk] = exc
        if errors:
            transaction.set_rollback(True)
    return errors


@transaction.atomic
def attendance_complete_all(*, session: Session) -> int:
    """Mark everyone on the session's list as having completed it; returns how many were not yet."""
    rows = list(Attendance.objects.select_for_update().filter(session=session, completed=False))
    for attendance in rows:
        attendance.completed = True
        attendance.save()
    return len(rows)


@transaction.atomic
def attendance_remove(*, attendance: Attendance) -> None:
    """Take a person off a session's attendance list (the change history keeps the removed row)."""
    attendance.delete()


# --- counted attendance ---


def _parse_count(value: Any) -> int:
    text = str(value).strip() if value is not None and not isinstance(value, bool) else ""
    if not text.isdigit():
        raise ValidationError({"count": _("Số lượt người phải là một số nguyên không âm.")})
    return int(text)


@transaction.atomic
def counted_attendance_set(*, session: Session, unit: Unit, count: Any, org_kind: str = "", sex: str = "",
                           note: str = "") -> CountedAttendance | None:
    """Set how many people of `unit` (by kind of organization and sex) completed the session; 0 removes it.

    The unit must exist on the session's start date (the old commune for a session before 01/07/2025).
    """
    number = _parse_count(count)
    if not unit.is_valid_on(session.start_date):
        raise ValidationError({"unit": _(
            "Đơn vị hành chính “%(unit)s” không tồn tại vào ngày khai giảng %(day)s."
        ) % {"unit": unit.label, "day": _short(session.start_date)}})
    lookup = {"session": session, "unit": unit, "org_kind": org_kind, "sex": sex}
    if number == 0:
        CountedAttendance.objects.filter(**lookup).delete()
        return None
    row = CountedAttendance.objects.select_for_update().filter(**lookup).first()
    row = row or CountedAttendance(**lookup)
    row.count = number
    row.note = note
    row.full_clean(validate_constraints=False)
    row.save()
    return row
