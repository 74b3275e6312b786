"""Reads behind the pages of the UI shell: the home page and the units browser.

Every query that serves a user starts from `Unit.objects.for_user(user)` or
`Organization.objects.for_user(user)` (the one door, ctxh.accounts.scoping); the geography itself comes from
ctxh.geo.selectors.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from ctxh.core.text import fold
from ctxh.geo import selectors as geo
from ctxh.geo.models import Level, Succession, Unit, UnitKind
from ctxh.orgs.models import Organization, OrganizationLocation, OrgKind

# Units ------------------------------------------------------------------------------------------------------


def scoped_units(user) -> QuerySet[Unit]:
    return Unit.objects.for_user(user)


def unit_for_user(*, user, pk: int) -> Unit:
    """One unit of the user's scope; raises Unit.DoesNotExist otherwise (the view answers 404)."""
    return scoped_units(user).select_related("parent").get(pk=pk)


def search_units(units: QuerySet[Unit], text: str) -> QuerySet[Unit]:
    """Every word must occur in the name, ignoring case and diacritics ("trang da" finds "Xã Tràng Đà");
    digits alone look the official code up."""
    text = (text or "").strip()
    if text.isdigit():
        return units.filter(code__startswith=text)
    for word in fold(text).split():
        units = units.filter(search_name__contains=word)
    return units


@dataclass
class UnitListing:
    day: dt.date
    units: QuerySet[Unit]
    # The listing before the kind filter, counted by kind: [(kind, label, count)], in the order of UnitKind.
    kind_counts: list[tuple[str, str, int]]
    searching: bool


def unit_listing(
    *, user, day: dt.date, parent: Unit | None = None, kind: str = "", q: str = ""
) -> UnitListing:
    """What the units browser lists as of `day`.

    With a search text: the matching units (under `parent` when one is chosen: children and grandchildren).
    Otherwise with a parent: its children as of `day`. Otherwise the top of the user's scope as of `day`:
    units whose parent is not in the scope (for an unrestricted user, the provinces).
    """
    on_day = geo.units_as_of(day).for_user(user)
    searching = bool((q or "").strip())
    if searching:
        units = search_units(on_day, q)
        if parent is not None:
            units = units.filter(Q(parent=parent) | Q(parent__parent=parent))
    elif parent is not None:
        units = on_day.filter(parent=parent)
    else:
        units = on_day.exclude(parent__in=on_day.values("pk"))
    counts = dict(units.order_by().values("kind").annotate(n=Count("id")).values_list("kind", "n"))
    kind_counts = [(value, label, counts[value]) for value, label in UnitKind.choices if counts.get(value)]
    if kind:
        units = units.filter(kind=kind)
    units = with_parent_name(units, user).order_by("level", "code", "name")
    return UnitListing(day=day, units=units, kind_counts=kind_counts, searching=searching)


def with_parent_name(units: QuerySet[Unit], user) -> QuerySet[Unit]:
    """Annotate `parent_name`: the parent's name when the parent is in the user's scope, else nothing."""
    in_scope = scoped_units(user).filter(pk=OuterRef("parent_id")).values("name")[:1]
    return units.annotate(parent_name=Subquery(in_scope))


def level_counts(*, user, day: dt.date) -> list[tuple[int, str, int]]:
    """The units of the user's scope valid on `day`, counted by level: [(level, label, count)]."""
    counts = dict(
        geo.units_as_of(day).for_user(user).order_by().values("level").annotate(n=Count("id"))
        .values_list("level", "n")
    )
    return [(value, label, counts[value]) for value, label in Level.choices if counts.get(value)]


def child_counts(*, user, units: list[Unit], day: dt.date) -> dict[int, int]:
    """How many units of the user's scope are under each of `units` on `day` (one query)."""
    rows = (
        geo.units_as_of(day).for_user(user).filter(parent__in=[u.pk for u in units]).order_by()
        .values("parent").annotate(n=Count("id")).values_list("parent", "n")
    )
    return dict(rows)


def unit_breadcrumbs(*, user, unit: Unit) -> list[Unit]:
    """The ancestors of `unit` that the user may open, from the top down."""
    return list(geo.ancestors(unit).for_user(user))


def day_within(unit: Unit, day: dt.date) -> dt.date:
    """`day` moved into the unit's validity: its last day for a unit that ended before, its first day for one
    that began after."""
    if unit.valid_to is not None and day > unit.valid_to:
        return unit.valid_to
    if unit.valid_from is not None and day < unit.valid_from:
        return unit.valid_from
    return day


@dataclass
class SuccessionRow:
    unit: Unit
    effective_date: dt.date
    kind_label: str
    partly_merged: bool
    note: str = ""


