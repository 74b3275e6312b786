"""User administration in the admin site (/quan-tri/): role, scope (units or organizations), two-factor
devices.

`is_staff` is not edited by hand: it follows the role (only system administrators use the admin site).
"""

import importlib
import importlib.util

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from ctxh.accounts.models import User, UserScope
from ctxh.accounts.roles import Role
from ctxh.geo.models import Unit
from ctxh.orgs.models import Organization

# Unit and Organization admins belong to their apps; load them first so that ours is only a fallback
# (accounts comes before geo and orgs in INSTALLED_APPS, so autodiscovery would reach this file first).
for _module in ("ctxh.geo.admin", "ctxh.orgs.admin"):
    if importlib.util.find_spec(_module) is not None:
        importlib.import_module(_module)


if not admin.site.is_registered(Unit):

    @admin.register(Unit)
    class UnitAdmin(admin.ModelAdmin):
        """Units come from the official lists (load_admin_units): searchable here, changed by the loader."""

        list_display = ("code", "name", "kind", "parent", "valid_from", "valid_to")
        list_filter = ("level", "kind")
        search_fields = ("search_name", "code")
        raw_id_fields = ("parent",)
        list_select_related = ("parent",)
        show_full_result_count = False

        def get_search_results(self, request, queryset, search_term):
            from ctxh.core.text import fold

            return super().get_search_results(request, queryset, fold(search_term))

        def has_add_permission(self, request):
            return False

        def has_change_permission(self, request, obj=None):
            return False

        def has_delete_permission(self, request, obj=None):
            return False


if not admin.site.is_registered(Organization):

    @admin.register(Organization)
    class OrganizationAdmin(admin.ModelAdmin):
        """Organizations are managed in the application (/to-chuc/); searchable here for scopes."""

        list_display = ("code", "name", "kind", "unit", "valid_from", "valid_to")
        list_filter = ("kind", "ownership")
        search_fields = ("search_name", "code")
        raw_id_fields = ("unit", "parent", "successor")
        list_select_related = ("unit",)
        show_full_result_count = False

        def get_search_results(self, request, queryset, search_term):
            from ctxh.core.text import fold

            return super().get_search_results(request, queryset, fold(search_term))

        def has_add_permission(self, request):
            return False

        def has_change_permission(self, request, obj=None):
            return False

        def has_delete_permission(self, request, obj=None):
            return False


def _searchable(model) -> bool:
    model_admin = admin.site.get_model_admin(model) if admin.site.is_registered(model) else None
    return bool(model_admin and model_admin.search_fields)


class ScopeFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [
            form
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
            and (form.cleaned_data.get("unit") or form.cleaned_data.get("organization"))
        ]
        role = getattr(self.instance, "role", None)
        if role and role != Role.ADMIN and not kept:
            raise ValidationError(
                _("Vai trò “%(role)s” cần ít nhất một đơn vị hành chính hoặc một tổ chức trong phạm vi."),
                params={"role": Role(role).label},
            )


class ScopeForm(forms.ModelForm):
    class Meta:
        model = UserScope
        fields = ("unit", "organization")

    def clean(self):
        data = super().clean()
        if self.cleaned_data.get("DELETE"):
            return data
        unit, org = data.get("unit"), data.get("organization")
        if unit and org:
            raise ValidationError(
                _("Mỗi dòng phạm vi chọn một đơn vị hành chính hoặc một tổ chức, không chọn cả hai.")
            )
        if self.has_changed() and not unit and not org:
            raise ValidationError(_("Hãy chọn một đơn vị hành chính hoặc một tổ chức."))
        return data


class UserScopeInline(admin.TabularInline):
    model = UserScope
    form = ScopeForm
    formset = ScopeFormSet
    extra = 1
    verbose_name = _("phạm vi")
    verbose_name_plural = _(
        "phạm vi: mỗi dòng một đơn vị hành chính (cả địa bàn trực thuộc và các đơn vị cũ đã nhập vào) "
        "hoặc một tổ chức (cả các tổ chức trực thuộc)"
    )

    def get_autocomplete_fields(self, request):
        fields = (("unit", Unit), ("organization", Organization))
        return tuple(name for name, model in fields if _searchable(model))

    def get_raw_id_fields(self, request):
        chosen = set(self.get_autocomplete_fields(request))
        return tuple(name for name in ("unit", "organization") if name not in chosen)


class TOTPDeviceInline(admin.TabularInline):
    """Delete a user's device when they lose their phone; they set up a new one at the next log-in."""

    model = TOTPDevice
    fields = ("name", "confirmed", "created_at", "last_used_at")
    readonly_fields = ("name", "confirmed", "created_at", "last_used_at")
    extra = 0
    can_delete = True
    verbose_name = _("ứng dụng xác thực hai lớp")
    verbose_name_plural = _("ứng dụng xác thực hai lớp")

    def has_add_permission(self, request, obj=None):
        return False


class UserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "full_name", "role")


class UserEditForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    list_display = ("username", "full_name", "role", "is_active", "last_login")
    list_filter = ("role", "is_active", "is_superuser")
    search_fields = ("username", "full_name", "email", "phone")
    ordering = ("username",)
    readonly_fields = ("is_staff", "last_login", "date_joined")
    inlines = (UserScopeInline, TOTPDeviceInline)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Thông tin cá nhân"), {"fields": ("full_name", "email", "phone")}),
        (_("Vai trò và trạng thái"), {"fields": ("role", "is_active", "is_staff", "is_superuser")}),
        (_("Thời gian"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "full_name", "role", "usable_password", "password1", "password2"),
            },
        ),
    )
