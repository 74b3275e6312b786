"""Pages: workers with positions in Excel (export, template, import with progress, near matches, confirm).

The import is an import job (ctxh.imports.jobs): the upload starts the check in the background and the job
page polls its progress; the checked file shows a preview and the near matches to decide; confirming writes
everything in one transaction (or nothing). A job is its owner's only: anyone else gets 404.
"""

from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from ctxh.accounts.roles import Capability
from ctxh.imports.web import (
    JobUrls,
    capability_required,
    job_page,
    owned_job,
    progress_response,
    upload_page,
    xlsx_attachment,
)
from ctxh.web.views.workforce import worker_list_queryset
from ctxh.workforce import spreadsheets
from ctxh.workforce.forms import WorkerFilterForm

PREVIEW_ROWS = spreadsheets.PREVIEW_ROWS
JOB_URLS = JobUrls(page="web:worker_import_job", progress="web:worker_import_progress")


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
    return upload_page(
        request, kind=spreadsheets.KIND, handler=spreadsheets.HANDLER, urls=JOB_URLS,
        template="web/workforce_io/import.html", url_template=reverse("web:worker_import_template"),
    )


@require_http_methods(["GET", "POST"])
@capability_required(Capability.VIEW_WORKFORCE, Capability.CHANGE_WORKFORCE)
def worker_import_job(request, pk: int):
    job = owned_job(request, pk, spreadsheets.KIND)
    return job_page(
        request, job, urls=JOB_URLS, upload_url=reverse("web:worker_import"),
        template="web/workforce_io/job.html", preview_limit=PREVIEW_ROWS,
    )


@require_GET
@capability_required(Capability.VIEW_WORKFORCE, Capability.CHANGE_WORKFORCE)
def worker_import_progress(request, pk: int):
    job = owned_job(request, pk, spreadsheets.KIND)
    return progress_response(request, job, **JOB_URLS.of(job))


urlpatterns = [
    path("xuat/", worker_export, name="worker_export"),
    path("nhap/", worker_import, name="worker_import"),
    path("nhap/mau.xlsx", worker_import_template, name="worker_import_template"),
    path("nhap/<int:pk>/", worker_import_job, name="worker_import_job"),
    path("nhap/<int:pk>/tien-do/", worker_import_progress, name="worker_import_progress"),
]
