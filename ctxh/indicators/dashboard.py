"""The dashboard's data: a programme's indicators for one unit and period, against their targets, with the
trend, and the table of the unit's subdivisions; read from the fact table (`ctxh.indicators.facts`), never
computed here.

    query = resolve_query(user=request.user, params=request.GET, today=today)   # defaults filled in
    board = build_dashboard(user=request.user, query=query, today=today)
    board.cards, board.trend_labels, board.rows

Choices and defaults:
- programme: the active programmes; by default the one whose scope unit is the province of the unit (Plan 154
  for Tuyên Quang), else the first active one.
- unit: any unit of the user's scope (`Unit.objects.for_user`); by default the top of the scope. Out of scope:
  `UnitNotAvailable` (the page answers 404).
- period: a year or a half year from 2020; by default the latest year with facts for the unit.
- geography: `current` (the units valid today, which restate older periods through the units merged into
  them) or `historical` (the units valid on the period's last day: for 2024, the old districts and communes).

A fixed number of queries whatever the number of communes: the facts of every row and every year come in two
queries (`facts.grid`), the subdivisions in a handful (one pair per level of the hierarchy).
"""

import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from ctxh.accounts.scoping import unit_closure
from ctxh.geo.models import Level, Succession, Unit
from ctxh.indicators import facts as fact_table
from ctxh.indicators.exports import INTEGER_FORMAT, PERCENT_FORMAT, put_cell, sheet_title, write_header
from ctxh.indicators.models import (
    Comparison,
    IndicatorDefinition,
    IndicatorFact,
    Programme,
    Target,
)
from ctxh.indicators.periods import Period, PeriodKind, parse_period, six_months_period, year_period
from ctxh.indicators.progress import Evaluation, Status, evaluate, is_cumulative
from ctxh.indicators.registry import METHODS, UnitNotAvailable
from ctxh.indicators.selectors import default_unit
from ctxh.indicators.targets import active_programmes, applies_to_unit, programme_of_province, target_label
from ctxh.indicators.templatetags.indicators import percent

FIRST_YEAR = 2020  # the programmes' base year: the trend starts there

CURRENT = "current"
HISTORICAL = "historical"
GEOGRAPHIES = [
    (CURRENT, gettext_lazy("Theo địa giới hiện nay")),
    (HISTORICAL, gettext_lazy("Theo địa giới tại kỳ đã chọn")),
]


# --- Formatting (a count may hold a fraction when part of an old unit is allocated: shown rounded) ---


def show(value: float | None, value_kind: str) -> str:
    """A share as "25,0 %" (like the `percent` filter of the indicator pages), a count as "1.235"."""
    if value is None:
        return "—"
    if value_kind == "ratio":
        # A share is at most 100 %: no thousands; written here rather than by `percent` (number_format),
        # which costs more than the rest of a cell on a province's table.
        separator = formats.get_format("DECIMAL_SEPARATOR")
        return f"{round(value * 100, 1):.1f}".replace(".", separator) + "\u00a0%"
    return f"{round(value):,}".replace(",", ".")  # 1.234.567 whatever the language, as the other pages


def chart_number(value: float | None, value_kind: str) -> float | None:
    """A value for Chart.js: a share in percent (one decimal), a count rounded to one decimal."""
    if value is None:
        return None
    return round(value * 100, 1) if value_kind == "ratio" else round(value, 1)


# --- The query ---


class ProgrammeNotAvailable(LookupError):
    """No active programme with that code (the page answers 404)."""

    def __init__(self, code: str):
        self.message = str(_("Không có chương trình đang theo dõi mã “%(code)s”.") % {"code": code})
        super().__init__(self.message)


