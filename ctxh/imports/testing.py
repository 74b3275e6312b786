"""Test helpers for spreadsheet imports: the header rows of the import templates, spelled out as a person
sees them (so that a changed layout fails a test), and workbooks and uploads built in memory."""

import io

from openpyxl import Workbook

WORKER_HEADERS = [
    "Họ và tên",
    "Giới tính",
    "Ngày sinh",
    "Dân tộc",
    "Số CCCD",
    "Điện thoại",
    "Trình độ CTXH",
    "Chức danh nghề nghiệp",
    "Mã tổ chức",
    "Loại cán bộ",
    "Hình thức",
    "Chức vụ",
    "Ngày bắt đầu",
    "Ngày kết thúc",
    "Phụ cấp hằng tháng (VND)",
    "Áp dụng phụ cấp từ ngày",
]
ATTENDANCE_HEADERS = [
    "Họ và tên",
    "Giới tính",
    "Năm sinh / Ngày sinh",
    "Số CCCD",
    "Mã tổ chức",
    "Tên tổ chức",
    "Chức vụ",
    "Hoàn thành",
    "Số chứng chỉ",
]


def xlsx(rows, headers: list[str], merge: str | None = None) -> bytes:
    """An .xlsx file: the header row, then `rows`; `merge` merges a range of cells (e.g. "A2:B2")."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for values in rows:
        sheet.append(values)
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
