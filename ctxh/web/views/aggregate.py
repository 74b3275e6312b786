"""Pages of aggregate reporting (/bao-cao-so-lieu/): choose a data set, period and unit; the entry form of a
unit (a table of elements x cells, with outlier flags, history, rules, completion); completeness and
timeliness of a province's communes (XLSX export); the province's reopening of entry; a cell's history.

Reading needs VIEW_INDICATORS, entering ENTER_AGGREGATE, reopening MANAGE_AGGREGATE; every unit is fetched
through `Unit.objects.for_user` (a unit out of scope answers 404). The logic is in
ctxh.indicators.aggregate (services to change, selectors to read).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from ctxh.accounts.roles import Capability
from ctxh.geo.models import Unit
from ctxh.imports.spreadsheet import XLSX_CONTENT_TYPE
from ctxh.indicators.aggregate import selectors, services
from ctxh.indicators.aggregate.exports import completeness_workbook
from ctxh.indicators.aggregate.forms import CompletenessForm, ReopenForm, ReportChoiceForm
from ctxh.indicators.aggregate.services import ValueInput
from ctxh.indicators.models import CategoryOptionCombo, DataSet, DataSetLockException
from ctxh.indicators.periods import Period
from ctxh.indicators.selectors import default_unit
from ctxh.web.decorators import capability_required

READ = Capability.VIEW_INDICATORS
ENTER = Capability.ENTER_AGGREGATE
MANAGE = Capability.MANAGE_AGGREGATE
PAGE_SIZE = 50


def _data_set(code: str) -> DataSet:
    data_set = DataSet.objects.filter(code=code, is_active=True).first()
    if data_set is None:
        raise Http404(_("Không có bộ số liệu mã “%(code)s”.") % {"code": code})
    return data_set


def _period(data_set: DataSet, code: str) -> Period:
    try:
        return selectors.data_set_period(data_set, code)
    except ValidationError as error:
        raise Http404(" ".join(error.messages)) from None


def _unit(request, pk: int) -> Unit:
    """A unit of the user's scope; any other answers 404 (a guessed URL reveals nothing)."""
    unit = Unit.objects.for_user(request.user).select_related("parent").filter(pk=pk).first()
    if unit is None:
        raise Http404(_("Không tìm thấy đơn vị hành chính."))
    return unit


def _is_number(text: str) -> bool:
    """Plain digits int() reads (isdigit() alone accepts "²", and int() refuses over 4,300 digits)."""
    return text.isascii() and text.isdigit() and len(text) <= 18


def _target(request, data_set: str, period: str, unit: int) -> tuple[DataSet, Period, Unit]:
    data_set = _data_set(data_set)
    period = _period(data_set, period)
    unit = _unit(request, unit)
    problem = selectors.unit_error(data_set, unit, period)
    if problem:
        raise Http404(problem)
    return data_set, period, unit


def form_url(data_set: DataSet, period: Period, unit: Unit) -> str:
    return reverse("web:aggregate_form", args=[data_set.code, period.code, unit.pk])


# --- choosing a form ---


@require_GET
@capability_required(READ)
@vary_on_headers("HX-Request")
def home(request):
    """The forms a user can open: the reporting units of the scope for a data set and period, searchable,
    with their status (entry open or locked, completed on time or late, number of values)."""
    today = timezone.localdate()
    form = ReportChoiceForm(request.GET, today=today)
    context = {"form": form, "data_set": form.data_set, "period": form.period,
               "can_enter": request.user.can(ENTER), "can_manage": request.user.can(MANAGE)}
    if form.data_set is not None:
        units = selectors.reporting_units(form.data_set, form.period, user=request.user)
        if form.search:
            units = units.search(form.search)
        units = selectors.annotate_reports(units, form.data_set, form.period, today)
        page = Paginator(units, PAGE_SIZE).get_page(request.GET.get("page"))
        statuses = selectors.entry_statuses(form.data_set, form.period, page.object_list, today)
        context |= {
            "page": page,
            "rows": [(unit, statuses[unit.pk], form_url(form.data_set, form.period, unit))
                     for unit in page.object_list],
            "timely_deadline": selectors.timely_deadline(form.data_set, form.period),
            "entry_deadline": selectors.entry_deadline(form.data_set, form.period),
        }
    if request.htmx and request.htmx.target == "unit-results":
        return render(request, "web/aggregate/home.html#results", context)
    return render(request, "web/aggregate/home.html", context)


# --- the entry form ---


