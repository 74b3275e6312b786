"""Pages: the plan's indicators (list, one page per indicator, XLSX export).

Every value comes from `ctxh.indicators.registry.indicator_value`, which checks the capability and the
scope; a unit outside the user's scope answers 404.
"""

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ctxh.accounts.roles import Capability
from ctxh.geo.models import Unit
from ctxh.imports.spreadsheet import XLSX_CONTENT_TYPE
from ctxh.indicators import registry
from ctxh.indicators.access import log_people_listed
from ctxh.indicators.exports import result_workbook
from ctxh.indicators.forms import IndicatorQueryForm, IndicatorUnitForm
from ctxh.indicators.registry import (
    Indicator,
    UnitNotAvailable,
    UnknownIndicator,
    get_indicator,
    indicator_value,
)
from ctxh.indicators.selectors import default_unit
from ctxh.web.decorators import capability_required

PAGE_SIZE = 50


def _indicator(code: str) -> Indicator:
    try:
        return get_indicator(code)
    except UnknownIndicator as exc:
        raise Http404(exc.message) from exc


def _check_unit_param(request) -> None:
    """A unit id that is not in the user's scope answers 404, like a guessed URL of any other page."""
    value = request.GET.get("unit", "")
    if value and (not value.isdigit() or not Unit.objects.for_user(request.user).filter(pk=value).exists()):
        raise Http404(_("Không tìm thấy đơn vị hành chính."))


def _query(request, indicator: Indicator):
    """The form, and the result when the form is valid (or the message that explains why there is none)."""
    _check_unit_param(request)
    today = timezone.localdate()
    form = IndicatorQueryForm(request.GET, user=request.user, indicator=indicator, today=today)
    result, error = None, ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = indicator_value(indicator.code, unit=data["unit"], period=data["period"],
                                     user=request.user, today=today)
        except UnitNotAvailable as exc:
            raise Http404(exc.message) from exc
        except ValidationError as exc:
            error = " ".join(exc.messages)
    return form, result, error


@require_GET
@capability_required(Capability.VIEW_INDICATORS)
def indicator_list(request):
    """Each indicator's current value (STAFFING today, TRAINING in the current phase) for the top of the
    user's scope, or the unit chosen."""
    _check_unit_param(request)
    today = timezone.localdate()
    chosen = request.GET.get("unit", "")
    unit = (Unit.objects.for_user(request.user).filter(pk=chosen).first() if chosen
            else default_unit(user=request.user, day=today))
    rows = []
    for indicator in registry.indicator_list():
        result, error = None, ""
        period = indicator.default_period(today)
        if unit is not None:
            try:
                result = indicator_value(indicator.code, unit=unit, period=period, user=request.user,
                                         today=today)
            except ValidationError as exc:
                error = " ".join(exc.messages)
        rows.append({"indicator": indicator, "period": period, "result": result, "error": error})
    form = IndicatorUnitForm(user=request.user, today=today, unit=unit)
    context = {"unit": unit, "rows": rows, "today": today, "form": form}
    return render(request, "web/indicators/list.html", context)


@require_GET
@capability_required(Capability.VIEW_INDICATORS)
def indicator_detail(request, code: str):
    indicator = _indicator(code)
    form, result, error = _query(request, indicator)
    context = {"indicator": indicator, "form": form, "result": result, "error": error,
               "query": request.GET.urlencode()}
    if result is not None:
        listing = result.actionable
        log_people_listed(request, result)
        context["listing"] = listing
        context["page"] = Paginator(listing.rows, PAGE_SIZE).get_page(request.GET.get("page"))
        year = result.breakdown("year")
        if year is not None:
            context["chart"] = {
                "labels": [row.label for row in year.rows],
                "counts": [row.value for row in year.rows],
                "cumulative": [row.cumulative for row in year.rows],
                "target": result.target.value if result.target else None,
                "names": {"count": _("Số lượt người trong năm"), "cumulative": _("Lũy kế từ đầu giai đoạn"),
                          "target": _("Chỉ tiêu giai đoạn")},
            }
    return render(request, "web/indicators/detail.html", context)


@require_GET
@capability_required(Capability.VIEW_INDICATORS)
def indicator_export(request, code: str):
    indicator = _indicator(code)
    form, result, error = _query(request, indicator)
    if result is None:
        context = {"indicator": indicator, "form": form, "result": None,
                   "error": error or _("Chưa xuất được: hãy sửa các lỗi bên dưới."), "query": ""}
        return render(request, "web/indicators/detail.html", context, status=400)
    content = result_workbook(result)
    log_people_listed(request, result, export=True)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    name = f"chi-so-{indicator.code.lower()}-{result.unit.code}-{result.period.code}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


urlpatterns = [
    path("", indicator_list, name="indicator_list"),
    path("<str:code>/", indicator_detail, name="indicator_detail"),
    path("<str:code>/excel/", indicator_export, name="indicator_export"),
]
