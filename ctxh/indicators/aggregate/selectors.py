"""Reads of aggregate reporting: periods and units a data set accepts, the entry status of a form (open,
locked, not started), the entry form with its values, versions, outliers and history, completeness and
timeliness, and the reported values the engine reads.

Scoping: the functions that take a `user` restrict to `Unit.objects.for_user(user)`; the others are given
units already checked by the caller (a view fetches the unit through the one door first).
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ctxh.accounts.scoping import unit_closure
from ctxh.geo.models import Level, Succession, Unit
from ctxh.indicators.aggregate.outliers import EMPTY, History, histories
from ctxh.indicators.aggregate.rules import number_text
from ctxh.indicators.models import (
    CategoryOptionCombo,
    CompleteDataSetRegistration,
    DataElement,
    DataSet,
    DataSetElement,
    DataSetLockException,
    DataValue,
    DataValueAudit,
    PeriodType,
)
from ctxh.indicators.periods import Period, PeriodKind, parse_period, six_months_period, year_period

FIRST_YEAR = 2020  # the programmes' baseline year: the first period offered in the pages

PERIOD_KINDS = {PeriodType.SIX_MONTHLY: PeriodKind.SIX_MONTHS, PeriodType.YEARLY: PeriodKind.YEAR}


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def cell_key(element_code: str, option_code: str) -> str:
    """How a cell is named in messages, error keys, form fields and the API: `ELEMENT.OPTION`."""
    return f"{element_code}.{option_code}"


def keyed_error(key: str, message: str, code: str) -> ValidationError:
    """A ValidationError about `key` whose message keeps its code (a dict of plain strings would lose it; the
    DHIS2 import tells a locked period from a broken rule by the code)."""
    return ValidationError({key: [ValidationError(message, code=code)]})


# --- periods ---


def period_example(data_set: DataSet) -> str:
    return "2025S1" if data_set.period_type == PeriodType.SIX_MONTHLY else "2025"


def data_set_period(data_set: DataSet, period_code: "str | Period") -> Period:
    """The period of `period_code` if it is a period of the data set's type; a ValidationError on "period"
    otherwise (`2025S1` for a six-monthly set, `2025` for a yearly one)."""
    if isinstance(period_code, Period):
        period = period_code
    else:
        try:
            period = parse_period(period_code)
        except ValidationError as error:
            raise ValidationError({"period": error.error_list}) from None
    if PERIOD_KINDS.get(data_set.period_type) != period.kind:
        raise keyed_error("period", _(
            "Kỳ “%(code)s” không phải kỳ của bộ số liệu %(data_set)s (%(type)s): hãy dùng mã như %(example)s."
        ) % {"code": period.code, "data_set": data_set.code, "type": data_set.get_period_type_display(),
             "example": period_example(data_set)}, "wrong_period_type")
    return period


def period_choices(data_set: DataSet, today: dt.date | None = None) -> list[Period]:
    """The periods of the data set's type that have begun, from FIRST_YEAR, the newest first."""
    today = _today(today)
    if data_set.period_type == PeriodType.YEARLY:
        periods = [year_period(year) for year in range(today.year, FIRST_YEAR - 1, -1)]
    else:
        periods = [six_months_period(year, half) for year in range(today.year, FIRST_YEAR - 1, -1)
                   for half in (2, 1)]
    return [period for period in periods if period.start <= today]


def default_period(data_set: DataSet, today: dt.date | None = None) -> Period:
    """The period people report now: the latest one that has ended (its deadline is near)."""
    today = _today(today)
    ended = [period for period in period_choices(data_set, today) if period.end < today]
    return ended[0] if ended else period_choices(data_set, today)[0]


# --- entry status ---


class EntryState(models.TextChoices):
    OPEN = "open", gettext_lazy("Đang mở nhập liệu")
    LOCKED = "locked", gettext_lazy("Đã khóa nhập liệu")
    NOT_STARTED = "not_started", gettext_lazy("Kỳ chưa bắt đầu")


