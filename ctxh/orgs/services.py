"""State changes of organizations: create, update, close, move. Each one is atomic and validated.

Every function takes the acting `user`: it must hold CHANGE_ORGS, may change only organizations in its scope
and may place organizations only in units (or under organizations) of its scope. Bad input raises
ValidationError with Vietnamese messages keyed by field; nothing is written. A stale `expected_version`
raises OrganizationConflict, which says who changed what in the meantime.
"""

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ctxh.accounts.roles import Capability
from ctxh.accounts.scoping import scope_for
from ctxh.core.text import nfc
from ctxh.geo.models import Unit
from ctxh.orgs.models import HealthLevel, Organization, OrganizationLocation, OrgKind, SchoolLevel
from ctxh.orgs.presentation import display_value, field_label

CODE_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._/-]*$")

# Fields that organization_update may change (closing and moving have their own functions, but an import
# may also set valid_to).
UPDATABLE_FIELDS = frozenset(
    {
        "code",
        "name",
        "kind",
        "school_level",
        "health_level",
        "sector",
        "ownership",
        "unit",
        "parent",
        "valid_from",
        "valid_to",
        "address",
        "phone",
        "email",
        "succession_note",
    }
)
TEXT_FIELDS = ("code", "name", "address", "phone", "email", "succession_note", "closed_reason")


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: str
    after: str


class OrganizationConflict(ValidationError):
    """The organization was changed by someone else since the form was read: nothing was written."""

    def __init__(
        self,
        *,
        organization: Organization,
        changed_at: dt.datetime | None,
        changed_by: str,
        changes: list[FieldChange],
    ):
        self.organization = organization
        self.changed_at = changed_at
        self.changed_by = changed_by
        self.changes = changes
        when = timezone.localtime(changed_at).strftime("%H:%M %d/%m/%Y") if changed_at else "?"
        head = _("Người khác (%(who)s) đã sửa tổ chức này lúc %(when)s; thay đổi của bạn chưa được lưu.") % {
            "who": changed_by or _("không rõ"),
            "when": when,
        }
        lines = [head] + [
            _("Trường “%(field)s” trước là “%(before)s”, nay là “%(after)s”.")
            % {"field": c.label, "before": c.before or "—", "after": c.after or "—"}
            for c in changes
        ]
        super().__init__(lines, code="conflict")


def _require_capability(user) -> None:
    if user is None or not user.is_authenticated or not user.can(Capability.CHANGE_ORGS):
        raise PermissionDenied(_("Bạn không có quyền thay đổi tổ chức."))


def _require_in_scope(user, organization: Organization) -> None:
    if not Organization.objects.for_user(user).filter(pk=organization.pk).exists():
        raise PermissionDenied(_("Tổ chức này nằm ngoài phạm vi của bạn."))


def _reference_day(valid_from: dt.date | None, valid_to: dt.date | None) -> dt.date:
    """The day on which an organization's first unit and parent must exist: its first day, if known."""
    if valid_from is not None:
        return valid_from
    today = timezone.localdate()
    return valid_to if valid_to is not None and valid_to < today else today


