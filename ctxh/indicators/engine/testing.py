"""Factories for the engine's tests: the four definitions of Plan 154 as data (the shape the definitions
loader writes: methods, sources, data elements, the records-first rule, disaggregations), reported values,
and a helper reading facts back."""

import datetime as dt
from decimal import Decimal

from ctxh.indicators.models import (
    CategoryCombo,
    CategoryOptionCombo,
    CombinationRule,
    DataElement,
    DataValue,
    IndicatorDefinition,
    IndicatorFact,
    IndicatorKind,
    Source,
)
from ctxh.indicators.periods import parse_period

COMBOS = {
    "default": [("default", {})],
    "SEX": [("MALE", {"sex": "male"}), ("FEMALE", {"sex": "female"})],
    "GROUP": [("GROUP_CHILD_SPECIAL", {"group": "child_special"}),
              ("GROUP_PLAN154_CHILD", {"group": "plan154_child"}),
              ("GROUP_SOCIAL_PROTECTION", {"group": "social_protection"}),
              ("GROUP_OTHER", {"group": "other"})],
}
ELEMENTS = {
    "COUNSELLED_PEOPLE": "SEX",
    "COUNSELLED_BY_GROUP": "GROUP",
    "CHILDREN_IN_GROUPS": "SEX",
    "CHILDREN_SERVED": "SEX",
    "FACILITIES_TOTAL": "default",
    "FACILITIES_PROVIDING": "default",
}
DEFINITIONS = {
    "STAFFING": dict(kind=IndicatorKind.RATIO_STOCK, value_kind="ratio", source=Source.RECORDS,
                     method="staffing", disaggregations=["kind"]),
    "TRAINING": dict(kind=IndicatorKind.COUNT_FLOW, value_kind="count", source=Source.RECORDS,
                     method="training", disaggregations=["sex"]),
    "COUNSELLED": dict(kind=IndicatorKind.DISTINCT_FLOW, value_kind="count", source=Source.BOTH,
                       method="counselled", element="COUNSELLED_PEOPLE",
                       combination_rule=CombinationRule.RECORDS_FIRST,
                       disaggregations=["sex", "group", "age", "ethnicity"]),
    "CHILDREN": dict(kind=IndicatorKind.RATIO_FLOW, value_kind="ratio", source=Source.BOTH, method="children",
                     element="CHILDREN_SERVED", denominator="CHILDREN_IN_GROUPS",
                     combination_rule=CombinationRule.RECORDS_FIRST,
                     disaggregations=["group", "sex"]),
    "SERVICE_FACILITIES": dict(kind=IndicatorKind.REPORTED, value_kind="ratio", source=Source.AGGREGATE,
                               method="", element="FACILITIES_PROVIDING", denominator="FACILITIES_TOTAL"),
}


def make_metadata() -> None:
    """Category combos, their cells, and the data elements (idempotent)."""
    for code, options in COMBOS.items():
        combo, _ = CategoryCombo.objects.get_or_create(code=code, defaults={"name_vi": code})
        for number, (option, dimensions) in enumerate(options):
            CategoryOptionCombo.objects.update_or_create(
                code=option, defaults={"combo": combo, "name_vi": option, "dimensions": dimensions,
                                       "sort_order": number})
    for code, combo in ELEMENTS.items():
        DataElement.objects.get_or_create(code=code, defaults={
            "name_vi": code, "category_combo": CategoryCombo.objects.get(code=combo)})


def make_definitions(*codes: str) -> dict[str, IndicatorDefinition]:
    """The definitions named (all of DEFINITIONS by default) with the engine's fields as above, active; the
    other definitions (the test database holds those of ctxh/indicators/data/) are deactivated, so that a
    test computes only what it names."""
    make_metadata()
    made = {}
    for number, code in enumerate(codes or DEFINITIONS):
        spec = dict(DEFINITIONS[code])
        element = spec.pop("element", None)
        denominator = spec.pop("denominator", None)
        definition, _ = IndicatorDefinition.objects.get_or_create(code=code, defaults={
            "name_vi": code, "sort_order": number, "kind": spec["kind"], "value_kind": spec["value_kind"]})
        for name, value in spec.items():
            setattr(definition, name, value)
        definition.data_element = DataElement.objects.get(code=element) if element else None
        definition.denominator_element = DataElement.objects.get(code=denominator) if denominator else None
        definition.is_active = True
        definition.save()
        made[code] = definition
    IndicatorDefinition.objects.exclude(code__in=list(made)).update(is_active=False)
    return made


