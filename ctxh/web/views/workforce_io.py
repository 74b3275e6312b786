"""Pages: workers with positions in Excel (export, template, import with progress, near matches, confirm).

The import is an import job (ctxh.imports.jobs): the upload starts the check in the background and the job
page polls its progress; the checked file shows a preview and the near matches to decide; confirming writes
everything in one transaction (or nothing). A job is its owner's only: anyone else gets 404.
"""

from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from ctxh.accounts.roles import Capability
from ctxh.imports.jobs import job_start
from ctxh.imports.spreadsheet import SpreadsheetError, check_size
from ctxh.imports.web import (
    capability_required,
    handle_job_post,
    job_context,
    owned_job,
    progress_response,
    recent_jobs,
    xlsx_attachment,
)
from ctxh.orgs.forms import ImportUploadForm
from ctxh.web.views.workforce import worker_list_queryset
from ctxh.workforce import spreadsheets
from ctxh.workforce.forms import WorkerFilterForm

PREVIEW_ROWS = spreadsheets.PREVIEW_ROWS


@require_GET
@capability_required(Capability.VIEW_WORKFORCE, Capability.EXPORT_WORKFORCE)
def worker_export(request):
    """The worker list as filtered on its page (the same query string), in the import layout."""
    form = WorkerFilterForm(request.GET or None, user=request.user)
    workers = worker_list_queryset(user=request.user, filters=form.filters)
    content = spreadsheets.worker_export(
        user=request.user, workers=workers, show_cccd=request.user.can(Capability.CHANGE_WORKFORCE)
    )
    return xlsx_attachment(content, f"nguoi-lam-ctxh-{timezone.localdate():%Y%m%d}.xlsx")


@require_GET
@capability_required(Capability.VIEW_WORKFORCE, Capability.CHANGE_WORKFORCE)
def worker_import_template(request):
    return xlsx_attachment(spreadsheets.worker_import_template(), "mau-nhap-nguoi-lam-ctxh.xlsx")


@require_http_methods(["GET", "POST"])
@capability_required(Capability.VIEW_WORKFORCE, Capability.CHANGE_WORKFORCE)
def worker_import(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    errors = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            check_size(upload.size)  # before reading the file into memory
        except SpreadsheetError as exc:
            errors = exc.errors
        else:
            job = job_start(
                owner=request.user,
                kind=spreadsheets.KIND,
                handler=spreadsheets.HANDLER,
                filename=upload.name,
                data=upload.read(),
            )
            return redirect("web:worker_import_job", pk=job.pk)
    context = {
        "form": form,
        "errors": errors,
        "filename": form.files["file"].name if "file" in form.files else "",
        "jobs": recent_jobs(request.user, spreadsheets.KIND),
    }
    return render(request, "web/workforce_io/import.html", context)


def _urls(job) -> dict[str, str]:
    return {
        "page_url": reverse("web:worker_import_job", args=[job.pk]),
        "progress_url": reverse("web:worker_import_progress", args=[job.pk]),
    }


@require_http_methods(["GET", "POST"])
@capability_required(Capability.VIEW_WORKFORCE, Capability.CHANGE_WORKFORCE)
def worker_import_job(request, pk: int):
    job = owned_job(request, pk, spreadsheets.KIND)
    urls = _urls(job)
    missing: list[str] = []
    if request.method == "POST":
        outcome = handle_job_post(
            request, job, page_url=urls["page_url"], upload_url=reverse("web:worker_import")
        )
        if not isinstance(outcome, list):
            return outcome
        missing = outcome
    context = job_context(request, job, missing=missing, preview_limit=PREVIEW_ROWS, **urls)
    return render(request, "web/workforce_io/job.html", context)


@require_GET
@capability_required(Capability.VIEW_WORKFORCE, Capability.CHANGE_WORKFORCE)
def worker_import_progress(request, pk: int):
    job = owned_job(request, pk, spreadsheets.KIND)
    return progress_response(request, job, **_urls(job))


urlpatterns = [
    path("xuat/", worker_export, name="worker_export"),
    path("nhap/", worker_import, name="worker_import"),
    path("nhap/mau.xlsx", worker_import_template, name="worker_import_template"),
    path("nhap/<int:pk>/", worker_import_job, name="worker_import_job"),
    path("nhap/<int:pk>/tien-do/", worker_import_progress, name="worker_import_progress"),
]
