"""What export and import share: DHIS2 periods, units resolved as of a period, the indicator facts as data
elements, numbers written the way DHIS2 reads them."""

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ctxh.geo.models import Unit
from ctxh.indicators import registry
from ctxh.indicators.dhis2.mapping import UnitRef
from ctxh.indicators.models import CategoryOptionCombo, IndicatorDefinition, PeriodType
from ctxh.indicators.periods import Period, PeriodKind, parse_period, six_months_period, year_period

DEFAULT_OPTION = "default"  # the category option combo (and attribute option combo) of no disaggregation
DHIS2_PERIOD_KINDS = {PeriodKind.YEAR: PeriodType.YEARLY, PeriodKind.SIX_MONTHS: PeriodType.SIX_MONTHLY}
STORED_BY_ENGINE = "ctxh"  # storedBy of the computed indicator values
RATIO_DECIMALS = 6  # a share 0..1 keeps 6 decimals (0.333333): 4 significant digits of a percentage
COUNT_DECIMALS = 4  # a count is whole, but an estimate allocated by shares may not be (DataValue keeps 4)

# Disaggregations of the facts when the definitions are not loaded (docs of the shared design).
FALLBACK_DIMENSIONS = {
    "COUNSELLED": ["sex", "group", "age", "ethnicity"],
    "CHILDREN": ["group", "sex"],
    "STAFFING": ["kind"],
    "TRAINING": ["sex"],
}
PARTS = ("", "NUMERATOR", "DENOMINATOR")


# ------------------------------------------------------------------------------------------------- periods


def dhis2_period(code: str) -> Period:
    """A DHIS2 period of the kinds ctxh reports: a year (`2025`) or six months (`2025S1`, `2025S2`).

    ValidationError otherwise (a Vietnamese message naming the code)."""
    try:
        period = parse_period(code)
    except ValidationError:
        period = None
    if period is None or period.kind not in DHIS2_PERIOD_KINDS:
        raise ValidationError(
            _("Mã kỳ “%(code)s” không hợp lệ: hãy dùng một năm (2025) hoặc sáu tháng (2025S1, 2025S2).")
            % {"code": code}, code="bad_period")
    return period


def periods_between(start: dt.date, end: dt.date, period_type: str | None = None) -> list[Period]:
    """The years and halves lying wholly inside [start, end] (DHIS2's startDate/endDate), of one period type
    when given; oldest first, a year before its halves."""
    found: list[Period] = []
    for year in range(start.year, end.year + 1):
        candidates = []
        if period_type in (None, PeriodType.YEARLY):
            candidates.append(year_period(year))
        if period_type in (None, PeriodType.SIX_MONTHLY):
            candidates += [six_months_period(year, 1), six_months_period(year, 2)]
        found += [period for period in candidates if start <= period.start and period.end <= end]
    return found


def period_type_of(period: Period) -> str:
    return DHIS2_PERIOD_KINDS[period.kind]


# --------------------------------------------------------------------------------------------------- units


def pick_generation(units: Iterable[Unit], ref: UnitRef, period: Period) -> Unit | None:
    """The unit `ref` names in `period`: among the generations of the code valid on a day of the period, the
    one valid on its last day (else the latest), as the indicator pages read a code. 2025 names the new
    02200 (valid on 31/12/2025), 2025S1 the old one."""
    candidates = [
        unit for unit in units
        if ref.allows(unit) and (unit.valid_from is None or unit.valid_from <= period.end)
        and (unit.valid_to is None or unit.valid_to >= period.start)
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda unit: (unit.valid_to is None, unit.valid_to or dt.date.max, unit.level))


def exists_in(unit: Unit, period: Period) -> bool:
    return (unit.valid_from is None or unit.valid_from <= period.end) and (
        unit.valid_to is None or unit.valid_to >= period.start)


