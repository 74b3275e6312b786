"""What the import pages of every kind share: finding the user's own job, and its progress (HTMX polling)."""

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from ctxh.imports.jobs import job_cancel, job_confirm, job_errors, job_run_now
from ctxh.imports.models import ImportJob, JobStatus
from ctxh.imports.spreadsheet import XLSX_CONTENT_TYPE

# A job still waiting after this long has not been taken by a background worker: offer to run it here.
WAITING_TOO_LONG = dt.timedelta(seconds=10)
RECENT_JOBS = 10


def capability_required(*capabilities):
    """Login first (redirect to the login page), then every capability (403 otherwise)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not all(request.user.can(c) for c in capabilities):
                raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))
            return view(request, *args, **kwargs)

        return login_required(wrapper)

    return decorator


def xlsx_attachment(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def owned_job(request, pk: int, kind: str) -> ImportJob:
    """The user's own job (without the file); anyone else's answers 404, like a job that does not exist."""
    try:
        return ImportJob.objects.defer("data").get(pk=pk, kind=kind, owner=request.user)
    except ImportJob.DoesNotExist as exc:
        raise Http404(_("Không tìm thấy lần nhập này.")) from exc


def recent_jobs(user, kind: str) -> list[ImportJob]:
    return list(ImportJob.objects.defer("data").filter(owner=user, kind=kind)[:RECENT_JOBS])


def is_waiting_too_long(job: ImportJob) -> bool:
    return (
        job.status in (JobStatus.PENDING, JobStatus.CONFIRMED)
        and timezone.now() - job.updated_at > WAITING_TOO_LONG
    )


def progress_context(job: ImportJob, *, page_url: str, progress_url: str) -> dict:
    return {
        "job": job,
        "page_url": page_url,
        "progress_url": progress_url,
        "waiting_too_long": is_waiting_too_long(job),
    }


def progress_response(request, job: ImportJob, *, page_url: str, progress_url: str) -> HttpResponse:
    """The progress bar while the job runs; once it has finished, HTMX reloads the whole page."""
    if not job.running:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(
        request, "imports/_progress.html", progress_context(job, page_url=page_url, progress_url=progress_url)
    )


def decisions_from(request, questions: list[dict]) -> tuple[dict[str, str], list[str]]:
    """The answers to the near matches ("new" or a candidate's id), and a message per unanswered question."""
    decisions, missing = {}, []
    for question in questions:
        allowed = {"new"} | {str(c["id"]) for c in question["candidates"]}
        answer = request.POST.get(f"decision-{question['key']}", "")
        if answer in allowed:
            decisions[question["key"]] = answer
        else:
            missing.append(
                _("Dòng %(rows)s (%(name)s): hãy chọn “cùng một người” hoặc “người mới”.")
                % {"rows": ", ".join(str(r) for r in question["rows"]), "name": question["name"]}
            )
    return decisions, missing


def handle_job_post(request, job: ImportJob, *, page_url: str, upload_url: str) -> HttpResponse | list[str]:
    """The job page's buttons: cancel, run now, confirm (with the decisions). A response, or the messages of
    the questions left unanswered (the page is shown again with them)."""
    action = request.POST.get("action", "")
    if action == "cancel":
        job_cancel(job=job)
        messages.info(request, _("Đã hủy lần nhập; không có dữ liệu nào được ghi."))
        return redirect(upload_url)
    if action == "run":
        job_run_now(job)
        return redirect(page_url)
    if action == "confirm":
        if job.status != JobStatus.VALIDATED:
            messages.warning(request, _("Lần nhập này không còn chờ xác nhận."))
            return redirect(page_url)
        decisions, missing = decisions_from(request, job.report.get("questions", []))
        if missing:
            return missing
        job_confirm(job=job, decisions=decisions)
    return redirect(page_url)


def job_context(
    request, job: ImportJob, *, page_url: str, progress_url: str, missing: list[str], preview_limit: int
) -> dict:
    report = job.report
    summary = report.get("summary", {})
    return {
        "job": job,
        "summary": summary,
        "errors": job_errors(job) if job.status in (JobStatus.INVALID, JobStatus.FAILED) else [],
        "preview_rows": report.get("rows", []),
        "more_rows": max(0, report.get("rows_total", 0) - preview_limit),
        "questions": report.get("questions", []),
        "answers": {
            key[len("decision-") :]: value
            for key, value in request.POST.items()
            if key.startswith("decision-")
        },
        "missing": missing,
        "filename": job.filename,
        **progress_context(job, page_url=page_url, progress_url=progress_url),
    }