def report(unit, period_code: str, element: str, values: dict[str, int | float | None]) -> list[DataValue]:
    """Reported values of `element` for `unit` and a period (`{"MALE": 3, "FEMALE": 4}`, or
    `{"default": 5}`), written directly (the aggregate entry service checks more)."""
    period = parse_period(period_code)
    written = []
    for option, value in values.items():
        row, _ = DataValue.objects.update_or_create(
            data_element=DataElement.objects.get(code=element),
            category_option_combo=CategoryOptionCombo.objects.get(code=option), unit=unit,
            period_code=period.code,
            defaults={"period_start": period.start, "period_end": period.end, "value": Decimal(str(value))})
        written.append(row)
    return written


def fact(code: str, unit, period: str, dimension: str = "", category: str = "") -> IndicatorFact | None:
    return IndicatorFact.objects.filter(indicator_code=code, unit=unit, period_code=period,
                                        dimension=dimension, category=category).first()


def facts_table() -> list[tuple]:
    """The whole fact table as comparable tuples (rounded floats; without the computation time)."""
    def r(value):
        return None if value is None else round(value, 9)

    return sorted(
        (f.indicator_code, f.unit_id, f.period_code, f.dimension, f.category, r(f.value), r(f.numerator),
         r(f.denominator), r(f.records_part), r(f.reported_part), f.is_estimate)
        for f in IndicatorFact.objects.all())


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# --- a small world with hand-countable facts --------------------------------------------------------------

TODAY = dt.date(2026, 3, 1)


def serve(person, org, day: dt.date, kind: str = "counselling", funding: str = "state_budget"):
    """A service row written directly (the services check more; the freshness tests use them)."""
    from ctxh.cases.models import ServiceDelivery
    from ctxh.cases.testing import make_case

    case = person.cases.first() or make_case(person, org, opened_at=_at(dt.date(2019, 1, 1)))
    return ServiceDelivery.objects.create(case=case, person=person, service_type=kind, delivered_on=day,
                                          provider=org, funding_source=funding)


def _at(day: dt.date) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, 9, 0))


