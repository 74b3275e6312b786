"""Programmes' targets, read from the database (loaded from `ctxh/indicators/data/` by
`manage.py load_indicator_data`; see docs/programmes.md).

Several programmes are tracked at once (Plan 154 of Tuyên Quang and the national Decision 112): a unit's
indicator pages compare with the programme of its province (`programme_for_unit`), and every target says
over which dates it runs (`start_date` to `deadline`) and which units it applies to (`applies_to`).

    programme = programme_for_unit(unit)
    target = target_in_force(programme, "STAFFING", parse_period("2024"), unit=unit)
    target.value, target.comparison, target.deadline, is_met(target, 0.55)
"""

import datetime as dt
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from ctxh.geo.models import Level, Unit
from ctxh.indicators.models import Comparison, Programme, Target, TargetScope
from ctxh.indicators.periods import Period


def active_programmes() -> QuerySet[Programme]:
    return programme_list(is_active=True)


def province_code(unit: Unit) -> str | None:
    """The code of the province a unit belongs to (itself for a province; one query otherwise)."""
    if unit.level == Level.PROVINCE:
        return unit.code
    provinces = Unit.objects.filter(level=Level.PROVINCE).filter(
        Q(children=unit) | Q(children__children=unit))
    return provinces.values_list("code", flat=True).first()


def programme_for_unit(unit: Unit | None) -> Programme | None:
    """The programme a unit's values are compared with: the active programme whose scope unit is the unit's
    province (Plan 154 for Tuyên Quang, old or new), else the first active programme (by `sort_order`)."""
    programmes = list(active_programmes())
    scoped = unit is not None and any(p.scope_unit_code for p in programmes)
    return programme_of_province(programmes, province_code(unit) if scoped else None)


def programme_of_province(programmes: list[Programme], code: str | None) -> Programme | None:
    """Among `programmes` (in order), the one whose scope unit is the province `code`, else the first."""
    return next((p for p in programmes if p.scope_unit_code and p.scope_unit_code == code),
                programmes[0] if programmes else None)


def applies_to_unit(target: Target, unit: Unit) -> bool:
    """A target for any unit, or one for the programme's own unit: the province of a provincial programme,
    any province for a national one (the target is not shared out among districts and communes)."""
    if target.applies_to != TargetScope.PROGRAMME_UNIT:
        return True
    scope = target.programme.scope_unit_code
    return unit.level == Level.PROVINCE and (not scope or unit.code == scope)


def _programme_filter(programme: Programme | str | None) -> Q:
    if programme is None:
        return Q(programme__is_active=True)
    if isinstance(programme, Programme):
        return Q(programme=programme)
    return Q(programme__code=programme)


def targets_for(indicator_code: str, *, programme: Programme | str | None = None, unit: Unit | None = None,
                day: dt.date | None = None) -> list[Target]:
    """The targets of an indicator: of one programme (a Programme or its code), or of every active
    programme; with `unit`, only those that apply to it; with `day`, only those running on that day
    (start_date <= day <= deadline). Ordered by programme, then deadline."""
    targets = (Target.objects.filter(_programme_filter(programme), indicator__code=indicator_code,
                                     indicator__is_active=True)
               .select_related("programme", "indicator")
               .order_by("programme__sort_order", "programme__code", "deadline", "period_code"))
    if day is not None:
        targets = targets.filter(start_date__lte=day, deadline__gte=day)
    return [target for target in targets if unit is None or applies_to_unit(target, unit)]


def target_in_force(programme: Programme | str | None, indicator_code: str, period: Period, *,
                    unit: Unit | None = None) -> Target | None:
    """The programme's target for a value of `period`: the one whose dates (start_date to deadline) contain
    the whole period, the nearest deadline first; with `unit`, only a target that applies to it.

    A year inside phase 1, a day of 2024, the span 2021-2025: Plan 154's phase 1 target (deadline
    31/12/2025). A period across two phases has none. `programme` None: no programme, no target.
    """
    if programme is None:
        return None
    candidates = (Target.objects.filter(_programme_filter(programme), indicator__code=indicator_code,
                                        indicator__is_active=True, start_date__lte=period.start,
                                        deadline__gte=period.end)
                  .select_related("programme", "indicator").order_by("deadline", "-start_date"))
    return next((t for t in candidates if unit is None or applies_to_unit(t, unit)), None)


def is_met(target: Target, value: Decimal | float | int | None, *,
           baseline: Decimal | float | int | None = None) -> bool | None:
    """Whether `value` meets the target (None when there is no value, or no baseline for a growth)."""
    if value is None:
        return None
    needed = required_value(target, baseline)
    if needed is None:
        return None
    value = Decimal(str(value))
    if target.comparison == Comparison.MORE_THAN:
        return value > needed
    if target.comparison == Comparison.AT_MOST:
        return value <= needed
    return value >= needed


def required_value(target: Target, baseline: Decimal | float | int | None = None) -> Decimal | None:
    """The value to reach: the target's value, or for a growth target the baseline's value x (1 + growth)."""
    if target.comparison != Comparison.GROWTH_AT_LEAST:
        return Decimal(target.value)
    if baseline is None:
        return None
    return Decimal(str(baseline)) * (1 + Decimal(target.value))


def target_label(target: Target) -> str:
    """The target as people read it, saying when its figure is not confirmed yet."""
    if target.is_confirmed:
        return target.label
    return _("%(label)s (chưa xác nhận)") % {"label": target.label}


def programme_list(*, is_active: bool | None = None) -> QuerySet[Programme]:
    """Every programme (or only the active ones, or only the others), in their order."""
    programmes = Programme.objects.order_by("sort_order", "code")
    return programmes if is_active is None else programmes.filter(is_active=is_active)