def _fmt(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


class _Errors:
    def __init__(self):
        self.by_field: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.by_field.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


def _lock(organization: Organization) -> Organization:
    return (
        Organization.objects.select_for_update(of=("self",))
        .select_related("unit", "parent", "successor")
        .get(pk=organization.pk)
    )


def _user_may_place(user, *, unit: Unit | None, parent: Organization | None) -> bool:
    scope = scope_for(user)
    if scope.unrestricted:
        return True
    if unit is not None and unit.pk in scope.unit_ids:
        return True
    return parent is not None and parent.pk in scope.organization_ids


def _normalize(values: dict[str, Any]) -> dict[str, Any]:
    for name in TEXT_FIELDS:
        if name in values:
            values[name] = nfc(values[name] or "")
    for name in ("school_level", "health_level"):
        if name in values and values[name] is None:
            values[name] = ""
    return values


def _validate(org: Organization, *, user, errors: _Errors, changed: set[str], creating: bool) -> None:
    """Checks an organization's state (unsaved) after applying `changed` fields."""
    if "code" in changed:
        if not org.code:
            errors.add("code", _("Hãy nhập mã tổ chức."))
        elif not CODE_PATTERN.match(org.code):
            errors.add(
                "code",
                _("Mã tổ chức chỉ gồm chữ cái không dấu, chữ số và các dấu . _ / - (không có dấu cách)."),
            )
        elif Organization.objects.filter(code__iexact=org.code).exclude(pk=org.pk).exists():
            errors.add(
                "code", _("Mã tổ chức “%(code)s” đã được dùng cho một tổ chức khác.") % {"code": org.code}
            )
    if "name" in changed and not org.name:
        errors.add("name", _("Hãy nhập tên tổ chức."))

    if org.valid_from and org.valid_to and org.valid_to < org.valid_from:
        errors.add(
            "valid_to",
            _("Ngày chấm dứt (%(end)s) không được trước ngày bắt đầu hiệu lực (%(start)s).")
            % {"end": _fmt(org.valid_to), "start": _fmt(org.valid_from)},
        )

    if org.kind == OrgKind.SCHOOL:
        if not org.school_level:
            errors.add("school_level", _("Trường học phải có cấp học."))
    elif org.school_level:
        errors.add("school_level", _("Chỉ trường học mới có cấp học."))
    if org.health_level and org.kind != OrgKind.HEALTH:
        errors.add("health_level", _("Chỉ cơ sở y tế mới có loại cơ sở y tế."))
    if org.school_level and org.school_level not in SchoolLevel.values:
        errors.add("school_level", _("Cấp học không hợp lệ."))
    if org.health_level and org.health_level not in HealthLevel.values:
        errors.add("health_level", _("Loại cơ sở y tế không hợp lệ."))

    day = _reference_day(org.valid_from, org.valid_to)
    if {"unit", "valid_from", "valid_to"} & changed:
        unit = org.unit if org.unit_id else None
        first_unit, unit_day = unit, day
        if not creating:
            first = org.locations.order_by("valid_from").select_related("unit").first()
            if first is not None and org.locations.count() > 1:
                # Moved: the first location must exist on the first day (or, unknown, on its own last day).
                first_unit = first.unit
                unit_day = org.valid_from or first.valid_to or day
        if unit is None:
            errors.add("unit", _("Hãy chọn đơn vị hành chính."))
        elif first_unit is not None and not first_unit.is_valid_on(unit_day):
            errors.add(
                "unit",
                _("Đơn vị hành chính “%(unit)s” không có hiệu lực vào ngày %(day)s.")
                % {"unit": first_unit.label, "day": _fmt(unit_day)},
            )
    if {"parent", "valid_from", "valid_to"} & changed and org.parent_id:
        parent = org.parent
        if parent.pk == org.pk or (org.pk and _is_ancestor(org, parent)):
            errors.add(
                "parent", _("Tổ chức cấp trên không được là chính tổ chức này hoặc tổ chức cấp dưới của nó.")
            )
        elif not parent.is_valid_on(day):
            errors.add(
                "parent",
                _("Tổ chức cấp trên “%(parent)s” không hoạt động vào ngày %(day)s.")
                % {"parent": parent.name, "day": _fmt(day)},
            )
        elif "parent" in changed and not Organization.objects.for_user(user).filter(pk=parent.pk).exists():
            errors.add("parent", _("Tổ chức cấp trên nằm ngoài phạm vi của bạn."))
    if (
        ({"unit", "parent"} & changed)
        and org.unit_id
        and not _user_may_place(user, unit=org.unit, parent=org.parent if org.parent_id else None)
    ):
        errors.add(
            "unit", _("Đơn vị hành chính “%(unit)s” nằm ngoài phạm vi của bạn.") % {"unit": org.unit.label}
        )

    if not errors.by_field:
        try:
            org.full_clean(
                validate_unique=False,
                validate_constraints=False,
                exclude=["unit", "parent", "successor", "search_name"],
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    errors.add(field, message)


def _is_ancestor(org: Organization, candidate: Organization) -> bool:
    """True if `org` is `candidate` or above it (so making `candidate` the parent of `org` loops)."""
    seen = set()
    node = candidate
    while node is not None and node.pk not in seen:
        if node.pk == org.pk:
            return True
        seen.add(node.pk)
        node = node.parent
    return False


def _save(org: Organization, *, user, reason: str) -> None:
    org._history_user = user
    org._change_reason = reason
    org.save()


@transaction.atomic
def organization_create(
    *,
    user,
    code: str,
    name: str,
    kind: str,
    sector: str,
    ownership: str,
    unit: Unit,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    school_level: str = "",
    health_level: str = "",
    parent: Organization | None = None,
    address: str = "",
    phone: str = "",
    email: str = "",
    succession_note: str = "",
) -> Organization:
    """Registers an organization and its first location."""
    _require_capability(user)
    values = _normalize(
        {
            "code": code,
            "name": name,
            "kind": kind,
            "sector": sector,
            "ownership": ownership,
            "unit": unit,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "school_level": school_level,
            "health_level": health_level,
            "parent": parent,
            "address": address,
            "phone": phone,
            "email": email,
            "succession_note": succession_note,
        }
    )
    org = Organization(**values)
    errors = _Errors()
    _validate(org, user=user, errors=errors, changed=set(values), creating=True)
    errors.raise_if_any()
    _save(org, user=user, reason=_("Tạo mới"))
    OrganizationLocation.objects.create(
        organization=org, unit=org.unit, valid_from=org.valid_from, valid_to=org.valid_to
    )
    return org


def _conflict(current: Organization, expected_version: int) -> OrganizationConflict:
    history = list(
        current.history.filter(version__gte=expected_version).order_by("history_date", "history_id")
    )
    seen = [h for h in history if h.version == expected_version]
    latest = history[-1] if history else None
    changes: list[FieldChange] = []
    if seen and latest is not None:
        base = seen[-1]
        delta = latest.diff_against(base, excluded_fields=["search_name", "version"])
        for change in delta.changes:
            changes.append(
                FieldChange(
                    field=change.field,
                    label=field_label(change.field),
                    before=display_value(change.field, change.old),
                    after=display_value(change.field, change.new),
                )
            )
    who = ""
    if latest is not None and latest.history_user is not None:
        who = str(latest.history_user)
    return OrganizationConflict(
        organization=current,
        changed_at=latest.history_date if latest else None,
        changed_by=who,
        changes=changes,
    )


def _check_version(current: Organization, expected_version: int | None) -> None:
    if expected_version is not None and current.version != expected_version:
        raise _conflict(current, expected_version)


@transaction.atomic
def organization_update(
    *, user, organization: Organization, expected_version: int | None, **changes: Any
) -> Organization:
    """Changes the given fields. Fields equal to the stored value are not counted as changes."""
    _require_capability(user)
    _require_in_scope(user, organization)
    unknown = set(changes) - UPDATABLE_FIELDS
    if unknown:
        raise ValueError(f"organization_update cannot change {sorted(unknown)}")
    org = _lock(organization)
    _check_version(org, expected_version)
    changes = _normalize(dict(changes))
    changed = {name for name, value in changes.items() if getattr(org, name) != value}
    if not changed:
        return org
    for name in changed:
        setattr(org, name, changes[name])
    if org.kind != OrgKind.HEALTH and "kind" in changed and "health_level" not in changes:
        org.health_level = ""
    errors = _Errors()
    locations = list(org.locations.order_by("valid_from"))
    if "unit" in changed and len(locations) > 1:
        errors.add(
            "unit",
            _(
                "Tổ chức đã chuyển địa bàn nên không thể sửa đơn vị hành chính ở đây; "
                "hãy dùng chức năng chuyển địa bàn."
            ),
        )
    _validate(org, user=user, errors=errors, changed=changed, creating=False)
    if (
        "valid_to" in changed
        and org.valid_to
        and locations
        and locations[-1].valid_from
        and locations[-1].valid_from > org.valid_to
    ):
        errors.add(
            "valid_to",
            _("Ngày chấm dứt không được trước ngày tổ chức chuyển đến địa bàn hiện tại (%(day)s).")
            % {"day": _fmt(locations[-1].valid_from)},
        )
    errors.raise_if_any()
    org.version += 1
    _save(org, user=user, reason=_("Sửa thông tin"))
    _sync_locations(org, locations)
    return org


def _sync_locations(org: Organization, locations: list[OrganizationLocation]) -> None:
    """The first location starts with the organization and the last ends with it;
    a single one follows its unit.
    """
    if not locations:
        OrganizationLocation.objects.create(
            organization=org, unit=org.unit, valid_from=org.valid_from, valid_to=org.valid_to
        )
        return
    first, last = locations[0], locations[-1]
    if len(locations) == 1 and first.unit_id != org.unit_id:
        first.unit = org.unit
        first.save(update_fields=["unit"])
    if first.valid_from != org.valid_from:
        first.valid_from = org.valid_from
        first.save(update_fields=["valid_from"])
    if last.valid_to != org.valid_to:
        last.valid_to = org.valid_to
        last.save(update_fields=["valid_to"])


@transaction.atomic
def organization_close(
    *,
    user,
    organization: Organization,
    valid_to: dt.date,
    reason: str,
    successor: Organization | None = None,
    succession_note: str = "",
    expected_version: int | None = None,
) -> Organization:
    """Ends an organization on `valid_to` (its last day), optionally naming the one that takes over."""
    _require_capability(user)
    _require_in_scope(user, organization)
    org = _lock(organization)
    _check_version(org, expected_version)
    errors = _Errors()
    reason = nfc(reason or "")
    if valid_to is None:
        errors.add("valid_to", _("Hãy nhập ngày chấm dứt hoạt động."))
    if not reason:
        errors.add("reason", _("Hãy nhập lý do chấm dứt."))
    if org.valid_to is not None:
        errors.add(
            NON_FIELD_ERRORS,
            _("Tổ chức đã chấm dứt hoạt động từ ngày %(day)s.") % {"day": _fmt(org.valid_to)},
        )
    locations = list(org.locations.order_by("valid_from"))
    if valid_to is not None:
        if org.valid_from and valid_to < org.valid_from:
            errors.add(
                "valid_to",
                _("Ngày chấm dứt (%(end)s) không được trước ngày bắt đầu hiệu lực (%(start)s).")
                % {"end": _fmt(valid_to), "start": _fmt(org.valid_from)},
            )
        elif locations and locations[-1].valid_from and valid_to < locations[-1].valid_from:
            errors.add(
                "valid_to",
                _("Ngày chấm dứt không được trước ngày tổ chức chuyển đến địa bàn hiện tại (%(day)s).")
                % {"day": _fmt(locations[-1].valid_from)},
            )
    if successor is not None:
        if successor.pk == org.pk:
            errors.add("successor", _("Tổ chức kế thừa phải là một tổ chức khác."))
        elif not Organization.objects.for_user(user).filter(pk=successor.pk).exists():
            errors.add("successor", _("Tổ chức kế thừa nằm ngoài phạm vi của bạn."))
        elif _successor_chain_reaches(successor, org):
            errors.add("successor", _("Tổ chức kế thừa đã là tổ chức tiền thân của tổ chức này."))
        elif valid_to is not None and not successor.is_valid_on(valid_to + dt.timedelta(days=1)):
            errors.add(
                "successor",
                _(
                    "Tổ chức kế thừa “%(name)s” không hoạt động vào ngày %(day)s, ngày sau khi "
                    "tổ chức này chấm dứt."
                )
                % {"name": successor.name, "day": _fmt(valid_to + dt.timedelta(days=1))},
            )
    errors.raise_if_any()
    org.valid_to = valid_to
    org.closed_reason = reason
    org.successor = successor
    if succession_note:
        org.succession_note = nfc(succession_note)
    org.version += 1
    _save(org, user=user, reason=_("Chấm dứt hoạt động"))
    _sync_locations(org, locations)
    return org


def _successor_chain_reaches(start: Organization, target: Organization) -> bool:
    seen = set()
    node = start
    while node is not None and node.pk not in seen:
        if node.pk == target.pk:
            return True
        seen.add(node.pk)
        node = node.successor
    return False


@transaction.atomic
def organization_move(
    *,
    user,
    organization: Organization,
    unit: Unit,
    effective_date: dt.date,
    expected_version: int | None = None,
) -> Organization:
    """The organization is located in `unit` from `effective_date` on (e.g. its commune was merged)."""
    _require_capability(user)
    _require_in_scope(user, organization)
    org = _lock(organization)
    _check_version(org, expected_version)
    errors = _Errors()
    if effective_date is None:
        errors.add("effective_date", _("Hãy nhập ngày chuyển địa bàn."))
        errors.raise_if_any()
    current = org.locations.order_by("-valid_from").first()
    if unit is None:
        errors.add("unit", _("Hãy chọn đơn vị hành chính."))
    else:
        if not unit.is_valid_on(effective_date):
            errors.add(
                "unit",
                _("Đơn vị hành chính “%(unit)s” không có hiệu lực vào ngày %(day)s.")
                % {"unit": unit.label, "day": _fmt(effective_date)},
            )
        if unit.pk == org.unit_id:
            errors.add("unit", _("Tổ chức đã ở đơn vị hành chính này."))
        if not _user_may_place(user, unit=unit, parent=None):
            errors.add(
                "unit", _("Đơn vị hành chính “%(unit)s” nằm ngoài phạm vi của bạn.") % {"unit": unit.label}
            )
    if not org.is_valid_on(effective_date):
        errors.add(
            "effective_date", _("Tổ chức không hoạt động vào ngày %(day)s.") % {"day": _fmt(effective_date)}
        )
    elif current is not None and current.valid_from and effective_date <= current.valid_from:
        errors.add(
            "effective_date",
            _("Ngày chuyển phải sau ngày tổ chức đến địa bàn hiện tại (%(day)s).")
            % {"day": _fmt(current.valid_from)},
        )
    errors.raise_if_any()
    if current is not None:
        current.valid_to = effective_date - dt.timedelta(days=1)
        current.save(update_fields=["valid_to"])
    OrganizationLocation.objects.create(
        organization=org, unit=unit, valid_from=effective_date, valid_to=org.valid_to
    )
    org.unit = unit
    org.version += 1
    _save(org, user=user, reason=_("Chuyển địa bàn"))
    return org