@dataclass(frozen=True)
class DashboardQuery:
    programme: Programme
    unit: Unit
    period: Period
    geography: str  # CURRENT or HISTORICAL
    halves: bool  # the trend by half year instead of by year

    def params(self, **changes) -> dict[str, str]:
        values = {"programme": self.programme.code, "unit": str(self.unit.pk), "period": self.period.code,
                  "geography": self.geography}
        if self.halves:
            values["halves"] = "1"
        values.update({key: str(value) for key, value in changes.items()})
        return values

    def url(self, **changes) -> str:
        return f"{reverse('web:dashboard')}?{urlencode(self.params(**changes))}"

    def unit_urls(self, units: list[Unit]) -> dict[int, str]:
        """The dashboard of each unit with the same choices (one `reverse` for a whole table)."""
        base = reverse("web:dashboard")
        params = self.params()
        return {unit.pk: f"{base}?{urlencode({**params, 'unit': str(unit.pk)})}" for unit in units}

    def export_url(self) -> str:
        return f"{reverse('web:dashboard_export')}?{urlencode(self.params())}"


def province_of(unit: Unit) -> Unit:
    """The unit's province (parents are loaded with `select_related("parent__parent")`)."""
    while unit.parent_id and unit.level > Level.PROVINCE:
        unit = unit.parent
    return unit


def period_options(today: dt.date) -> list[Period]:
    """Years (newest first) from 2020, then the half years that have begun."""
    years = [year_period(year) for year in range(today.year, FIRST_YEAR - 1, -1)]
    halves = [six_months_period(year, half) for year in range(today.year, FIRST_YEAR - 1, -1)
              for half in (2, 1)]
    return years + [period for period in halves if period.start <= today]


def latest_year_with_data(codes: list[str], unit: Unit, today: dt.date) -> Period:
    """The latest year (2020 to this year) with a fact of the programme's indicators for the unit."""
    years = [str(year) for year in range(FIRST_YEAR, today.year + 1)]
    latest = (IndicatorFact.objects.filter(unit=unit, indicator_code__in=codes, period_code__in=years,
                                           dimension="").aggregate(latest=Max("period_code"))["latest"])
    return year_period(int(latest) if latest else today.year)


def programme_targets(programme: Programme) -> list[Target]:
    return list(Target.objects.filter(programme=programme, indicator__is_active=True)
                .select_related("indicator", "programme")
                .order_by("indicator__sort_order", "indicator__code", "deadline"))


def programme_indicators(targets: list[Target]) -> list[IndicatorDefinition]:
    """The indicators the programme has a target for, in the definitions' order."""
    seen: dict[str, IndicatorDefinition] = {}
    for target in targets:
        seen.setdefault(target.indicator.code, target.indicator)
    return list(seen.values())


def target_in_force(targets: list[Target], code: str, period: Period, unit: Unit) -> Target | None:
    """The target of `code` whose span (first day to deadline) contains the period and that applies to the
    unit; when several do (a mid-term and a final target), the nearest deadline."""
    found = [t for t in targets if t.indicator.code == code and t.start_date <= period.start
             and period.end <= t.deadline and applies_to_unit(t, unit)]
    return min(found, key=lambda t: t.deadline, default=None)


def resolve_query(*, user, params: Mapping, today: dt.date) -> tuple[DashboardQuery, list[str]]:
    """The query of the page from its GET parameters, the defaults filled in; messages for what was ignored.

    Raises UnitNotAvailable for a unit outside the user's scope (or unknown; or a user without any scope) and
    ProgrammeNotAvailable for an unknown or inactive programme, so a guessed URL answers 404 like any other
    page.
    """
    errors: list[str] = []
    scoped = Unit.objects.for_user(user).select_related("parent__parent__parent")
    unit_value = str(params.get("unit") or "").strip()
    if unit_value:
        # isdigit() alone lets through "²" and numbers too long for int(): both are no unit (404).
        is_id = unit_value.isascii() and unit_value.isdigit() and len(unit_value) <= 18
        unit = scoped.filter(pk=int(unit_value)).first() if is_id else None
        if unit is None:
            raise UnitNotAvailable(unit_value)
    else:
        top = default_unit(user=user, day=today)
        unit = scoped.filter(pk=top.pk).first() if top is not None else None
        if unit is None:
            raise UnitNotAvailable("")

    programmes = list(active_programmes())
    code = str(params.get("programme") or "").strip()
    if code:
        programme = next((p for p in programmes if p.code == code), None)
        if programme is None:
            raise ProgrammeNotAvailable(code)
    else:
        programme = programme_of_province(programmes, province_of(unit).code)
        if programme is None:
            raise ProgrammeNotAvailable("")

    options = {period.code: period for period in period_options(today)}
    period_value = str(params.get("period") or "").strip().upper()
    period = options.get(period_value)
    if period is None:
        if period_value:
            try:
                parse_period(period_value)
                errors.append(_("Bảng điều khiển chỉ xem theo năm hoặc sáu tháng, từ năm %(year)s đến nay; "
                                "đang hiển thị kỳ mặc định.") % {"year": FIRST_YEAR})
            except ValidationError as exc:
                errors.extend(exc.messages)
        codes = [t.indicator.code for t in programme_targets(programme)]
        period = latest_year_with_data(codes, unit, today)

    geography = str(params.get("geography") or CURRENT)
    if geography not in (CURRENT, HISTORICAL):
        geography = CURRENT
    halves = str(params.get("halves") or "") in ("1", "on", "true")
    return DashboardQuery(programme, unit, period, geography, halves), errors


