"""The home page: who you are, what you may see (your scope), shortcuts for your role, a few live counts."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ctxh.accounts.roles import Capability
from ctxh.web import selectors
from ctxh.web.navigation import Link, resolve_links

# Shortcuts on the home page, by capability; a page that does not exist (yet) is left out.
SHORTCUTS: list[Link] = [
    Link(_("Bảng điều khiển"), "web:dashboard", Capability.VIEW_INDICATORS,
         description=_("Các chỉ số của kế hoạch so với chỉ tiêu, xu hướng và từng xã, phường.")),
    Link(_("Tra cứu đơn vị hành chính"), "web:unit_list", Capability.VIEW_UNITS,
         description=_("Xã, phường, tỉnh theo từng thời điểm, trước và sau sắp xếp ngày 01/07/2025.")),
    Link(_("Danh sách tổ chức"), "web:org_list", Capability.VIEW_ORGS,
         description=_("Mạng lưới cơ sở cung cấp dịch vụ công tác xã hội trong phạm vi của bạn.")),
    Link(_("Thêm tổ chức"), "web:org_create", Capability.CHANGE_ORGS,
         description=_("Đăng ký một tổ chức mới vào mạng lưới.")),
    Link(_("Nhập tổ chức từ Excel"), "web:org_import", Capability.IMPORT_ORGS,
         description=_("Tải mẫu, điền và nhập nhiều tổ chức một lần.")),
    Link(_("Khóa đào tạo, tập huấn"), "web:training_course_list", Capability.VIEW_TRAINING,
         description=_("Các khóa, lớp và danh sách người dự; nhập danh sách dự lớp.")),
    Link(_("Chỉ số của kế hoạch"), "web:indicator_list", Capability.VIEW_INDICATORS,
         description=_("Tỷ lệ cơ sở có người làm CTXH, số lượt người được đào tạo, so với chỉ tiêu.")),
    Link(_("Quản lý người dùng"), "admin:accounts_user_changelist", Capability.MANAGE_USERS,
         description=_("Tạo tài khoản, gán vai trò và phạm vi, mở khóa tài khoản.")),
    Link(_("Trang quản trị"), "admin:index", Capability.MANAGE_USERS,
         description=_("Dữ liệu danh mục và nhật ký hệ thống.")),
]


@login_required
def home(request):
    user = request.user
    today = timezone.localdate()
    context = {
        "today": today,
        "scope": selectors.user_scope_summary(user),
        "shortcuts": resolve_links(SHORTCUTS, user),
    }
    if user.can(Capability.VIEW_ORGS):
        context["org_counts"] = selectors.organization_kind_counts(user=user, day=today)
        context["org_total"] = sum(count for _kind, _label, count in context["org_counts"])
    if user.can(Capability.VIEW_UNITS):
        context["unit_counts"] = selectors.level_counts(user=user, day=today)
    return render(request, "web/home.html", context)
