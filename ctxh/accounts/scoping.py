"""The one door to scoped data: every list, detail, form, API endpoint and export goes through here.

A user's scope is a set of units and organizations. A unit stands for its whole subtree *across
successions*: the user of a new commune also sees what was recorded in the old communes merged into it,
and the user of the new Tuyên Quang sees the old Tuyên Quang and the old Hà Giang. An organization stands
for itself and the organizations under it.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from ctxh.accounts.roles import Capability


@dataclass(frozen=True)
class Scope:
    unrestricted: bool
    unit_ids: frozenset[int]
    organization_ids: frozenset[int]

    @property
    def empty(self) -> bool:
        return not self.unrestricted and not self.unit_ids and not self.organization_ids


NO_SCOPE = Scope(False, frozenset(), frozenset())


def unit_closure(unit_ids: Iterable[int]) -> set[int]:
    """The units reachable downwards: children, and predecessors (old units merged into these), repeatedly.

    Set-based: one pair of queries per level of the hierarchy, never one per unit.
    """
    from ctxh.geo.models import Succession, Unit

    seen = set(unit_ids)
    frontier = set(seen)
    while frontier:
        children = set(Unit.objects.filter(parent_id__in=frontier).values_list("id", flat=True))
        older = set(
            Succession.objects.filter(successor_id__in=frontier).values_list("predecessor_id", flat=True)
        )
        frontier = (children | older) - seen
        seen |= frontier
    return seen


def organization_closure(organization_ids: Iterable[int]) -> set[int]:
    """The organizations and everything under them (parent links)."""
    from ctxh.orgs.models import Organization

    seen = set(organization_ids)
    frontier = set(seen)
    while frontier:
        children = Organization.objects.filter(parent_id__in=frontier).values_list("id", flat=True)
        frontier = set(children) - seen
        seen |= frontier
    return seen


def scope_for(user) -> Scope:
    """The user's scope, computed once per request (cached on the user object)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, "_ctxh_scope", None)
    if cached is not None:
        return cached
    if user.can(Capability.UNRESTRICTED_SCOPE):
        scope = Scope(True, frozenset(), frozenset())
    else:
        rows = list(user.scopes.values_list("unit_id", "organization_id"))
        unit_ids = unit_closure(u for u, _ in rows if u is not None)
        org_ids = organization_closure(o for _, o in rows if o is not None)
        scope = Scope(False, frozenset(unit_ids), frozenset(org_ids))
    user._ctxh_scope = scope
    return scope


def scope_organizations(queryset: QuerySet, user) -> QuerySet:
    """Organizations located in the user's units (or their predecessors), or in the user's organizations."""
    scope = scope_for(user)
    if scope.unrestricted:
        return queryset
    if scope.empty:
        return queryset.none()
    return queryset.filter(Q(unit_id__in=scope.unit_ids) | Q(id__in=scope.organization_ids))


def scope_units(queryset: QuerySet, user) -> QuerySet:
    """Units in the user's scope: the scope units' closure, and the units of the user's organizations."""
    scope = scope_for(user)
    if scope.unrestricted:
        return queryset
    if scope.empty:
        return queryset.none()
    from ctxh.orgs.models import Organization

    org_units = Organization.objects.filter(id__in=scope.organization_ids).values("unit_id")
    return queryset.filter(Q(id__in=scope.unit_ids) | Q(id__in=org_units))
