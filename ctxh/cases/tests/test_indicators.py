"""COUNSELLED and CHILDREN computed in the database (ctxh.cases.indicators), on hand-counted data."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ctxh.cases.indicators import children_served, counselled, counselled_by_year
from ctxh.cases.models import FundingSource, PersonAddress, ServiceDelivery, ServiceType
from ctxh.cases.testing import make_case, make_person, make_status
from ctxh.core.models import Ethnicity
from ctxh.core.reference import Sex
from ctxh.testing import make_org

pytestmark = pytest.mark.django_db

D = dt.date
SM = FundingSource.SOCIAL_MOBILIZATION
STATE = FundingSource.STATE_BUDGET


def serve(person, org, day, kind=ServiceType.COUNSELLING, funding=STATE):
    case = person.cases.first() or make_case(person, org)
    return ServiceDelivery.objects.create(case=case, person=person, service_type=kind, delivered_on=day,
                                          provider=org, funding_source=funding)


@pytest.fixture
def orgs(small_geo):
    return (make_org(small_geo.x1, "UBND phường Phan Thiết"),
            make_org(small_geo.y1, "Trung tâm Bảo trợ xã hội"))


@pytest.fixture
def counselling_world(small_geo, orgs):
    """2024. old Tuyên Quang: P1 (three services, two organizations), P4 (served on the last day of a status).
    Elsewhere or not counted: P2 (status ended before), P3 (old Hà Giang), P5 (no status), P7 (moved to
    old Hà Giang before being served)."""
    g = small_geo
    a, b = orgs
    kinh = Ethnicity.objects.get(code="01")
    tay = Ethnicity.objects.get(code="02")
    p1 = make_person("Nguyễn Thị Một", Sex.FEMALE, D(1950, 4, 2), g.x1, ethnicity=kinh)
    make_status(p1, "NCT_DONTHAN", D(2020, 1, 1))
    make_status(p1, "HONGHEO", D(2020, 1, 1))
    serve(p1, a, D(2024, 2, 1))
    serve(p1, b, D(2024, 5, 1))
    serve(p1, b, D(2024, 9, 1), ServiceType.LEGAL_AID)
    p2 = make_person("Trần Văn Hai", Sex.MALE, D(2010, 1, 1), g.x2)
    make_status(p2, "TE02", D(2024, 1, 1), D(2024, 3, 31))
    serve(p2, a, D(2024, 6, 1))
    serve(p2, a, D(2024, 3, 15), ServiceType.SOCIAL_ASSISTANCE)
    p3 = make_person("Lò Thị Ba", Sex.FEMALE, D(1990, 1, 1), g.y1, ethnicity=tay)
    make_status(p3, "HONGHEO", D(2022, 1, 1))
    serve(p3, b, D(2024, 4, 1))
    p4 = make_person("Hoàng Văn Bốn", Sex.MALE, D(2012, 8, 8), g.x3, ethnicity=tay)
    make_status(p4, "TE02", D(2024, 1, 1), D(2024, 3, 31))
    serve(p4, a, D(2024, 3, 31))
    p5 = make_person("Phạm Văn Năm", Sex.MALE, D(1980, 1, 1), g.x1)
    serve(p5, a, D(2024, 3, 1))
    p7 = make_person("Vàng Thị Bảy", Sex.FEMALE, D(1970, 1, 1), g.x1, unit_from=D(2015, 1, 1))
    PersonAddress.objects.filter(person=p7).update(valid_to=D(2024, 6, 30))
    PersonAddress.objects.create(person=p7, unit=g.y1, valid_from=D(2024, 7, 1))
    make_status(p7, "NKT", D(2020, 1, 1), severity="mild")
    serve(p7, a, D(2024, 8, 1))
    return g


def test_counselled_counts_each_person_once_where_they_lived_while_holding_a_status(counselling_world):
    g = counselling_world
    old = counselled(g.old08, D(2024, 1, 1), D(2024, 12, 31))
    assert old.total == 2  # P1 once for three services by two organizations; P4
    assert [(r.key, r.count) for r in old.by_sex] == [(Sex.MALE, 1), (Sex.FEMALE, 1)]
    assert [(r.key, r.count) for r in old.by_age] == [("0-15", 1), ("60+", 1)]
    assert [(r.label, r.count) for r in old.by_ethnicity] == [("Kinh", 1), ("Tày", 1)]
    assert {r.key: r.count for r in old.by_group} == {"child_special": 1, "other": 1}
    # The new province restates the old units merged into it: P3 and P7 (old Hà Giang) too.
    assert counselled(g.new08, D(2024, 1, 1), D(2024, 12, 31)).total == 4
    assert counselled(g.old02, D(2024, 1, 1), D(2024, 12, 31)).total == 2
    # A status that ended on 31/03 still counts a service that day, not after.
    assert counselled(g.x3, D(2024, 1, 1), D(2024, 3, 30)).total == 0
    assert counselled(g.x2, D(2024, 1, 1), D(2024, 12, 31)).total == 0


def test_counselled_by_year_counts_distinct_people_per_year(counselling_world, orgs):
    g = counselling_world
    assert counselled_by_year(g.old08, 2023, 2024) == {2023: 0, 2024: 2}


def test_counselled_query_count_does_not_grow_with_rows(small_geo, orgs):
    a, _b = orgs

    def add(n):
        for i in range(n):
            person = make_person(f"Người {i}", Sex.FEMALE, D(1960, 1, 1), small_geo.x1)
            make_status(person, "HONGHEO", D(2020, 1, 1))
            serve(person, a, D(2024, 2, 1))
            serve(person, a, D(2024, 3, 1))

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            result = counselled(small_geo.old08, D(2024, 1, 1), D(2024, 12, 31))
            children_served(small_geo.old08, D(2024, 1, 1), D(2024, 12, 31))
        return result.total, len(ctx)

    add(2)
    small = queries()
    add(6)
    large = queries()
    assert small[0] == 2 and large[0] == 8
    assert small[1] == large[1]


@pytest.fixture
def children_world(small_geo, orgs):
    """2025, the new province. Counted: C1 (assistance + counselling by social mobilization), C4 (severe
    disability, both by social mobilization). Not served: C2 (state budget only), C7 (assistance only), C8
    (served in 2024 only). Not children of the plan on 31/12/2025: C3 (turns 16 on 01/06/2025), C5 (mild
    disability), C6 (status ended 01/10/2025)."""
    g = small_geo
    a, b = orgs

    def child(name, born, code, unit=g.n1, end=None, **status):
        person = make_person(name, Sex.FEMALE if name.endswith("a") else Sex.MALE, born, unit,
                             unit_from=D(2025, 7, 1))
        make_status(person, code, D(2020, 1, 1), end, **status)
        return person

    c1 = child("Cháu Một", D(2015, 5, 1), "TE01")
    serve(c1, a, D(2025, 3, 1), ServiceType.SOCIAL_ASSISTANCE, STATE)
    serve(c1, b, D(2025, 9, 1), ServiceType.COUNSELLING, SM)
    c2 = child("Cháu Hai", D(2012, 1, 1), "TE02", g.n2)
    serve(c2, a, D(2025, 3, 1), ServiceType.SOCIAL_ASSISTANCE, STATE)
    serve(c2, a, D(2025, 4, 1), ServiceType.COUNSELLING, STATE)
    c3 = child("Cháu Ba", D(2009, 6, 1), "TE01")
    serve(c3, a, D(2025, 3, 1), ServiceType.SOCIAL_ASSISTANCE, SM)
    serve(c3, a, D(2025, 3, 1), ServiceType.COUNSELLING, SM)
    c4 = child("Cháu Bốn", D(2014, 2, 2), "TE04", severity="severe")
    serve(c4, b, D(2025, 11, 1), ServiceType.SOCIAL_ASSISTANCE, SM)
    serve(c4, b, D(2025, 11, 2), ServiceType.REHABILITATION, SM)
    child("Cháu Năm", D(2014, 2, 2), "TE04", severity="mild")
    child("Cháu Sáu", D(2014, 2, 2), "TE02", end=D(2025, 10, 1))
    c7 = child("Cháu Bảy", D(2018, 1, 1), "KH154_THIENTAI", g.n2, event="Bão Yagi")
    serve(c7, a, D(2025, 8, 1), ServiceType.SOCIAL_ASSISTANCE, SM)
    c8 = child("Cháu Tám", D(2016, 1, 1), "TE05")
    serve(c8, a, D(2024, 8, 1), ServiceType.SOCIAL_ASSISTANCE, SM)
    serve(c8, a, D(2024, 8, 1), ServiceType.COUNSELLING, SM)
    return g


def test_children_share_and_the_children_not_yet_served(children_world):
    g = children_world
    result = children_served(g.new08, D(2025, 1, 1), D(2025, 12, 31))
    assert (result.numerator, result.denominator) == (2, 5)
    assert result.value == pytest.approx(0.4)
    missing = {c.full_name: (c.has_assistance, c.has_social_work) for c in result.not_served()}
    assert missing == {"Cháu Hai": (True, False), "Cháu Bảy": (True, False), "Cháu Tám": (False, False)}
    assert {r.key: (r.numerator, r.denominator) for r in result.by_group} == {
        "orphan_alone": (1, 1), "abandoned": (0, 1), "hiv": (0, 1), "severe_disability": (1, 1),
        "disaster_epidemic": (0, 1)}
    # By commune: n2 holds C2 and C7, neither served.
    n2 = children_served(g.n2, D(2025, 1, 1), D(2025, 12, 31))
    assert (n2.numerator, n2.denominator) == (0, 2)
    # On 30/09/2025, C6 (status until 01/10) is still counted, and C3 is already 16.
    september = children_served(g.new08, D(2025, 1, 1), D(2025, 9, 30))
    assert (september.numerator, september.denominator) == (1, 6)
