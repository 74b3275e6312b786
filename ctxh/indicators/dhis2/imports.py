"""DHIS2 `dataValueSets` import (idScheme=code), written through the aggregate entry service.

    summary = import_data_value_set(payload, user=user, dry_run=True)
    summary.status, summary.to_dict()  # DHIS2's ImportSummary: status, importCount, conflicts

Each value is checked on its own first (data element, category option combo, attribute option combo, period,
data set, orgUnit as of the period, number, import strategy); a value that fails is ignored with a conflict
naming it and why. The others are grouped per (data set, unit, period) and handed to
`ctxh.indicators.aggregate.services.save_data_values`, which refuses a whole group for a locked period or a
refusing validation rule (a conflict for each value of the group).

Atomic modes:
- `ALL` (the default, issue 5: "a rejected import writes nothing"): any conflict and nothing is written,
  status ERROR, every value counted as ignored;
- `NONE` (DHIS2's behaviour): the good values are written, the bad ones ignored, status WARNING.
A dry run never writes and gives the same summary as the real run (the same code runs in a transaction that
is rolled back). The whole import is one transaction.
"""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ctxh.accounts.roles import Capability
from ctxh.geo.models import Unit
from ctxh.indicators.dhis2.common import (
    DEFAULT_OPTION,
    dhis2_period,
    fact_elements,
    indicator_catalogue,
    period_type_of,
    pick_generation,
)
from ctxh.indicators.dhis2.mapping import DEFAULT_INSTANCE, CodeMap, Kind, UnitRef
from ctxh.indicators.models import (
    CategoryOptionCombo,
    DataElement,
    DataSet,
    DataSetElement,
    DataValue,
    ValueType,
)
from ctxh.indicators.periods import Period

IMPORT_STRATEGIES = ("CREATE_AND_UPDATE", "CREATE", "UPDATE", "DELETE")
ATOMIC_MODES = ("ALL", "NONE")
ID_SCHEME_KEYS = ("idScheme", "dataElementIdScheme", "orgUnitIdScheme", "categoryOptionComboIdScheme",
                  "dataSetIdScheme", "attributeOptionComboIdScheme")
SOURCE = "dhis2_import"
COMMENT_MAX = 500
MAX_DIGITS = 12  # ctxh.indicators.aggregate.services.MAX_DIGITS (imported late there: a cycle)


class Reason:
    """Why a value was ignored (`errorCode` of a conflict)."""

    BAD_VALUE = "bad_value"  # the entry is not a JSON object
    UNKNOWN_DATA_SET = "unknown_data_set"
    UNKNOWN_DATA_ELEMENT = "unknown_data_element"
    COMPUTED = "computed_value"  # an indicator value of our export: computed, not imported
    UNKNOWN_OPTION = "unknown_category_option_combo"
    UNKNOWN_ATTRIBUTE_OPTION = "unknown_attribute_option_combo"
    BAD_PERIOD = "bad_period"
    PERIOD_NOT_IN_DATA_SET = "period_not_in_data_set"
    AMBIGUOUS_DATA_SET = "ambiguous_data_set"
    UNKNOWN_ORG_UNIT = "unknown_org_unit"  # unknown, or outside the user's scope (the same answer)
    ORG_UNIT_NOT_IN_PERIOD = "org_unit_not_in_period"
    ORG_UNIT_LEVEL = "org_unit_level"
    NOT_A_NUMBER = "not_a_number"
    COMMENT_TOO_LONG = "comment_too_long"
    DUPLICATE = "duplicate"
    VALUE_EXISTS = "value_exists"  # importStrategy CREATE
    VALUE_MISSING = "value_missing"  # importStrategy UPDATE or DELETE
    LOCKED_PERIOD = "locked_period"
    PERIOD_NOT_STARTED = "period_not_started"
    VALIDATION_RULE = "validation_rule"
    REFUSED = "refused"  # refused by the entry service for another reason


@dataclass
class Conflict:
    object: str
    value: str
    reason: str
    indexes: list[int] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"object": self.object, "value": self.value, "errorCode": self.reason, "indexes": self.indexes}


