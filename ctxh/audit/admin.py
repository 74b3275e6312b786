"""The access log in the admin site (/quan-tri/audit/accesslog/): searchable, filterable, read only.

Only users with VIEW_ACCESS_LOG (system administrators) see it, after two-factor verification like the rest
of the admin site. Nobody may add, change or delete an entry here, superusers included. Reading the log is
itself logged (who looked at whose reads).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ctxh.accounts.roles import Capability
from ctxh.audit.models import AccessAction, AccessLog
from ctxh.audit.services import describe_filters, log_access


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ("at", "username", "action", "content_type", "object_label", "count", "ip_address", "path")
    list_filter = (
        "action",
        ("at", admin.DateFieldListFilter),
        ("user", admin.RelatedOnlyFieldListFilter),
        ("content_type", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("username", "object_label", "ip_address", "object_id")
    search_help_text = _("Tìm theo tên đăng nhập, tên bản ghi, mã bản ghi hoặc địa chỉ IP.")
    list_select_related = ("content_type",)
    list_per_page = 100
    show_full_result_count = False
    actions = None
    fields = (
        "at", "user", "username", "action", "content_type", "object_id", "object_label", "count",
        "object_ids", "object_ids_truncated", "description", "purpose", "ip_address", "user_agent", "method",
        "path",
    )
    readonly_fields = fields

    def has_module_permission(self, request) -> bool:
        return request.user.can(Capability.VIEW_ACCESS_LOG)

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.can(Capability.VIEW_ACCESS_LOG)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if response.status_code == 200 and hasattr(response, "context_data"):
            changelist = response.context_data["cl"]
            len(changelist.result_list)  # evaluate once: the template reuses the result
            action = AccessAction.SEARCH if changelist.query else AccessAction.LIST
            log_access(
                request_or_user=request, action=action, objects=changelist.result_list, model=AccessLog,
                count=changelist.result_count, description=describe_filters(request.GET),
            )
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        original = getattr(response, "context_data", {}).get("original")
        if response.status_code == 200 and original is not None:
            log_access(request_or_user=request, action=AccessAction.VIEW, obj=original)
        return response
