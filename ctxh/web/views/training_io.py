"""Pages: a session's attendance list in Excel (export, template, import with progress, near matches,
confirm).

The session is looked up through the training scope (Session.objects.for_user); importing needs a session
whose list the user's organizations keep (Session.objects.managed_by). Anything else answers 404.
"""

from django.http import Http404
from django.urls import path, reverse
from django.utils.translation import gettext as _
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
from ctxh.training import spreadsheets
from ctxh.training.models import Attendance, Session

JOB_URLS = JobUrls(
    page="web:training_attendance_import_job", progress="web:training_attendance_import_progress"
)


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
    return upload_page(
        request, kind=spreadsheets.KIND, handler=spreadsheets.HANDLER, urls=JOB_URLS,
        params={"session_id": session.pk}, template="web/training_io/import.html", session=session,
        url_template=reverse("web:training_attendance_import_template"),
    )


@require_http_methods(["GET", "POST"])
@capability_required(Capability.VIEW_TRAINING, Capability.CHANGE_TRAINING)
def attendance_import_job(request, pk: int):
    job = owned_job(request, pk, spreadsheets.KIND)
    session = _session(request, job.params.get("session_id"), manage=True)
    return job_page(
        request, job, urls=JOB_URLS, upload_url=reverse("web:training_attendance_import", args=[session.pk]),
        template="web/training_io/job.html", preview_limit=spreadsheets.PREVIEW_ROWS, session=session,
    )


@require_GET
@capability_required(Capability.VIEW_TRAINING, Capability.CHANGE_TRAINING)
def attendance_import_progress(request, pk: int):
    job = owned_job(request, pk, spreadsheets.KIND)
    return progress_response(request, job, **JOB_URLS.of(job))


urlpatterns = [
    path("lop/<int:session_pk>/xuat/", attendance_export, name="training_attendance_export"),
    path("lop/<int:session_pk>/nhap/", attendance_import, name="training_attendance_import"),
    path("mau-danh-sach-du-lop.xlsx", attendance_import_template, name="training_attendance_import_template"),
    path("nhap/<int:pk>/", attendance_import_job, name="training_attendance_import_job"),
    path("nhap/<int:pk>/tien-do/", attendance_import_progress, name="training_attendance_import_progress"),
]
