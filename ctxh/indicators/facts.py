"""The read side of the fact table (`IndicatorFact`): what the dashboard, the API and the reports read.

The engine (`ctxh.indicators.engine`) writes facts **only where there is data**; a missing fact reads as 0 for
a count and as "no data" for a ratio (`reading`). Every function here is one query whatever the number of
units or periods asked for, so that a page costs a fixed number of queries.

    facts.value("STAFFING", unit.pk, "2025")                 # the total, or None
    facts.series("COUNSELLED", unit.pk, ["2020", "2021"])    # {period_code: fact}
    facts.by_unit("CHILDREN", [n1.pk, n2.pk], "2025")         # {unit_id: [fact]}
    facts.breakdown("COUNSELLED", unit.pk, "2025", "sex")    # [fact, ...] one per category

The total of an indicator has dimension "" and category "".
"""

from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from ctxh.indicators.models import IndicatorFact

# The columns a reader needs (computed_at and the ids are left out of the common path).
_FIELDS = ("id", "indicator_code", "unit_id", "period_code", "dimension", "category", "value", "numerator",
           "denominator", "records_part", "reported_part", "is_estimate", "computed_at")


def _id(unit) -> int:
    """A unit id from an id or a Unit (callers hold either)."""
    return int(getattr(unit, "pk", unit))


def _facts():
    return IndicatorFact.objects.only(*_FIELDS)


def value(code: str, unit_id: int, period_code: str, dimension: str = "", category: str = "") -> (
        IndicatorFact | None):
    """One fact (the total when `dimension` and `category` are empty), or None when the engine wrote none."""
    return (_facts().filter(indicator_code=code, unit_id=_id(unit_id), period_code=period_code,
                            dimension=dimension, category=category).first())


def series(code: str, unit_id: int, period_codes: Iterable[str]) -> dict[str, IndicatorFact]:
    """The totals of one unit over several periods, by period code; periods without a fact are absent."""
    codes = list(dict.fromkeys(period_codes))
    if not codes:
        return {}
    rows = _facts().filter(indicator_code=code, unit_id=_id(unit_id), period_code__in=codes, dimension="",
                           category="")
    found = {fact.period_code: fact for fact in rows}
    return {period: found[period] for period in codes if period in found}


def by_unit(code: str, unit_ids: Iterable[int], period_code: str, dimension: str = "") -> (
        dict[int, list[IndicatorFact]]):
    """Several units in one period: for each unit that has facts, its total (dimension "": a list of one) or
    the categories of `dimension` (ordered by category). Units without a fact are absent."""
    ids = list(dict.fromkeys(_id(unit) for unit in unit_ids))
    if not ids:
        return {}
    rows = _facts().filter(indicator_code=code, unit_id__in=ids, period_code=period_code, dimension=dimension)
    rows = rows.exclude(category="") if dimension else rows.filter(category="")
    found: dict[int, list[IndicatorFact]] = defaultdict(list)
    for fact in rows.order_by("unit_id", "category"):
        found[fact.unit_id].append(fact)
    return dict(found)


def breakdown(code: str, unit_id: int, period_code: str, dimension: str) -> list[IndicatorFact]:
    """The categories of one disaggregation (sex, group, age, ...) of a unit and period, by category."""
    return list(_facts().filter(indicator_code=code, unit_id=_id(unit_id), period_code=period_code,
                                dimension=dimension).exclude(category="").order_by("category"))


class Reading(NamedTuple):
    """A fact's numbers without the model around it (`grid` reads thousands of them for one page)."""

    indicator_code: str
    unit_id: int
    period_code: str
    value: float | None
    numerator: float | None
    denominator: float | None
    is_estimate: bool


def grid(codes: Iterable[str], unit_ids: Iterable[int], period_codes: Iterable[str]) -> (
        dict[tuple[str, int, str], Reading]):
    """The totals of several indicators x units x periods in one query, keyed (code, unit_id, period_code).

    What a dashboard needs for a whole table with its trends, without a query per unit or per period; rows
    are light `Reading` tuples (value, numerator, denominator, is_estimate), not model instances.
    """
    codes, ids, periods = list(dict.fromkeys(codes)), list(dict.fromkeys(map(_id, unit_ids))), list(
        dict.fromkeys(period_codes))
    if not codes or not ids or not periods:
        return {}
    rows = IndicatorFact.objects.filter(indicator_code__in=codes, unit_id__in=ids, period_code__in=periods,
                                        dimension="", category="").values_list(*Reading._fields)
    return {(row[0], row[1], row[2]): Reading(*row) for row in rows}


def reading(fact: IndicatorFact | Reading | None, value_kind: str) -> float | None:
    """The number a reader shows for `fact`: its value; without a fact, 0 for a count and None (no data) for
    a ratio (the engine writes facts only where there is data)."""
    if fact is not None and fact.value is not None:
        return fact.value
    return 0.0 if value_kind == "count" else None
