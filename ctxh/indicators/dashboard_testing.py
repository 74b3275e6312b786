"""Test data of the dashboard: facts written directly (the engine that computes them is tested on its own),
and the programmes Plan 154 and Decision 112.

    programme = plan154()                       # STAFFING, TRAINING, COUNSELLED, CHILDREN and their targets
    fact("STAFFING", unit, "2024", 0.5, numerator=5, denominator=10)

The test databases hold the reference data of `ctxh/indicators/data/` (root conftest.py); `plan154()` and
`qd112()` return those programmes, and create them (with the same targets) only where they are missing.
"""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from ctxh.geo.models import Unit
from ctxh.indicators.models import (
    Comparison,
    IndicatorDefinition,
    IndicatorFact,
    IndicatorKind,
    Programme,
    Source,
    Target,
    TargetScope,
)

DEFINITIONS = {
    "STAFFING": ("Tỷ lệ cơ sở, đơn vị có người làm công tác xã hội", "Có người làm CTXH",
                 IndicatorKind.RATIO_STOCK, "ratio", 1),
    "TRAINING": ("Số lượt người được đào tạo, bồi dưỡng kỹ năng công tác xã hội", "Lượt người được đào tạo",
                 IndicatorKind.COUNT_FLOW, "count", 2),
    "COUNSELLED": ("Số người có hoàn cảnh khó khăn được tư vấn, hỗ trợ", "Người được tư vấn, hỗ trợ",
                   IndicatorKind.DISTINCT_FLOW, "count", 3),
    "CHILDREN": ("Tỷ lệ trẻ em thuộc sáu nhóm được trợ giúp và dịch vụ CTXH", "Trẻ em được trợ giúp",
                 IndicatorKind.RATIO_FLOW, "ratio", 4),
    "SERVICE_FACILITIES": ("Tỷ lệ cơ sở cung cấp dịch vụ công tác xã hội", "Cơ sở có dịch vụ CTXH",
                           IndicatorKind.REPORTED, "ratio", 5),
}

# (indicator, period_code, start, deadline, value, comparison, baseline, applies_to, label)
PLAN154_TARGETS = [
    ("STAFFING", "2025", 2021, 2025, "0.60", Comparison.AT_LEAST, "", TargetScope.ANY_UNIT,
     "ít nhất 60 % vào cuối năm 2025"),
    ("STAFFING", "2030", 2026, 2030, "0.90", Comparison.AT_LEAST, "", TargetScope.ANY_UNIT,
     "ít nhất 90 % vào cuối năm 2030"),
    ("TRAINING", "2021-2025", 2021, 2025, "2000", Comparison.MORE_THAN, "", TargetScope.PROGRAMME_UNIT,
     "trên 2.000 lượt người trong giai đoạn 2021-2025"),
    ("TRAINING", "2026-2030", 2026, 2030, "3500", Comparison.MORE_THAN, "", TargetScope.PROGRAMME_UNIT,
     "trên 3.500 lượt người trong giai đoạn 2026-2030"),
    ("COUNSELLED", "2025", 2021, 2025, "0.20", Comparison.GROWTH_AT_LEAST, "2020", TargetScope.ANY_UNIT,
     "năm 2025 tăng ít nhất 20 % so với năm 2020"),
    ("COUNSELLED", "2030", 2026, 2030, "0.30", Comparison.GROWTH_AT_LEAST, "2025", TargetScope.ANY_UNIT,
     "năm 2030 tăng ít nhất 30 % so với năm 2025"),
    ("CHILDREN", "2025", 2021, 2025, "0.90", Comparison.AT_LEAST, "", TargetScope.ANY_UNIT,
     "ít nhất 90 % vào năm 2025"),
    ("CHILDREN", "2030", 2026, 2030, "1.00", Comparison.AT_LEAST, "", TargetScope.ANY_UNIT,
     "100 % vào năm 2030"),
]

