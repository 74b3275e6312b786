"""Pages for organizations: list, detail, create, edit, close, Excel export and import.

Each view checks the login and the capability, reads through the selectors (Organization.objects.for_user)
and changes through the services; an organization outside the user's scope answers 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ctxh.accounts.roles import Capability
from ctxh.imports.spreadsheet import SpreadsheetError, check_size
from ctxh.imports.storage import UploadNotFound, discard_upload, load_upload, stash_upload, update_meta
from ctxh.imports.web import capability_required, xlsx_attachment
from ctxh.orgs.forms import (
    ImportUploadForm,
    OrganizationCloseForm,
    OrganizationFilterForm,
    OrganizationForm,
    date_value,
    unit_choices,
)
from ctxh.orgs.models import Organization
from ctxh.orgs.selectors import (
    organization_children,
    organization_counts,
    organization_detail,
    organization_history,
    organization_list,
    organization_locations,
    organization_predecessors,
    visible_ids,
)
from ctxh.orgs.services import (
    OrganizationConflict,
    organization_close,
    organization_create,
    organization_update,
)
from ctxh.orgs.spreadsheets import organization_export, organization_import, organization_import_template
from ctxh.web.forms import add_service_errors
from ctxh.web.views.workforce import organization_staff_context

PAGE_SIZE = 50
PREVIEW_ROWS = 500


def _get_organization(request, pk: int) -> Organization:
    try:
        return organization_detail(user=request.user, pk=pk)
    except Organization.DoesNotExist as exc:
        raise Http404(_("Không tìm thấy tổ chức.")) from exc


def _organization_form(request, *, instance=None) -> OrganizationForm:
    """The form, with the unit list refreshed (HTMX) when the start date changes."""
    form = OrganizationForm(request.POST or None, user=request.user, instance=instance)
    form.fields["valid_from"].widget.attrs.update(
        {
            "hx-get": reverse("web:org_unit_options"),
            "hx-target": "#id_unit",
            "hx-include": "[name='unit']",
            "hx-trigger": "change",
        }
    )
    return form


def _filters(request) -> tuple[OrganizationFilterForm, dict]:
    form = OrganizationFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return form, filters


@require_GET
@capability_required(Capability.VIEW_ORGS)
def org_list(request):
    form, filters = _filters(request)
    queryset = organization_list(user=request.user, filters=filters)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "counts": organization_counts(queryset),
        "query": query.urlencode(),
        "as_of": filters.get("as_of"),
        "can_change": request.user.can(Capability.CHANGE_ORGS),
        "can_export": request.user.can(Capability.EXPORT_ORGS),
        "can_import": request.user.can(Capability.IMPORT_ORGS) and request.user.can(Capability.CHANGE_ORGS),
    }
    if getattr(request, "htmx", False) and not request.htmx.boosted:
        return render(request, "web/orgs/list.html#results", context)
    return render(request, "web/orgs/list.html", context)


@require_GET
@capability_required(Capability.VIEW_ORGS)
def org_detail(request, pk: int):
    org = _get_organization(request, pk)
    predecessors = list(organization_predecessors(org))
    context = {
        "org": org,
        "locations": organization_locations(org),
        "children": organization_children(user=request.user, organization=org),
        "predecessors": predecessors,
        "history": organization_history(org),
        "linkable": visible_ids(user=request.user, organizations=[org.parent, org.successor, *predecessors]),
        "can_change": request.user.can(Capability.CHANGE_ORGS),
        "today": timezone.localdate(),
        **organization_staff_context(request, org),
    }
    return render(request, "web/orgs/detail.html", context)


@require_http_methods(["GET", "POST"])
@capability_required(Capability.VIEW_ORGS, Capability.CHANGE_ORGS)
def org_create(request):
    form = _organization_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            org = organization_create(user=request.user, **form.changes())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm tổ chức “%(name)s”.") % {"name": org.name})
            return redirect("web:org_detail", pk=org.pk)
    return render(request, "web/orgs/form.html", {"form": form, "org": None})


@require_http_methods(["GET", "POST"])
@capability_required(Capability.VIEW_ORGS, Capability.CHANGE_ORGS)
def org_edit(request, pk: int):
    org = _get_organization(request, pk)
    form = _organization_form(request, instance=org)
    if request.method == "POST" and form.is_valid():
        try:
            org = organization_update(
                user=request.user,
                organization=org,
                expected_version=form.cleaned_data["version"],
                **form.changes(),
            )
        except OrganizationConflict as exc:
            add_service_errors(form, exc)
            form.add_error(None, _("Hãy xem lại; bấm Lưu lần nữa nếu vẫn muốn ghi thay đổi của bạn."))
            form.data = form.data.copy()
            form.data["version"] = exc.organization.version
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu tổ chức “%(name)s”.") % {"name": org.name})
            return redirect("web:org_detail", pk=org.pk)
    return render(request, "web/orgs/form.html", {"form": form, "org": org})


@require_http_methods(["GET", "POST"])
@capability_required(Capability.VIEW_ORGS, Capability.CHANGE_ORGS)
def org_close(request, pk: int):
    org = _get_organization(request, pk)
    form = OrganizationCloseForm(request.POST or None, user=request.user, instance=org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org = organization_close(
                user=request.user,
                organization=org,
                valid_to=data["valid_to"],
                reason=data["reason"],
                successor=data["successor"],
                succession_note=data["succession_note"],
                expected_version=data["version"],
            )
        except OrganizationConflict as exc:
            add_service_errors(form, exc)
            form.data = form.data.copy()
            form.data["version"] = exc.organization.version
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Đã ghi nhận tổ chức “%(name)s” chấm dứt hoạt động từ ngày %(day)s.")
                % {"name": org.name, "day": org.valid_to.strftime("%d/%m/%Y")},
            )
            return redirect("web:org_detail", pk=org.pk)
    return render(request, "web/orgs/close.html", {"form": form, "org": org})


@require_GET
@capability_required(Capability.VIEW_ORGS)
def org_unit_options(request):
    """The <option>s of the unit select for the date in the form (HTMX, when the date changes)."""
    form = OrganizationForm(request.GET or None, user=request.user)
    day = date_value(form, "valid_from") or timezone.localdate()
    selected = request.GET.get("unit", "")
    choices = unit_choices(user=request.user, day=day)
    return render(request, "web/orgs/_unit_options.html", {"choices": choices, "selected": selected})


@require_GET
@capability_required(Capability.VIEW_ORGS, Capability.EXPORT_ORGS)
def org_export(request):
    _form, filters = _filters(request)
    content = organization_export(organization_list(user=request.user, filters=filters))
    return xlsx_attachment(content, f"to-chuc-{timezone.localdate():%Y%m%d}.xlsx")


@require_GET
@capability_required(Capability.IMPORT_ORGS)
def org_import_template(request):
    return xlsx_attachment(organization_import_template(), "mau-nhap-to-chuc.xlsx")


def _import_page(request, **context):
    context.setdefault("form", ImportUploadForm())
    outcome = context.get("outcome")
    if outcome is not None:
        context["preview_rows"] = [r for r in outcome.rows if r.action != "unchanged"][:PREVIEW_ROWS]
    return render(request, "web/orgs/import.html", context)


@require_http_methods(["GET", "POST"])
@capability_required(Capability.VIEW_ORGS, Capability.IMPORT_ORGS, Capability.CHANGE_ORGS)
def org_import(request):
    if request.method == "GET":
        return _import_page(request)
    action = request.POST.get("action", "check")
    if action in ("confirm", "cancel"):
        return _import_decide(request, action)
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, form=form)
    upload = form.cleaned_data["file"]
    try:
        check_size(upload.size)  # before reading the file into memory
        data = upload.read()
        outcome = organization_import(user=request.user, data=data, commit=False)
    except SpreadsheetError as exc:
        return _import_page(request, form=form, errors=exc.errors, filename=upload.name)
    if outcome.errors:
        return _import_page(request, form=form, errors=outcome.errors, filename=upload.name)
    token = stash_upload(
        user=request.user, data=data, meta={"filename": upload.name, "versions": outcome.versions}
    )
    return _import_page(request, outcome=outcome, token=token, filename=upload.name)


def _import_decide(request, action: str):
    token = request.POST.get("token", "")
    if action == "cancel":
        discard_upload(user=request.user, token=token)
        messages.info(request, _("Đã hủy lần nhập; không có dữ liệu nào được ghi."))
        return redirect("web:org_import")
    try:
        data, meta = load_upload(user=request.user, token=token)
    except UploadNotFound:
        messages.error(request, _("Tệp đã kiểm tra không còn (quá hạn hoặc đã dùng); hãy tải lên lại."))
        return redirect("web:org_import")
    filename = meta.get("filename", "")
    try:
        outcome = organization_import(
            user=request.user, data=data, commit=True, expected_versions=meta.get("versions") or {}
        )
    except SpreadsheetError as exc:
        discard_upload(user=request.user, token=token)
        return _import_page(request, errors=exc.errors, filename=filename)
    if outcome.errors:
        discard_upload(user=request.user, token=token)
        return _import_page(request, errors=outcome.errors, filename=filename)
    if outcome.stale:
        preview = organization_import(user=request.user, data=data, commit=False)
        update_meta(user=request.user, token=token, meta={**meta, "versions": preview.versions})
        return _import_page(request, outcome=preview, token=token, filename=filename, stale=outcome.stale)
    discard_upload(user=request.user, token=token)
    messages.success(
        request,
        _(
            "Đã nhập tệp “%(file)s”: %(created)s tổ chức thêm mới, %(updated)s cập nhật, "
            "%(unchanged)s không thay đổi."
        )
        % {
            "file": filename,
            "created": number_format(outcome.created, force_grouping=True),
            "updated": number_format(outcome.updated, force_grouping=True),
            "unchanged": number_format(outcome.unchanged, force_grouping=True),
        },
    )
    return redirect("web:org_list")


urlpatterns = [
    path("", org_list, name="org_list"),
    path("<int:pk>/", org_detail, name="org_detail"),
    path("them/", org_create, name="org_create"),
    path("<int:pk>/sua/", org_edit, name="org_edit"),
    path("<int:pk>/cham-dut/", org_close, name="org_close"),
    path("don-vi-theo-ngay/", org_unit_options, name="org_unit_options"),
    path("xuat-excel/", org_export, name="org_export"),
    path("nhap-excel/", org_import, name="org_import"),
    path("nhap-excel/mau.xlsx", org_import_template, name="org_import_template"),
]