@dataclass(frozen=True)
class EntryStatus:
    state: str  # an EntryState
    period: Period
    deadline: dt.date  # the last day of entry without a reopening: period end + expiry days
    reopened_until: dt.date | None = None  # the province reopened entry until this day
    reopen_reason: str = ""

    @property
    def is_open(self) -> bool:
        return self.state == EntryState.OPEN

    @property
    def label(self) -> str:
        return str(EntryState(self.state).label)

    @property
    def message(self) -> str:
        period = self.period.label
        if self.state == EntryState.NOT_STARTED:
            return _("%(period)s chưa bắt đầu (từ ngày %(start)s): chưa nhập được số liệu.") % {
                "period": period, "start": self.period.start.strftime("%d/%m/%Y")}
        if self.state == EntryState.LOCKED:
            return _("%(period)s đã khóa nhập liệu từ ngày %(day)s (hạn nhập: %(deadline)s). Cần sửa số "
                     "liệu, hãy đề nghị cấp tỉnh mở lại.") % {
                "period": period, "day": (self.deadline + dt.timedelta(days=1)).strftime("%d/%m/%Y"),
                "deadline": self.deadline.strftime("%d/%m/%Y")}
        if self.reopened_until:
            return _("Cấp tỉnh đã mở lại nhập liệu %(period)s đến hết ngày %(day)s.") % {
                "period": period, "day": self.reopened_until.strftime("%d/%m/%Y")}
        return _("Hạn nhập số liệu %(period)s: hết ngày %(deadline)s.") % {
            "period": period, "deadline": self.deadline.strftime("%d/%m/%Y")}


def entry_deadline(data_set: DataSet, period: Period) -> dt.date:
    return period.end + dt.timedelta(days=data_set.expiry_days)


def timely_deadline(data_set: DataSet, period: Period) -> dt.date:
    return period.end + dt.timedelta(days=data_set.timely_days)


def entry_status(data_set: DataSet, unit: Unit | None, period_code: "str | Period",
                 today: dt.date | None = None) -> EntryStatus:
    """Open, locked (after period end + expiry days, unless a DataSetLockException for the unit or for all
    units covers today) or not started (the period has not begun)."""
    today = _today(today)
    period = data_set_period(data_set, period_code)
    deadline = entry_deadline(data_set, period)
    if today < period.start:
        return EntryStatus(EntryState.NOT_STARTED, period, deadline)
    if today <= deadline:
        return EntryStatus(EntryState.OPEN, period, deadline)
    covering = Q(unit__isnull=True) | Q(unit=unit) if unit is not None else Q(unit__isnull=True)
    exception = (DataSetLockException.objects.filter(covering, data_set=data_set, period_code=period.code,
                                                     open_until__gte=today)
                 .order_by("-open_until").first())
    if exception is not None:
        return EntryStatus(EntryState.OPEN, period, deadline, exception.open_until, exception.reason)
    return EntryStatus(EntryState.LOCKED, period, deadline)


# --- units ---


def reporting_units(data_set: DataSet, period: Period, *, user=None) -> QuerySet[Unit]:
    """Units that may report the data set for `period`: of the set's level, valid at some time in the period
    (and in the user's scope when a user is given). Today's units first, then by name."""
    units = Unit.objects.filter(level=data_set.unit_level).overlapping(period.start, period.end)
    if user is not None:
        units = units.for_user(user)
    return units.select_related("parent").order_by(F("valid_to").desc(nulls_first=True), "search_name",
                                                   "code")


def unit_error(data_set: DataSet, unit: Unit, period: Period) -> str | None:
    """Why `unit` cannot report `period` of the data set (level, validity); None when it can."""
    if unit.level != data_set.unit_level:
        return _("%(unit)s không phải đơn vị báo cáo của bộ số liệu %(data_set)s (chỉ đơn vị %(level)s báo "
                 "cáo).") % {"unit": unit.label, "data_set": data_set.code,
                             "level": str(Level(data_set.unit_level).label).lower()}
    if not ((unit.valid_from is None or unit.valid_from <= period.end)
            and (unit.valid_to is None or unit.valid_to >= period.start)):
        return _("%(unit)s không tồn tại trong %(period)s (hiệu lực %(validity)s).") % {
            "unit": unit.label, "period": period.label, "validity": validity_text(unit)}
    return None


