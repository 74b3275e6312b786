"""The indicator registry: the programmes' indicators by code, and `indicator_value`, the one entry point for
the pages and the API.

Names, kinds and descriptions are data: the active `IndicatorDefinition` rows (loaded from
`ctxh/indicators/data/` by `manage.py load_indicator_data`). The computations stay in code: a definition's
`method` chooses one of `METHODS`. An indicator is known here when its definition is active and its method
exists (an indicator computed only from aggregate reports, such as SERVICE_FACILITIES, lives in the fact
table, not here). Targets come from the database too (`ctxh.indicators.targets`).

    result = indicator_value("STAFFING", unit="08", period="2025", user=request.user)
    result.value, result.target, result.to_dict()

Errors, for the API to map:
- `UnknownIndicator` (a LookupError): no indicator with that code -> 404;
- `UnitNotAvailable` (a LookupError): no unit with that code in the period, or not in the user's scope (the
  same message for both, so a guess reveals nothing) -> 404;
- `django.core.exceptions.PermissionDenied`: the user's role may not view indicators -> 403;
- `django.core.exceptions.ValidationError`: a bad period, a unit that ended before the period, a period not
  begun yet, no base salary for the day -> 400 (Vietnamese messages in `.messages`).
"""

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ctxh.accounts.roles import Capability
from ctxh.geo.models import Unit
from ctxh.indicators import computations
from ctxh.indicators.models import IndicatorDefinition
from ctxh.indicators.periods import Period, day_period, parse_period, year_period, years_period
from ctxh.indicators.results import IndicatorKind, IndicatorResult
from ctxh.workforce.models import ProgrammePhase


class UnknownIndicator(LookupError):
    def __init__(self, code: str):
        self.code = code
        self.message = str(_("Không có chỉ số mã “%(code)s”.") % {"code": code})
        super().__init__(self.message)


class UnitNotAvailable(LookupError):
    def __init__(self, unit: str):
        self.message = str(_("Không có đơn vị hành chính “%(unit)s” trong phạm vi của bạn.") % {"unit": unit})
        super().__init__(self.message)


@dataclass(frozen=True)
class Indicator:
    code: str
    name_vi: str
    name_en: str
    kind: str  # IndicatorKind
    value_kind: str  # "ratio" or "count"
    description_vi: str
    description_en: str
    compute: Callable[..., IndicatorResult]  # (unit, period, *, user, today)
    short_name_vi: str = ""
    short_name_en: str = ""

    @classmethod
    def of(cls, definition: IndicatorDefinition) -> "Indicator":
        return cls(code=definition.code, name_vi=definition.name_vi, name_en=definition.name_en,
                   kind=definition.kind, value_kind=definition.value_kind,
                   description_vi=definition.description_vi, description_en=definition.description_en,
                   compute=METHODS[definition.method], short_name_vi=definition.short_name_vi,
                   short_name_en=definition.short_name_en)

    @property
    def _english(self) -> bool:
        return (get_language() or "vi").startswith("en")

    @property
    def name(self) -> str:
        return self.name_en if self._english and self.name_en else self.name_vi

    @property
    def short_name(self) -> str:
        short = self.short_name_en if self._english and self.short_name_en else self.short_name_vi
        return short or self.name

    @property
    def description(self) -> str:
        return self.description_en if self._english and self.description_en else self.description_vi

    @property
    def is_stock(self) -> bool:
        return self.kind == IndicatorKind.RATIO_STOCK

    def default_period(self, today: dt.date) -> Period:
        """A stock indicator: today. A count of person-times: the programme phase containing today, else the
        current year. Others (COUNSELLED, CHILDREN): the current year."""
        if self.is_stock:
            return day_period(today)
        if self.kind != IndicatorKind.COUNT_FLOW:
            return year_period(today.year)
        phase = ProgrammePhase.objects.filter(start_date__lte=today, end_date__gte=today).first()
        whole_years = phase is not None and (phase.start_date.month, phase.start_date.day) == (1, 1) and (
            (phase.end_date.month, phase.end_date.day) == (12, 31))
        if whole_years:
            return years_period(phase.start_date.year, phase.end_date.year)
        return year_period(today.year)

    def to_dict(self) -> dict:
        return {"code": self.code, "name_vi": self.name_vi, "name_en": self.name_en, "kind": self.kind,
                "value_kind": self.value_kind, "description": str(self.description)}