@dataclass
class UnitRelations:
    day: dt.date
    parent: Unit | None
    children: list[Unit]
    predecessors: list[SuccessionRow]
    successors: list[SuccessionRow]
    # Direct predecessors or successors outside the user's scope: counted, not shown.
    hidden_predecessors: int = 0
    hidden_successors: int = 0
    # Following the successions through every reorganization.
    current_successors: list[Unit] = field(default_factory=list)
    earlier_predecessors: list[Unit] = field(default_factory=list)


def _succession_rows(successions, end: str) -> list[SuccessionRow]:
    return [
        SuccessionRow(
            unit=getattr(s, end), effective_date=s.effective_date, kind_label=s.get_kind_display(),
            partly_merged=s.partly_merged, note=getattr(s, "note", ""),
        )
        for s in successions
    ]


def _attach_parent_names(user, units: list[Unit]) -> None:
    """Set `parent_name` on each unit: its parent's name if the parent is in the user's scope (one query)."""
    parent_ids = {u.parent_id for u in units if u.parent_id}
    names = dict(scoped_units(user).filter(pk__in=parent_ids).values_list("pk", "name")) if parent_ids else {}
    for unit in units:
        unit.parent_name = names.get(unit.parent_id, "")


def unit_relations(*, user, unit: Unit, day: dt.date, today: dt.date) -> UnitRelations:
    """The unit's parent, its children on `day`, and the units before and after it, all within the scope."""
    scoped = scoped_units(user)
    parent = scoped.filter(pk=unit.parent_id).first() if unit.parent_id else None
    children = list(geo.children_as_of(unit, day).for_user(user).order_by("level", "code", "name"))

    incoming = Succession.objects.filter(successor=unit).select_related("predecessor")
    outgoing = Succession.objects.filter(predecessor=unit).select_related("successor")
    visible_in = incoming.filter(predecessor__in=scoped.values("pk"))
    visible_out = outgoing.filter(successor__in=scoped.values("pk"))
    visible_in = visible_in.order_by("-effective_date", "predecessor__code")
    visible_out = visible_out.order_by("-effective_date", "successor__code")
    predecessors = _succession_rows(visible_in, "predecessor")
    successors = _succession_rows(visible_out, "successor")
    _attach_parent_names(user, [row.unit for row in (*predecessors, *successors)])

    relations = UnitRelations(
        day=day, parent=parent, children=children, predecessors=predecessors, successors=successors,
        hidden_predecessors=incoming.count() - len(predecessors),
        hidden_successors=outgoing.count() - len(successors),
    )
    if not unit.is_valid_on(today):
        direct = {row.unit.pk for row in successors}
        current = geo.current_successors(unit, today).for_user(user).order_by("code")
        # Worth a list of its own only when a later reorganization moved the unit on again.
        if {u.pk for u in current} != direct:
            relations.current_successors = list(current)
    direct = {row.unit.pk for row in predecessors}
    older = geo.predecessors(unit).for_user(user).exclude(pk__in=direct).order_by("-valid_to", "code")
    relations.earlier_predecessors = list(older)
    return relations


# Organizations ----------------------------------------------------------------------------------------------


def unit_organizations(*, user, unit: Unit) -> QuerySet[Organization]:
    """Organizations of the user's scope that are, or were, located in `unit` (its location history)."""
    located = OrganizationLocation.objects.filter(unit=unit).values("organization_id")
    return (
        Organization.objects.for_user(user)
        .filter(Q(unit=unit) | Q(pk__in=located))
        .select_related("unit")
        .order_by("name", "code")
    )


def organization_kind_counts(*, user, day: dt.date) -> list[tuple[str, str, int]]:
    """Organizations of the user's scope active on `day`, counted by kind: [(kind, label, count)]."""
    counts = dict(
        Organization.objects.for_user(user).as_of(day).order_by().values("kind").annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    return [(value, label, counts[value]) for value, label in OrgKind.choices if counts.get(value)]


# Home page --------------------------------------------------------------------------------------------------


@dataclass
class UserScopeSummary:
    unrestricted: bool
    units: list[Unit]
    organizations: list[Organization]


def user_scope_summary(user) -> UserScopeSummary:
    """The units and organizations the user was given (not their whole subtrees), for the home page."""
    from ctxh.accounts.scoping import scope_for

    scope = scope_for(user)
    if scope.unrestricted:
        return UserScopeSummary(True, [], [])
    rows = list(user.scopes.select_related("unit", "organization", "organization__unit"))
    units = sorted((r.unit for r in rows if r.unit), key=lambda u: (u.level, u.name))
    organizations = sorted((r.organization for r in rows if r.organization), key=lambda o: o.name)
    return UserScopeSummary(False, units, organizations)
