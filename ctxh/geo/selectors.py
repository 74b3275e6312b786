"""Reads on administrative units over time. Every lookup by code is made as of a date (codes are reused).

The querysets returned are `UnitQuerySet`s, so a caller that serves a user narrows them through the one door:
`units_as_of(day, level=Level.COMMUNE).for_user(request.user)`.

Walking successions or parents is set-based: one query per generation (or per level), never one per unit.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from ctxh.geo.models import CODE_WIDTH, Succession, Unit, UnitQuerySet


class UnitNotFound(Unit.DoesNotExist):
    """No unit carries the code on that day (the message, in Vietnamese, says which code and day)."""


def units_as_of(
    day: dt.date, *, kind: str | None = None, level: int | None = None, parent: Unit | None = None
) -> UnitQuerySet:
    """The units valid on `day`, optionally of one kind, one level, or under one parent."""
    units = Unit.objects.as_of(day)
    if kind is not None:
        units = units.filter(kind=kind)
    if level is not None:
        units = units.filter(level=level)
    if parent is not None:
        units = units.filter(parent=parent)
    return units


def unit_by_code(code: str, day: dt.date, level: int | None = None) -> Unit:
    """The unit that carried `code` on `day`. Without a level, the code's width gives it (2, 3 or 5 digits).

    Raises UnitNotFound when there is none.
    """
    code = str(code).strip()
    if level is None:
        level = next((lvl for lvl, width in CODE_WIDTH.items() if width == len(code)), None)
    units = Unit.objects.as_of(day).filter(code=code)
    if level is not None:
        units = units.filter(level=level)
    try:
        return units.get()
    except Unit.DoesNotExist:
        raise UnitNotFound(
            _("Không có đơn vị hành chính mã %(code)s có hiệu lực ngày %(day)s.")
            % {"code": code, "day": day.strftime("%d/%m/%Y")}
        ) from None


def children_as_of(unit: Unit, day: dt.date) -> UnitQuerySet:
    """The units directly under `unit` on `day` (a new province's communes; an old district's communes)."""
    return units_as_of(day, parent=unit)


def current_successors(unit: Unit, day: dt.date | None = None) -> UnitQuerySet:
    """The units valid on `day` (default today) that `unit` continues in, following successions transitively.

    A unit still valid on `day` is its own current successor. A chain that ends in no unit valid on `day`
    contributes nothing.
    """
    day = day or timezone.localdate()
    if unit.is_valid_on(day):
        return Unit.objects.filter(pk=unit.pk)
    found: set[int] = set()
    seen = {unit.pk}
    frontier = {unit.pk}
    while frontier:
        rows = Succession.objects.filter(predecessor_id__in=frontier, effective_date__lte=day).values_list(
            "successor_id", "successor__valid_from", "successor__valid_to"
        )
        frontier = set()
        for pk, valid_from, valid_to in rows:
            if pk in seen:
                continue
            seen.add(pk)
            if (valid_from is None or valid_from <= day) and (valid_to is None or day <= valid_to):
                found.add(pk)
            elif valid_to is not None and valid_to < day:
                frontier.add(pk)  # ended before `day`: look further
    return Unit.objects.filter(pk__in=found)


def predecessors(unit: Unit) -> UnitQuerySet:
    """Every unit that flows into `unit`, through all generations of successions."""
    seen: set[int] = set()
    frontier = {unit.pk}
    while frontier:
        older = set(
            Succession.objects.filter(successor_id__in=frontier).values_list("predecessor_id", flat=True)
        )
        frontier = older - seen - {unit.pk}
        seen |= frontier
    return Unit.objects.filter(pk__in=seen)


def ancestors(unit: Unit) -> UnitQuerySet:
    """The units above `unit` (its parent, the parent's parent...), from the top level down."""
    ids: list[int] = []
    parent_id = unit.parent_id
    while parent_id is not None and parent_id not in ids:
        ids.append(parent_id)
        parent_id = Unit.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
    return Unit.objects.filter(pk__in=ids).order_by("level")


def unit_path(unit: Unit) -> list[Unit]:
    """Breadcrumbs: the ancestors from the top level down, then the unit itself."""
    return [*ancestors(unit), unit]
