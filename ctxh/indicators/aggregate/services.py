"""Changes of aggregate reporting: save a form's values, complete a report (and undo it), reopen entry.

`save_data_values` is the one door for reported numbers (the entry form, the API and the DHIS2 import all
use it). All or nothing: every problem is reported at once, as a ValidationError whose keys name what it is
about (`period`, `unit`, a cell `ELEMENT.OPTION`, an element `ELEMENT` for a validation rule) and whose
messages name the element and the cell in Vietnamese; nothing is written then.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ctxh.accounts.roles import Capability
from ctxh.core.concurrency import ConcurrentEditError, FieldChange
from ctxh.geo.models import Unit
from ctxh.indicators.aggregate import rules as rule_engine
from ctxh.indicators.aggregate.rules import number_text
from ctxh.indicators.aggregate.selectors import (
    EntryState,
    cell_key,
    data_set_elements,
    data_set_period,
    entry_status,
    keyed_error,
    reporting_units,
    unit_error,
)
from ctxh.indicators.models import (
    CompleteDataSetRegistration,
    DataElement,
    DataSet,
    DataSetLockException,
    DataValue,
    DataValueAudit,
    ValueType,
)
from ctxh.indicators.periods import Period

MAX_DIGITS = 12  # a commune's count has fewer; the column holds 14 digits before the decimal point
MAX_COMMENT = 500
MAX_REASON = 300
MAX_REOPEN_DAYS = 366

_DIGITS = re.compile(r"^\d+$")
_GROUPED = re.compile(r"^[1-9]\d{0,2}(?:([.,\s\u00a0])\d{3})(?:\1\d{3})*$")
_DECIMAL = re.compile(r"^-?\d+(?:[.,]\d+)?$")


@dataclass(frozen=True)
class ValueInput:
    """One cell of a save. `value` None or "" deletes the cell; `comment` None keeps the stored comment;
    `expected_version` is the version read (0: the cell was empty), None: not checked."""

    element_code: str
    option_code: str
    value: str | None
    comment: str | None = ""
    expected_version: int | None = None

    @property
    def key(self) -> str:
        return cell_key(self.element_code, self.option_code)


@dataclass
class SaveResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)
    # The warnings by element code (the rows of the form they are shown next to).
    warnings_by_key: dict[str, list[str]] = field(default_factory=dict)
    dry_run: bool = False

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted


@dataclass(frozen=True)
class StaleCell:
    key: str
    value: Decimal | None  # the value stored now (None: deleted)
    version: int  # the version stored now (0: deleted)


class StaleValueError(ConcurrentEditError):
    """Cells changed by someone else after the form was read: nothing is saved; each message names the cell
    and its current value (`cells` for the API)."""

    def __init__(self, errors: dict[str, list[ValidationError]], cells: list[StaleCell]):
        ValidationError.__init__(self, errors)  # our own messages, not ConcurrentEditError's generic one
        self.cells = cells
        self.changes = [FieldChange(cell.key, cell.key, cell.value) for cell in cells]


def _require(user, capability: Capability) -> None:
    if user is None or not user.is_authenticated or not user.can(capability):
        raise PermissionDenied(_("Vai trò của bạn không có quyền nhập, sửa số liệu báo cáo."
                                 if capability == Capability.ENTER_AGGREGATE else
                                 "Vai trò của bạn không có quyền mở lại nhập liệu."))


def check_unit(user, data_set: DataSet, unit: Unit, period: Period) -> None:
    """The unit reports the set for the period (level, validity) and is in the user's scope."""
    problem = unit_error(data_set, unit, period)
    if problem is None and not Unit.objects.for_user(user).filter(pk=unit.pk).exists():
        problem = _("%(unit)s không thuộc phạm vi của bạn.") % {"unit": unit.label}
    if problem:
        raise keyed_error("unit", problem, "invalid_unit")


def open_form(user, data_set: DataSet, unit: Unit, period_code: "str | Period",
              today: dt.date | None = None) -> Period:
    """The checks shared by every change of a form: the period fits the set and has begun, the unit reports
    and is in scope, entry is open. Returns the period."""
    period = data_set_period(data_set, period_code)
    status = entry_status(data_set, unit, period, today)
    if status.state == EntryState.NOT_STARTED:
        raise keyed_error("period", status.message, "period_not_started")
    check_unit(user, data_set, unit, period)
    if not status.is_open:
        raise keyed_error("period", status.message, "locked")
    return period


