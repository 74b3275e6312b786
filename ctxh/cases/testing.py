"""Test factories for people and cases: small, explicit rows (bypassing the services on purpose where a test
needs a state that the services would take several steps to reach)."""

import datetime as dt
import itertools

from django.utils import timezone

from ctxh.cases.models import Case, Person, PersonAddress, PersonStatus, VulnerabilityCategory
from ctxh.core.reference import Sex

_numbers = itertools.count(1)


def category(code: str) -> VulnerabilityCategory:
    return VulnerabilityCategory.objects.get(code=code)


def make_person(full_name: str | None = None, sex: str = Sex.FEMALE,
                date_of_birth: dt.date | None = dt.date(2015, 3, 9), unit=None,
                unit_from: dt.date = dt.date(2015, 3, 9), **extra) -> Person:
    person = Person.objects.create(full_name=full_name or f"Người cần trợ giúp {next(_numbers)}", sex=sex,
                                   date_of_birth=date_of_birth, **extra)
    if unit is not None:
        PersonAddress.objects.create(person=person, unit=unit, valid_from=unit_from)
    return person


def make_status(person: Person, code: str, start: dt.date = dt.date(2020, 1, 1), end: dt.date | None = None,
                **extra) -> PersonStatus:
    return PersonStatus.objects.create(person=person, category=category(code), start_date=start, end_date=end,
                                       **extra)


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    """An aware local datetime."""
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))


def make_case(person: Person, organization, worker=None, opened_at: dt.datetime | None = None,
              **extra) -> Case:
    opened_at = opened_at or at(2025, 3, 3)
    day = timezone.localdate(opened_at)
    return Case.objects.create(
        number=f"TEST-{next(_numbers):06d}", person=person, opening_organization=organization,
        organization=organization, assigned_worker=worker, assigned_on=day if worker else None,
        opened_at=opened_at, is_child_at_intake=person.is_child_on(day), **extra,
    )
