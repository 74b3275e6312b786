import datetime as dt
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from ctxh.imports.spreadsheet import (
    Column,
    ErrorReport,
    SheetSpec,
    SpreadsheetError,
    ValueKind,
    build_workbook,
    parse_row,
    read_rows,
)

SPEC = SheetSpec(
    title="Học viên",
    columns=(
        Column("code", "Mã học viên", ValueKind.CODE, required=True, width=12),
        Column("name", "Họ và tên", required=True, max_length=20, width=30),
        Column(
            "kind",
            "Đối tượng",
            ValueKind.CHOICE,
            choices=[("staff", "Cán bộ"), ("volunteer", "Cộng tác viên")],
        ),
        Column("born", "Ngày sinh", ValueKind.DATE),
        Column("note", "Ghi chú", header_optional=True),
        Column("extra", "Chỉ để đọc", read_only=True),
    ),
)
HEADERS = ["Mã học viên", "Họ và tên", "Đối tượng", "Ngày sinh", "Ghi chú"]


def xlsx(rows, merge: str | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def messages(excinfo) -> list[str]:
    return [str(e) for e in excinfo.value.errors]


def test_template_has_bold_frozen_headers_widths_and_drop_downs():
    workbook = load_workbook(io.BytesIO(build_workbook(SPEC)))
    sheet, lists = workbook.worksheets
    assert [c.value for c in sheet[1]] == HEADERS + ["Chỉ để đọc"]
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width == 30
    assert lists.title == "Danh mục"
    assert [c.value for c in lists["A"]] == ["Đối tượng", "Cán bộ", "Cộng tác viên"]
    (validation,) = sheet.data_validations.dataValidation
    assert validation.type == "list"
    assert str(validation.sqref).startswith("C2:C")
    assert validation.formula1 == "'Danh mục'!$A$2:$A$3"


def test_rows_are_written_with_labels_and_real_dates_shown_dd_mm_yyyy():
    data = build_workbook(
        SPEC, [{"code": "HV01", "name": "Lê Thị Hoa", "kind": "volunteer", "born": dt.date(1990, 3, 14)}]
    )
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert sheet["C2"].value == "Cộng tác viên"
    assert sheet["D2"].value == dt.datetime(1990, 3, 14)
    assert sheet["D2"].number_format == "DD/MM/YYYY"


def test_reading_skips_blank_rows_and_keeps_excel_row_numbers():
    data = xlsx([HEADERS, ["HV01", "Lê Thị Hoa"], [None, "  "], ["HV02", "Trần Văn Nam"]])
    rows = read_rows(data, SPEC)
    assert [(r.number, r.values["code"]) for r in rows] == [(2, "HV01"), (4, "HV02")]


def test_headers_match_ignoring_case_and_diacritics_and_optional_columns_may_be_absent():
    rows = read_rows(xlsx([["ma hoc vien", "HỌ VÀ TÊN", "Đối tượng", "Ngày sinh"], ["HV01", "Hoa"]]), SPEC)
    assert set(rows[0].values) == {"code", "name", "kind", "born"}


def test_an_empty_file_is_refused():
    with pytest.raises(SpreadsheetError) as excinfo:
        read_rows(b"", SPEC)
    assert messages(excinfo) == ["Tệp tải lên trống (0 byte)."]


def test_a_workbook_without_rows_is_refused():
    with pytest.raises(SpreadsheetError) as excinfo:
        read_rows(xlsx([]), SPEC)
    assert "dòng tiêu đề" in messages(excinfo)[0]
    with pytest.raises(SpreadsheetError) as excinfo:
        read_rows(xlsx([HEADERS]), SPEC)
    assert "không có dòng dữ liệu nào" in messages(excinfo)[0]


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.CTXH_IMPORT_MAX_BYTES = 1000
    with pytest.raises(SpreadsheetError) as excinfo:
        read_rows(xlsx([HEADERS, ["HV01", "Hoa"]]), SPEC)
    assert "vượt quá giới hạn" in messages(excinfo)[0]


def test_too_many_rows_are_refused(settings):
    settings.CTXH_IMPORT_MAX_ROWS = 2
    with pytest.raises(SpreadsheetError) as excinfo:
        read_rows(xlsx([HEADERS, ["A", "a"], ["B", "b"], ["C", "c"]]), SPEC)
    assert messages(excinfo) == ["Bảng tính có hơn 2 dòng dữ liệu; hãy chia thành nhiều tệp."]


def test_a_password_protected_or_old_xls_file_is_named_as_such():
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600
    with pytest.raises(SpreadsheetError) as excinfo:
        read_rows(ole2, SPEC)
    assert "bảo vệ bằng mật khẩu" in messages(excinfo)[0]
    assert ".xls" in messages(excinfo)[0]


@pytest.mark.parametrize("content", [b"ma,ten\nHV01,Hoa\n", b"PK\x03\x04 broken zip"])
def test_a_file_that_is_not_xlsx_is_refused(content):
    with pytest.raises(SpreadsheetError) as excinfo:
        read_rows(content, SPEC)
    assert "không phải là bảng tính Excel (.xlsx)" in messages(excinfo)[0]


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "xin chào")
    with pytest.raises(SpreadsheetError) as excinfo:
        read_rows(buffer.getvalue(), SPEC)
    assert "không phải là bảng tính Excel" in messages(excinfo)[0]


