"""An import job: one uploaded spreadsheet on its way from "checking" to "written".

The job keeps the file itself (so a background worker on another machine can read it), how far the check
has come (for the progress bar), and the report: row errors, the preview, the near matches waiting for a
person's decision. Only its owner ever sees it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    PENDING = "pending", _("Đang chờ xử lý")
    VALIDATING = "validating", _("Đang kiểm tra")
    VALIDATED = "validated", _("Đã kiểm tra, chờ xác nhận")
    INVALID = "invalid", _("Có lỗi, chưa ghi dữ liệu")
    CONFIRMED = "confirmed", _("Đã xác nhận, chờ ghi")
    APPLYING = "applying", _("Đang ghi")
    DONE = "done", _("Đã ghi dữ liệu")
    FAILED = "failed", _("Lỗi hệ thống, chưa ghi dữ liệu")
    CANCELLED = "cancelled", _("Đã hủy")


# A job in one of these states is being worked on: the page polls it.
RUNNING_STATUSES = frozenset(
    {JobStatus.PENDING, JobStatus.VALIDATING, JobStatus.CONFIRMED, JobStatus.APPLYING}
)


class ImportJob(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nhập"),
        on_delete=models.CASCADE,
        related_name="import_jobs",
    )
    kind = models.CharField(_("loại dữ liệu"), max_length=30)
    # Dotted path of the object that checks and applies this kind of file (ctxh.imports.jobs.ImportHandler).
    handler = models.CharField(max_length=200, editable=False)
    params = models.JSONField(default=dict, blank=True)  # e.g. the session an attendance list is for
    filename = models.CharField(_("tên tệp"), max_length=255)
    data = models.BinaryField(editable=False)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=JobStatus.choices, default=JobStatus.PENDING, db_index=True
    )
    total_rows = models.PositiveIntegerField(_("số dòng"), default=0)
    processed_rows = models.PositiveIntegerField(_("số dòng đã kiểm tra"), default=0)
    report = models.JSONField(default=dict, blank=True)
    decisions = models.JSONField(default=dict, blank=True)  # answers to the near matches, by person key
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("lần nhập dữ liệu")
        verbose_name_plural = _("lần nhập dữ liệu")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["owner", "kind", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind}: {self.filename} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status in (JobStatus.VALIDATED, JobStatus.CONFIRMED, JobStatus.APPLYING, JobStatus.DONE):
            return 100
        if not self.total_rows:
            return 0
        return min(100, self.processed_rows * 100 // self.total_rows)

    @property
    def running(self) -> bool:
        return self.status in RUNNING_STATUSES

    @property
    def errors(self) -> list[dict]:
        return self.report.get("errors", [])
