"""Pages: beneficiary lists in Excel (export of the person list, template, import with progress, near
matches, confirm).

The export is the person list as filtered on its page (the same query string), in the import's layout so
that it imports back unchanged; sensitive cells are masked for a role that may not see them, and every export
is written to the access log with the ids it holds.

The import is an import job (ctxh.imports.jobs), like the workers import: the upload starts the check, the
job page shows the preview and the near matches to decide; confirming writes everything in one transaction
(or nothing). A job is its owner's only: anyone else gets 404.
"""

from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ctxh.accounts.roles import Capability
from ctxh.audit.services import log_export
from ctxh.cases import spreadsheets
from ctxh.cases.models import Person
from ctxh.imports.web import (
    JobUrls,
    capability_required,
    job_page,
    owned_job,
    progress_response,
    upload_page,
    xlsx_attachment,
)
from ctxh.web.views.cases_people import person_filters

JOB_URLS = JobUrls(page="web:beneficiary_import_job", progress="web:beneficiary_import_progress")


@require_GET
@capability_required(Capability.VIEW_CASES, Capability.EXPORT_CASES)
def beneficiary_export(request):
    _form, people, _searching = person_filters(request)
    result = spreadsheets.beneficiary_export(user=request.user, people=people)
    log_export(request_or_user=request, objects=result.person_ids, model=Person,
               count=len(result.person_ids), description=_("Danh sách đối tượng"))
    return xlsx_attachment(result.content, f"danh-sach-doi-tuong-{timezone.localdate():%Y%m%d}.xlsx")


@require_GET
@capability_required(Capability.VIEW_CASES, Capability.CHANGE_CASES)
def beneficiary_import_template(request):
    return xlsx_attachment(spreadsheets.beneficiary_import_template(), "mau-nhap-danh-sach-doi-tuong.xlsx")


@require_http_methods(["GET", "POST"])
@capability_required(Capability.VIEW_CASES, Capability.CHANGE_CASES)
def beneficiary_import(request):
    return upload_page(
        request, kind=spreadsheets.KIND, handler=spreadsheets.HANDLER, urls=JOB_URLS,
        template="web/cases_io/import.html", url_template=reverse("web:beneficiary_import_template"),
    )


@require_http_methods(["GET", "POST"])
@capability_required(Capability.VIEW_CASES, Capability.CHANGE_CASES)
def beneficiary_import_job(request, pk: int):
    job = owned_job(request, pk, spreadsheets.KIND)
    return job_page(
        request, job, urls=JOB_URLS, upload_url=reverse("web:beneficiary_import"),
        template="web/cases_io/job.html", preview_limit=spreadsheets.PREVIEW_ROWS,
    )


@require_GET
@capability_required(Capability.VIEW_CASES, Capability.CHANGE_CASES)
def beneficiary_import_progress(request, pk: int):
    job = owned_job(request, pk, spreadsheets.KIND)
    return progress_response(request, job, **JOB_URLS.of(job))


urlpatterns = [
    path("xuat/", beneficiary_export, name="beneficiary_export"),
    path("nhap/", beneficiary_import, name="beneficiary_import"),
    path("nhap/mau.xlsx", beneficiary_import_template, name="beneficiary_import_template"),
    path("nhap/<int:pk>/", beneficiary_import_job, name="beneficiary_import_job"),
    path("nhap/<int:pk>/tien-do/", beneficiary_import_progress, name="beneficiary_import_progress"),
]