def test_missing_and_unknown_headers_are_named():
    with pytest.raises(SpreadsheetError) as excinfo:
        read_rows(xlsx([["Mã học viên", "Tên", "Đối tượng", "Ngày sinh"], ["HV01", "Hoa"]]), SPEC)
    text = messages(excinfo)
    assert text[0] == ("Dòng 1: thiếu cột “Họ và tên”. Hãy dùng đúng các tiêu đề của tệp mẫu.")
    assert text[1] == "Dòng 1, cột “Tên”: cột B có tiêu đề không có trong tệp mẫu."


def test_merged_cells_are_refused_with_their_place():
    data = xlsx([HEADERS, ["HV01", "Hoa"], ["HV02", "Nam"]], merge="A2:B2")
    with pytest.raises(SpreadsheetError) as excinfo:
        read_rows(data, SPEC)
    assert messages(excinfo) == [
        "Dòng 2, cột “Mã học viên”: ô gộp A2:B2 không được phép; "
        "hãy bỏ gộp ô (Merge & Center) rồi tải lên lại."
    ]


def test_cells_are_parsed_and_every_error_is_collected():
    data = xlsx(
        [
            HEADERS,
            ["HV01", "Lê Thị Hoa", "cong tac VIEN", "14/03/1990"],
            ["HV02", "Trần Văn Nam", "staff", dt.datetime(1985, 1, 2)],
            [None, "Một cái tên quá dài để vừa cột", "Khách", "31/02/1990"],
        ]
    )
    report = ErrorReport()
    first, second, third = (parse_row(SPEC, row, report) for row in read_rows(data, SPEC))
    assert first["kind"] == "volunteer" and first["born"] == dt.date(1990, 3, 14)
    assert second["kind"] == "staff" and second["born"] == dt.date(1985, 1, 2)
    assert [str(e) for e in report.sorted()] == [
        "Dòng 4, cột “Mã học viên”: hãy nhập giá trị (cột bắt buộc).",
        "Dòng 4, cột “Họ và tên”: dài 30 ký tự, tối đa 20.",
        "Dòng 4, cột “Đối tượng”: “Khách” không có trong danh mục (xem trang “Danh mục” của tệp mẫu).",
        "Dòng 4, cột “Ngày sinh”: “31/02/1990” không phải là ngày hợp lệ (định dạng ngày/tháng/năm, "
        "ví dụ 01/07/2025).",
    ]


def test_a_code_typed_as_a_number_keeps_its_digits():
    rows = read_rows(xlsx([HEADERS, [2200, "Hoa"]]), SPEC)
    assert parse_row(SPEC, rows[0], ErrorReport())["code"] == "2200"