def validity_text(unit: Unit) -> str:
    start = unit.valid_from.strftime("%d/%m/%Y") if unit.valid_from else "…"
    end = unit.valid_to.strftime("%d/%m/%Y") if unit.valid_to else "…"
    return f"{start} – {end}"


# --- the entry form ---


def data_set_elements(data_set: DataSet) -> list[DataElement]:
    """The set's elements in form order, each with `form_options` (its cells): two queries."""
    elements = [link.data_element for link in DataSetElement.objects.filter(data_set=data_set)
                .select_related("data_element__category_combo").order_by("sort_order", "data_element__code")]
    options: dict[int, list[CategoryOptionCombo]] = {}
    combo_ids = {element.category_combo_id for element in elements}
    for option in CategoryOptionCombo.objects.filter(combo_id__in=combo_ids).order_by("sort_order", "code"):
        options.setdefault(option.combo_id, []).append(option)
    for element in elements:
        element.form_options = options.get(element.category_combo_id, [])
    return elements


@dataclass
class FormCell:
    element: DataElement
    option: CategoryOptionCombo
    value: Decimal | None = None
    version: int = 0  # 0: empty when the form was read
    comment: str = ""
    history: History = EMPTY
    entered: str | None = None  # what was typed, shown again after a refused save
    errors: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return cell_key(self.element.code, self.option.code)

    @property
    def field_name(self) -> str:
        return f"v:{self.key}"

    @property
    def text(self) -> str:
        """The input's value: what was typed, else the stored number in plain digits (no separators)."""
        if self.entered is not None:
            return self.entered
        if self.value is None:
            return ""
        return format(self.value.normalize(), "f") if self.value != self.value.to_integral() else str(
            int(self.value))

    @property
    def original(self) -> str:
        """The stored value in plain digits: a save sends only the cells whose text differs from it."""
        if self.value is None:
            return ""
        return str(int(self.value)) if self.value == self.value.to_integral() else format(
            self.value.normalize(), "f")

    @property
    def shown_value(self) -> Decimal | None:
        """The value the outlier flag is about: the typed one when it is a number, else the stored one."""
        if self.entered is not None:
            text = self.entered.strip()
            return Decimal(text) if text.isdigit() else None
        return self.value

    @property
    def bounds(self):
        return self.history.bounds

    @property
    def is_outlier(self) -> bool:
        return self.history.is_outlier(self.shown_value)

    @property
    def outlier_message(self) -> str:
        bounds = self.bounds
        if bounds is None or not self.is_outlier:
            return ""
        # The whole numbers inside the bounds.
        low = max(bounds.low, Decimal(0)).quantize(Decimal(1), ROUND_CEILING)
        high = bounds.high.quantize(Decimal(1), ROUND_FLOOR)
        return _("Khác xa các kỳ trước: trung vị %(median)s, khoảng thường gặp %(low)s – %(high)s. Hãy kiểm "
                 "tra lại.") % {"median": number_text(bounds.median),
                                "low": number_text(low), "high": number_text(high)}

    @property
    def history_text(self) -> str:
        """The last values of the cell, the most recent first: "2024S2: 12 · 2024S1: 10"."""
        return " · ".join(f"{code}: {number_text(value)}" for code, value in self.history.recent())


@dataclass
class FormRow:
    element: DataElement
    cells: list[FormCell]
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def total(self) -> Decimal | None:
        values = [cell.value for cell in self.cells if cell.value is not None]
        return sum(values, Decimal(0)) if values else None

    @property
    def has_problem(self) -> bool:
        return bool(self.errors or any(cell.errors for cell in self.cells))


@dataclass
class FormSection:
    """Elements sharing one disaggregation: a table with one column per cell."""

    combo_name: str
    options: list[CategoryOptionCombo]
    rows: list[FormRow]

    @property
    def has_total(self) -> bool:
        return len(self.options) > 1


