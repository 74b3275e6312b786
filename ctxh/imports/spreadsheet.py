"""A small, generic spreadsheet layer: templates, exports, and reading uploads into checked rows.

A `SheetSpec` lists the columns of one kind of spreadsheet (Vietnamese headers, value kinds, allowed
values). The same spec builds the downloadable template, writes exports (so an export can be imported back
unchanged) and reads uploads: `read_rows` refuses a file that cannot be read as a whole (empty, too large,
password-protected, not .xlsx, wrong headers, merged cells, too many rows) with `SpreadsheetError`, and
`parse_row` turns one row's cells into Python values, collecting every error with its row and column.

Apps build on it: orgs (organizations) first; workers, attendance and beneficiaries later.
"""

import datetime as dt
import io
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation

from ctxh.core.text import fold, nfc

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0"
DATE_FORMAT = "DD/MM/YYYY"
TEXT_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")
_MERGE_TAG = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}mergeCell"


class ValueKind(StrEnum):
    TEXT = "text"
    CODE = "code"  # text kept as typed: leading zeros matter ("02200")
    DATE = "date"
    CHOICE = "choice"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: ValueKind = ValueKind.TEXT
    required: bool = False
    choices: Sequence[tuple[str, str]] = ()  # (stored value, Vietnamese label)
    width: int = 18
    help: str = ""
    max_length: int | None = None
    header_optional: bool = False  # a file may leave this column out
    read_only: bool = False  # written by exports for the reader, ignored on import


@dataclass(frozen=True)
class SheetSpec:
    title: str
    columns: tuple[Column, ...]
    lists_title: str = "Danh mục"

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)


@dataclass(frozen=True)
class CellError:
    """One problem, located by spreadsheet row (1 = header) and column header; either may be absent."""

    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        if self.row and self.column:
            return _("Dòng %(row)s, cột “%(column)s”: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        if self.row:
            return _("Dòng %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        if self.column:
            return _("Cột “%(column)s”: %(message)s") % {"column": self.column, "message": self.message}
        return self.message


class SpreadsheetError(Exception):
    """The file as a whole cannot be imported; `errors` says why."""

    def __init__(self, errors: Iterable[CellError | str]):
        self.errors = [e if isinstance(e, CellError) else CellError(None, "", e) for e in errors]
        super().__init__("; ".join(str(e) for e in self.errors))


@dataclass
class ErrorReport:
    """Row-level errors collected while checking a whole file, so a person sees them all at once."""

    errors: list[CellError] = field(default_factory=list)

    def add(self, row: int | None, column: str, message: str) -> None:
        self.errors.append(CellError(row, column, message))

    def extend(self, errors: Iterable[CellError]) -> None:
        self.errors.extend(errors)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def __len__(self) -> int:
        return len(self.errors)

    def sorted(self) -> list[CellError]:
        return sorted(self.errors, key=lambda e: e.row or 0)

    def rows_with_errors(self) -> set[int]:
        return {e.row for e in self.errors if e.row}


@dataclass(frozen=True)
class Row:
    number: int  # the spreadsheet row number, as Excel shows it
    values: dict[str, Any]  # raw cell values of the columns present in the file, by column key


class CellValueError(ValueError):
    pass


# Reading ------------------------------------------------------------------------------------------------


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header_text(value: Any) -> str:
    return " ".join(str(value).split()).rstrip("*").strip() if value is not None else ""


def check_size(size: int, *, max_bytes: int | None = None) -> None:
    """Refuses an empty or oversized upload; call it with the upload's size before reading the file."""
    max_bytes = settings.CTXH_IMPORT_MAX_BYTES if max_bytes is None else max_bytes
    if not size:
        raise SpreadsheetError([_("Tệp tải lên trống (0 byte).")])
    if size > max_bytes:
        raise SpreadsheetError(
            [
                _("Tệp nặng %(size)s, vượt quá giới hạn %(limit)s cho một lần nhập.")
                % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes)}
            ]
        )


def read_rows(
    data: bytes, spec: SheetSpec, *, max_bytes: int | None = None, max_rows: int | None = None
) -> list[Row]:
    """The data rows of the first sheet of an .xlsx file (blank rows skipped), after checking the file."""
    max_rows = settings.CTXH_IMPORT_MAX_ROWS if max_rows is None else max_rows
    check_size(len(data), max_bytes=max_bytes)
    if data.startswith(OLE2_SIGNATURE):
        raise SpreadsheetError(
            [
                _(
                    "Tệp được bảo vệ bằng mật khẩu hoặc ở định dạng Excel cũ (.xls). Hãy gỡ mật khẩu "
                    "và lưu lại dưới dạng Sổ làm việc Excel (.xlsx) rồi tải lên lại."
                )
            ]
        )
    not_xlsx = _("Tệp không phải là bảng tính Excel (.xlsx). Hãy dùng tệp mẫu và lưu dưới dạng .xlsx.")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise SpreadsheetError([not_xlsx])
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors for a broken or foreign zip file
        raise SpreadsheetError([not_xlsx]) from exc
    try:
        if not workbook.worksheets:
            raise SpreadsheetError([not_xlsx])
        sheet = workbook.worksheets[0]
        try:
            return _read_sheet(sheet, spec, max_rows)
        except SpreadsheetError:
            raise
        except Exception as exc:  # a damaged sheet part
            raise SpreadsheetError([not_xlsx]) from exc
    finally:
        workbook.close()