def unit_options(*, user, query: DashboardQuery, today: dt.date) -> list[tuple[str, list[tuple[str, str]]]]:
    """The units offered in the page's select, grouped: today's units of the user's scope (levels 1-3), then
    the units that existed during the chosen period and no longer do. One query."""
    period = query.period
    units = (Unit.objects.for_user(user).filter(level__lte=Level.COMMUNE)
             .overlapping(min(period.start, today), today).select_related("parent")
             .order_by("level", "search_name", "code"))
    current, former = [], []
    for unit in units:
        label = f"{unit.label} — {unit.parent.name}" if unit.parent_id else str(unit.label)
        if unit.is_valid_on(today):
            current.append((str(unit.pk), label))
        elif unit.valid_from is None or unit.valid_from <= period.end:
            former.append((str(unit.pk), label))
    if all(value != str(query.unit.pk) for value, _label in current + former):
        former.insert(0, (str(query.unit.pk), str(query.unit.label)))
    groups = [(_("Đơn vị hiện nay"), current)]
    if former:
        groups.append((_("Đơn vị trong kỳ đã chọn, nay không còn"), former))
    return groups


# --- The page's data ---


@dataclass
class Cell:
    """One indicator of one row of the table."""

    code: str
    value_kind: str
    value: float | None
    numerator: float | None
    denominator: float | None
    is_estimate: bool
    evaluation: Evaluation
    has_fact: bool

    @property
    def display(self) -> str:
        return show(self.value, self.value_kind) if self.value is not None else _("Chưa có số liệu")

    @property
    def fraction(self) -> str:
        """"12/20" for a ratio with its parts."""
        if self.value_kind != "ratio" or self.denominator is None:
            return ""
        return f"{show(self.numerator, 'count')}/{show(self.denominator, 'count')}"

    @property
    def sort_value(self) -> str:
        """For the table's client-side sort: the number, or empty (sorted last)."""
        return "" if self.value is None else repr(round(self.value, 6))


@dataclass
class Card:
    indicator: IndicatorDefinition
    target: Target | None
    evaluation: Evaluation
    value: float | None  # the period's value (a missing fact: 0 for a count, None for a ratio)
    numerator: float | None
    denominator: float | None
    is_estimate: bool
    period: Period
    cumulative_label: str = ""  # "Lũy kế 2021-2024" for a count cumulated over the phase
    detail_url: str = ""
    chart: dict = field(default_factory=dict)

    @property
    def code(self) -> str:
        return self.indicator.code

    @property
    def value_kind(self) -> str:
        return self.indicator.value_kind

    @property
    def target_text(self) -> str:
        """The target as people read it ("(chưa xác nhận)" when its figure is not confirmed yet)."""
        return target_label(self.target) if self.target else ""

    @property
    def headline(self) -> str:
        """The big number: the cumulative value of a count cumulated over the phase, else the period's."""
        if self.cumulative_label:
            return show(self.evaluation.current, "count")
        return show(self.value, self.value_kind) if self.value is not None else _("Chưa có số liệu")

    @property
    def headline_missing(self) -> bool:
        return not self.cumulative_label and self.value is None

    @property
    def period_display(self) -> str:
        return show(self.value, self.value_kind)

    @property
    def fraction(self) -> str:
        if self.value_kind != "ratio" or self.denominator is None:
            return ""
        return f"{show(self.numerator, 'count')}/{show(self.denominator, 'count')}"

    @property
    def expected_display(self) -> str:
        return show(self.evaluation.expected, self.value_kind if not self.evaluation.cumulative else "count")

    @property
    def projected_display(self) -> str:
        return show(self.evaluation.projected, self.value_kind if not self.evaluation.cumulative else "count")

    @property
    def progress_display(self) -> str:
        return percent(self.evaluation.progress) if self.evaluation.progress is not None else "—"


