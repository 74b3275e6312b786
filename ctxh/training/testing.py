"""Test factories for training: small, explicit rows (bypassing the services' validation on purpose)."""

import datetime as dt

from ctxh.orgs.models import Organization
from ctxh.training.models import Attendance, CountedAttendance, Course, Session, Topic


def make_course(organizer: Organization, *topic_codes: str, title: str = "Tập huấn kỹ năng CTXH",
                **extra) -> Course:
    course = Course.objects.create(title=title, organizer=organizer, **extra)
    course.topics.set(Topic.objects.filter(code__in=topic_codes))
    return course


def make_session(course: Course, start: dt.date, end: dt.date | None = None, **extra) -> Session:
    return Session.objects.create(course=course, start_date=start, end_date=end or start, **extra)


def attend(session: Session, worker=None, *, completed: bool = True, **extra) -> Attendance:
    return Attendance.objects.create(session=session, worker=worker, completed=completed, **extra)


def count(session: Session, unit, number: int, *, org_kind: str = "", sex: str = "") -> CountedAttendance:
    return CountedAttendance.objects.create(session=session, unit=unit, count=number, org_kind=org_kind,
                                            sex=sex)