def _read_sheet(sheet, spec: SheetSpec, max_rows: int) -> list[Row]:
    rows_iter = sheet.iter_rows(values_only=True)
    header = next(rows_iter, None)
    if header is None or all(_is_blank(v) for v in header):
        raise SpreadsheetError([_("Bảng tính trống: dòng 1 phải là dòng tiêu đề của tệp mẫu.")])
    positions = _match_headers(header, spec)
    merged = _merged_ranges(sheet)
    if merged:
        errors = []
        for ref in merged[:20]:
            first = ref.split(":")[0]
            col_letters = "".join(ch for ch in first if ch.isalpha())
            row_number = int("".join(ch for ch in first if ch.isdigit()) or 0)
            position = _column_index(col_letters) - 1
            column = positions.get(position)
            errors.append(
                CellError(
                    row_number,
                    column.header if column else col_letters,
                    _("ô gộp %(ref)s không được phép; hãy bỏ gộp ô (Merge & Center) rồi tải lên lại.")
                    % {"ref": ref},
                )
            )
        raise SpreadsheetError(errors)
    rows: list[Row] = []
    for number, values in enumerate(rows_iter, start=2):
        if all(_is_blank(v) for v in values):
            continue
        if len(rows) >= max_rows:
            raise SpreadsheetError(
                [
                    _("Bảng tính có hơn %(max)s dòng dữ liệu; hãy chia thành nhiều tệp.")
                    % {"max": number_format(max_rows, force_grouping=True)}
                ]
            )
        cells = {}
        for position, column in positions.items():
            if not column.read_only:
                cells[column.key] = values[position] if position < len(values) else None
        rows.append(Row(number, cells))
    if not rows:
        raise SpreadsheetError([_("Bảng tính không có dòng dữ liệu nào (chỉ có dòng tiêu đề).")])
    return rows


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters.upper():
        index = index * 26 + (ord(ch) - 64)
    return index


def _match_headers(header: Sequence[Any], spec: SheetSpec) -> dict[int, Column]:
    by_key = {fold(c.header): c for c in spec.columns}
    positions: dict[int, Column] = {}
    errors: list[CellError] = []
    seen: dict[str, int] = {}
    for position, value in enumerate(header):
        text = _header_text(value)
        if not text:
            continue
        letter = get_column_letter(position + 1)
        column = by_key.get(fold(text))
        if column is None:
            errors.append(
                CellError(
                    1, text, _("cột %(letter)s có tiêu đề không có trong tệp mẫu.") % {"letter": letter}
                )
            )
            continue
        if column.key in seen:
            errors.append(
                CellError(
                    1,
                    column.header,
                    _("tiêu đề lặp lại ở cột %(a)s và cột %(b)s.")
                    % {"a": get_column_letter(seen[column.key] + 1), "b": letter},
                )
            )
            continue
        seen[column.key] = position
        positions[position] = column
    missing = [c for c in spec.columns if c.key not in seen and not c.header_optional and not c.read_only]
    if missing:
        errors.insert(
            0,
            CellError(
                1,
                "",
                _("thiếu cột %(names)s. Hãy dùng đúng các tiêu đề của tệp mẫu.")
                % {"names": ", ".join(f"“{c.header}”" for c in missing)},
            ),
        )
    if errors:
        raise SpreadsheetError(errors)
    return positions


def _merged_ranges(sheet) -> list[str]:
    """Merged cell ranges of a read-only sheet, read from the sheet's XML (openpyxl skips them there)."""
    source = sheet._get_source()
    try:
        refs = []
        for _event, element in ET.iterparse(source):
            if element.tag == _MERGE_TAG:
                refs.append(element.get("ref", ""))
            element.clear()
        return refs
    finally:
        source.close()


# Cell values --------------------------------------------------------------------------------------------


def _text(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if isinstance(raw, dt.date):
        return raw.strftime("%d/%m/%Y")
    return nfc(str(raw))


def parse_date(raw: Any) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool) and 1 <= raw < 2958466:
        value = from_excel(raw)
        return value.date() if isinstance(value, dt.datetime) else value
    text = _text(raw)
    for fmt in TEXT_DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CellValueError(
        _("“%(value)s” không phải là ngày hợp lệ (định dạng ngày/tháng/năm, ví dụ 01/07/2025).")
        % {"value": text}
    )


