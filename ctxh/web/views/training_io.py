"""Pages: a session's attendance list in Excel (export, template, import with progress, near matches,
confirm).

The session is looked up through the training scope (Session.objects.for_user); importing needs a session
whose list the user's organizations keep (Session.objects.managed_by). Anything else answers 404.
"""

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
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
from ctxh.training import spreadsheets
from ctxh.training.models import Attendance, Session


def _session(request, pk: int, *, manage: bool = False) -> Session:
    sessions = Session.objects.for_user(request.user)
    if manage:
        sessions = sessions.managed_by(request.user)
    try:
        return sessions.select_related("course").get(pk=pk)
    except Session.DoesNotExist as exc:
        raise Http404(_("Không tìm thấy lớp đào tạo.")) from exc


@require_GET
@capability_required(Capability.VIEW_TRAINING)
def attendance_export(request, session_pk: int):
    session = _session(request, session_pk)
    attendances = Attendance.objects.for_user(request.user).filter(session=session)
    content = spreadsheets.attendance_export(
        session=session, attendances=attendances, show_cccd=request.user.can(Capability.CHANGE_WORKFORCE)
    )
    return xlsx_attachment(content, f"danh-sach-du-lop-{session.pk}-{session.start_date:%Y%m%d}.xlsx")


@require_GET
@capability_required(Capability.VIEW_TRAINING, Capability.CHANGE_TRAINING)
def attendance_import_template(request):
    return xlsx_attachment(spreadsheets.attendance_import_template(), "mau-danh-sach-du-lop.xlsx")


@require_http_methods(["GET", "POST"])
@capability_required(Capability.VIEW_TRAINING, Capability.CHANGE_TRAINING)
def attendance_import(request, session_pk: int):
    session = _session(request, session_pk, manage=True)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    errors = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            check_size(upload.size)
        except SpreadsheetError as exc:
            errors = exc.errors
        else:
            job = job_start(
                owner=request.user,
                kind=spreadsheets.KIND,
                handler=spreadsheets.HANDLER,
                filename=upload.name,
                data=upload.read(),
                params={"session_id": session.pk},
            )
            return redirect("web:training_attendance_import_job", pk=job.pk)
    jobs = [
        j for j in recent_jobs(request.user, spreadsheets.KIND) if j.params.get("session_id") == session.pk
    ]
    context = {
        "session": session,
        "form": form,
        "errors": errors,
        "jobs": jobs,
        "filename": form.files["file"].name if "file" in form.files else "",
    }
    return render(request, "web/training_io/import.html", context)


def _urls(job) -> dict[str, str]:
    return {
        "page_url": reverse("web:training_attendance_import_job", args=[job.pk]),
        "progress_url": reverse("web:training_attendance_import_progress", args=[job.pk]),
    }


@require_http_methods(["GET", "POST"])
@capability_required(Capability.VIEW_TRAINING, Capability.CHANGE_TRAINING)
def attendance_import_job(request, pk: int):
    job = owned_job(request, pk, spreadsheets.KIND)
    session = _session(request, job.params.get("session_id"), manage=True)
    urls = _urls(job)
    missing: list[str] = []
    if request.method == "POST":
        upload_url = reverse("web:training_attendance_import", args=[session.pk])
        outcome = handle_job_post(request, job, page_url=urls["page_url"], upload_url=upload_url)
        if not isinstance(outcome, list):
            return outcome
        missing = outcome
    context = job_context(request, job, missing=missing, preview_limit=spreadsheets.PREVIEW_ROWS, **urls)
    context["session"] = session
    return render(request, "web/training_io/job.html", context)


@require_GET
@capability_required(Capability.VIEW_TRAINING, Capability.CHANGE_TRAINING)
def attendance_import_progress(request, pk: int):
    job = owned_job(request, pk, spreadsheets.KIND)
    return progress_response(request, job, **_urls(job))


urlpatterns = [
    path("lop/<int:session_pk>/xuat/", attendance_export, name="training_attendance_export"),
    path("lop/<int:session_pk>/nhap/", attendance_import, name="training_attendance_import"),
    path("mau-danh-sach-du-lop.xlsx", attendance_import_template, name="training_attendance_import_template"),
    path("nhap/<int:pk>/", attendance_import_job, name="training_attendance_import_job"),
    path("nhap/<int:pk>/tien-do/", attendance_import_progress, name="training_attendance_import_progress"),
]