@dataclass
class ImportSummary:
    """DHIS2's import summary: SUCCESS (no conflict), WARNING (some values ignored, the others written),
    ERROR (nothing written)."""

    status: str = "SUCCESS"
    imported: int = 0
    updated: int = 0
    ignored: int = 0
    deleted: int = 0
    unchanged: int = 0  # counted in `ignored` too (DHIS2 has no such count)
    conflicts: list[Conflict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False
    import_strategy: str = "CREATE_AND_UPDATE"
    atomic_mode: str = "ALL"
    total: int = 0

    @property
    def description(self) -> str:
        if self.status == "ERROR":
            if self.dry_run:
                return _("Chạy thử: %(n)s giá trị bị từ chối; nếu nhập thật, không giá trị nào được ghi.") % {
                    "n": len({i for conflict in self.conflicts for i in conflict.indexes})}
            return _("Không giá trị nào được ghi: %(n)s giá trị bị từ chối (xem danh sách lỗi).") % {
                "n": len({i for conflict in self.conflicts for i in conflict.indexes})}
        parts = {"imported": self.imported, "updated": self.updated, "deleted": self.deleted,
                 "ignored": self.ignored, "unchanged": self.unchanged}
        if self.dry_run:
            return _("Chạy thử (chưa ghi gì): sẽ nhập mới %(imported)s, sửa %(updated)s, xóa %(deleted)s, "
                     "bỏ qua %(ignored)s (trong đó %(unchanged)s không đổi).") % parts
        return _("Đã nhập mới %(imported)s, sửa %(updated)s, xóa %(deleted)s, bỏ qua %(ignored)s (trong đó "
                 "%(unchanged)s không đổi).") % parts

    @property
    def import_count(self) -> dict:
        return {"imported": self.imported, "updated": self.updated, "ignored": self.ignored,
                "deleted": self.deleted}

    def to_dict(self) -> dict:
        return {
            "responseType": "ImportSummary",
            "status": self.status,
            "description": self.description,
            "importOptions": {"dryRun": self.dry_run, "importStrategy": self.import_strategy,
                              "atomicMode": self.atomic_mode, "idSchemes": {"idScheme": "CODE"}},
            "importCount": self.import_count,
            "conflicts": [conflict.to_dict() for conflict in self.conflicts],
            "warnings": list(self.warnings),
            "unchanged": self.unchanged,
        }


@dataclass
class _Value:
    """One checked value, ready for the entry service."""

    index: int
    data_set: DataSet
    element: DataElement
    option: CategoryOptionCombo
    unit: Unit
    period: Period
    value: str | None  # None: delete
    comment: str
    label: str  # how the value is named in messages: DE.COC orgUnit period (DHIS2 codes)
    noop: bool = False  # a deletion of a value that does not exist: nothing to do, counted as ignored


def import_data_value_set(payload: Mapping, *, user, dry_run: bool, instance: str = DEFAULT_INSTANCE,
                          import_strategy: str = "CREATE_AND_UPDATE",
                          atomic_mode: str = "ALL") -> ImportSummary:
    """Import a DHIS2 `dataValueSets` payload (JSON as a dict). See the module doc.

    Raises PermissionDenied (no MANAGE_AGGREGATE) and ValidationError for a payload or an option that cannot
    be read at all (keyed by what is wrong: payload, importStrategy, atomicMode, idScheme, dataSet)."""
    if user is None or not user.is_authenticated or not user.can(Capability.MANAGE_AGGREGATE):
        raise PermissionDenied(_("Vai trò của bạn không được nhập số liệu từ DHIS2."))
    import_strategy = _option("importStrategy", import_strategy, IMPORT_STRATEGIES)
    atomic_mode = _option("atomicMode", atomic_mode, ATOMIC_MODES)
    values = _check_payload(payload)
    summary = ImportSummary(dry_run=bool(dry_run), import_strategy=import_strategy, atomic_mode=atomic_mode,
                            total=len(values))
    checker = _Checker(payload, user=user, codes=CodeMap(instance), strategy=import_strategy)
    checked: list[_Value] = []
    for index, item in enumerate(values):
        result = checker.check(index, item)
        if isinstance(result, Conflict):
            summary.conflicts.append(result)
        else:
            checked.append(result)
    for conflict in checker.strategy_conflicts(checked):
        summary.conflicts.append(conflict)
    refused = {i for conflict in summary.conflicts for i in conflict.indexes}
    checked = [value for value in checked if value.index not in refused]

    with transaction.atomic():
        _save_groups(checked, summary, user=user, dry_run=bool(dry_run))
        failed = {i for conflict in summary.conflicts for i in conflict.indexes}
        if dry_run or (failed and atomic_mode == "ALL"):
            transaction.set_rollback(True)
    failed = {i for conflict in summary.conflicts for i in conflict.indexes}
    if failed and atomic_mode == "ALL":
        summary.imported = summary.updated = summary.deleted = summary.unchanged = 0
        summary.ignored = len(values)
        summary.status = "ERROR"
    else:
        summary.ignored = len(values) - summary.imported - summary.updated - summary.deleted
        if failed:
            written = summary.imported + summary.updated + summary.deleted + summary.unchanged
            summary.status = "WARNING" if written else "ERROR"
    summary.conflicts.sort(key=lambda conflict: (min(conflict.indexes, default=0), conflict.object))
    return summary


# ------------------------------------------------------------------------------------------- the payload


def _option(name: str, value: str, accepted: tuple[str, ...]) -> str:
    text = str(value or accepted[0]).strip().upper()
    if text == "NEW_AND_UPDATES":  # DHIS2's old name
        text = "CREATE_AND_UPDATE"
    if text not in accepted:
        raise ValidationError({name: [_("%(name)s “%(value)s” không hợp lệ. Giá trị hợp lệ: %(values)s.") % {
            "name": name, "value": value, "values": ", ".join(accepted)}]})
    return text


def check_id_scheme(name: str, value) -> None:
    """Only DHIS2's `code` id scheme is supported (ctxh has no DHIS2 uids): anything else is refused."""
    if value in (None, ""):
        return
    if str(value).strip().lower() != "code":
        raise ValidationError({name: [_(
            "%(name)s “%(value)s” không được hỗ trợ: ctxh chỉ trao đổi theo mã (idScheme=code); hãy dùng "
            "code, hoặc bỏ tham số này."
        ) % {"name": name, "value": value}]})


def _check_payload(payload) -> list:
    if not isinstance(payload, Mapping):
        raise ValidationError({"payload": [_("Nội dung phải là một đối tượng JSON dataValueSets.")]})
    for key in ID_SCHEME_KEYS:
        check_id_scheme(key, payload.get(key))
    values = payload.get("dataValues")
    if not isinstance(values, list):
        raise ValidationError({"payload": [_("Nội dung phải có “dataValues”: danh sách các giá trị.")]})
    if not values:
        raise ValidationError({"payload": [_("Danh sách “dataValues” rỗng: không có giá trị nào để nhập.")]})
    return values


def _text(value) -> str:
    return "" if value is None else str(value).strip()


class _Checker:
    """Checks one value at a time against metadata read once (a fixed number of queries per import)."""

    def __init__(self, payload: Mapping, *, user, codes: CodeMap, strategy: str):
        self.codes = codes
        self.strategy = strategy
        self.defaults = {key: payload.get(key) for key in ("dataSet", "period", "orgUnit",
                                                            "attributeOptionCombo")}
        self.elements = {e.code: e for e in DataElement.objects.select_related("category_combo")}
        self.options = {o.code: o for o in CategoryOptionCombo.objects.all()}
        self.data_sets = {d.code: d for d in DataSet.objects.all()}
        self.set_elements: dict[int, set[str]] = {}
        for set_id, code in DataSetElement.objects.values_list("data_set_id", "data_element__code"):
            self.set_elements.setdefault(set_id, set()).add(code)
        self.fact_elements = set(fact_elements(indicator_catalogue()))
        self.data_set = None
        self.data_set_error: str | None = None
        if _text(self.defaults["dataSet"]):
            code = codes.back(Kind.DATA_SET, _text(self.defaults["dataSet"]))
            self.data_set = self.data_sets.get(code or "")
            if self.data_set is None:
                self.data_set_error = _text(self.defaults["dataSet"])
        unit_codes = set()
        for item in payload.get("dataValues") or []:
            if isinstance(item, Mapping):
                ref = codes.unit_back(_text(item.get("orgUnit", self.defaults["orgUnit"])))
                if ref is not None:
                    unit_codes.add(ref.code)
        self.units = list(Unit.objects.filter(code__in=unit_codes))
        self.scoped = set(Unit.objects.for_user(user).filter(code__in=unit_codes)
                          .values_list("pk", flat=True))
        self.seen: dict[tuple, int] = {}

    def check(self, index: int, item) -> "_Value | Conflict":
        def conflict(obj: str, message: str, reason: str) -> Conflict:
            return Conflict(obj, _("Giá trị thứ %(n)s: %(message)s") % {"n": index + 1, "message": message},
                            reason, [index])

        if not isinstance(item, Mapping):
            return conflict(str(item)[:60], _("không phải một đối tượng JSON."), Reason.BAD_VALUE)
        def get(key: str) -> str:  # the value's own field, else the payload's (dataSet, period, orgUnit, ...)
            return _text(item.get(key) if item.get(key) not in (None, "") else self.defaults.get(key))

        de_code, coc_code = get("dataElement"), get("categoryOptionCombo")
        aoc_code, ou_code, pe_code = get("attributeOptionCombo"), get("orgUnit"), get("period")
        # data element
        if self.data_set_error is not None:
            return conflict(self.data_set_error, _("không có bộ số liệu mã “%(code)s”.") % {
                "code": self.data_set_error}, Reason.UNKNOWN_DATA_SET)
        element_code = self.codes.back(Kind.DATA_ELEMENT, de_code)
        element = self.elements.get(element_code or "")
        if element is None:
            if element_code in self.fact_elements:
                return conflict(de_code, _("“%(code)s” là giá trị chỉ số do ctxh tính, không nhập được.") % {
                    "code": de_code}, Reason.COMPUTED)
            return conflict(de_code or "dataElement", _("không có phần tử dữ liệu mã “%(code)s”.") % {
                "code": de_code}, Reason.UNKNOWN_DATA_ELEMENT)
        # category option combo (DHIS2: the default one when absent)
        option_code = self.codes.back(Kind.CATEGORY_OPTION_COMBO, coc_code) if coc_code else DEFAULT_OPTION
        option = self.options.get(option_code or "")
        if option is None or option.combo_id != element.category_combo_id:
            return conflict(coc_code or DEFAULT_OPTION, _(
                "ô phân tổ “%(option)s” không có trong phần tử dữ liệu %(element)s.") % {
                "option": coc_code or DEFAULT_OPTION, "element": de_code}, Reason.UNKNOWN_OPTION)
        if aoc_code and self.codes.back(Kind.CATEGORY_OPTION_COMBO, aoc_code) != DEFAULT_OPTION:
            return conflict(aoc_code, _("ctxh không dùng thuộc tính phân tổ (attributeOptionCombo) "
                                        "“%(code)s”; hãy để trống hoặc dùng default.") % {"code": aoc_code},
                            Reason.UNKNOWN_ATTRIBUTE_OPTION)
        # period and data set
        try:
            period = dhis2_period(pe_code)
        except ValidationError as error:
            return conflict(pe_code or "period", " ".join(error.messages), Reason.BAD_PERIOD)
        data_set = self._data_set(element, period)
        if isinstance(data_set, tuple):
            reason, message = data_set
            return conflict(pe_code, message, reason)
        # unit, as of the period
        ref = self.codes.unit_back(ou_code)
        unit = self._unit(ref, period, data_set)
        if isinstance(unit, tuple):
            reason, message = unit
            return conflict(ou_code or "orgUnit", message, reason)
        label = f"{de_code}.{coc_code or DEFAULT_OPTION} {ou_code} {pe_code}"
        # value
        deleting = self.strategy == "DELETE" or item.get("deleted") in (True, "true")
        raw = item.get("value")
        value: str | None = None
        if not deleting and raw not in (None, ""):
            value = _text(raw)
            value, problem = _number(value, element)
            if problem:
                return conflict(label, problem, Reason.NOT_A_NUMBER)
        comment = _text(item.get("comment"))
        if len(comment) > COMMENT_MAX:
            return conflict(label, _("ghi chú dài quá %(n)s ký tự.") % {"n": COMMENT_MAX},
                            Reason.COMMENT_TOO_LONG)
        key = (element.pk, option.pk, unit.pk, period.code)
        if key in self.seen:
            return conflict(label, _("trùng với giá trị thứ %(n)s (cùng phần tử, ô, đơn vị và kỳ).") % {
                "n": self.seen[key] + 1}, Reason.DUPLICATE)
        self.seen[key] = index
        return _Value(index, data_set, element, option, unit, period, value, comment, label)

    def _data_set(self, element: DataElement, period: Period):
        period_type = period_type_of(period)
        if self.data_set is not None:
            if element.code not in self.set_elements.get(self.data_set.pk, set()):
                return Reason.UNKNOWN_DATA_ELEMENT, _("phần tử dữ liệu %(element)s không thuộc bộ số liệu "
                                                     "%(set)s.") % {"element": element.code,
                                                                    "set": self.data_set.code}
            if self.data_set.period_type != period_type:
                return Reason.PERIOD_NOT_IN_DATA_SET, _(
                    "kỳ “%(period)s” không phải kỳ %(type)s của bộ số liệu %(set)s.") % {
                    "period": period.code, "type": self.data_set.get_period_type_display().lower(),
                    "set": self.data_set.code}
            return self.data_set
        matching = [data_set for data_set in self.data_sets.values() if data_set.period_type == period_type
                    and element.code in self.set_elements.get(data_set.pk, ())]
        if not matching:
            return Reason.PERIOD_NOT_IN_DATA_SET, _(
                "không bộ số liệu nào có phần tử %(element)s với kỳ “%(period)s”.") % {
                "element": element.code, "period": period.code}
        if len(matching) > 1:
            return Reason.AMBIGUOUS_DATA_SET, _(
                "phần tử %(element)s thuộc nhiều bộ số liệu cùng loại kỳ (%(sets)s): hãy ghi rõ dataSet.") % {
                "element": element.code, "sets": ", ".join(sorted(d.code for d in matching))}
        return matching[0]

    def _unit(self, ref: UnitRef | None, period: Period, data_set: DataSet):
        unknown = (Reason.UNKNOWN_ORG_UNIT, _("không có đơn vị “%(code)s” trong phạm vi của bạn.") % {
            "code": ref.code if ref else ""})
        if ref is None:
            return unknown
        scoped = [unit for unit in self.units if unit.pk in self.scoped and ref.allows(unit)]
        if not scoped:
            return unknown
        unit = pick_generation(scoped, ref, period)
        if unit is None:
            return Reason.ORG_UNIT_NOT_IN_PERIOD, _(
                "đơn vị “%(code)s” không tồn tại trong %(period)s (đơn vị mang mã này: %(validity)s).") % {
                "code": ref.code, "period": period.label, "validity": "; ".join(
                    _validity(unit) for unit in sorted(scoped, key=lambda u: u.valid_from or period.start))}
        if unit.level != data_set.unit_level:
            return Reason.ORG_UNIT_LEVEL, _("%(unit)s không phải đơn vị báo cáo của bộ số liệu %(set)s.") % {
                "unit": unit.label, "set": data_set.code}
        return unit

    def strategy_conflicts(self, checked: list[_Value]) -> list[Conflict]:
        """CREATE ignores the values that exist, UPDATE and DELETE those that do not; a deletion of a value
        that does not exist is ignored without a conflict in CREATE_AND_UPDATE (nothing to do)."""
        if not checked:
            return []
        existing = set(DataValue.objects.filter(
            unit_id__in={v.unit.pk for v in checked}, period_code__in={v.period.code for v in checked},
            data_element_id__in={v.element.pk for v in checked},
        ).values_list("data_element_id", "category_option_combo_id", "unit_id", "period_code"))
        conflicts = []
        for value in checked:
            exists = (value.element.pk, value.option.pk, value.unit.pk, value.period.code) in existing
            message = None
            if self.strategy == "CREATE" and exists:
                message = _("đã có giá trị (importStrategy=CREATE chỉ nhập giá trị mới).")
                reason = Reason.VALUE_EXISTS
            elif self.strategy in ("UPDATE", "DELETE") and not exists:
                message = _("chưa có giá trị để sửa hoặc xóa (importStrategy=%(s)s).") % {"s": self.strategy}
                reason = Reason.VALUE_MISSING
            if message:
                conflicts.append(Conflict(value.label, _("Giá trị thứ %(n)s: %(message)s") % {
                    "n": value.index + 1, "message": message}, reason, [value.index]))
            elif value.value is None and not exists:
                value.noop = True
        return conflicts


def _validity(unit: Unit) -> str:
    start = unit.valid_from.strftime("%d/%m/%Y") if unit.valid_from else "…"
    end = unit.valid_to.strftime("%d/%m/%Y") if unit.valid_to else "…"
    return f"{start} – {end}"


def _number(text: str, element: DataElement) -> tuple[str, str | None]:
    """(the value as the entry service reads it, the problem or None). DHIS2 writes numbers with a dot and no
    separator; a whole number sent as 12.0 or 1e3 is passed on as 12 or 1000."""
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        return text, _("“%(value)s” không phải một số.") % {"value": text}
    if number and number.adjusted() >= MAX_DIGITS:  # refused by the entry service; int() fails >4,300 digits
        return text, _("%(cell)s: số “%(value)s” quá lớn.") % {"cell": element.code, "value": text}
    whole = number == number.to_integral()
    if element.value_type == ValueType.INTEGER_ZERO_OR_POSITIVE:
        if number < 0 or not whole:
            return text, _("“%(value)s” không phải một số nguyên không âm (phần tử %(element)s).") % {
                "value": text, "element": element.code}
        return str(int(number)), None
    if element.value_type == ValueType.PERCENTAGE and not Decimal(0) <= number <= Decimal(100):
        return text, _("“%(value)s” không phải một phần trăm từ 0 đến 100.") % {"value": text}
    return format(number, "f"), None


# ------------------------------------------------------------------------------------------------ writing


def _save_groups(checked: list[_Value], summary: ImportSummary, *, user, dry_run: bool) -> None:
    from ctxh.indicators.aggregate.selectors import EntryState, entry_status
    from ctxh.indicators.aggregate.services import ValueInput, save_data_values

    today = timezone.localdate()
    groups: dict[tuple[int, int, str], list[_Value]] = {}
    for value in checked:
        if value.noop:
            continue
        groups.setdefault((value.data_set.pk, value.unit.pk, value.period.code), []).append(value)
    for (_set_id, _unit_id, _period), members in groups.items():
        first = members[0]
        indexes = [member.index for member in members]
        group_label = f"{first.unit.code} {first.period.code} {first.data_set.code}"
        status = entry_status(first.data_set, first.unit, first.period, today)
        if not status.is_open:
            not_begun = status.state == EntryState.NOT_STARTED
            reason = Reason.PERIOD_NOT_STARTED if not_begun else Reason.LOCKED_PERIOD
            summary.conflicts.append(Conflict(group_label, status.message, reason, indexes))
            continue
        inputs = [ValueInput(m.element.code, m.option.code, m.value, m.comment) for m in members]
        try:
            with transaction.atomic():
                result = save_data_values(user=user, data_set=first.data_set, unit=first.unit,
                                          period_code=first.period.code, values=inputs, source=SOURCE,
                                          dry_run=dry_run)
        except ValidationError as error:
            for reason, message in _service_messages(error):
                summary.conflicts.append(Conflict(group_label, message, reason, indexes))
            continue
        summary.imported += result.created
        summary.updated += result.updated
        summary.deleted += result.deleted
        summary.unchanged += result.unchanged
        summary.warnings += [f"{group_label}: {warning}" for warning in result.warnings]


def _service_messages(error: ValidationError) -> list[tuple[str, str]]:
    """The entry service's messages, each with a reason read from what the message is about: a cell
    (`ELEMENT.OPTION`: the number), an element (a refusing validation rule), the period (locked, not
    begun)."""
    if not hasattr(error, "error_dict"):
        return [(Reason.REFUSED, message) for message in error.messages]
    found: list[tuple[str, str]] = []
    for key, messages in error.message_dict.items():
        if key == "period":
            reason = Reason.LOCKED_PERIOD
        elif "." in key:
            reason = Reason.NOT_A_NUMBER
        elif key not in ("unit", "__all__"):
            reason = Reason.VALIDATION_RULE
        else:
            reason = Reason.REFUSED
        found += [(reason, str(message)) for message in messages]
    return found


def reasons(summary: ImportSummary) -> Counter:
    """How many values each reason ignored (for pages and tests)."""
    counts: Counter = Counter()
    for conflict in summary.conflicts:
        counts[conflict.reason] += len(conflict.indexes)
    return counts