def subtree(units: Iterable[Unit]) -> list[Unit]:
    """The units and everything under them through parent links, across every generation (one query per
    level). The caller keeps those that existed in its period: the historical geography of the period."""
    found: dict[int, Unit] = {unit.pk: unit for unit in units}
    frontier = set(found)
    while frontier:
        children = list(Unit.objects.filter(parent_id__in=frontier).exclude(pk__in=found.keys()))
        frontier = {unit.pk for unit in children}
        found.update((unit.pk, unit) for unit in children)
    return list(found.values())


# -------------------------------------------------------------------------------------------- indicators


@dataclass(frozen=True)
class IndicatorInfo:
    code: str
    value_kind: str  # "ratio" or "count"
    dimensions: tuple[str, ...]

    @property
    def is_ratio(self) -> bool:
        return self.value_kind == "ratio"


def indicator_catalogue() -> dict[str, IndicatorInfo]:
    """The indicators whose facts can be exported: the definitions loaded as data, and the registry's."""
    found: dict[str, IndicatorInfo] = {}
    for indicator in registry.indicator_list():
        found[indicator.code] = IndicatorInfo(indicator.code, indicator.value_kind,
                                              tuple(FALLBACK_DIMENSIONS.get(indicator.code, ())))
    for code, value_kind, dimensions in IndicatorDefinition.objects.values_list(
            "code", "value_kind", "disaggregations"):
        dims = tuple(dimensions or ()) or tuple(FALLBACK_DIMENSIONS.get(code, ()))
        found[code] = IndicatorInfo(code, value_kind or "count", dims)
    return found


@dataclass(frozen=True)
class FactElement:
    """A data element of the export standing for indicator facts: `COUNSELLED` (the total),
    `COUNSELLED_SEX` (the rows by sex, one category option combo each), and for a ratio the same with
    `_NUMERATOR` and `_DENOMINATOR`."""

    indicator: str
    dimension: str  # "" for the total
    part: str  # "", "NUMERATOR" or "DENOMINATOR"

    @property
    def code(self) -> str:
        return "_".join(piece for piece in (self.indicator, self.dimension.upper(), self.part) if piece)


def fact_elements(catalogue: dict[str, IndicatorInfo]) -> dict[str, FactElement]:
    """Every fact element code the catalogue gives, by code."""
    found: dict[str, FactElement] = {}
    for info in catalogue.values():
        parts = PARTS if info.is_ratio else ("",)
        for dimension in ("", *info.dimensions):
            for part in parts:
                element = FactElement(info.code, dimension, part)
                found.setdefault(element.code, element)
    return found


@dataclass
class OptionCodes:
    """The category option combo of a fact row: the option whose `dimensions` is exactly {dimension:
    category} (SEX's FEMALE for sex=female), else a code made of both (`AGE_0_15`, `KIND_SCHOOL`)."""

    by_dimension: dict[tuple[str, str], str] = field(default_factory=dict)

    @classmethod
    def load(cls) -> "OptionCodes":
        found: dict[tuple[str, str], str] = {}
        for code, dimensions in CategoryOptionCombo.objects.order_by("combo__code", "sort_order").values_list(
                "code", "dimensions"):
            if isinstance(dimensions, dict) and len(dimensions) == 1:
                [(dimension, category)] = dimensions.items()
                found.setdefault((dimension, str(category)), code)
        return cls(found)

    def code(self, dimension: str, category: str) -> str:
        if not dimension:
            return DEFAULT_OPTION
        known = self.by_dimension.get((dimension, category))
        if known:
            return known
        return re.sub(r"[^A-Z0-9]+", "_", f"{dimension}_{category}".upper()).strip("_")


# ------------------------------------------------------------------------------------------------- numbers


def number_text(value: Decimal | float | int, decimals: int) -> str:
    """A number as DHIS2 reads it: a dot for decimals, no thousands separator, no trailing zeros, no
    exponent (12, 12.5, 0.333333)."""
    quantum = Decimal(1).scaleb(-decimals)
    number = Decimal(str(value)).quantize(quantum)
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def timestamp(moment: dt.datetime | None) -> str:
    """ISO 8601 in the site's time zone, milliseconds and offset: 2025-07-15T09:30:00.000+07:00."""
    if moment is None:
        return ""
    return timezone.localtime(moment).isoformat(timespec="milliseconds")
