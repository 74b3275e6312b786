"""The access log (nhật ký truy cập): who read, listed, searched, exported or printed which sensitive records,
when, and from where.

Append-only at three levels, so that no path through the application can rewrite history:

1. the model refuses `save()` of an existing row and `delete()`, and its queryset refuses `update()` and
   `delete()` (they would bypass the model);
2. the admin page is read only, for everyone, superusers included (ctxh/audit/admin.py);
3. the database refuses UPDATE and DELETE on the table (triggers created by migration 0002, on PostgreSQL and
   on SQLite), so even raw SQL from the application fails.

A later migration that alters this table on SQLite rebuilds it (create, copy, drop, rename) and so drops its
triggers: such a migration must create them again (copy the SQLite operations of 0002). The tests that run raw
UPDATE and DELETE would catch the omission.

Rows are written by `ctxh.audit.services.log_access`. See docs/privacy.md.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccessLogIsAppendOnly(Exception):
    """An attempt to change or delete an access log entry (a programming error: nobody may do that)."""


class AccessAction(models.TextChoices):
    VIEW = "view", _("Xem chi tiết")
    LIST = "list", _("Xem danh sách")
    SEARCH = "search", _("Tìm kiếm")
    EXPORT = "export", _("Xuất tệp")
    PRINT = "print", _("In")
    IMPORT = "import", _("Nhập tệp")  # records written or matched by a spreadsheet import
    API_VIEW = "api_view", _("API: xem chi tiết")
    API_LIST = "api_list", _("API: danh sách")


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AccessLogIsAppendOnly("The access log is append-only: entries cannot be updated.")

    def delete(self):
        raise AccessLogIsAppendOnly("The access log is append-only: entries cannot be deleted.")

    # bulk_update() goes through update(); _raw_delete() is what the deletion collector uses for fast deletes.
    def _raw_delete(self, *args, **kwargs):
        raise AccessLogIsAppendOnly("The access log is append-only: entries cannot be deleted.")

    def _update(self, *args, **kwargs):
        raise AccessLogIsAppendOnly("The access log is append-only: entries cannot be updated.")


class AccessLog(models.Model):
    at = models.DateTimeField(_("thời điểm"), default=timezone.now, editable=False)
    # PROTECT: a user who has read sensitive data is disabled, never deleted (the log names them).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người dùng"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+", db_index=False,  # the (user, at) index serves
    )
    username = models.CharField(_("tên đăng nhập"), max_length=150, blank=True, help_text=_(
        "Bản sao tên đăng nhập lúc truy cập: vẫn đọc được nếu tài khoản đổi tên."
    ))
    action = models.CharField(_("thao tác"), max_length=20, choices=AccessAction.choices)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("loại dữ liệu"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_index=False,  # the (content_type, object_id) index serves
    )
    object_id = models.CharField(_("mã bản ghi"), max_length=64, blank=True)
    object_label = models.CharField(_("bản ghi"), max_length=255, blank=True)
    object_ids = models.JSONField(_("các mã bản ghi"), default=list, blank=True, help_text=_(
        "Danh sách, tìm kiếm, xuất tệp: mã của các bản ghi đã hiện hoặc đã xuất."
    ))
    object_ids_truncated = models.BooleanField(_("danh sách mã bị cắt bớt"), default=False)
    count = models.PositiveIntegerField(_("số bản ghi"), null=True, blank=True)
    description = models.TextField(_("mô tả"), blank=True)
    purpose = models.CharField(_("mục đích"), max_length=255, blank=True)
    ip_address = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    user_agent = models.CharField(_("trình duyệt"), max_length=512, blank=True)
    method = models.CharField(_("phương thức"), max_length=10, blank=True)
    path = models.CharField(_("đường dẫn"), max_length=2048, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("nhật ký truy cập")
        verbose_name_plural = _("nhật ký truy cập")
        ordering = ["-at", "-id"]
        # save() and related lookups go through the append-only queryset too.
        base_manager_name = "objects"
        # Django's default permissions are kept (the admin reads "view"); nobody gets add, change or delete
        # in practice: the admin refuses them and the model refuses the writes.
        indexes = [
            models.Index(fields=["user", "at"], name="audit_log_user_at"),
            models.Index(fields=["content_type", "object_id"], name="audit_log_object"),
            models.Index(fields=["at"], name="audit_log_at"),
        ]

    def __str__(self) -> str:
        subject = self.object_label or self.content_type
        return f"{self.username or '-'} · {self.get_action_display()} · {subject}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AccessLogIsAppendOnly("The access log is append-only: an entry cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AccessLogIsAppendOnly("The access log is append-only: an entry cannot be deleted.")
