"""Completeness and timeliness as an .xlsx workbook (openpyxl, like ctxh/indicators/exports.py): a summary
sheet and one row per commune. Vietnamese headers whatever the user's language; numbers stay numbers, rates
are percentages, dates are real dates shown dd/mm/yyyy."""

import io

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from ctxh.indicators.aggregate.selectors import Completeness, Expected, ReportStatus
from ctxh.indicators.exports import put_cell, sheet_title, write_header
from ctxh.indicators.results import ColumnKind


def completeness_workbook(result: Completeness) -> bytes:
    with translation.override("vi"):
        workbook = Workbook()
        used: set[str] = set()
        summary = workbook.active
        summary.title = sheet_title(_("Tổng hợp"), used)
        write_header(summary, [_("Mục"), _("Giá trị")], [40, 50])
        rows = [
            (_("Bộ số liệu"), f"{result.data_set.code} — {result.data_set.name}", ColumnKind.TEXT),
            (_("Kỳ báo cáo"), f"{result.period.label} ({result.period.code})", ColumnKind.TEXT),
            (_("Đơn vị"), f"{result.parent.label} ({result.parent.code})", ColumnKind.TEXT),
            (_("Đơn vị phải báo cáo"), str(Expected(result.expected_mode).label), ColumnKind.TEXT),
            (_("Hạn nộp đúng hạn"), result.timely_deadline, ColumnKind.DATE),
            (_("Số báo cáo phải nộp"), result.expected, ColumnKind.INTEGER),
            (_("Đã hoàn thành"), result.completed, ColumnKind.INTEGER),
            (_("Đúng hạn"), result.on_time, ColumnKind.INTEGER),
            (_("Muộn"), result.late, ColumnKind.INTEGER),
            (_("Chưa nộp (quá hạn)"), result.missing, ColumnKind.INTEGER),
            (_("Chưa nộp (chưa đến hạn)"), result.not_due, ColumnKind.INTEGER),
            (_("Tỷ lệ hoàn thành"), result.completed_rate, ColumnKind.RATIO),
            (_("Tỷ lệ đúng hạn"), result.on_time_rate, ColumnKind.RATIO),
        ]
        for number, (label, value, kind) in enumerate(rows, start=2):
            put_cell(summary, number, 1, label)
            put_cell(summary, number, 2, value, kind)

        sheet = workbook.create_sheet(sheet_title(_("Theo xã, phường"), used))
        write_header(sheet, [_("Mã"), _("Xã, phường"), _("Trực thuộc"), _("Tình trạng"), _("Ngày hoàn thành"),
                        _("Người hoàn thành"), _("Số ô đã nhập"), _("Phải nộp")],
                [10, 32, 28, 22, 16, 24, 12, 10])
        for number, unit in enumerate(result.rows, start=2):
            completed = timezone.localtime(unit.completed_at).date() if unit.completed_at else None
            put_cell(sheet, number, 1, unit.code)
            put_cell(sheet, number, 2, str(unit.label))
            put_cell(sheet, number, 3, unit.parent.name if unit.parent_id else "")
            put_cell(sheet, number, 4, str(ReportStatus(unit.status).label))
            put_cell(sheet, number, 5, completed, ColumnKind.DATE)
            put_cell(sheet, number, 6, unit.completed_by_name or "")
            sheet.cell(row=number, column=7, value=unit.values_count).number_format = "#,##0"
            put_cell(sheet, number, 8, _("Có") if unit.expected else _("Không"))
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
