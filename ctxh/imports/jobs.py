"""Import jobs: check an uploaded spreadsheet in the background with progress, then apply it all or nothing.

The life of a job: `job_start` stores the file and queues the check (PENDING); the check claims the job
(VALIDATING), reads every row and writes how far it has come every few rows (the page polls this), and ends
INVALID (a report of row errors) or VALIDATED (a preview, and the near matches a person must decide). The
owner confirms (CONFIRMED, with the decisions) or cancels; the apply claims the job (APPLYING) and writes
everything in one transaction, through the domain services, ending DONE, or INVALID when anything fails
(nothing written), or VALIDATED again when the data changed since the check (a new preview).

The work runs as Django tasks (django.tasks): with the database backend (django-tasks-db) a separate
`manage.py db_worker` process runs them and the page shows live progress; with the immediate backend (tests,
or no worker) they run inside the request that starts them. Each step claims the job with a conditional
UPDATE, so a step never runs twice, whoever runs it. Progress is written in its own short statements,
outside the apply transaction.

What a kind of file does lives with its domain (ctxh.workforce.spreadsheets, ctxh.training.spreadsheets): an
object with `validate(job, progress) -> report` and `apply(job) -> (status, report)`, named by its dotted
path on the job, so that this module does not import the domain apps.
"""

import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from ctxh.imports.models import ImportJob, JobStatus
from ctxh.imports.spreadsheet import CellError, SpreadsheetError

logger = logging.getLogger(__name__)

# A checked file waits this long for its confirmation; then it is dropped.
CONFIRM_WINDOW = dt.timedelta(hours=24)