def _cell_label_prefix(cell: selectors.FormCell) -> str:
    return services.cell_label(cell.element, cell.option.name, cell.option.code) + ": "


def _attach(entry: selectors.EntryForm, error: ValidationError) -> list[str]:
    """The service's messages next to their cells and rows; the others (period, unit, ...) on top."""
    cells, rows, top = entry.cells(), entry.rows(), []
    for key, found in error.message_dict.items():
        if key in cells:
            cell = cells[key]
            cell.errors += [message.removeprefix(_cell_label_prefix(cell)) for message in found]
        elif key in rows:
            rows[key].errors += found
        else:
            top += found
    return top


def _posted_values(request, entry: selectors.EntryForm) -> list[ValueInput]:
    """The cells whose text differs from the value shown when the form was read, each with the version read:
    a cell left alone is not sent (it cannot overwrite someone else's change)."""
    values = []
    for key, cell in entry.cells().items():
        name = f"v:{key}"
        if name not in request.POST:
            continue
        text = request.POST.get(name, "")
        original = request.POST.get(f"o:{key}", "")
        cell.entered = text
        if text.strip() == original.strip():
            continue
        version = request.POST.get(f"ver:{key}", "")
        values.append(ValueInput(cell.element.code, cell.option.code, text, comment=None,
                                 expected_version=int(version) if _is_number(version) else None))
    return values


