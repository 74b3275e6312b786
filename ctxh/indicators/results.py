"""What an indicator answers for one unit and one period: plain dataclasses, easy to render and to serialize.

`IndicatorResult.to_dict()` gives JSON-ready values (ISO dates, floats for ratios, ints for counts), the
shape the API returns.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ctxh.indicators.models import IndicatorKind  # noqa: F401 (re-exported)
from ctxh.indicators.periods import Period


class Status(models.TextChoices):
    ACHIEVED = "achieved", _("Đã đạt chỉ tiêu")
    IN_PROGRESS = "in_progress", _("Chưa đạt, còn trong thời hạn")
    NOT_ACHIEVED = "not_achieved", _("Không đạt chỉ tiêu")
    NO_TARGET = "no_target", _("Không có chỉ tiêu")
    NO_DATA = "no_data", _("Chưa có số liệu")


class ColumnKind(models.TextChoices):
    TEXT = "text"
    INTEGER = "integer"
    MONEY = "money"
    RATIO = "ratio"
    DATE = "date"


def _json(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Promise):
        return str(value)
    return value


@dataclass(frozen=True)
class UnitRef:
    id: int
    code: str
    name: str
    label: str
    level: int
    valid_from: dt.date | None
    valid_to: dt.date | None

    @classmethod
    def of(cls, unit) -> "UnitRef":
        return cls(unit.pk, unit.code, unit.name, str(unit.label), unit.level, unit.valid_from, unit.valid_to)

    def to_dict(self) -> dict:
        return {name: _json(getattr(self, name)) for name in
                ("id", "code", "name", "label", "level", "valid_from", "valid_to")}


@dataclass(frozen=True)
class TargetInfo:
    """The programme's target the value is compared with, and whether it is met."""

    phase_code: str
    value: float  # a share (0.6) for a ratio, a number of person-times for a count
    comparison: str  # ">=" at least, ">" more than
    label: str
    deadline: dt.date  # the last day of the phase
    met: bool | None

    def to_dict(self) -> dict:
        return {name: _json(getattr(self, name)) for name in
                ("phase_code", "value", "comparison", "label", "deadline", "met")}


@dataclass(frozen=True)
class BreakdownRow:
    key: str | int | None
    label: str
    value: float | int | None  # a share for a ratio breakdown, a count otherwise
    numerator: int | None = None
    denominator: int | None = None
    cumulative: int | None = None  # the by-year breakdown of a count

    def to_dict(self) -> dict:
        data = {"key": _json(self.key), "label": str(self.label), "value": self.value}
        if self.denominator is not None:
            data.update(numerator=self.numerator, denominator=self.denominator)
        if self.cumulative is not None:
            data["cumulative"] = self.cumulative
        return data


@dataclass(frozen=True)
class Breakdown:
    code: str  # "kind", "commune", "sex", "topic", "year"
    title: str
    value_kind: str  # "ratio" or "count"
    rows: list[BreakdownRow]
    note: str = ""

    def to_dict(self) -> dict:
        return {"code": self.code, "title": str(self.title), "value_kind": self.value_kind,
                "rows": [row.to_dict() for row in self.rows], "note": str(self.note)}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = ColumnKind.TEXT
    # A web page links the cell to `url_name` with the row's `link_key` (e.g. the organization page).
    url_name: str = ""
    link_key: str = ""


@dataclass(frozen=True)
class ActionableList:
    """The list behind the number: what is missing (STAFFING) or where the number comes from (TRAINING)."""

    title: str
    columns: list[Column]
    rows: list[dict]
    # Rows left out because they are outside the user's scope (counted, not shown).
    hidden: int = 0
    note: str = ""

    def to_dict(self) -> dict:
        return {
            "title": str(self.title),
            "columns": [{"key": c.key, "label": str(c.label), "kind": c.kind} for c in self.columns],
            "rows": [{key: _json(value) for key, value in row.items()} for row in self.rows],
            "hidden": self.hidden,
            "note": str(self.note),
        }


@dataclass
class IndicatorResult:
    code: str
    name: str
    kind: str  # IndicatorKind
    value_kind: str  # "ratio" or "count"
    unit: UnitRef
    period: Period
    # The day a stock indicator was taken on (the period's last day, or today, or the unit's last day).
    day: dt.date | None
    value: float | int | None
    numerator: int | None
    denominator: int | None
    target: TargetInfo | None
    # The share of the target reached (value / target; for a count, the phase's cumulative / target).
    progress: float | None
    status: str  # Status
    breakdowns: list[Breakdown]
    details: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    actionable_source: Callable[[], ActionableList] | None = field(default=None, repr=False, compare=False)

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label)

    @property
    def progress_percent(self) -> float:
        """The progress bar's width, 0 to 100."""
        return round(max(0.0, min(1.0, self.progress or 0.0)) * 100, 1)

    @property
    def value_percent(self) -> float | None:
        return None if self.value is None or self.value_kind != "ratio" else round(self.value * 100, 1)

    def breakdown(self, code: str) -> Breakdown | None:
        return next((b for b in self.breakdowns if b.code == code), None)

    @cached_property
    def actionable(self) -> ActionableList | None:
        """Evaluated on first use (the list page does not need it)."""
        return self.actionable_source() if self.actionable_source else None

    def to_dict(self, *, actionable: bool = True) -> dict:
        data = {
            "indicator": self.code,
            "name": str(self.name),
            "kind": self.kind,
            "value_kind": self.value_kind,
            "unit": self.unit.to_dict(),
            "period": self.period.to_dict(),
            "day": _json(self.day),
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "target": self.target.to_dict() if self.target else None,
            "progress": self.progress,
            "status": self.status,
            "status_label": self.status_label,
            "breakdowns": [b.to_dict() for b in self.breakdowns],
            "details": {key: _json(value) for key, value in self.details.items()},
            "notes": [str(note) for note in self.notes],
        }
        if actionable:
            listing = self.actionable
            data["actionable"] = listing.to_dict() if listing else None
        return data