@dataclass
class EntryForm:
    data_set: DataSet
    unit: Unit
    period: Period
    status: EntryStatus
    sections: list[FormSection]
    registration: CompleteDataSetRegistration | None
    values_count: int

    def cells(self) -> dict[str, FormCell]:
        return {cell.key: cell for section in self.sections for row in section.rows for cell in row.cells}

    def rows(self) -> dict[str, FormRow]:
        return {row.element.code: row for section in self.sections for row in section.rows}

    @property
    def outliers(self) -> int:
        return sum(1 for cell in self.cells().values() if cell.is_outlier)


def entry_form(*, data_set: DataSet, unit: Unit, period_code: "str | Period",
               today: dt.date | None = None) -> EntryForm:
    """The form of `unit` for a period: sections of elements x cells with their values, versions, comments,
    histories and outlier bounds. A fixed number of queries (elements, options, values, histories, status,
    registration), whatever the number of cells."""
    period = data_set_period(data_set, period_code)
    status = entry_status(data_set, unit, period, today)
    elements = data_set_elements(data_set)
    stored = {(v.data_element_id, v.category_option_combo_id): v for v in DataValue.objects.filter(
        unit=unit, period_code=period.code, data_element__in=[e.pk for e in elements])}
    past = histories(unit=unit, element_ids=[e.pk for e in elements], period=period)
    sections: list[FormSection] = []
    for element in elements:
        cells = []
        for option in element.form_options:
            value = stored.get((element.pk, option.pk))
            history = past.get((element.pk, option.pk), EMPTY)
            if value is None:
                cells.append(FormCell(element, option, history=history))
            else:
                cells.append(FormCell(element, option, value.value, value.version, value.comment, history))
        row = FormRow(element, cells)
        if sections and [o.pk for o in sections[-1].options] == [o.pk for o in element.form_options]:
            sections[-1].rows.append(row)
        else:
            sections.append(FormSection(element.category_combo.name, element.form_options, [row]))
    registration = (CompleteDataSetRegistration.objects.filter(data_set=data_set, unit=unit,
                                                               period_code=period.code)
                    .select_related("completed_by").first())
    return EntryForm(data_set, unit, period, status, sections, registration, len(stored))


def cell_history(*, element: DataElement, option: CategoryOptionCombo, unit: Unit, period: Period
                 ) -> tuple[list[DataValueAudit], History]:
    """The changes of one cell (newest first) and its values in the earlier periods of the same type."""
    audits = list(DataValueAudit.objects.filter(data_element=element, category_option_combo=option, unit=unit,
                                                period_code=period.code).select_related("user"))
    found = histories(unit=unit, element_ids=[element.pk], period=period)
    history = found.get((element.pk, option.pk), EMPTY)
    return audits, history


# --- completeness and timeliness ---


class ReportStatus(models.TextChoices):
    ON_TIME = "on_time", gettext_lazy("Đúng hạn")
    LATE = "late", gettext_lazy("Muộn")
    MISSING = "missing", gettext_lazy("Chưa nộp (quá hạn)")
    NOT_DUE = "not_due", gettext_lazy("Chưa nộp (chưa đến hạn)")


SORTS = {
    "name": ("search_name", "code"),
    "-name": ("-search_name", "-code"),
    "parent": ("parent__search_name", "search_name"),
    "-parent": ("-parent__search_name", "-search_name"),
    "status": ("status_order", "completed_at", "search_name"),
    "-status": ("-status_order", "-completed_at", "search_name"),
    "completed": (F("completed_at").asc(nulls_last=True), "search_name"),
    "-completed": (F("completed_at").desc(nulls_last=True), "search_name"),
    "values": ("values_count", "search_name"),
    "-values": ("-values_count", "search_name"),
}
_STATUS_ORDER = {ReportStatus.MISSING: 0, ReportStatus.NOT_DUE: 1, ReportStatus.LATE: 2,
                 ReportStatus.ON_TIME: 3}


