"""What the import pages of every kind share: the upload page that starts a job, the job page (progress,
errors, preview, near matches, confirm), finding the user's own job, and its progress (HTMX polling).

A kind's views parse and authorize, then hand over to `upload_page`, `job_page` and `progress_response`; the
templates extend imports/upload_page.html and imports/job_page.html and fill in their own words and columns.
"""

import datetime as dt
from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ctxh.imports.jobs import job_cancel, job_confirm, job_errors, job_run_now, job_start
from ctxh.imports.models import ImportJob, JobStatus
from ctxh.imports.spreadsheet import XLSX_CONTENT_TYPE, SpreadsheetError, check_size
from ctxh.orgs.forms import ImportUploadForm

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


@dataclass(frozen=True)
class JobUrls:
    """The URL names of a kind's job page and of its progress fragment (both take the job's pk)."""

    page: str
    progress: str

    def of(self, job: ImportJob) -> dict[str, str]:
        return {
            "page_url": reverse(self.page, args=[job.pk]),
            "progress_url": reverse(self.progress, args=[job.pk]),
        }


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


def upload_page(
    request, *, kind: str, handler: str, urls: JobUrls, template: str, params: dict | None = None, **extra
) -> HttpResponse:
    """The upload page: a good upload starts a job of `kind` (with `params`) and goes to its page; otherwise
    the page again, with the form's errors or the file's, and the user's recent jobs with the same params."""
    params = params or {}
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
                owner=request.user, kind=kind, handler=handler, filename=upload.name, data=upload.read(),
                params=params,
            )
            return redirect(urls.page, pk=job.pk)
    jobs = [
        job for job in recent_jobs(request.user, kind)
        if all(job.params.get(key) == value for key, value in params.items())
    ]
    context = {
        "form": form,
        "errors": errors,
        "filename": form.files["file"].name if "file" in form.files else "",
        "jobs": jobs,
        "job_page": urls.page,
        **extra,
    }
    return render(request, template, context)


def job_page(
    request, job: ImportJob, *, urls: JobUrls, upload_url: str, template: str, preview_limit: int, **extra
) -> HttpResponse:
    """The job page: its buttons (see handle_job_post), then the progress, the errors or the preview."""
    missing: list[str] = []
    job_urls = urls.of(job)
    if request.method == "POST":
        outcome = handle_job_post(request, job, page_url=job_urls["page_url"], upload_url=upload_url)
        if not isinstance(outcome, list):
            return outcome
        missing = outcome
    context = job_context(request, job, missing=missing, preview_limit=preview_limit, **job_urls)
    return render(request, template, {**context, "upload_url": upload_url, **extra})