@dataclass
class Row:
    unit: Unit
    cells: list[Cell]
    url: str
    partly: bool = False  # an old unit only partly merged into the unit shown: its number is its own whole

    @property
    def level_label(self) -> str:
        return str(Level(self.unit.level).label)


@dataclass
class Dashboard:
    query: DashboardQuery
    today: dt.date
    evaluation_day: dt.date
    geography_day: dt.date
    indicators: list[IndicatorDefinition]
    cards: list[Card]
    trend_periods: list[Period]
    rows: list[Row]
    any_estimate: bool
    notes: list[str]

    @property
    def unit(self) -> Unit:
        return self.query.unit

    @property
    def period(self) -> Period:
        return self.query.period

    @property
    def programme(self) -> Programme:
        return self.query.programme

    @property
    def charts(self) -> list[dict]:
        return [card.chart for card in self.cards]


def subdivisions(*, user, unit: Unit, day: dt.date) -> tuple[list[Unit], set[int]]:
    """The units of the user's scope below `unit` (its subtree across successions) valid on `day`: for a
    province today its communes; for a province on 31/12/2024 the old provinces merged into it, their
    districts and communes. Ordered by level, parent and name; with the ids of the whole subtree."""
    closure = unit_closure([unit.pk])
    below = closure - {unit.pk}
    if not below:
        return [], closure
    units = list(Unit.objects.for_user(user).filter(pk__in=below).as_of(day)
                 .select_related("parent").order_by("level", "parent__search_name", "search_name", "code"))
    return units, closure


def _partly_merged(units: list[Unit], closure_ids: set[int]) -> set[int]:
    """Old units of which only a part went into the unit shown: a part went to a unit outside its subtree
    (`closure_ids`). Xã Tràng Đà, split between two new communes, is partly in each, wholly in the
    province."""
    ids = [unit.pk for unit in units if unit.valid_to is not None]
    if not ids:
        return set()
    rows = Succession.objects.filter(predecessor_id__in=ids, partly_merged=True).values_list(
        "predecessor_id", "successor_id")
    return {old for old, new in rows if new not in closure_ids}


def _evaluation_series(grid: dict, code: str, unit_id: int, value_kind: str, years: list[int],
                       period: Period) -> dict[str, float | None]:
    """The yearly values `evaluate` reads; for a first half year, that half stands for its year (the year's
    own value is not known on 30 June)."""
    series = {str(year): fact_table.reading(grid.get((code, unit_id, str(year))), value_kind)
              for year in years if year <= period.end.year}
    if period.kind == PeriodKind.SIX_MONTHS and period.start.month == 1:
        half = grid.get((code, unit_id, period.code))
        series[str(period.start.year)] = fact_table.reading(half, value_kind)
    return series


def _cell(grid: dict, indicator: IndicatorDefinition, target: Target | None, unit_id: int, period: Period,
          years: list[int], evaluation_day: dt.date) -> Cell:
    fact = grid.get((indicator.code, unit_id, period.code))
    value_kind = indicator.value_kind
    series = _evaluation_series(grid, indicator.code, unit_id, value_kind, years, period)
    evaluation = evaluate(target, series, evaluation_day)
    return Cell(indicator.code, value_kind, fact_table.reading(fact, value_kind),
                fact.numerator if fact else None, fact.denominator if fact else None,
                bool(fact and fact.is_estimate), evaluation, fact is not None)