def build_cases_world(small_geo):
    """People served in 2024 in the old units of small_geo (today is 01/03/2026, see TODAY).

    - An (male, born 1955, Kinh) in x1, elderly living alone since 2019: counselling by A (02/2024) and legal
      aid by B (09/2024): one person, two organizations.
    - Bình (female, born 1985, Tày) a poor household member since 2019: in x2 until 31/05/2024, then in x3
      (she moved): served 01/03/2024 (in x2) and 01/08/2024 (in x3).
    - Cúc (female, born 1990) in y1 (old Hà Giang), a victim of violence from 01/01/2024 to 30/04/2024 (the
      status ends mid-period): served 01/03/2024 (counted) and 01/07/2024 (not: no status any more).
    - Dũng (male, born 15/08/2008: 16 on 15/08/2024) in x1, orphan since 2020: social assistance 01/03/2024
      and counselling by social mobilization 01/04/2024 (served; a child on 30/06/2024, not on 31/12/2024).
    - Em (female, born 2015) in x3, abandoned since 2020: assistance 01/08/2024 and counselling by the state
      budget 02/08/2024 (not served: no social mobilization).
    - Gấm (female, born 2016) in x1, severe disability since 2020: assistance 01/10/2024 and rehabilitation
      by social mobilization 01/11/2024 (served).
    - Hà (female, born 2014) in x2, mild disability: not in CHILDREN's groups; no service.

    COUNSELLED 2024: old Tuyên Quang 5 (An, Bình, Dũng, Em, Gấm), the new one 6 (Cúc too).
    CHILDREN 2024 (31/12/2024): Em, Gấm: 1/2. 2024S1 (30/06/2024): Dũng, Em, Gấm: 1/3 (Dũng).
    """
    from types import SimpleNamespace

    from ctxh.cases.testing import make_person, make_status
    from ctxh.core.models import Ethnicity
    from ctxh.core.reference import Sex
    from ctxh.orgs.models import OrgKind
    from ctxh.testing import make_org

    g = small_geo
    kinh, tay = Ethnicity.objects.get(code="01"), Ethnicity.objects.get(code="02")
    # Out of STAFFING's scope, so that its counts stay those of ctxh.indicators.testing.build_world.
    a = make_org(g.x1, "Hội Liên hiệp Phụ nữ phường Phan Thiết", OrgKind.MASS_ORG)
    b = make_org(g.x2, "Văn phòng tư vấn Minh Xuân", OrgKind.NGO)
    an = make_person("Nguyễn Văn An", Sex.MALE, dt.date(1955, 1, 1), g.x1, unit_from=dt.date(2010, 1, 1),
                     ethnicity=kinh)
    make_status(an, "NCT_DONTHAN", dt.date(2019, 1, 1))
    serve(an, a, dt.date(2024, 2, 1))
    serve(an, b, dt.date(2024, 9, 1), "legal_aid")
    binh = make_person("Lò Thị Bình", Sex.FEMALE, dt.date(1985, 1, 1), g.x2, unit_from=dt.date(2010, 1, 1),
                       ethnicity=tay)
    binh.addresses.update(valid_to=dt.date(2024, 5, 31))
    binh.addresses.create(unit=g.x3, valid_from=dt.date(2024, 6, 1))
    make_status(binh, "HONGHEO", dt.date(2019, 1, 1))
    serve(binh, b, dt.date(2024, 3, 1))
    serve(binh, b, dt.date(2024, 8, 1))
    cuc = make_person("Trần Thị Cúc", Sex.FEMALE, dt.date(1990, 1, 1), g.y1, unit_from=dt.date(2010, 1, 1))
    make_status(cuc, "BAOLUC", dt.date(2024, 1, 1), dt.date(2024, 4, 30))
    serve(cuc, b, dt.date(2024, 3, 1))
    serve(cuc, b, dt.date(2024, 7, 1))
    dung = make_person("Hoàng Văn Dũng", Sex.MALE, dt.date(2008, 8, 15), g.x1, unit_from=dt.date(2008, 8, 15))
    make_status(dung, "TE01", dt.date(2020, 1, 1))
    serve(dung, a, dt.date(2024, 3, 1), "social_assistance")
    serve(dung, a, dt.date(2024, 4, 1), "counselling", "social_mobilization")
    em = make_person("Cháu Em", Sex.FEMALE, dt.date(2015, 1, 1), g.x3, unit_from=dt.date(2015, 1, 1))
    make_status(em, "TE02", dt.date(2020, 1, 1))
    serve(em, a, dt.date(2024, 8, 1), "social_assistance")
    serve(em, a, dt.date(2024, 8, 2), "counselling")
    gam = make_person("Cháu Gấm", Sex.FEMALE, dt.date(2016, 1, 1), g.x1, unit_from=dt.date(2016, 1, 1))
    make_status(gam, "TE04", dt.date(2020, 1, 1), severity="severe")
    serve(gam, a, dt.date(2024, 10, 1), "social_assistance")
    serve(gam, a, dt.date(2024, 11, 1), "rehabilitation", "social_mobilization")
    ha = make_person("Cháu Hà", Sex.FEMALE, dt.date(2014, 1, 1), g.x2, unit_from=dt.date(2014, 1, 1))
    make_status(ha, "TE04", dt.date(2020, 1, 1), severity="mild")
    return SimpleNamespace(geo=g, a=a, b=b, an=an, binh=binh, cuc=cuc, dung=dung, em=em, gam=gam, ha=ha)