def _render_form(request, entry: selectors.EntryForm, *, status: int = 200, **extra):
    can_enter = request.user.can(ENTER)
    context = {
        "entry": entry, "data_set": entry.data_set, "period": entry.period, "unit": entry.unit,
        "can_enter": can_enter, "editable": can_enter and entry.status.is_open,
        "form_url": form_url(entry.data_set, entry.period, entry.unit),
        "can_manage": request.user.can(MANAGE), **extra,
    }
    if request.htmx and request.htmx.target == "entry":
        return render(request, "web/aggregate/form.html#entry", context, status=200)
    return render(request, "web/aggregate/form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@capability_required(READ)
@vary_on_headers("HX-Request")
def entry_form(request, data_set: str, period: str, unit: int):
    data_set, period, unit = _target(request, data_set, period, unit)
    entry = selectors.entry_form(data_set=data_set, unit=unit, period_code=period)
    if request.method == "GET":
        return _render_form(request, entry)
    if not request.user.can(ENTER):
        raise PermissionDenied(_("Vai trò của bạn không có quyền nhập, sửa số liệu báo cáo."))
    values = _posted_values(request, entry)
    try:
        result = services.save_data_values(user=request.user, data_set=data_set, unit=unit,
                                           period_code=period.code, values=values, source="form")
    except ValidationError as error:
        top = _attach(entry, error)
        return _render_form(request, entry, status=400, errors=top, refused=True)
    # Saved: read the form again (new versions), with the warnings next to their rows.
    entry = selectors.entry_form(data_set=data_set, unit=unit, period_code=period)
    rows = entry.rows()
    for key, found in result.warnings_by_key.items():
        if key in rows:
            rows[key].warnings += found
    return _render_form(request, entry, saved=result)


@require_POST
@capability_required(ENTER)
def complete(request, data_set: str, period: str, unit: int):
    data_set, period, unit = _target(request, data_set, period, unit)
    errors = []
    try:
        services.complete_registration(request.user, data_set, unit, period.code)
    except ValidationError as error:
        errors = error.messages
    return _after_completion(request, data_set, period, unit, errors, _("Đã hoàn thành báo cáo."))


@require_POST
@capability_required(ENTER)
def uncomplete(request, data_set: str, period: str, unit: int):
    data_set, period, unit = _target(request, data_set, period, unit)
    errors = []
    try:
        services.uncomplete(request.user, data_set, unit, period.code)
    except ValidationError as error:
        errors = error.messages
    return _after_completion(request, data_set, period, unit, errors,
                             _("Đã bỏ đánh dấu hoàn thành: hãy sửa số liệu rồi hoàn thành lại."))


def _after_completion(request, data_set, period, unit, errors: list[str], done: str):
    if request.htmx:
        entry = selectors.entry_form(data_set=data_set, unit=unit, period_code=period)
        return _render_form(request, entry, errors=errors, notice="" if errors else done)
    for message in errors:
        messages.error(request, message)
    if not errors:
        messages.success(request, done)
    return redirect(form_url(data_set, period, unit))


@require_GET
@capability_required(READ)
def cell_history(request, data_set: str, period: str, unit: int, cell: str):
    data_set, period, unit = _target(request, data_set, period, unit)
    element_code, _sep, option_code = cell.partition(".")
    element = next((e for e in selectors.data_set_elements(data_set) if e.code == element_code), None)
    option = CategoryOptionCombo.objects.filter(code=option_code).first()
    if element is None or option is None or option.combo_id != element.category_combo_id:
        raise Http404(_("Không có ô “%(cell)s” trong bộ số liệu.") % {"cell": cell})
    audits, history = selectors.cell_history(element=element, option=option, unit=unit, period=period)
    context = {"data_set": data_set, "period": period, "unit": unit, "element": element, "option": option,
               "audits": audits, "history": history, "form_url": form_url(data_set, period, unit)}
    if request.htmx:
        return render(request, "web/aggregate/history.html#panel", context)
    return render(request, "web/aggregate/history.html", context)


# --- completeness and timeliness ---


def _completeness(request):
    today = timezone.localdate()
    form = CompletenessForm(request.GET, today=today, user=request.user,
                            default=default_unit(user=request.user, day=today))
    asked = request.GET.get("unit", "")
    if asked and not (_is_number(asked) and Unit.objects.for_user(request.user).filter(pk=asked).exists()):
        raise Http404(_("Không tìm thấy đơn vị hành chính."))
    sort = request.GET.get("sort", "name")
    sort = sort if sort in selectors.SORTS else "name"
    result = None
    if form.data_set is not None and form.unit is not None:
        result = selectors.completeness(form.data_set, form.period, form.unit, user=request.user, today=today,
                                        sort=sort, expected=form.expected)
    return form, result, sort


@require_GET
@capability_required(READ)
def completeness(request):
    form, result, sort = _completeness(request)
    query = request.GET.copy()
    query.pop("sort", None)
    context = {"form": form, "result": result, "sort": sort, "query": query.urlencode(),
               "data_set": form.data_set,
               "can_enter": request.user.can(ENTER), "can_manage": request.user.can(MANAGE),
               "export_query": request.GET.urlencode()}
    return render(request, "web/aggregate/completeness.html", context)


@require_GET
@capability_required(READ)
def completeness_export(request):
    form, result, _sort = _completeness(request)
    if result is None:
        raise Http404(_("Chưa chọn bộ số liệu hoặc đơn vị."))
    response = HttpResponse(completeness_workbook(result), content_type=XLSX_CONTENT_TYPE)
    name = f"tien-do-bao-cao-{result.data_set.code.lower()}-{result.period.code}-{result.parent.code}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- reopening entry ---


@require_http_methods(["GET", "POST"])
@capability_required(MANAGE)
def reopen(request):
    today = timezone.localdate()
    form = ReopenForm(request.POST or None, user=request.user, today=today, initial={
        "data_set": request.GET.get("data_set"), "period": request.GET.get("period"),
        "unit": request.GET.get("unit")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            opened = services.open_entry(request.user, data["data_set"], data["unit"], data["period"],
                                         data["open_until"], data["reason"])
        except ValidationError as error:
            for key, found in error.message_dict.items():
                for message in found:
                    form.add_error(key if key in form.fields else None, message)
        else:
            messages.success(request, _(
                "Đã mở lại nhập liệu %(period)s cho %(count)s đơn vị đến hết ngày %(day)s.") % {
                "period": data["period"], "count": len(opened),
                "day": data["open_until"].strftime("%d/%m/%Y")})
            return redirect(reverse("web:aggregate_reopen"))
    in_scope = Unit.objects.for_user(request.user).values("pk")
    reopenings = (DataSetLockException.objects.filter(Q(unit__in=in_scope) | Q(unit__isnull=True))
                  .select_related("data_set", "unit", "opened_by"))
    context = {"form": form, "reopenings": reopenings.order_by("-opened_at", "-pk")[:100], "today": today}
    return render(request, "web/aggregate/reopen.html", context, status=400 if form.errors else 200)


FORM = "<str:data_set>/<str:period>/<int:unit>/"
urlpatterns = [
    path("", home, name="aggregate_home"),
    path("tien-do/", completeness, name="aggregate_completeness"),
    path("tien-do/excel/", completeness_export, name="aggregate_completeness_export"),
    path("mo-khoa/", reopen, name="aggregate_reopen"),
    path(FORM, entry_form, name="aggregate_form"),
    path(FORM + "hoan-thanh/", complete, name="aggregate_complete"),
    path(FORM + "bo-hoan-thanh/", uncomplete, name="aggregate_uncomplete"),
    path(FORM + "lich-su/<str:cell>/", cell_history, name="aggregate_cell_history"),
]
