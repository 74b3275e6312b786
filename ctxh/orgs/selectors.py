"""Reads of organizations. Everything that serves a user starts from Organization.objects.for_user(user)."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from ctxh.accounts.scoping import unit_closure
from ctxh.core.text import fold
from ctxh.geo.models import Unit
from ctxh.orgs.models import Organization, OrganizationLocation
from ctxh.orgs.presentation import display_value, field_label

STATUS_ACTIVE = "active"
STATUS_CLOSED = "closed"


def organization_list(*, user, filters: dict[str, Any] | None = None) -> QuerySet[Organization]:
    """The user's organizations narrowed by `filters`.

    q: words that must all occur in the name or code, ignoring case and diacritics;
    kind, sector, ownership: exact values;
    unit: a unit id; organizations located (at any time, or on `as_of`) in its subtree across successions;
    status: "active" (valid today) or "closed" (ended before today);
    as_of: a date; organizations active on that day (and, with `unit`, located there on that day).
    """
    filters = filters or {}
    qs = Organization.objects.for_user(user).select_related("unit", "unit__parent", "parent", "successor")
    for word in fold(filters.get("q") or "").split():
        qs = qs.filter(search_name__contains=word)
    for name in ("kind", "sector", "ownership"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})

    as_of: dt.date | None = filters.get("as_of")
    unit = filters.get("unit")
    if unit:
        unit_id = unit.pk if isinstance(unit, Unit) else int(unit)
        locations = OrganizationLocation.objects.filter(unit_id__in=unit_closure([unit_id]))
        if as_of:
            locations = locations.as_of(as_of)
        qs = qs.filter(id__in=locations.values("organization_id"))
    if as_of:
        qs = qs.as_of(as_of).annotate(
            located_unit_name=Subquery(
                OrganizationLocation.objects.as_of(as_of)
                .filter(organization=OuterRef("pk"))
                .order_by("-valid_from")
                .values("unit__name")[:1]
            )
        )

    today = timezone.localdate()
    status = filters.get("status")
    if status == STATUS_ACTIVE:
        qs = qs.as_of(today)
    elif status == STATUS_CLOSED:
        qs = qs.filter(valid_to__lt=today)
    return qs.order_by("search_name", "code")  # search_name sorts "Bạch" before "Bình", as people expect


def organization_counts(queryset: QuerySet[Organization]) -> dict[str, int]:
    """Total, active today and closed, in one query."""
    today = timezone.localdate()
    active = (Q(valid_from__isnull=True) | Q(valid_from__lte=today)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=today)
    )
    return queryset.order_by().aggregate(
        total=Count("id"), active=Count("id", filter=active), closed=Count("id", filter=Q(valid_to__lt=today))
    )


def organization_detail(*, user, pk: int) -> Organization:
    """One organization of the user's scope; raises Organization.DoesNotExist otherwise."""
    return (
        Organization.objects.for_user(user)
        .select_related("unit", "unit__parent", "parent", "successor")
        .get(pk=pk)
    )


def organization_locations(organization: Organization) -> QuerySet[OrganizationLocation]:
    return organization.locations.select_related("unit", "unit__parent").order_by("valid_from")


def organization_children(*, user, organization: Organization) -> QuerySet[Organization]:
    return (
        Organization.objects.for_user(user)
        .filter(parent=organization)
        .select_related("unit")
        .order_by("search_name")
    )


def organization_predecessors(organization: Organization) -> QuerySet[Organization]:
    return organization.predecessors.order_by("-valid_to", "name")


def visible_ids(*, user, organizations) -> set[int]:
    """Which of these organizations the user may open (others are shown by name only)."""
    ids = [o.pk for o in organizations if o is not None]
    return set(Organization.objects.for_user(user).filter(pk__in=ids).values_list("pk", flat=True))


@dataclass(frozen=True)
class HistoryChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryEntry:
    when: dt.datetime
    who: str
    kind: str
    reason: str
    changes: list[HistoryChange]


HISTORY_EXCLUDED = ["search_name", "version"]


def organization_history(organization: Organization, *, limit: int = 100) -> list[HistoryEntry]:
    """Who changed what and when, newest first (from simple_history)."""
    records = list(
        organization.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    entries = []
    for index, record in enumerate(records[:limit]):
        older = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if older is not None:
            delta = record.diff_against(older, excluded_fields=HISTORY_EXCLUDED)
            changes = [
                HistoryChange(
                    field_label(c.field), display_value(c.field, c.old), display_value(c.field, c.new)
                )
                for c in delta.changes
            ]
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=str(record.history_user) if record.history_user else "",
                kind=record.get_history_type_display(),
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
    return entries


def units_for_choice(*, user, day: dt.date) -> QuerySet[Unit]:
    """Units the user may place an organization in, valid on `day`, with their parent (for the label)."""
    return (
        Unit.objects.for_user(user)
        .as_of(day)
        .select_related("parent")
        .order_by("level", "search_name", "code")
    )


def organizations_for_choice(*, user, day: dt.date | None = None, exclude: Organization | None = None):
    qs = Organization.objects.for_user(user).order_by("search_name", "code")
    if day is not None:
        qs = qs.as_of(day)
    if exclude is not None and exclude.pk:
        qs = qs.exclude(pk=exclude.pk)
    return qs
