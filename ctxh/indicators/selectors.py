"""Reads behind the indicator pages: which units and periods a user can choose. Scoped through the one door
(`Unit.objects.for_user`)."""

import datetime as dt

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from ctxh.geo.models import Unit
from ctxh.indicators.periods import Period, six_months_period, year_period, years_period
from ctxh.orgs.models import Organization
from ctxh.workforce.models import ProgrammePhase

FIRST_YEAR = 2020  # the programme's baseline year


def units_for_period(*, user, period: Period, today: dt.date) -> QuerySet[Unit]:
    """The units of the user's scope a user can choose for `period`: those that existed during the period
    (the old units for a phase-1 period), and today's units (which restate older data through the units
    merged into them). Today's units first, then by level and name."""
    return (
        Unit.objects.for_user(user)
        .filter(Q(pk__in=Unit.objects.overlapping(period.start, period.end).values("pk"))
                | Q(pk__in=Unit.objects.as_of(today).values("pk")))
        .select_related("parent")
        .order_by(F("valid_to").desc(nulls_first=True), "level", "search_name", "code")
    )


def default_unit(*, user, day: dt.date) -> Unit | None:
    """The top of the user's scope on `day`: the highest unit they were given (or the unit of their
    organization); for an unrestricted user, the province valid on `day` with the most organizations."""
    from ctxh.accounts.scoping import scope_for

    scope = scope_for(user)
    if scope.unrestricted:
        provinces = list(Unit.objects.as_of(day).filter(parent__isnull=True).order_by("code"))
        organizations = Organization.objects.filter(Q(unit__in=provinces) | Q(unit__parent__in=provinces))
        counts = dict(organizations.annotate(province=Coalesce("unit__parent_id", "unit_id")).order_by()
                      .values("province").annotate(n=Count("pk")).values_list("province", "n"))
        return max(provinces, key=lambda unit: counts.get(unit.pk, 0), default=None)
    given = [row.unit for row in user.scopes.select_related("unit") if row.unit_id]
    given += [row.organization.unit for row in user.scopes.select_related("organization__unit")
              if row.organization_id]
    if not given:
        return None
    valid = [unit for unit in given if unit.is_valid_on(day)]
    pool = valid or given
    return min(pool, key=lambda unit: (unit.level, unit.name))


def period_choices(today: dt.date) -> list[tuple[str, list[tuple[str, str]]]]:
    """The periods offered in the page's select, grouped: phases, years, six months (newest first)."""
    phases = [
        years_period(phase.start_date.year, phase.end_date.year)
        for phase in ProgrammePhase.objects.order_by("start_date")
    ]
    years = [year_period(year) for year in range(today.year, FIRST_YEAR - 1, -1)]
    halves = [six_months_period(year, half) for year in range(today.year, FIRST_YEAR - 1, -1)
              for half in (2, 1)]
    halves = [period for period in halves if period.start <= today]
    return [
        (_("Giai đoạn"), [(p.code, p.label) for p in phases]),
        (_("Năm"), [(p.code, p.label) for p in years]),
        (_("Sáu tháng"), [(p.code, p.label) for p in halves]),
    ]