# --- values ---


def cell_label(element: DataElement, option_name: str, option_code: str) -> str:
    return f"{element.name}, {option_name} ({cell_key(element.code, option_code)})"


def parse_value(text: str, value_type: str, label: str) -> Decimal:
    """The number typed in a cell; a message naming the cell when it is not one the cell accepts.

    Whole numbers are typed as plain digits: `1.234` and `1,234` are refused rather than guessed (a thousands
    separator in Vietnamese, a decimal point in English).
    """
    text = str(text).strip()
    if value_type == ValueType.INTEGER_ZERO_OR_POSITIVE:
        if _DIGITS.match(text):
            if len(text.lstrip("0")) > MAX_DIGITS:
                raise ValidationError(_("%(cell)s: số “%(value)s” quá lớn.") % {"cell": label, "value": text})
            return Decimal(int(text))
        if _GROUPED.match(text):
            plain = re.sub(r"\D", "", text)
            raise ValidationError(_(
                "%(cell)s: “%(value)s” có dấu phân cách hàng nghìn; hãy nhập chữ số liền nhau, ví dụ "
                "%(plain)s.") % {"cell": label, "value": text, "plain": plain})
        if text.startswith("-") and _DECIMAL.match(text):
            raise ValidationError(_("%(cell)s: “%(value)s” là số âm; hãy nhập một số nguyên từ 0 trở lên.")
                                  % {"cell": label, "value": text})
        if _DECIMAL.match(text):
            raise ValidationError(_("%(cell)s: “%(value)s” không phải số nguyên; hãy nhập một số nguyên từ 0 "
                                    "trở lên.") % {"cell": label, "value": text})
        raise ValidationError(_("%(cell)s: “%(value)s” không phải là số; hãy nhập một số nguyên từ 0 trở "
                                "lên.") % {"cell": label, "value": text})
    if not _DECIMAL.match(text):
        raise ValidationError(_("%(cell)s: “%(value)s” không phải là số.") % {"cell": label, "value": text})
    number = Decimal(text.replace(",", "."))
    if abs(number) >= Decimal(10) ** MAX_DIGITS or number != number.quantize(Decimal("0.0001")):
        raise ValidationError(_("%(cell)s: “%(value)s” quá lớn hoặc có quá bốn chữ số thập phân.")
                              % {"cell": label, "value": text})
    if value_type == ValueType.PERCENTAGE and not Decimal(0) <= number <= Decimal(100):
        raise ValidationError(_("%(cell)s: tỷ lệ phần trăm phải từ 0 đến 100.") % {"cell": label})
    return number


@dataclass(frozen=True)
class _Item:
    element: DataElement
    option_id: int
    option_code: str
    label: str
    value: Decimal | None
    comment: str | None
    expected_version: int | None

    @property
    def cell(self) -> tuple[str, str]:
        return (self.element.code, self.option_code)


def _parse(values: list[ValueInput], data_set: DataSet, elements: dict[str, DataElement]
           ) -> tuple[list[_Item], dict[str, list[ValidationError]]]:
    items, seen = [], set()
    errors: dict[str, list[ValidationError]] = {}

    def add(key: str, message: str, code: str) -> None:
        errors.setdefault(key, []).append(ValidationError(message, code=code))

    for entry in values:
        key = entry.key
        element = elements.get(entry.element_code)
        if element is None:
            add(key, _("Phần tử dữ liệu “%(element)s” không có trong bộ số liệu %(data_set)s (ô %(cell)s).")
                % {"element": entry.element_code, "data_set": data_set.code, "cell": key}, "unknown_element")
            continue
        option = next((o for o in element.form_options if o.code == entry.option_code), None)
        if option is None:
            add(key, _("%(element)s (%(code)s): không có ô “%(option)s”; các ô của phần tử này: "
                       "%(options)s.") % {
                "element": element.name, "code": element.code, "option": entry.option_code,
                "options": ", ".join(o.code for o in element.form_options)}, "unknown_option")
            continue
        label = cell_label(element, option.name, option.code)
        if key in seen:
            add(key, _("%(cell)s: ô này được gửi hai lần.") % {"cell": label}, "duplicate_cell")
            continue
        seen.add(key)
        comment = entry.comment
        if comment is not None and len(comment) > MAX_COMMENT:
            add(key, _("%(cell)s: ghi chú tối đa %(n)s ký tự.") % {"cell": label, "n": MAX_COMMENT},
                "comment_too_long")
            continue
        version = entry.expected_version
        if version is not None and (isinstance(version, bool) or not isinstance(version, int) or version < 0):
            add(key, _("%(cell)s: phiên bản “%(version)s” không hợp lệ.")
                % {"cell": label, "version": version}, "invalid_version")
            continue
        value = None
        if entry.value is not None and str(entry.value).strip() != "":
            try:
                value = parse_value(str(entry.value), element.value_type, label)
            except ValidationError as error:
                for message in error.messages:
                    add(key, message, "invalid_value")
                continue
        items.append(_Item(element, option.pk, option.code, label, value,
                           comment.strip() if comment is not None else None, version))
    return items, errors