@dataclass
class Completeness:
    data_set: DataSet
    period: Period
    parent: Unit
    rows: list[Unit]  # annotated: status, completed_at, completed_by_name, values_count, expected
    timely_deadline: dt.date
    counts: dict[str, int]  # expected units by ReportStatus
    expected: int
    expected_mode: str = "network"

    @property
    def completed(self) -> int:
        return self.counts.get(ReportStatus.ON_TIME, 0) + self.counts.get(ReportStatus.LATE, 0)

    @property
    def on_time(self) -> int:
        return self.counts.get(ReportStatus.ON_TIME, 0)

    @property
    def late(self) -> int:
        return self.counts.get(ReportStatus.LATE, 0)

    @property
    def missing(self) -> int:
        return self.counts.get(ReportStatus.MISSING, 0)

    @property
    def not_due(self) -> int:
        return self.counts.get(ReportStatus.NOT_DUE, 0)

    @property
    def completed_rate(self) -> float | None:
        """Reports completed / reports expected (DHIS2's reporting rate)."""
        return self.completed / self.expected if self.expected else None

    @property
    def on_time_rate(self) -> float | None:
        """Reports completed on time / reports expected (DHIS2's reporting rate on time)."""
        return self.on_time / self.expected if self.expected else None


class Expected(models.TextChoices):
    """Which units are expected to report a data set (the denominator of completeness)."""

    NETWORK = "network", gettext_lazy("Các xã, phường tham gia báo cáo số liệu")
    ALL = "all", gettext_lazy("Mọi xã, phường")


def reporting_network(data_set: DataSet) -> Q:
    """The units taking part in a data set's reporting: those that have entered a value of it or completed it
    in any period, and the units they were merged into (the new commune of an old one that reported is
    expected from its first period on). A filter on Unit, made of subqueries."""
    element_ids = DataSetElement.objects.filter(data_set=data_set).values("data_element_id")
    valued = DataValue.objects.filter(data_element_id__in=element_ids).values("unit_id")
    completed = CompleteDataSetRegistration.objects.filter(data_set=data_set).values("unit_id")
    reporters = Q(pk__in=valued) | Q(pk__in=completed)
    successors = Succession.objects.filter(Q(predecessor_id__in=valued) | Q(predecessor_id__in=completed))
    return reporters | Q(pk__in=successors.values("successor_id"))


def annotate_reports(units: QuerySet[Unit], data_set: DataSet, period: Period, today: dt.date | None = None,
                     expected: str = Expected.NETWORK) -> QuerySet[Unit]:
    """`units` with their report of the period: completed_at, completed_by_name, values_count, expected
    (valid on the period's last day, and taking part in the reporting unless `expected` is ALL), status (a
    ReportStatus) and status_order. Subqueries, no loop."""
    today = _today(today)
    deadline = timely_deadline(data_set, period)
    timely_until = timezone.make_aware(dt.datetime.combine(deadline + dt.timedelta(days=1), dt.time.min))
    registrations = CompleteDataSetRegistration.objects.filter(data_set=data_set, unit=OuterRef("pk"),
                                                               period_code=period.code)
    element_ids = DataSetElement.objects.filter(data_set=data_set).values("data_element_id")
    values_count = (DataValue.objects.filter(unit=OuterRef("pk"), period_code=period.code,
                                             data_element_id__in=element_ids)
                    .order_by().values("unit").annotate(n=Count("pk")).values("n"))
    is_expected = (Q(valid_from__isnull=True) | Q(valid_from__lte=period.end)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=period.end))
    if expected != Expected.ALL:
        is_expected &= reporting_network(data_set)
    not_completed = ReportStatus.MISSING if today > deadline else ReportStatus.NOT_DUE
    return units.annotate(
        completed_at=Subquery(registrations.values("completed_at")[:1]),
        completed_by_name=Subquery(registrations.values("completed_by__full_name")[:1]),
        values_count=Coalesce(Subquery(values_count, output_field=IntegerField()), Value(0)),
        expected=Case(When(is_expected, then=Value(True)), default=Value(False),
                      output_field=models.BooleanField()),
    ).annotate(status=Case(
        When(completed_at__isnull=True, then=Value(not_completed)),
        When(completed_at__lt=timely_until, then=Value(ReportStatus.ON_TIME)),
        default=Value(ReportStatus.LATE), output_field=models.CharField(),
    )).annotate(status_order=Case(
        *[When(status=key, then=Value(order)) for key, order in _STATUS_ORDER.items()],
        output_field=IntegerField()))