QD112_TARGETS = [
    *(target for target in PLAN154_TARGETS if target[0] in ("STAFFING", "COUNSELLED")),
    ("CHILDREN", "2025", 2021, 2025, "0.85", Comparison.AT_LEAST, "", TargetScope.ANY_UNIT,
     "ít nhất 85 % vào năm 2025"),
    ("CHILDREN", "2030", 2026, 2030, "0.90", Comparison.AT_LEAST, "", TargetScope.ANY_UNIT,
     "ít nhất 90 % vào năm 2030"),
    ("SERVICE_FACILITIES", "2025", 2021, 2025, "0.50", Comparison.AT_LEAST, "", TargetScope.ANY_UNIT,
     "ít nhất 50 % vào năm 2025"),
    ("SERVICE_FACILITIES", "2030", 2026, 2030, "0.60", Comparison.AT_LEAST, "", TargetScope.ANY_UNIT,
     "ít nhất 60 % vào năm 2030"),
]


def definition(code: str) -> IndicatorDefinition:
    name, short, kind, value_kind, order = DEFINITIONS[code]
    source = Source.AGGREGATE if code == "SERVICE_FACILITIES" else Source.RECORDS
    indicator, _created = IndicatorDefinition.objects.get_or_create(
        code=code, defaults={"name_vi": name, "short_name_vi": short, "kind": kind, "value_kind": value_kind,
                             "source": source, "sort_order": order, "is_active": True})
    return indicator


def _programme(code: str, name: str, scope_unit_code: str, order: int, targets: list) -> Programme:
    programme, _created = Programme.objects.get_or_create(
        code=code, defaults={"name_vi": name, "scope_unit_code": scope_unit_code, "sort_order": order,
                             "start_date": dt.date(2021, 1, 1), "end_date": dt.date(2030, 12, 31),
                             "is_active": True})
    for code_, period, first, last, value, comparison, baseline, applies, label in targets:
        Target.objects.get_or_create(
            programme=programme, indicator=definition(code_), period_code=period,
            defaults={"phase_code": f"{first}-{last}", "start_date": dt.date(first, 1, 1),
                      "deadline": dt.date(last, 12, 31), "value": Decimal(value), "comparison": comparison,
                      "baseline_period_code": baseline, "applies_to": applies, "label_vi": label})
    return programme


def plan154(scope_unit_code: str = "08") -> Programme:
    """Plan 154/KH-UBND of Tuyên Quang: four indicators, a target for each phase."""
    return _programme("PLAN154_TQ", "Kế hoạch 154/KH-UBND tỉnh Tuyên Quang", scope_unit_code, 1,
                      PLAN154_TARGETS)


def qd112() -> Programme:
    """Decision 112/QĐ-TTg (national): STAFFING, COUNSELLED, CHILDREN (85 %, 90 %), SERVICE_FACILITIES."""
    return _programme("QD112", "Quyết định 112/QĐ-TTg", "", 2, QD112_TARGETS)


def fact(code: str, unit: Unit | int, period_code: str, value: float | None, *,
         numerator: float | None = None, denominator: float | None = None, is_estimate: bool = False,
         dimension: str = "", category: str = "") -> IndicatorFact:
    """One fact as the engine would write it (a count's numerator is the count itself)."""
    if numerator is None and value is not None and DEFINITIONS.get(code, ("", "", "", "count"))[3] == "count":
        numerator = value
    row, _created = IndicatorFact.objects.update_or_create(
        indicator_code=code, unit_id=getattr(unit, "pk", unit), period_code=period_code, dimension=dimension,
        category=category,
        defaults={"value": value, "numerator": numerator, "denominator": denominator,
                  "records_part": numerator, "reported_part": None, "is_estimate": is_estimate,
                  "computed_at": timezone.now()})
    return row


def facts(code: str, unit: Unit | int, values: dict[str, float], **extra) -> None:
    """Several periods of one unit at once: {"2021": 10, "2022": 12}."""
    for period_code, value in values.items():
        fact(code, unit, period_code, value, **extra)
