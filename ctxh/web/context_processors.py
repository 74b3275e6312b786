"""What every page's layout needs: the navigation for the user's role, and who is signed in."""

from django.utils.translation import gettext_lazy as _

from ctxh.accounts.roles import Capability
from ctxh.web.navigation import Link, resolve_links

# The main navigation, in display order. A module that adds a section adds one line here; a link whose URL
# name does not resolve (a section not built yet) is left out.
NAVIGATION: list[Link] = [
    Link(_("Trang chủ"), "web:home", exact=True),
    Link(_("Đơn vị hành chính"), "web:unit_list", Capability.VIEW_UNITS),
    Link(_("Tổ chức"), "web:org_list", Capability.VIEW_ORGS),
    Link(_("Nhân sự CTXH"), "web:worker_list", Capability.VIEW_WORKFORCE),
    Link(_("Đào tạo"), "web:training_course_list", Capability.VIEW_TRAINING),
    Link(_("Bảng điều khiển"), "web:dashboard", Capability.VIEW_INDICATORS),
    Link(_("Chỉ số"), "web:indicator_list", Capability.VIEW_INDICATORS),
    Link(_("Báo cáo số liệu"), "web:aggregate_home", Capability.VIEW_INDICATORS),
    Link(_("Trao đổi DHIS2"), "web:dhis2", Capability.MANAGE_AGGREGATE),
    Link(_("Hồ sơ trường hợp"), "web:case_list", Capability.VIEW_CASES),
    Link(_("Quản trị người dùng"), "admin:index", Capability.MANAGE_USERS),
]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    return {
        "nav_items": resolve_links(NAVIGATION, user, request.path),
        "user_role_label": user.get_role_display() if hasattr(user, "get_role_display") else "",
    }