def _chart(indicator: IndicatorDefinition, targets: list[Target], unit: Unit, trend: list[Period],
           grid: dict, evaluation: Evaluation, target: Target | None, today: dt.date) -> dict:
    """The trend of one indicator: values per period, the cumulative over each phase for a cumulated count,
    the target in force at each period (a step when the phase changes), and the projection to the deadline."""
    value_kind = indicator.value_kind
    values, cumulative, target_line, projection = [], [], [], []
    running, running_phase, has_cumulative = 0.0, None, False
    for period in trend:
        reading = (None if period.start > today
                   else fact_table.reading(grid.get((indicator.code, unit.pk, period.code)), value_kind))
        values.append(chart_number(reading, value_kind))
        in_force = target_in_force(targets, indicator.code, period, unit)
        required = None
        if in_force is not None:
            required = float(in_force.value)
            if in_force.comparison == Comparison.GROWTH_AT_LEAST:
                base = fact_table.reading(grid.get((indicator.code, unit.pk, in_force.baseline_period_code)),
                                          value_kind)
                required = base * (1 + required) if base else None
        if in_force is not None and is_cumulative(in_force):
            has_cumulative = True
            if running_phase != in_force.pk:
                running, running_phase = 0.0, in_force.pk
            running += reading or 0.0
            cumulative.append(round(running, 1) if reading is not None else None)
        else:
            cumulative.append(None)
            # A yearly count's target is not drawn against half years (a half is not comparable).
            if period.kind != PeriodKind.YEAR and value_kind != "ratio":
                required = None
        target_line.append(chart_number(required, value_kind))
        projection.append(None)
    # The projection: a dotted line from the last point used to the deadline's year (yearly trend only).
    labels = [p.code for p in trend]
    if evaluation.projected is not None and evaluation.points and target is not None:
        last_year, last_value = evaluation.points[-1]
        deadline = str(target.deadline.year)
        if str(last_year) in labels and deadline in labels:
            projection[labels.index(str(last_year))] = chart_number(last_value, value_kind)
            projection[labels.index(deadline)] = chart_number(evaluation.projected, value_kind)
    return {
        "code": indicator.code,
        "title": indicator.short_name,
        "labels": [p.code if p.kind == PeriodKind.YEAR else p.label for p in trend],
        "values": values,
        "cumulative": cumulative if has_cumulative else None,
        "target": target_line if any(v is not None for v in target_line) else None,
        "projection": projection if any(v is not None for v in projection) else None,
        "ratio": value_kind == "ratio",
        "names": {
            "values": _("Tỷ lệ (%)") if value_kind == "ratio" else _("Giá trị trong kỳ"),
            "cumulative": _("Lũy kế trong giai đoạn"),
            "target": _("Chỉ tiêu"),
            "projection": _("Dự báo theo xu hướng"),
        },
    }


def trend_periods(query: DashboardQuery, today: dt.date, deadline_year: int | None) -> list[Period]:
    """Years from 2020 to this year (and on to the deadline of the period's targets, for the projection);
    with `halves`, the half years that have begun."""
    if query.halves:
        return [six_months_period(year, half) for year in range(FIRST_YEAR, today.year + 1) for half in (1, 2)
                if six_months_period(year, half).start <= today]
    last = max(today.year, deadline_year or today.year)
    return [year_period(year) for year in range(FIRST_YEAR, last + 1)]