def _stale_message(item: _Item, current: DataValue | None) -> str:
    if current is None:
        return _("%(cell)s: ô này đã bị người khác xóa sau khi bạn mở biểu mẫu. Hãy tải lại trang, xem rồi "
                 "nhập lại.") % {"cell": item.label}
    return _("%(cell)s: người khác đã sửa ô này sau khi bạn mở biểu mẫu; giá trị hiện tại là %(value)s. Hãy "
             "tải lại trang, xem rồi nhập lại.") % {"cell": item.label, "value": number_text(current.value)}


def save_data_values(*, user, data_set: DataSet, unit: Unit, period_code: str, values: list[ValueInput],
                     source: str = "form", dry_run: bool = False, today: dt.date | None = None) -> SaveResult:
    """Save the cells of one form (data set x unit x period): all or nothing, audited.

    Refused (ValidationError, nothing written): a bad number, an unknown element or cell, a period that does
    not exist, does not fit the set or has not begun, a unit that is not of the set's level, did not exist in
    the period or is out of the user's scope, a locked period, a stale `expected_version` (StaleValueError),
    a refusing validation rule broken by the change. A warning rule broken is saved and reported in
    `warnings`. The same values sent twice change nothing. `dry_run`: everything is checked, nothing written.
    """
    _require(user, Capability.ENTER_AGGREGATE)
    period = open_form(user, data_set, unit, period_code, today)
    elements = {element.code: element for element in data_set_elements(data_set)}
    items, errors = _parse(list(values), data_set, elements)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return _save(user, data_set, unit, period, items, elements, source, dry_run)
    except IntegrityError:
        # Two first saves of the same empty cell at the same moment: the second is refused like a stale one.
        raise keyed_error("__all__", _(
            "Người khác vừa nhập số liệu của biểu mẫu này cùng lúc với bạn. Hãy tải lại trang, xem rồi nhập "
            "lại."), "stale_version") from None


