"""Users, their role and their scope (units and/or organizations)."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ctxh.accounts.roles import TWO_FACTOR_ROLES, Capability, Role, role_can


class User(AbstractUser):
    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    role = models.CharField(_("vai trò"), max_length=30, choices=Role.choices, default=Role.LEADER)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.full_name or self.username

    def save(self, *args, **kwargs):
        # Only system administrators (and superusers) use the admin site; is_staff follows the role.
        self.is_staff = self.is_superuser or self.role == Role.ADMIN
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "role" in update_fields:
            kwargs["update_fields"] = {*update_fields, "is_staff"}
        super().save(*args, **kwargs)

    def has_perm(self, perm, obj=None) -> bool:
        """Administrators manage everything in the admin site, like superusers."""
        if self.is_active and self.role == Role.ADMIN:
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label) -> bool:
        if self.is_active and self.role == Role.ADMIN:
            return True
        return super().has_module_perms(app_label)

    def can(self, capability: Capability) -> bool:
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        return role_can(self.role, capability)

    @property
    def requires_two_factor(self) -> bool:
        return self.is_superuser or self.role in TWO_FACTOR_ROLES


class UserScope(models.Model):
    """One part of a user's scope: a unit (its whole subtree, across successions) or an organization."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="scopes")
    unit = models.ForeignKey(
        "geo.Unit", verbose_name=_("đơn vị hành chính"), null=True, blank=True, on_delete=models.CASCADE
    )
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("tổ chức"), null=True, blank=True, on_delete=models.CASCADE
    )

    class Meta:
        verbose_name = _("phạm vi")
        verbose_name_plural = _("phạm vi")
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=False, organization__isnull=True)
                | Q(unit__isnull=True, organization__isnull=False),
                name="accounts_scope_unit_xor_org",
            ),
        ]

    def __str__(self) -> str:
        return str(self.unit or self.organization)