def build_dashboard(*, user, query: DashboardQuery, today: dt.date) -> Dashboard:
    unit, period, programme = query.unit, query.period, query.programme
    targets = programme_targets(programme)
    indicators = programme_indicators(targets)
    codes = [indicator.code for indicator in indicators]
    evaluation_day = min(today, period.end)
    geography_day = today if query.geography == CURRENT else min(period.end, today)

    in_force = {code: target_in_force(targets, code, period, unit) for code in codes}
    deadline_year = max((t.deadline.year for t in in_force.values() if t), default=None)
    trend = trend_periods(query, today, deadline_year)
    first_year = min([FIRST_YEAR] + [t.start_date.year for t in targets])
    years = list(range(first_year, max(today.year, period.end.year) + 1))
    unit_codes = {str(year) for year in years} | {p.code for p in trend} | {period.code}
    unit_grid = fact_table.grid(codes, [unit.pk], unit_codes)

    cards: list[Card] = []
    for indicator in indicators:
        target = in_force[indicator.code]
        cell = _cell(unit_grid, indicator, target, unit.pk, period, years, evaluation_day)
        evaluation = cell.evaluation
        cumulative_label = ""
        estimate = cell.is_estimate
        if evaluation.cumulative and target is not None:
            cumulative_label = _("Lũy kế từ năm %(year)s") % {"year": target.start_date.year}
            # The cumulative value is an estimate when one of its years is.
            summed = (unit_grid.get((indicator.code, unit.pk, str(year)))
                      for year in range(target.start_date.year, evaluation_day.year + 1))
            estimate = estimate or any(fact is not None and fact.is_estimate for fact in summed)
        detail_url = ""
        if indicator.method in METHODS:  # computed from records: the detail page lists them
            detail_url = (reverse("web:indicator_detail", args=[indicator.code]) + "?"
                          + urlencode({"unit": unit.pk, "period": period.code}))
        card = Card(indicator, target, evaluation, cell.value, cell.numerator, cell.denominator, estimate,
                    period, cumulative_label, detail_url)
        card.chart = _chart(indicator, targets, unit, trend, unit_grid, evaluation, target, today)
        cards.append(card)

    units, closure = subdivisions(user=user, unit=unit, day=geography_day)
    partly = _partly_merged(units, closure) if query.geography == HISTORICAL else set()
    row_years = [year for year in years if year <= period.end.year]
    row_codes = {str(year) for year in row_years} | {period.code}
    grid = fact_table.grid(codes, [u.pk for u in units], row_codes)
    rows = []
    urls = query.unit_urls(units)
    for child in units:
        cells = [_cell(grid, indicator, target_in_force(targets, indicator.code, period, child), child.pk,
                       period, row_years, evaluation_day) for indicator in indicators]
        rows.append(Row(child, cells, urls[child.pk], child.pk in partly))

    notes = []
    if query.geography == HISTORICAL:
        day = geography_day.strftime("%d/%m/%Y")
        notes.append(_("Các đơn vị hành chính như ngày %(day)s.") % {"day": day})
    else:
        notes.append(_("Các đơn vị hành chính hiện nay; số liệu các kỳ trước được tính lại qua các đơn vị cũ "
                       "đã sáp nhập vào."))
    any_estimate = (any(card.is_estimate for card in cards)
                    or any(cell.is_estimate for row in rows for cell in row.cells))
    return Dashboard(query, today, evaluation_day, geography_day, indicators, cards, trend, rows,
                     any_estimate, notes)


def status_counts(board: Dashboard) -> dict[str, int]:
    """How many indicator cells of the table have each status (for the summary above the table)."""
    counts: dict[str, int] = {}
    for row in board.rows:
        for cell in row.cells:
            counts[cell.evaluation.status] = counts.get(cell.evaluation.status, 0) + 1
    return counts


STATUS_ORDER = [Status.ACHIEVED, Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK, Status.NOT_ACHIEVED,
                Status.NO_DATA, Status.NO_TARGET]
# --- XLSX export: every table of the page, numbers kept as numbers ---


def _export_value(sheet, row: int, column: int, value, value_kind: str) -> None:
    if value is None:
        return
    cell = sheet.cell(row=row, column=column, value=float(value))
    cell.number_format = PERCENT_FORMAT if value_kind == "ratio" else INTEGER_FORMAT


