"""Helpers shared by the case services: saving with validation, the timeline, locking with a version."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ctxh.cases.models import Case, CaseEvent
from ctxh.core.concurrency import ConcurrentEditError, changes_since

CASE_FIELDS = (
    "organization", "assigned_worker", "stage", "risk_level", "intake_summary", "closure_reason", "outcome",
    "emergency_measures_at",
)


def dmy(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def now_or(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


def local_day(at: dt.datetime) -> dt.date:
    return timezone.localdate(at) if timezone.is_aware(at) else at.date()


def save(instance, *, exclude: list[str] | None = None) -> None:
    """full_clean, then save in a savepoint; a lost race on a unique value gives the same message."""
    instance.full_clean(exclude=exclude)
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        instance.validate_constraints()
        raise


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def record_event(case: Case, kind: str, /, *, by=None, at: dt.datetime | None = None, **payload) -> CaseEvent:
    """One line of the case's timeline. `payload`: ids, codes and dates only (no names, no sensitive text)."""
    return CaseEvent.objects.create(case=case, kind=kind, by=by, at=now_or(at),
                                    payload={key: _plain(value) for key, value in payload.items()})


def lock_case(case: Case, version: int | None = None) -> Case:
    """The case re-read under a row lock; with `version`, a stale one is refused with what changed."""
    current = Case.objects.select_for_update().select_related("person", "organization").get(pk=case.pk)
    if version is not None and current.version != version:
        raise ConcurrentEditError(changes_since(current, version, CASE_FIELDS))
    return current


def bump(case: Case, *fields: str) -> None:
    case.version += 1
    case.save(update_fields=[*fields, "version", "updated_at"])


def refuse_closed(case: Case, field: str = "case") -> None:
    from ctxh.cases.models import Stage

    if case.stage == Stage.CLOSED:
        raise ValidationError({field: _("Hồ sơ %(number)s đã kết thúc; hãy mở lại hồ sơ trước.")
                               % {"number": case.number}})


def check_not_future(day: dt.date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("Ngày %(day)s là ngày trong tương lai.") % {"day": dmy(day)}})


def check_not_before_opening(case: Case, day: dt.date, field: str) -> None:
    opened = local_day(case.opened_at)
    if day < opened:
        raise ValidationError({field: _(
            "Ngày %(day)s trước ngày tiếp nhận hồ sơ (%(opened)s)."
        ) % {"day": dmy(day), "opened": dmy(opened)}})
