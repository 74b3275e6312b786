"""An indicator result as an .xlsx workbook: a summary sheet, one sheet per breakdown, and the list behind the
number. Vietnamese headers; numbers stay numbers (shares formatted as percentages, money with thousands
separators), dates are real dates shown dd/mm/yyyy. `sheet_title`, `write_header` and `put_cell` are shared
with the dashboard's and the completeness page's workbooks."""

import io
import re

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ctxh.indicators.results import ColumnKind, IndicatorResult

DATE_FORMAT = "DD/MM/YYYY"
PERCENT_FORMAT = "0.0%"
INTEGER_FORMAT = "#,##0"
_BOLD = Font(bold=True)
_FILL = PatternFill("solid", fgColor="DDEBF7")
_INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def sheet_title(title: str, used: set[str]) -> str:
    """An Excel sheet name: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = _INVALID_SHEET_CHARS.sub("-", str(title).split(" (")[0]).strip()[:31] or "Sheet"
    name, number = base, 2
    while name.lower() in used:
        suffix = f" {number}"
        name, number = base[: 31 - len(suffix)] + suffix, number + 1
    used.add(name.lower())
    return name


def write_header(sheet, headers: list[str], widths: list[int]) -> None:
    """Row 1 of `sheet`: bold, shaded headers, the columns' widths, frozen below."""
    for index, (text, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = sheet.cell(row=1, column=index, value=str(text))
        cell.font = _BOLD
        cell.fill = _FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def put_cell(sheet, row: int, column: int, value, kind: str = ColumnKind.TEXT):
    """One cell (left empty for None or ""), formatted by its `ColumnKind`; text is written as text."""
    if value is None or value == "":
        return None
    cell = sheet.cell(row=row, column=column, value=value if kind != ColumnKind.TEXT else str(value))
    if kind == ColumnKind.RATIO:
        cell.number_format = PERCENT_FORMAT
    elif kind in (ColumnKind.INTEGER, ColumnKind.MONEY):
        cell.number_format = INTEGER_FORMAT
    elif kind == ColumnKind.DATE:
        cell.number_format = DATE_FORMAT
    return cell


def _summary(sheet, result: IndicatorResult) -> None:
    ratio = result.value_kind == "ratio"
    value_kind = ColumnKind.RATIO if ratio else ColumnKind.INTEGER
    rows = [
        (_("Chỉ số"), f"{result.code} — {result.name}", ColumnKind.TEXT),
        (_("Đơn vị hành chính"), f"{result.unit.label} ({result.unit.code})", ColumnKind.TEXT),
        (_("Kỳ"), f"{result.period.label} ({result.period.code})", ColumnKind.TEXT),
        (_("Từ ngày"), result.period.start, ColumnKind.DATE),
        (_("Đến ngày"), result.period.end, ColumnKind.DATE),
        (_("Giá trị tại ngày"), result.day, ColumnKind.DATE),
        (_("Giá trị"), result.value, value_kind),
        (_("Tử số"), result.numerator, ColumnKind.INTEGER),
        (_("Mẫu số"), result.denominator, ColumnKind.INTEGER),
        (_("Chỉ tiêu"), result.target.label if result.target else "", ColumnKind.TEXT),
        (_("Giá trị chỉ tiêu"), result.target.value if result.target else None, value_kind),
        (_("Tiến độ so với chỉ tiêu"), result.progress, ColumnKind.RATIO),
        (_("Tình trạng"), result.status_label, ColumnKind.TEXT),
    ]
    if result.details.get("base_salary_vnd"):
        rows.append((_("Mức lương cơ sở (đồng/tháng)"), result.details["base_salary_vnd"], ColumnKind.MONEY))
    if result.details.get("named") is not None:
        rows.append((_("Lượt người có danh sách"), result.details["named"], ColumnKind.INTEGER))
        rows.append((_("Lượt người theo số lượng"), result.details["counted"], ColumnKind.INTEGER))
    write_header(sheet, [_("Mục"), _("Giá trị")], [28, 70])
    number = 1
    for number, (label, value, kind) in enumerate(rows, start=2):
        put_cell(sheet, number, 1, label)
        put_cell(sheet, number, 2, value, kind)
    for note in result.notes:
        number += 1
        put_cell(sheet, number, 1, _("Ghi chú"))
        put_cell(sheet, number, 2, note)


def _breakdown(sheet, breakdown, value_label: str) -> None:
    if breakdown.value_kind == "ratio":
        write_header(sheet, [_("Nhóm"), _("Số đạt"), _("Tổng số"), _("Tỷ lệ")], [50, 12, 12, 12])
        for number, row in enumerate(breakdown.rows, start=2):
            put_cell(sheet, number, 1, row.label)
            put_cell(sheet, number, 2, row.numerator, ColumnKind.INTEGER)
            put_cell(sheet, number, 3, row.denominator, ColumnKind.INTEGER)
            put_cell(sheet, number, 4, row.value, ColumnKind.RATIO)
        return
    cumulative = any(row.cumulative is not None for row in breakdown.rows)
    headers = [_("Nhóm"), value_label] + ([_("Lũy kế")] if cumulative else [])
    write_header(sheet, headers, [50, 16, 16][: len(headers)])
    for number, row in enumerate(breakdown.rows, start=2):
        put_cell(sheet, number, 1, row.label)
        put_cell(sheet, number, 2, row.value, ColumnKind.INTEGER)
        if cumulative:
            put_cell(sheet, number, 3, row.cumulative, ColumnKind.INTEGER)


def _actionable(sheet, listing) -> None:
    widths = {ColumnKind.TEXT: 36, ColumnKind.DATE: 14, ColumnKind.MONEY: 18}
    write_header(sheet, [str(c.label) for c in listing.columns],
                 [widths.get(c.kind, 14) for c in listing.columns])
    for number, row in enumerate(listing.rows, start=2):
        for index, column in enumerate(listing.columns, start=1):
            put_cell(sheet, number, index, row.get(column.key), column.kind)


def result_workbook(result: IndicatorResult) -> bytes:
    """The workbook of `result` (in Vietnamese whatever the user's language: the headers are the contract)."""
    with translation.override("vi"):
        workbook = Workbook()
        used: set[str] = set()
        summary = workbook.active
        summary.title = sheet_title(_("Tổng hợp"), used)
        _summary(summary, result)
        value_label = _("Số lượt người") if result.value_kind == "count" else _("Giá trị")
        for breakdown in result.breakdowns:
            _breakdown(workbook.create_sheet(sheet_title(breakdown.title, used)), breakdown, value_label)
        listing = result.actionable
        if listing is not None:
            _actionable(workbook.create_sheet(sheet_title(listing.title, used)), listing)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