# The computations from records, by the definitions' `method`.
METHODS: dict[str, Callable[..., IndicatorResult]] = {
    "staffing": computations.compute_staffing,
    "training": computations.compute_training,
    "counselled": computations.compute_counselled,
    "children": computations.compute_children,
}


def _definitions():
    return IndicatorDefinition.objects.filter(is_active=True, method__in=list(METHODS))


def indicator_list() -> list[Indicator]:
    """The active indicators computed from records, in the definitions' order (one query)."""
    return [Indicator.of(definition) for definition in _definitions().order_by("sort_order", "code")]


def get_indicator(code: str) -> Indicator:
    definition = _definitions().filter(code=str(code).strip().upper()).first()
    if definition is None:
        raise UnknownIndicator(str(code))
    return Indicator.of(definition)


class _Registry(Mapping):
    """`REGISTRY[code]`, `code in REGISTRY`: the live indicators by code, read from the definitions at each
    use (kept for the callers of the former in-code registry)."""

    def __getitem__(self, code: str) -> Indicator:
        try:
            return get_indicator(code)
        except UnknownIndicator:
            raise KeyError(code) from None

    def __contains__(self, code) -> bool:
        return isinstance(code, str) and _definitions().filter(code=code).exists()

    def __iter__(self) -> Iterator[str]:
        return iter(_definitions().order_by("sort_order", "code").values_list("code", flat=True))

    def __len__(self) -> int:
        return _definitions().count()


REGISTRY = _Registry()


def as_period(period: Period | str | dt.date) -> Period:
    if isinstance(period, Period):
        return period
    if isinstance(period, dt.date):
        return day_period(period)
    return parse_period(period)


def unit_for_period(*, user, unit: Unit | str, period: Period, today: dt.date | None = None) -> Unit:
    """The unit of the user's scope meant by `unit` (a Unit, or an official code) for `period`.

    A code is looked up among the units that carried it during the period (codes are reused across the 2025
    reorganization: "08" is the old Tuyên Quang for 2024 and the new one for 2026), the one valid on the
    period's last day first; failing that, the unit carrying it today (which restates older data through its
    predecessors). Raises UnitNotAvailable when none is in the user's scope.
    """
    scoped = Unit.objects.for_user(user)
    if isinstance(unit, Unit):
        found = scoped.filter(pk=unit.pk).first()
        if found is None:
            raise UnitNotAvailable(unit.code)
        return found
    code = str(unit or "").strip()
    if not code:
        raise UnitNotAvailable(code)
    candidates = scoped.filter(code=code)
    found = (candidates.overlapping(period.start, period.end)
             .order_by(F("valid_to").desc(nulls_first=True), "-level").first())
    if found is None:
        found = candidates.as_of(today or timezone.localdate()).order_by("-level").first()
    if found is None:
        raise UnitNotAvailable(code)
    return found


def compute(code: str | Indicator, *, unit: Unit, period: Period | str | dt.date, user=None,
            today: dt.date | None = None) -> IndicatorResult:
    """The indicator (a code, or one already looked up) for `unit` and `period`, without any scope check
    (commands, tests, the engine).

    With a `user`, the actionable list is narrowed to what the user may see.
    """
    indicator = code if isinstance(code, Indicator) else get_indicator(code)
    result = indicator.compute(unit, as_period(period), user=user, today=today or timezone.localdate())
    result.name = indicator.name
    result.kind = indicator.kind
    return result


def indicator_value(code: str, *, unit: Unit | str, period: Period | str | dt.date, user,
                    today: dt.date | None = None) -> IndicatorResult:
    """The value of indicator `code` for `unit` (a Unit or an official code) and `period` (a Period, a DHIS2
    code such as "2025", "2025S1", "2021-2025", or a date), as `user` may see it.

    Checks the capability (PermissionDenied) and the scope (UnitNotAvailable); see the module docstring for
    the errors. `result.to_dict()` is ready for JSON.
    """
    indicator = get_indicator(code)
    if user is None or not user.is_authenticated or not user.can(Capability.VIEW_INDICATORS):
        raise PermissionDenied(_("Vai trò của bạn không được xem các chỉ số."))
    period = as_period(period)
    today = today or timezone.localdate()
    unit = unit_for_period(user=user, unit=unit, period=period, today=today)
    return compute(indicator, unit=unit, period=period, user=user, today=today)
