"""The dashboard (`/bang-dieu-khien/`): a programme's indicators against their targets for one unit and
period, the trend, and the table of the unit's subdivisions; the same query as an .xlsx
(`/bang-dieu-khien/excel/`).

Thin: the data comes from `ctxh.indicators.dashboard` (which reads the fact table). A unit outside the user's
scope answers 404; a role without VIEW_INDICATORS, 403.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ctxh.accounts.roles import Capability
from ctxh.geo.models import Unit
from ctxh.imports.spreadsheet import XLSX_CONTENT_TYPE
from ctxh.indicators import dashboard as selectors
from ctxh.indicators.progress import STATUS_STYLE, Status
from ctxh.indicators.registry import UnitNotAvailable
from ctxh.web.decorators import capability_required


def _cell_html(cell, estimate_title: str) -> str:
    evaluation = cell.evaluation
    estimate = f'<span class="ctxh-estimate" title="{estimate_title}">≈</span>' if cell.is_estimate else ""
    fraction = f'<span class="d-block small">{escape(cell.fraction)}</span>' if cell.fraction else ""
    return (f'<td class="text-end table-{evaluation.colour}" data-sort="{cell.sort_value}" '
            f'data-status="{evaluation.status}" data-code="{escape(cell.code)}">'
            f'<span class="fw-semibold">{escape(cell.display)}</span>{estimate}{fraction}'
            f'<span class="d-block small"><span aria-hidden="true">{evaluation.symbol}</span> '
            f'{escape(evaluation.label)}</span></td>')


def table_rows(board) -> SafeString:
    """The rows of the subdivisions table, written in one pass (every text escaped here): a province has
    hundreds of rows of four cells, which the template engine renders about ten times slower."""
    estimate_title = escape(_("Số liệu ước tính"))
    partly = escape(_("chỉ một phần đã nhập vào đơn vị đang xem"))
    partly = f'<span class="d-block small text-body-secondary">{partly}</span>'
    html = []
    for row in board.rows:
        unit = row.unit
        parent = escape(unit.parent.name) if unit.parent_id else ""
        cells = "".join(_cell_html(cell, estimate_title) for cell in row.cells)
        html.append(
            f'<tr data-testid="unit-row" data-unit="{unit.pk}">'
            f'<th scope="row" data-sort="{escape(unit.name)}">'
            f'<a href="{escape(row.url)}" data-testid="unit-link">{escape(str(unit.label))}</a>'
            f'{partly if row.partly else ""}</th>'
            f'<td data-sort="{unit.level}">{escape(row.level_label)}</td>'
            f'<td data-sort="{parent}">{parent}</td>{cells}</tr>')
    return mark_safe("\n".join(html))  # noqa: S308 (every value escaped above)


def unit_select_options(groups, selected: int) -> SafeString:
    """The unit select's options (hundreds for a province, with the old units), written in one pass."""
    chosen = str(selected)
    return format_html_join(
        "\n", '<optgroup label="{}">{}</optgroup>',
        ((label, format_html_join("", '<option value="{}"{}>{}</option>',
                                  ((value, mark_safe(" selected") if value == chosen else "", text)
                                   for value, text in options)))
         for label, options in groups))


def _board(request):
    today = timezone.localdate()
    try:
        query, errors = selectors.resolve_query(user=request.user, params=request.GET, today=today)
    except (UnitNotAvailable, selectors.ProgrammeNotAvailable) as exc:
        raise Http404(exc.message) from exc
    return selectors.build_dashboard(user=request.user, query=query, today=today), errors, today


@require_GET
@capability_required(Capability.VIEW_INDICATORS)
def dashboard(request):
    board, errors, today = _board(request)
    query = board.query
    # The legend, with how many cells of the table have each status ("▼ Chậm tiến độ: 12").
    counts = selectors.status_counts(board)
    statuses = [(status, Status(status).label, *STATUS_STYLE[status], counts.get(status, 0))
                for status in selectors.STATUS_ORDER]
    context = {
        "board": board,
        "errors": errors,
        "programmes": selectors.active_programmes(),
        "periods": selectors.period_options(today),
        "unit_options": unit_select_options(
            selectors.unit_options(user=request.user, query=query, today=today), query.unit.pk),
        "table_rows": table_rows(board),
        "geographies": selectors.GEOGRAPHIES,
        "statuses": statuses,
        "parent_url": (query.url(unit=query.unit.parent_id)
                       if query.unit.parent_id and _in_scope(request.user, query.unit.parent_id) else ""),
    }
    return render(request, "web/dashboard/dashboard.html", context)


def _in_scope(user, unit_id: int) -> bool:
    return Unit.objects.for_user(user).filter(pk=unit_id).exists()


@require_GET
@capability_required(Capability.VIEW_INDICATORS)
def dashboard_export(request):
    board, _errors, _today = _board(request)
    query = board.query
    response = HttpResponse(selectors.dashboard_workbook(board), content_type=XLSX_CONTENT_TYPE)
    name = f"bang-dieu-khien-{query.programme.code.lower()}-{query.unit.code}-{query.period.code}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("excel/", dashboard_export, name="dashboard_export"),
]
