"""Test factories of the DHIS2 exchange: the reference data (the aggregate tests' factories, made with the
ORM until the loader lands), reported values and indicator facts written directly, and a small world on the
`small_geo` fixture (see conftest.py: old 08 = old Tuyên Quang until 30/06/2025, new 08 after).

`build_dhis2_world(small_geo)`, today being 10/01/2026 in the tests (2025S2 and 2025 open for entry until
30/01/2026; 2025S1 locked since 31/07/2025):

| data set | period | unit | element.option | value |
|---|---|---|---|---|
| CTXH_6M | 2025S1 | x1 (old 02200) | COUNSELLED_PEOPLE.MALE | 4 |
| CTXH_6M | 2025S1 | x1 | COUNSELLED_PEOPLE.FEMALE | 6 |
| CTXH_6M | 2025S1 | x1 | COUNSELLED_CHILDREN.FEMALE | 2 (comment "Hai em ở thôn 3") |
| CTXH_6M | 2025S1 | x2 (02203) | COUNSELLED_PEOPLE.FEMALE | 3 |
| CTXH_6M | 2025S1 | y1 (00700, old Hà Giang) | COUNSELLED_PEOPLE.MALE | 5 |
| CTXH_6M | 2025S2 | n1 (new 02200) | COUNSELLED_PEOPLE.FEMALE | 7 |
| CTXH_6M | 2025S2 | n2 (02210) | FACILITIES_TOTAL.default | 2 |
| CTXH_6M | 2025S2 | n2 | FACILITIES_PROVIDING.default | 1 |
| CTXH_YEAR | 2025 | n1 | COUNSELLED_PEOPLE.MALE | 12 |

Every value is stored by the user "nhaplieu", created and last updated at 15/07/2025 09:30 (Hanoi time).
"""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import time_machine

from ctxh.accounts.roles import Role
from ctxh.geo.models import Unit
from ctxh.indicators.aggregate.testing import make_data_sets
from ctxh.indicators.models import CategoryOptionCombo, DataElement, DataValue, IndicatorFact
from ctxh.indicators.periods import parse_period
from ctxh.testing import make_user

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
STORED_AT = dt.datetime(2025, 7, 15, 9, 30, tzinfo=HANOI)
TODAY = dt.datetime(2026, 1, 10, 9, 0, tzinfo=HANOI)


def put_value(unit: Unit, period_code: str, element: str, option: str, value: int | str | Decimal, *,
              user=None, comment: str = "") -> DataValue:
    """A reported value written directly (the entry service is tested on its own)."""
    period = parse_period(period_code)
    return DataValue.objects.create(
        data_element=DataElement.objects.get(code=element),
        category_option_combo=CategoryOptionCombo.objects.get(code=option), unit=unit,
        period_code=period.code, period_start=period.start, period_end=period.end, value=Decimal(value),
        comment=comment, stored_by=user)


def put_fact(code: str, unit: Unit, period_code: str, value: float | None, *, dimension: str = "",
             category: str = "", numerator: float | None = None, denominator: float | None = None,
             is_estimate: bool = False, computed_at: dt.datetime = STORED_AT) -> IndicatorFact:
    """An indicator fact written directly (the engine is tested on its own)."""
    return IndicatorFact.objects.create(
        indicator_code=code, unit=unit, period_code=period_code, dimension=dimension, category=category,
        value=value, numerator=numerator, denominator=denominator, is_estimate=is_estimate,
        computed_at=computed_at)


def make_reference() -> SimpleNamespace:
    """The programmes' definitions (the data files, as in production) and the two data sets with their
    elements, options and rules (the aggregate tests' factories: idempotent, the same codes)."""
    from ctxh.indicators.definitions import ensure_indicator_data

    ensure_indicator_data()
    return make_data_sets()


def build_dhis2_world(small_geo) -> SimpleNamespace:
    g = small_geo
    sets = make_reference()
    clerk = make_user("nhaplieu", Role.ORG_OFFICER, units=[g.new08])
    with time_machine.travel(STORED_AT, tick=False):
        rows = [
            (g.x1, "2025S1", "COUNSELLED_PEOPLE", "MALE", 4, ""),
            (g.x1, "2025S1", "COUNSELLED_PEOPLE", "FEMALE", 6, ""),
            (g.x1, "2025S1", "COUNSELLED_CHILDREN", "FEMALE", 2, "Hai em ở thôn 3"),
            (g.x2, "2025S1", "COUNSELLED_PEOPLE", "FEMALE", 3, ""),
            (g.y1, "2025S1", "COUNSELLED_PEOPLE", "MALE", 5, ""),
            (g.n1, "2025S2", "COUNSELLED_PEOPLE", "FEMALE", 7, ""),
            (g.n2, "2025S2", "FACILITIES_TOTAL", "default", 2, ""),
            (g.n2, "2025S2", "FACILITIES_PROVIDING", "default", 1, ""),
            (g.n1, "2025", "COUNSELLED_PEOPLE", "MALE", 12, ""),
        ]
        for unit, period, element, option, value, comment in rows:
            put_value(unit, period, element, option, value, user=clerk, comment=comment)
    return SimpleNamespace(geo=g, six_months=sets.six_months, year=sets.year, clerk=clerk)


def value_rows(**filters) -> set[tuple]:
    """The stored values as (element, option, unit id, period, value, comment): what a round trip keeps."""
    values = DataValue.objects.filter(**filters).select_related("data_element", "category_option_combo")
    return {(v.data_element.code, v.category_option_combo.code, v.unit_id, v.period_code, v.value, v.comment)
            for v in values}