def completeness(data_set: DataSet, period_code: "str | Period", parent_unit: Unit, *, user=None,
                 today: dt.date | None = None, sort: str = "name",
                 expected: str = Expected.NETWORK) -> Completeness:
    """Per reporting unit under `parent_unit` (its subtree across successions): completed or not, on time,
    late, missing or not yet due, and the number of values; the totals over the units expected to report.

    Expected: units of the set's level valid on the period's last day (an old commune that ended on
    30/06/2025 does not report the year 2025; the new commune does) that take part in the reporting
    (`reporting_network`: communes keeping records do not fill the form), or every such unit with
    `expected=Expected.ALL`. A unit that ended during the period is listed as well when it reported
    something, outside the totals. On time: completed before the end of period end + timely days (local
    time). Set-based: one query for the rows, one for the totals.
    """
    period = data_set_period(data_set, period_code)
    units = (Unit.objects.filter(pk__in=unit_closure([parent_unit.pk]), level=data_set.unit_level)
             .overlapping(period.start, period.end))
    if user is not None:
        units = units.for_user(user)
    units = annotate_reports(units, data_set, period, today, expected)
    listed = units.filter(Q(expected=True) | Q(completed_at__isnull=False) | Q(values_count__gt=0))
    rows = list(listed.select_related("parent").order_by(*SORTS.get(sort, SORTS["name"])))
    counts = dict(units.filter(expected=True).order_by().values("status").annotate(n=Count("pk"))
                  .values_list("status", "n"))
    return Completeness(data_set, period, parent_unit, rows, timely_deadline(data_set, period), counts,
                        sum(counts.values()), expected)


def entry_statuses(data_set: DataSet, period: Period, units: Iterable[Unit],
                   today: dt.date | None = None) -> dict[int, EntryStatus]:
    """The entry status of several units of one period: one query for the reopenings, whatever the number."""
    today = _today(today)
    units = list(units)
    base = entry_status(data_set, None, period, today)
    if base.state != EntryState.LOCKED:
        return {unit.pk: base for unit in units}
    reopened: dict[int | None, DataSetLockException] = {}
    for exception in (DataSetLockException.objects.filter(data_set=data_set, period_code=period.code,
                                                          open_until__gte=today)
                      .filter(Q(unit__isnull=True) | Q(unit__in=[unit.pk for unit in units]))
                      .order_by("open_until")):
        reopened[exception.unit_id] = exception  # the latest day wins
    statuses = {}
    for unit in units:
        candidates = [e for e in (reopened.get(unit.pk), reopened.get(None)) if e is not None]
        best = max(candidates, key=lambda e: e.open_until, default=None)
        statuses[unit.pk] = (EntryStatus(EntryState.OPEN, period, base.deadline, best.open_until, best.reason)
                             if best else base)
    return statuses


def completeness_parents(user, data_set: DataSet, period: Period) -> QuerySet[Unit]:
    """The units whose completeness a user can look at: in scope, above the reporting level or the reporting
    units themselves, valid at some time in the period or today."""
    today = timezone.localdate()
    return (Unit.objects.for_user(user).filter(level__lte=data_set.unit_level)
            .filter(Q(pk__in=Unit.objects.overlapping(period.start, period.end).values("pk"))
                    | Q(pk__in=Unit.objects.as_of(today).values("pk")))
            .select_related("parent").order_by("level", F("valid_to").desc(nulls_first=True), "search_name"))


# --- for the engine ---


def reported_values(element_code: str, period_code: str, unit_ids: Iterable[int] | None = None) -> QuerySet:
    """The reported values of one element and period: dicts with unit_id, option (code), dimensions (the
    option's mapping onto the indicators' disaggregations, e.g. {"sex": "female"}) and value (Decimal).

    Every stored value counts, completed report or not (as in DHIS2's analytics); `unit_ids` None: all units.
    """
    values = DataValue.objects.filter(data_element__code=element_code, period_code=period_code)
    if unit_ids is not None:
        values = values.filter(unit_id__in=list(unit_ids))
    return values.order_by("unit_id", "category_option_combo__sort_order").values(
        "unit_id", "value", option=F("category_option_combo__code"),
        dimensions=F("category_option_combo__dimensions"))