def _save(user, data_set, unit, period, items, elements, source, dry_run) -> SaveResult:
    # Saves of one unit's forms run one after the other, so that the rules see a consistent form.
    Unit.objects.select_for_update().filter(pk=unit.pk).first()
    stored = {(value.data_element.code, value.category_option_combo.code): value
              for value in DataValue.objects.select_for_update().filter(
                  unit=unit, period_code=period.code, data_element__in=list(elements.values()))
              .select_related("data_element", "category_option_combo")}
    result = SaveResult(dry_run=dry_run)
    creates: list[_Item] = []
    updates: list[tuple[_Item, DataValue]] = []
    deletes: list[tuple[_Item, DataValue]] = []
    stale_errors: dict[str, list[ValidationError]] = {}
    stale_cells: list[StaleCell] = []

    def stale(item: _Item, current: DataValue | None) -> None:
        stale_errors.setdefault(cell_key(*item.cell), []).append(
            ValidationError(_stale_message(item, current), code="stale_version"))
        stale_cells.append(StaleCell(cell_key(*item.cell), current.value if current else None,
                                     current.version if current else 0))

    for item in items:
        current = stored.get(item.cell)
        expected = item.expected_version
        if item.value is None:
            if current is None:
                result.unchanged += 1
            elif expected is not None and expected != current.version:
                stale(item, current)
            else:
                deletes.append((item, current))
        elif current is None:
            if expected:  # read with a value that someone deleted since
                stale(item, None)
            else:
                creates.append(item)
        elif current.value == item.value and item.comment in (None, current.comment):
            result.unchanged += 1  # a double submit, or a cell sent unchanged
        elif expected is not None and expected != current.version:
            stale(item, current)
        else:
            updates.append((item, current))
    if stale_cells:
        raise StaleValueError(stale_errors, stale_cells)

    _check_rules(data_set, stored, creates, updates, deletes, elements, result)
    result.created, result.updated, result.deleted = len(creates), len(updates), len(deletes)
    if dry_run or not result.changed:
        return result

    now = timezone.now()
    audits = []
    new_values = []
    for item in creates:
        new_values.append(DataValue(
            data_element=item.element, category_option_combo_id=item.option_id, unit=unit,
            period_code=period.code, period_start=period.start, period_end=period.end, value=item.value,
            comment=item.comment or "", stored_by=user, version=1))
        audits.append(DataValueAudit(data_element=item.element, category_option_combo_id=item.option_id,
                                     unit=unit, period_code=period.code, action=DataValueAudit.Action.CREATE,
                                     previous_value=None, value=item.value, user=user, source=source))
    DataValue.objects.bulk_create(new_values)
    changed = []
    for item, current in updates:
        audits.append(DataValueAudit(data_element=item.element, category_option_combo_id=item.option_id,
                                     unit=unit, period_code=period.code, action=DataValueAudit.Action.UPDATE,
                                     previous_value=current.value, value=item.value, user=user,
                                     source=source))
        current.value = item.value
        if item.comment is not None:
            current.comment = item.comment
        current.stored_by = user
        current.version += 1
        current.updated_at = now
        changed.append(current)
    DataValue.objects.bulk_update(changed, ["value", "comment", "stored_by", "version", "updated_at"])
    for item, current in deletes:
        audits.append(DataValueAudit(data_element=item.element, category_option_combo_id=item.option_id,
                                     unit=unit, period_code=period.code, action=DataValueAudit.Action.DELETE,
                                     previous_value=current.value, value=None, user=user, source=source))
    DataValue.objects.filter(pk__in=[current.pk for _item, current in deletes]).delete()
    DataValueAudit.objects.bulk_create(audits)
    _values_changed(unit, period, {item.element.pk for item in creates}
                    | {item.element.pk for item, _c in updates} | {item.element.pk for item, _c in deletes})
    return result


def _check_rules(data_set, stored, creates, updates, deletes, elements, result: SaveResult) -> None:
    """Refusing rules broken by the change refuse the save; warning rules, and refusing rules already broken
    before and untouched by this change, are reported as warnings."""
    after = {cell: value.value for cell, value in stored.items()}
    for item, _current in deletes:
        after.pop(item.cell, None)
    for item in creates:
        after[item.cell] = item.value
    for item, _current in updates:
        after[item.cell] = item.value
    touched = {item.element.code for item in creates} | {item.element.code for item, _c in updates} | {
        item.element.code for item, _c in deletes}
    names = {code: element.name for code, element in elements.items()}
    checks = rule_engine.compile_rules(data_set.validation_rules.all())
    refused: dict[str, list[str]] = {}
    for violation in rule_engine.violations(checks, after):
        message = violation.message(names)
        rows = sorted(violation.check.left.elements & set(elements)) or sorted(violation.elements)
        if violation.refuses and violation.elements & touched:
            for code in rows:
                refused.setdefault(code, []).append(ValidationError(message, code="rule_refused"))
        else:
            result.warnings.append(message)
            for code in rows:
                result.warnings_by_key.setdefault(code, []).append(message)
    if refused:
        raise ValidationError(refused)


def _values_changed(unit: Unit, period: Period, element_ids: set[int]) -> None:
    """Tell the engine what changed (bulk writes send no signals): it refreshes the facts fed by these
    elements for the unit's ancestors and the periods overlapping this one, once the transaction commits."""
    from ctxh.indicators.engine import Change
    from ctxh.indicators.refresh import record

    record([Change(elements=frozenset(element_ids), units=frozenset({unit.pk}), lo=period.start,
                   hi=period.end)])


# --- completing a report ---