class Progress:
    """Records how many of `total` rows are done: at most every 1 % of the rows or every half second.

    Each write is its own UPDATE (autocommit), so another connection (the page polling) sees it at once.
    """

    def __init__(self, job_id: int, *, min_interval: float = 0.5):
        self.job_id = job_id
        self.total = 0
        self.done = 0
        self.min_interval = min_interval
        self._written_at = 0.0
        self._written_done = -1
        self._step = 1

    def start(self, total: int) -> None:
        self.total = total
        self.done = 0
        self._step = max(1, total // 100)
        self._write()

    def advance(self, count: int = 1) -> None:
        self.done = min(self.total, self.done + count)
        if (
            self.done - self._written_done >= self._step
            or time.monotonic() - self._written_at >= self.min_interval
        ):
            self._write()

    def finish(self) -> None:
        self.done = self.total
        self._write()

    def _write(self) -> None:
        ImportJob.objects.filter(pk=self.job_id).update(total_rows=self.total, processed_rows=self.done)
        self._written_at = time.monotonic()
        self._written_done = self.done


class ImportHandler(Protocol):
    def validate(self, job: ImportJob, progress: Progress) -> dict[str, Any]:
        """The report of the check: "errors" (a list of row errors; empty when the file can be applied) and
        whatever the preview needs. Raises SpreadsheetError when the file as a whole is unreadable."""

    def apply(self, job: ImportJob) -> tuple[str, dict[str, Any]]:
        """Write everything in one transaction, or nothing: (DONE | INVALID | VALIDATED, report)."""


def error_dicts(errors) -> list[dict[str, Any]]:
    return [{"row": e.row, "column": str(e.column), "message": str(e.message)} for e in errors]


def job_errors(job: ImportJob) -> list[CellError]:
    return [CellError(e.get("row"), e.get("column", ""), e.get("message", "")) for e in job.errors]


def _claim(job_id: int, before: str, after: str) -> bool:
    return (
        ImportJob.objects.filter(pk=job_id, status=before).update(status=after, updated_at=timezone.now())
        == 1
    )


def _finish(job: ImportJob, status: str, report: dict[str, Any]) -> None:
    job.status = status
    job.report = report
    fields = ["status", "report", "updated_at"]
    if status in (JobStatus.DONE, JobStatus.INVALID, JobStatus.FAILED, JobStatus.CANCELLED):
        job.finished_at = timezone.now()
        job.data = b""  # the file is not needed any more; a corrected file is a new job
        fields += ["finished_at", "data"]
    job.save(update_fields=fields)


def _failure_report() -> dict[str, Any]:
    return {
        "errors": [
            {
                "row": None,
                "column": "",
                "message": _(
                    "Có lỗi hệ thống khi xử lý tệp; chưa có dữ liệu nào được ghi. Hãy thử lại sau "
                    "hoặc báo quản trị hệ thống."
                ),
            }
        ]
    }


def _job_language(job: ImportJob) -> str:
    return job.params.get("language") or settings.LANGUAGE_CODE


def job_validate(job_id: int) -> None:
    """Check a PENDING job's file (the task body; also callable directly)."""
    if not _claim(job_id, JobStatus.PENDING, JobStatus.VALIDATING):
        return
    job = ImportJob.objects.get(pk=job_id)
    progress = Progress(job_id)
    with translation.override(_job_language(job)):
        try:
            handler: ImportHandler = import_string(job.handler)
            report = handler.validate(job, progress)
        except SpreadsheetError as exc:
            _finish(job, JobStatus.INVALID, {"errors": error_dicts(exc.errors)})
            return
        except Exception:
            logger.exception("Import job %s: the check failed", job_id)
            _finish(job, JobStatus.FAILED, _failure_report())
            return
    progress.finish()
    job.refresh_from_db(fields=["total_rows", "processed_rows"])
    _finish(job, JobStatus.INVALID if report.get("errors") else JobStatus.VALIDATED, report)


def job_apply(job_id: int) -> None:
    """Apply a CONFIRMED job (the task body; also callable directly)."""
    if not _claim(job_id, JobStatus.CONFIRMED, JobStatus.APPLYING):
        return
    job = ImportJob.objects.get(pk=job_id)
    with translation.override(_job_language(job)):
        try:
            handler: ImportHandler = import_string(job.handler)
            status, report = handler.apply(job)
        except SpreadsheetError as exc:
            status, report = JobStatus.INVALID, {"errors": error_dicts(exc.errors)}
        except Exception:
            logger.exception("Import job %s: the apply failed", job_id)
            status, report = JobStatus.FAILED, _failure_report()
    _finish(job, status, report)


@task
def validate_import(job_id: int) -> None:
    job_validate(job_id)


@task
def apply_import(job_id: int) -> None:
    job_apply(job_id)


def _enqueue(step: Callable, job_id: int) -> None:
    try:
        step.enqueue(job_id)
    except Exception:
        # The queue is unreachable: do the work here rather than leave the job waiting for ever.
        logger.exception("Import job %s: could not queue the task; running it in the request", job_id)
        (job_validate if step is validate_import else job_apply)(job_id)


def purge_stale_jobs() -> None:
    """Drop the files of checked jobs nobody confirmed within CONFIRM_WINDOW."""
    cutoff = timezone.now() - CONFIRM_WINDOW
    ImportJob.objects.filter(
        status__in=[JobStatus.VALIDATED, JobStatus.INVALID], updated_at__lt=cutoff
    ).update(status=JobStatus.CANCELLED, data=b"", finished_at=timezone.now())


def job_start(
    *, owner, kind: str, handler: str, filename: str, data: bytes, params: dict[str, Any] | None = None
) -> ImportJob:
    """Store the upload as a new job and queue its check."""
    purge_stale_jobs()
    # The report is written in the language of the person who uploaded, whoever runs the job.
    params = {"language": translation.get_language() or settings.LANGUAGE_CODE, **(params or {})}
    job = ImportJob.objects.create(
        owner=owner, kind=kind, handler=handler, filename=filename[:255], data=data, params=params
    )
    _enqueue(validate_import, job.pk)
    job.refresh_from_db()
    return job


def job_run_now(job: ImportJob) -> None:
    """Run a job's waiting step in this process (when no background worker has taken it)."""
    if job.status == JobStatus.PENDING:
        job_validate(job.pk)
    elif job.status == JobStatus.CONFIRMED:
        job_apply(job.pk)
    job.refresh_from_db()


def job_confirm(*, job: ImportJob, decisions: dict[str, str]) -> bool:
    """Queue the apply of a VALIDATED job with the owner's decisions; False if it is not waiting any more."""
    with transaction.atomic():
        updated = ImportJob.objects.filter(pk=job.pk, status=JobStatus.VALIDATED).update(
            status=JobStatus.CONFIRMED, decisions=decisions, updated_at=timezone.now()
        )
    if not updated:
        return False
    _enqueue(apply_import, job.pk)
    job.refresh_from_db()
    return True


def job_cancel(*, job: ImportJob) -> bool:
    updated = ImportJob.objects.filter(
        pk=job.pk, status__in=[JobStatus.PENDING, JobStatus.VALIDATED, JobStatus.INVALID]
    ).update(status=JobStatus.CANCELLED, data=b"", finished_at=timezone.now(), updated_at=timezone.now())
    job.refresh_from_db()
    return bool(updated)