def parse_choice(raw: Any, choices: Sequence[tuple[str, str]]) -> str:
    """A choice given by its label (case and diacritics ignored) or by its stored value.

    The label may be in any of the site's languages, not only the user's: a file filled in Vietnamese still
    imports when the user has switched the interface to English, and an export made in English imports for a
    user who reads Vietnamese.
    """
    text = _text(raw)
    key = fold(text)
    for value, label in choices:
        if key == fold(str(label)) or text == value or key == fold(value):
            return value
    for language, _name in settings.LANGUAGES:
        if language != translation.get_language():
            with translation.override(language):
                for value, label in choices:
                    if key == fold(str(label)):
                        return value
    raise CellValueError(
        _("“%(value)s” không có trong danh mục (xem trang “%(sheet)s” của tệp mẫu).")
        % {"value": text, "sheet": _("Danh mục")}
    )


def parse_value(column: Column, raw: Any) -> Any:
    """One cell as a Python value; blank is "" (or None for dates). Raises CellValueError."""
    if _is_blank(raw):
        if column.required:
            raise CellValueError(_("hãy nhập giá trị (cột bắt buộc)."))
        return None if column.kind == ValueKind.DATE else ""
    if column.kind == ValueKind.DATE:
        return parse_date(raw)
    if column.kind == ValueKind.CHOICE:
        return parse_choice(raw, column.choices)
    text = _text(raw)
    if column.max_length and len(text) > column.max_length:
        raise CellValueError(
            _("dài %(length)s ký tự, tối đa %(max)s.") % {"length": len(text), "max": column.max_length}
        )
    return text


def parse_row(spec: SheetSpec, row: Row, report: ErrorReport) -> dict[str, Any]:
    """The row's values by column key (only columns present in the file); errors go to `report`."""
    values: dict[str, Any] = {}
    for key, raw in row.values.items():
        column = spec.column(key)
        try:
            values[key] = parse_value(column, raw)
        except CellValueError as exc:
            report.add(row.number, column.header, str(exc))
    return values


# Writing ------------------------------------------------------------------------------------------------


def build_workbook(spec: SheetSpec, rows: Iterable[dict[str, Any]] = (), *, spare_rows: int = 1000) -> bytes:
    """An .xlsx of `rows` under the spec's headers (an empty template when there are none).

    Bold, frozen header row with help comments; column widths; dates as real dates shown dd/mm/yyyy;
    a second sheet lists the allowed values, and the choice columns get drop-downs from it.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = spec.title[:31]
    lists = workbook.create_sheet(spec.lists_title[:31])
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(spec.columns, start=1):
        cell = sheet.cell(row=1, column=index, value=str(column.header))
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        if column.help:
            cell.comment = Comment(str(column.help), "ctxh", width=300, height=120)
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        if column.kind in (ValueKind.CODE, ValueKind.TEXT):
            sheet.column_dimensions[letter].number_format = "@"
        elif column.kind == ValueKind.DATE:
            sheet.column_dimensions[letter].number_format = DATE_FORMAT
    sheet.freeze_panes = "A2"

    count = 0
    for count, values in enumerate(rows, start=1):
        for index, column in enumerate(spec.columns, start=1):
            value = values.get(column.key)
            if value is None or value == "":
                continue
            if column.kind == ValueKind.CHOICE:
                value = str(dict(column.choices).get(value, value))
            cell = sheet.cell(row=count + 1, column=index, value=value)
            if column.kind == ValueKind.DATE:
                cell.number_format = DATE_FORMAT
            elif column.kind in (ValueKind.CODE, ValueKind.TEXT):
                cell.number_format = "@"
    last_row = count + 1 + spare_rows

    list_column = 0
    for index, column in enumerate(spec.columns, start=1):
        if column.kind != ValueKind.CHOICE or column.read_only:
            continue
        list_column += 1
        list_letter = get_column_letter(list_column)
        head = lists.cell(row=1, column=list_column, value=str(column.header))
        head.font = bold
        head.fill = fill
        for offset, (_value, label) in enumerate(column.choices, start=2):
            lists.cell(row=offset, column=list_column, value=str(label))
        lists.column_dimensions[list_letter].width = max(
            24, max((len(str(lb)) for _v, lb in column.choices), default=10) + 2
        )
        validation = DataValidation(
            type="list",
            allow_blank=True,
            errorStyle="warning",
            showErrorMessage=True,
            formula1=f"'{lists.title}'!${list_letter}$2:${list_letter}${len(column.choices) + 1}",
            errorTitle=_("Giá trị ngoài danh mục"),
            error=_("Hãy chọn một giá trị trong danh mục (trang “%(sheet)s”).") % {"sheet": lists.title},
        )
        letter = get_column_letter(index)
        validation.add(f"{letter}2:{letter}{last_row}")
        sheet.add_data_validation(validation)
    lists.freeze_panes = "A2"

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