@transaction.atomic
def complete_registration(user, data_set: DataSet, unit: Unit, period_code: str,
                          today: dt.date | None = None) -> CompleteDataSetRegistration:
    """The unit declares its report for the period complete (timeliness counts from now). Completing twice
    keeps the first time. Refused when entry is closed or no value was entered."""
    _require(user, Capability.ENTER_AGGREGATE)
    period = open_form(user, data_set, unit, period_code, today)
    existing = CompleteDataSetRegistration.objects.filter(data_set=data_set, unit=unit,
                                                          period_code=period.code).first()
    if existing is not None:
        return existing
    element_ids = data_set.data_set_elements.values("data_element_id")
    values = DataValue.objects.filter(unit=unit, period_code=period.code, data_element_id__in=element_ids)
    if not values.exists():
        raise keyed_error("__all__", _(
            "Chưa có số liệu nào cho %(unit)s, %(period)s: hãy nhập và lưu số liệu (ghi 0 nếu không có) "
            "trước khi hoàn thành báo cáo.") % {"unit": unit.label, "period": period.label}, "empty_report")
    return CompleteDataSetRegistration.objects.create(data_set=data_set, unit=unit, period_code=period.code,
                                                      completed_by=user, completed_at=timezone.now())


@transaction.atomic
def uncomplete(user, data_set: DataSet, unit: Unit, period_code: str, today: dt.date | None = None) -> bool:
    """Undo the completion (to correct the report while entry is open); False when it was not completed."""
    _require(user, Capability.ENTER_AGGREGATE)
    period = open_form(user, data_set, unit, period_code, today)
    deleted, _detail = CompleteDataSetRegistration.objects.filter(data_set=data_set, unit=unit,
                                                                  period_code=period.code).delete()
    return bool(deleted)


# --- reopening entry ---


@transaction.atomic
def open_entry(user, data_set: DataSet, unit: Unit | None, period_code: str, open_until: dt.date, reason: str,
               today: dt.date | None = None) -> list[DataSetLockException]:
    """The province reopens entry of a period after the deadline, until `open_until` (included).

    For one unit; or, with `unit` None, for every unit: one exception for all units when the user's scope is
    unrestricted, otherwise one per reporting unit of the user's scope (a province manager cannot reopen
    another province's forms). Reopening again updates the date and the reason.
    """
    _require(user, Capability.MANAGE_AGGREGATE)
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    period = None
    try:
        period = data_set_period(data_set, period_code)
    except ValidationError as error:
        errors.update(error.message_dict)
    if period is not None and period.start > today:
        errors.setdefault("period", []).append(_("%(period)s chưa bắt đầu: không có gì để mở lại.")
                                               % {"period": period.label})
    if open_until is None or open_until < today:
        errors.setdefault("open_until", []).append(_("Ngày mở đến phải từ hôm nay (%(today)s) trở đi.")
                                                   % {"today": today.strftime("%d/%m/%Y")})
    elif open_until > today + dt.timedelta(days=MAX_REOPEN_DAYS):
        errors.setdefault("open_until", []).append(_("Chỉ mở lại tối đa một năm, đến ngày %(day)s.") % {
            "day": (today + dt.timedelta(days=MAX_REOPEN_DAYS)).strftime("%d/%m/%Y")})
    reason = (reason or "").strip()
    if not reason:
        errors.setdefault("reason", []).append(_("Hãy ghi lý do mở lại nhập liệu."))
    elif len(reason) > MAX_REASON:
        errors.setdefault("reason", []).append(_("Lý do tối đa %(n)s ký tự.") % {"n": MAX_REASON})
    if unit is not None and period is not None:
        try:
            check_unit(user, data_set, unit, period)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    from ctxh.accounts.scoping import scope_for

    if unit is not None:
        targets: list[Unit | None] = [unit]
    elif scope_for(user).unrestricted:
        targets = [None]
    else:
        targets = list(reporting_units(data_set, period, user=user))
        if not targets:
            raise keyed_error("unit", _("Không có đơn vị báo cáo nào trong phạm vi của bạn cho %(period)s.")
                              % {"period": period.label}, "no_units")
    opened = []
    for target in targets:
        exception, _created = DataSetLockException.objects.update_or_create(
            data_set=data_set, unit=target, period_code=period.code,
            defaults={"open_until": open_until, "reason": reason, "opened_by": user})
        opened.append(exception)
    return opened
