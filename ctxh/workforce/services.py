"""Changes to the workforce registry: workers, positions, allowances and the base salary table.

Every function validates first and writes nothing when the input is wrong: it raises ValidationError with
Vietnamese messages keyed by field. Each runs in one transaction.
"""

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from ctxh.core.concurrency import ConcurrentEditError, FieldChange, changes_since  # noqa: F401 (re-exported)
from ctxh.orgs.models import Organization
from ctxh.workforce.models import (
    AllowanceChange,
    BaseSalary,
    Position,
    ProgrammePhase,
    StaffingRule,
    Worker,
)

WORKER_FIELDS = (
    "full_name", "sex", "date_of_birth", "ethnicity", "cccd", "phone", "sw_qualification",
    "qualification_field", "professional_title", "note",
)


def _short(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def parse_vnd(value: Any, *, field: str) -> int:
    """A whole, non-negative number of đồng; a clear message otherwise."""
    if isinstance(value, bool) or value is None or value == "":
        raise ValidationError({field: _("Hãy nhập số tiền (đồng).")})
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError({field: _("Số tiền phải là một số nguyên (đồng).")}) from None
    if amount != amount.to_integral_value():
        raise ValidationError({field: _("Số tiền phải là số nguyên đồng, không có phần lẻ.")})
    if amount < 0:
        raise ValidationError({field: _("Số tiền không được âm.")})
    return int(amount)


def _check_end_date(position: Position) -> None:
    """An end date is not before the start, and no allowance takes effect after it."""
    if position.end_date is None:
        return
    if position.end_date < position.start_date:
        raise ValidationError({"end_date": _("Ngày kết thúc không được trước ngày bắt đầu (%(day)s).")
                               % {"day": _short(position.start_date)}})
    later = position.allowances.filter(effective_date__gt=position.end_date).order_by("effective_date")
    if (first_later := later.first()) is not None:
        raise ValidationError({"end_date": _(
            "Đã có mức phụ cấp áp dụng từ ngày %(day)s, sau ngày kết thúc này; hãy kiểm tra lại ngày "
            "kết thúc."
        ) % {"day": _short(first_later.effective_date)}})


def _save(instance, *, exclude: list[str] | None = None) -> None:
    instance.full_clean(exclude=exclude)
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        # Lost a race with another save of the same unique value: the same message as the check above.
        instance.validate_unique()
        instance.validate_constraints()
        raise


# --- workers ---


@transaction.atomic
def worker_create(*, full_name: str, sex: str, date_of_birth: dt.date, ethnicity=None, cccd: str = "",
                  phone: str = "", sw_qualification: str = "none", qualification_field: str = "",
                  professional_title: str = "none", note: str = "") -> Worker:
    worker = Worker(
        full_name=full_name, sex=sex, date_of_birth=date_of_birth, ethnicity=ethnicity, cccd=cccd,
        phone=phone, sw_qualification=sw_qualification, qualification_field=qualification_field,
        professional_title=professional_title, note=note,
    )
    _save(worker)
    return worker


@transaction.atomic
def worker_update(*, worker: Worker, version: int, data: Mapping[str, Any]) -> Worker:
    """Change a worker read at `version`; refused with what changed if someone saved it in between."""
    unknown = set(data) - set(WORKER_FIELDS)
    if unknown:
        raise ValueError(f"worker_update: unknown fields {sorted(unknown)}")
    current = Worker.objects.select_for_update().get(pk=worker.pk)
    if current.version != version:
        raise ConcurrentEditError(changes_since(current, version, WORKER_FIELDS))
    for name, value in data.items():
        setattr(current, name, value)
    current.version = version + 1
    _save(current)
    return current


# --- positions and allowances ---


@transaction.atomic
def position_create(*, worker: Worker, organization: Organization, category: str, dedication: str,
                    start_date: dt.date, end_date: dt.date | None = None, title: str = "", note: str = "",
                    monthly_allowance_vnd: Any = None) -> Position:
    """A new position; with `monthly_allowance_vnd`, its first allowance (from `start_date`)."""
    position = Position(worker=worker, organization=organization, category=category, dedication=dedication,
                        start_date=start_date, end_date=end_date, title=title, note=note)
    amount = None
    if monthly_allowance_vnd not in (None, ""):
        amount = parse_vnd(monthly_allowance_vnd, field="monthly_allowance_vnd")
    _save(position)
    if amount is not None:
        AllowanceChange.objects.create(position=position, effective_date=start_date,
                                       monthly_allowance_vnd=amount)
    return position


@transaction.atomic
def position_end(*, position: Position, end_date: dt.date, note: str = "") -> Position:
    """End a position on `end_date` (its last day)."""
    position = Position.objects.select_for_update().select_related("organization").get(pk=position.pk)
    position.end_date = end_date
    _check_end_date(position)
    if note:
        position.note = f"{position.note}\n{note}".strip()
    _save(position)
    return position


POSITION_FIELDS = ("category", "dedication", "title", "end_date", "note")


@transaction.atomic
def position_update(*, position: Position, data: Mapping[str, Any]) -> Position:
    """Change a position's category, dedication, title, end date or note.

    The worker, the organization and the start date identify a position: a different one is another position.
    """
    unknown = set(data) - set(POSITION_FIELDS)
    if unknown:
        raise ValueError(f"position_update: unknown fields {sorted(unknown)}")
    current = Position.objects.select_for_update().select_related("organization").get(pk=position.pk)
    for name, value in data.items():
        setattr(current, name, value)
    _check_end_date(current)
    _save(current)
    return current


def _check_allowance_date(position: Position, effective_date: dt.date) -> None:
    if effective_date < position.start_date or (position.end_date and effective_date > position.end_date):
        until = _short(position.end_date) if position.end_date else str(_("nay"))
        raise ValidationError({"effective_date": _(
            "Ngày áp dụng phải trong thời gian giữ vị trí (từ %(start)s đến %(end)s)."
        ) % {"start": _short(position.start_date), "end": until}})


@transaction.atomic
def allowance_set(*, position: Position, effective_date: dt.date, monthly_allowance_vnd: Any,
                  note: str = "") -> AllowanceChange:
    """Record that the position's allowance is `monthly_allowance_vnd` from `effective_date` on.

    A change is a new row, never an overwrite; a second change on the same day is refused (use
    `allowance_correct` to fix a mistyped amount, which keeps the history).
    """
    amount = parse_vnd(monthly_allowance_vnd, field="monthly_allowance_vnd")
    position = Position.objects.select_for_update().get(pk=position.pk)
    _check_allowance_date(position, effective_date)
    existing = position.allowances.filter(effective_date=effective_date).first()
    if existing is not None:
        raise ValidationError({"effective_date": _(
            "Vị trí này đã có mức phụ cấp %(amount)s đồng áp dụng từ ngày %(day)s. Nếu nhập nhầm, hãy "
            "sửa mức đó."
        ) % {"amount": formats.number_format(existing.monthly_allowance_vnd, force_grouping=True),
             "day": _short(effective_date)}})
    change = AllowanceChange(position=position, effective_date=effective_date, monthly_allowance_vnd=amount,
                             note=note)
    _save(change)
    return change


@transaction.atomic
def allowance_correct(*, change: AllowanceChange, monthly_allowance_vnd: Any,
                      note: str = "") -> AllowanceChange:
    """Correct a mistyped amount; the previous value stays in the change history."""
    amount = parse_vnd(monthly_allowance_vnd, field="monthly_allowance_vnd")
    change = AllowanceChange.objects.select_for_update().get(pk=change.pk)
    change.monthly_allowance_vnd = amount
    if note:
        change.note = note
    _save(change)
    return change


# --- base salary ---


@transaction.atomic
def base_salary_upsert(*, effective_date: dt.date, amount_vnd: Any, instrument: str = "", note: str = "",
                       confirmed: bool = True) -> BaseSalary:
    """Add the base salary in force from `effective_date`, or correct the row of that date (history kept)."""
    amount = parse_vnd(amount_vnd, field="amount_vnd")
    if amount == 0:
        raise ValidationError({"amount_vnd": _("Mức lương cơ sở phải lớn hơn 0.")})
    row = BaseSalary.objects.select_for_update().filter(effective_date=effective_date).first()
    row = row or BaseSalary(effective_date=effective_date)
    row.amount_vnd = amount
    row.instrument = instrument
    row.note = note
    row.confirmed = confirmed
    _save(row)
    return row


# --- staffing rules ---


@transaction.atomic
def staffing_rule_set(*, phase: ProgrammePhase, org_kind: str, required_positions: Any,
                      note: str = "") -> StaffingRule:
    """Set N for a phase and a kind of organization ("" for the phase's default); history is kept."""
    text = str(required_positions).strip() if not isinstance(required_positions, bool) else ""
    if not text.isdigit() or int(text) < 1:
        raise ValidationError(
            {"required_positions": _("Số người tối thiểu phải là một số nguyên từ 1 trở lên.")})
    rule = StaffingRule.objects.select_for_update().filter(phase=phase, org_kind=org_kind).first()
    rule = rule or StaffingRule(phase=phase, org_kind=org_kind)
    rule.required_positions = int(text)
    rule.note = note
    _save(rule)
    return rule
