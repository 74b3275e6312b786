"""Test factories for the workforce: small, explicit rows (bypassing the services' validation on purpose)."""

import datetime as dt
import itertools

from ctxh.core.reference import Sex
from ctxh.orgs.models import Organization
from ctxh.workforce.models import AllowanceChange, Category, Dedication, Position, Worker

_numbers = itertools.count(1)


def make_worker(full_name: str | None = None, sex: str = Sex.FEMALE,
                date_of_birth: dt.date = dt.date(1990, 5, 17), **extra) -> Worker:
    return Worker.objects.create(full_name=full_name or f"Người thử {next(_numbers)}", sex=sex,
                                 date_of_birth=date_of_birth, **extra)


def make_position(worker: Worker, organization: Organization, *, start: dt.date = dt.date(2021, 1, 1),
                  end: dt.date | None = None, allowance: int | None = 2_530_000,
                  dedication: str = Dedication.PART_TIME, category: str = Category.CIVIL_SERVANT,
                  **extra) -> Position:
    """A position; `allowance` (if not None) is its allowance from the start date."""
    position = Position.objects.create(worker=worker, organization=organization, start_date=start,
                                       end_date=end, dedication=dedication, category=category, **extra)
    if allowance is not None:
        set_allowance(position, start, allowance)
    return position


def set_allowance(position: Position, day: dt.date, amount: int) -> AllowanceChange:
    return AllowanceChange.objects.create(position=position, effective_date=day, monthly_allowance_vnd=amount)


def staff(organization: Organization, allowance: int | None = 2_530_000, **position_extra) -> Position:
    """One new worker with one position in `organization`."""
    return make_position(make_worker(), organization, allowance=allowance, **position_extra)