def dashboard_workbook(board: Dashboard) -> bytes:
    """The dashboard as an .xlsx (Vietnamese headers whatever the user's language: the headers are the
    contract): the query, the indicators against their targets, the trend, the subdivisions."""
    with translation.override("vi"):
        workbook = Workbook()
        used: set[str] = set()
        query = board.query

        info = workbook.active
        info.title = sheet_title(_("Thông tin"), used)
        write_header(info, [_("Mục"), _("Giá trị")], [28, 70])
        geography = dict(GEOGRAPHIES)[query.geography]
        lines = [
            (_("Chương trình"), f"{query.programme.code} — {query.programme.name}"),
            (_("Đơn vị hành chính"), f"{query.unit.label} ({query.unit.code})"),
            (_("Kỳ"), f"{query.period.label} ({query.period.code})"),
            (_("Địa giới"), str(geography)),
            (_("Ngày đánh giá"), board.evaluation_day),
            (_("Ngày xuất"), board.today),
        ]
        for number, (label, value) in enumerate(lines, start=2):
            put_cell(info, number, 1, label)
            put_cell(info, number, 2, value, "date" if isinstance(value, dt.date) else "text")
        for number, note in enumerate(board.notes, start=len(lines) + 2):
            put_cell(info, number, 1, _("Ghi chú"))
            put_cell(info, number, 2, note)

        sheet = workbook.create_sheet(sheet_title(_("Chỉ số"), used))
        headers = [_("Mã chỉ số"), _("Chỉ số"), _("Giá trị trong kỳ"), _("Tử số"), _("Mẫu số"),
                   _("Lũy kế giai đoạn"), _("Chỉ tiêu"), _("Mức cần đạt"), _("Tiến độ so với chỉ tiêu"),
                   _("Dự báo đến thời hạn"), _("Thời hạn"), _("Tình trạng"), _("Ước tính"), _("Diễn giải")]
        write_header(sheet, headers, [14, 50, 14, 10, 10, 14, 40, 14, 14, 14, 12, 20, 10, 60])
        for number, card in enumerate(board.cards, start=2):
            evaluation = card.evaluation
            shown_kind = "count" if evaluation.cumulative else card.value_kind
            put_cell(sheet, number, 1, card.code)
            put_cell(sheet, number, 2, card.indicator.name)
            _export_value(sheet, number, 3, card.value, card.value_kind)
            if card.value_kind == "ratio":
                _export_value(sheet, number, 4, card.numerator, "count")
                _export_value(sheet, number, 5, card.denominator, "count")
            if evaluation.cumulative:
                _export_value(sheet, number, 6, evaluation.current, "count")
            put_cell(sheet, number, 7, card.target_text)
            _export_value(sheet, number, 8, evaluation.expected, shown_kind)
            _export_value(sheet, number, 9, evaluation.progress, "ratio")
            _export_value(sheet, number, 10, evaluation.projected, shown_kind)
            put_cell(sheet, number, 11, card.target.deadline if card.target else None, "date")
            put_cell(sheet, number, 12, evaluation.label)
            put_cell(sheet, number, 13, _("Có") if card.is_estimate else _("Không"))
            put_cell(sheet, number, 14, evaluation.message)

        trend = workbook.create_sheet(sheet_title(_("Xu hướng"), used))
        write_header(trend, [_("Kỳ"), *[card.indicator.short_name for card in board.cards]],
                [16, *[22 for _card in board.cards]])
        for number, period in enumerate(board.trend_periods, start=2):
            if period.start > board.today:
                continue
            put_cell(trend, number, 1, period.code)
            for column, card in enumerate(board.cards, start=2):
                value = card.chart["values"][number - 2]
                if value is not None:
                    value = value / 100 if card.value_kind == "ratio" else value
                _export_value(trend, number, column, value, card.value_kind)

        table = workbook.create_sheet(sheet_title(_("Đơn vị trực thuộc"), used))
        headers, widths = [_("Mã"), _("Đơn vị hành chính"), _("Cấp"), _("Thuộc")], [10, 36, 10, 30]
        for card in board.cards:
            short = card.indicator.short_name
            headers += [f"{short}: {_('giá trị')}", f"{short}: {_('tử số')}", f"{short}: {_('mẫu số')}",
                        f"{short}: {_('tình trạng')}", f"{short}: {_('ước tính')}"]
            widths += [14, 10, 10, 18, 10]
        write_header(table, headers, widths)
        for number, row in enumerate(board.rows, start=2):
            put_cell(table, number, 1, row.unit.code)
            put_cell(table, number, 2, row.unit.label)
            put_cell(table, number, 3, row.level_label)
            put_cell(table, number, 4, row.unit.parent.name if row.unit.parent_id else "")
            for index, cell in enumerate(row.cells):
                column = 5 + index * 5
                _export_value(table, number, column, cell.value, cell.value_kind)
                if cell.value_kind == "ratio":
                    _export_value(table, number, column + 1, cell.numerator, "count")
                    _export_value(table, number, column + 2, cell.denominator, "count")
                put_cell(table, number, column + 3, cell.evaluation.label)
                put_cell(table, number, column + 4, _("Có") if cell.is_estimate else _("Không"))
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
