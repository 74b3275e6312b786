"""Outliers: a value far from the same unit's history for the same element and cell.

A cell's history is its values in the earlier periods of the same period type (at most the `MAX_HISTORY` most
recent). With at least `MIN_HISTORY` of them, a value is an outlier when it lies outside

    median ± 3 × 1.4826 × max(MAD, 10 % of |median|, 1)

where MAD is the median absolute deviation of the history (1.4826 × MAD estimates a standard deviation for
normal data). The floor keeps a constant history (MAD = 0) from flagging every change: after 10, 10, 10 the
values 6 to 14 pass and 15 is flagged; after 100, 100, 100 the values 56 to 144 pass.

The histories of a whole form come from one query (`histories`), never one query per cell.
"""

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models.functions import Length

from ctxh.geo.models import Unit
from ctxh.indicators.models import DataValue
from ctxh.indicators.periods import Period

MIN_HISTORY = 3
MAX_HISTORY = 10
THRESHOLD = Decimal(3)
SCALE = Decimal("1.4826")
FLOOR_SHARE = Decimal("0.1")
FLOOR_MINIMUM = Decimal(1)


@dataclass(frozen=True)
class Bounds:
    median: Decimal
    low: Decimal
    high: Decimal

    def contains(self, value: Decimal) -> bool:
        return self.low <= value <= self.high


@dataclass(frozen=True)
class History:
    """A cell's values in earlier periods of the same type, the most recent first."""

    values: tuple[tuple[str, Decimal], ...] = ()

    @property
    def bounds(self) -> Bounds | None:
        if len(self.values) < MIN_HISTORY:
            return None
        numbers = [value for _code, value in self.values]
        median = Decimal(statistics.median(numbers))
        mad = Decimal(statistics.median([abs(value - median) for value in numbers]))
        spread = THRESHOLD * SCALE * max(mad, FLOOR_SHARE * abs(median), FLOOR_MINIMUM)
        return Bounds(median, median - spread, median + spread)

    def is_outlier(self, value: Decimal | None) -> bool:
        bounds = self.bounds
        return value is not None and bounds is not None and not bounds.contains(value)

    def recent(self, count: int = 3) -> tuple[tuple[str, Decimal], ...]:
        return self.values[:count]


EMPTY = History()


def histories(*, unit: Unit, element_ids: Iterable[int], period: Period) -> dict[tuple[int, int], History]:
    """The history of every cell of `element_ids` for `unit` before `period`, keyed by (element id, option
    combo id): one query. Same period type = same code length (`2025S1`: 6, `2025`: 4)."""
    rows = (DataValue.objects
            .filter(unit=unit, data_element_id__in=list(element_ids), period_end__lt=period.start)
            .annotate(code_length=Length("period_code")).filter(code_length=len(period.code))
            .order_by("data_element_id", "category_option_combo_id", "-period_start")
            .values_list("data_element_id", "category_option_combo_id", "period_code", "value"))
    found: dict[tuple[int, int], list[tuple[str, Decimal]]] = defaultdict(list)
    for element_id, option_id, code, value in rows:
        cell = found[(element_id, option_id)]
        if len(cell) < MAX_HISTORY:
            cell.append((code, value))
    return {key: History(tuple(values)) for key, values in found.items()}
