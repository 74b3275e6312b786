"""Roles and what each may do. The table in docs/roles.md is this mapping written out for people.

A capability says *what* a user may do; the scope (ctxh.accounts.scoping) says *on which* units and
organizations. Both are checked where data is queried, not only where links are shown.
"""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Quản trị hệ thống")
    PROGRAMME_MANAGER = "programme_manager", _("Cán bộ quản lý chương trình cấp tỉnh")
    ORG_OFFICER = "org_officer", _("Cán bộ cơ sở (xã, phường, cơ sở)")
    SOCIAL_WORKER = "social_worker", _("Người làm công tác xã hội")
    TRAINER = "trainer", _("Cán bộ đào tạo")
    LEADER = "leader", _("Lãnh đạo (chỉ xem)")


class Capability(StrEnum):
    VIEW_UNITS = "view_units"
    CHANGE_UNITS = "change_units"
    VIEW_ORGS = "view_orgs"
    CHANGE_ORGS = "change_orgs"
    IMPORT_ORGS = "import_orgs"
    EXPORT_ORGS = "export_orgs"
    VIEW_WORKFORCE = "view_workforce"
    CHANGE_WORKFORCE = "change_workforce"
    EXPORT_WORKFORCE = "export_workforce"
    VIEW_TRAINING = "view_training"
    CHANGE_TRAINING = "change_training"
    VIEW_INDICATORS = "view_indicators"
    MANAGE_STAFFING_RULES = "manage_staffing_rules"
    MANAGE_BASE_SALARY = "manage_base_salary"
    VIEW_CASES = "view_cases"
    CHANGE_CASES = "change_cases"
    EXPORT_CASES = "export_cases"
    # Aggregate reporting (DHIS2-style data sets): enter the numbers of a unit in scope, and run the
    # reporting (reopen entry after the deadline, edit allocation shares, import DHIS2 payloads).
    ENTER_AGGREGATE = "enter_aggregate"
    MANAGE_AGGREGATE = "manage_aggregate"
    MANAGE_USERS = "manage_users"
    VIEW_ACCESS_LOG = "view_access_log"
    VIEW_SENSITIVE = "view_sensitive"
    UNRESTRICTED_SCOPE = "unrestricted_scope"


_READ = {
    Capability.VIEW_UNITS,
    Capability.VIEW_ORGS,
    Capability.VIEW_WORKFORCE,
    Capability.VIEW_TRAINING,
    Capability.VIEW_INDICATORS,
}
_KEEP_ORGS = {Capability.CHANGE_ORGS, Capability.IMPORT_ORGS, Capability.EXPORT_ORGS}
_KEEP_WORKFORCE = {Capability.CHANGE_WORKFORCE, Capability.EXPORT_WORKFORCE}
# People and cases: which ones is decided by ctxh.cases.scoping (a social worker: the cases assigned to them).
_KEEP_CASES = {Capability.VIEW_CASES, Capability.CHANGE_CASES}

ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.ADMIN: frozenset(Capability),
    Role.PROGRAMME_MANAGER: frozenset(
        _READ | _KEEP_ORGS | _KEEP_WORKFORCE | _KEEP_CASES
        | {Capability.EXPORT_CASES, Capability.CHANGE_TRAINING, Capability.MANAGE_STAFFING_RULES,
           Capability.VIEW_SENSITIVE, Capability.ENTER_AGGREGATE, Capability.MANAGE_AGGREGATE}
    ),
    Role.ORG_OFFICER: frozenset(
        _READ | _KEEP_ORGS | _KEEP_WORKFORCE | _KEEP_CASES
        | {Capability.EXPORT_CASES, Capability.ENTER_AGGREGATE}
    ),
    Role.SOCIAL_WORKER: frozenset(_READ | _KEEP_CASES),
    Role.TRAINER: frozenset(_READ | {Capability.CHANGE_TRAINING}),
    Role.LEADER: frozenset(_READ | {Capability.EXPORT_ORGS, Capability.EXPORT_WORKFORCE}),
}

# Roles that must confirm a one-time code (TOTP) at every login.
TWO_FACTOR_ROLES: frozenset[str] = frozenset({Role.ADMIN})


def role_can(role: str, capability: Capability) -> bool:
    return capability in ROLE_CAPABILITIES.get(role, frozenset())
