"""The administration site (/quan-tri/): for system administrators only, always after two-factor verification.

Installed in settings as the default admin site (INSTALLED_APPS names `ctxh.accounts.admin_site.AdminConfig`
instead of `django.contrib.admin`), so every app's `admin.site.register(...)` lands here.
"""

from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ctxh.accounts.roles import Role


def may_administer(user) -> bool:
    """Is this user allowed into the admin at all (before two-factor verification)?"""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    return user.is_superuser or user.role == Role.ADMIN


def can_use_admin(user) -> bool:
    """Active staff with the administrator role (or superusers) who have confirmed a one-time code."""
    is_verified = getattr(user, "is_verified", None)
    return may_administer(user) and bool(is_verified and is_verified())


class CodedAutocompleteView(AutocompleteJsonView):
    """Search results show the code and the validity: two generations of a commune may share a name."""

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        code = getattr(obj, "code", None)
        if code:
            result["text"] = f"{code} – {getattr(obj, 'label', None) or obj}"
        return result


class CtxhAdminSite(admin.AdminSite):
    site_header = _("Quản trị ctxh")
    site_title = _("Quản trị ctxh")
    index_title = _("Quản trị hệ thống")

    def has_permission(self, request) -> bool:
        return can_use_admin(request.user)

    def autocomplete_view(self, request):
        return CodedAutocompleteView.as_view(admin_site=self)(request)

    def login(self, request, extra_context=None):
        """No log-in form of its own: the site's log-in page (with lock-out), then the two-factor page."""
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index", current_app=self.name)
        query = urlencode({REDIRECT_FIELD_NAME: next_url})
        if not request.user.is_authenticated:
            return redirect(f"{reverse('accounts:login')}?{query}")
        if may_administer(request.user) and not request.user.is_verified():
            return redirect(f"{reverse('accounts:two_factor')}?{query}")
        raise PermissionDenied(_("Chỉ quản trị hệ thống được vào trang quản trị."))


class AdminConfig(DjangoAdminConfig):
    default_site = "ctxh.accounts.admin_site.CtxhAdminSite"
