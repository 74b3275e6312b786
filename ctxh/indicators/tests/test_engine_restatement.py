"""Restatement across the 2025 reorganization: today's units hold the old units' data.

small_geo: the new commune n1 = x1 + x2 (whole) + part of x3; n2 = the rest of x3 + y1.
"""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from ctxh.cases.testing import make_person, make_status
from ctxh.core.reference import Sex
from ctxh.indicators.engine import rebuild_facts
from ctxh.indicators.engine.testing import TODAY, fact, make_definitions, serve
from ctxh.indicators.models import AllocationShare
from ctxh.orgs.models import OrgKind
from ctxh.testing import make_org

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(dt.datetime(2026, 3, 1, 2, 0, tzinfo=dt.UTC), tick=False):
        yield TODAY


@pytest.fixture
def org(small_geo):
    make_definitions("COUNSELLED", "CHILDREN")
    return make_org(small_geo.x1, "Hội Chữ thập đỏ", OrgKind.MASS_ORG)


ADULT = D(1980, 1, 1)


def person(name, unit, born=ADULT, sex=Sex.FEMALE, code="HONGHEO", **status):
    someone = make_person(name, sex, born, unit, unit_from=D(2010, 1, 1))
    make_status(someone, code, D(2019, 1, 1), **status)
    return someone


def test_a_full_merge_restates_the_distinct_union_exactly(small_geo, org):
    g = small_geo
    lan = person("Lan", g.x1)
    serve(lan, org, D(2024, 2, 1))
    mai = person("Mai", g.x2)
    serve(mai, org, D(2024, 3, 1))
    # Nga moved from x1 to x2 in 2024: one person in each old commune, one in their union.
    nga = person("Nga", g.x1)
    nga.addresses.update(valid_to=D(2024, 6, 30))
    nga.addresses.create(unit=g.x2, valid_from=D(2024, 7, 1))
    serve(nga, org, D(2024, 5, 1))
    serve(nga, org, D(2024, 9, 1))
    child = person("Cháu Oanh", g.x2, born=D(2015, 1, 1), code="TE01")
    serve(child, org, D(2024, 3, 1), "social_assistance")
    serve(child, org, D(2024, 4, 1), "counselling", "social_mobilization")
    other_child = person("Cháu Phương", g.x1, born=D(2016, 1, 1), code="TE02")
    rebuild_facts()
    x1, x2, n1 = (fact("COUNSELLED", unit, "2024") for unit in (g.x1, g.x2, g.n1))
    assert (x1.value, x2.value) == (2, 3)
    assert n1.value == 4 and n1.is_estimate is False  # Lan, Mai, Nga, Oanh: Nga once
    assert fact("COUNSELLED", g.n1, "2024", "sex", "female").value == 4
    children = fact("CHILDREN", g.n1, "2024")
    old = [fact("CHILDREN", unit, "2024") for unit in (g.x1, g.x2)]
    assert (children.numerator, children.denominator) == (sum(f.numerator for f in old),
                                                          sum(f.denominator for f in old)) == (1, 2)
    assert children.value == 0.5 and children.is_estimate is False
    assert other_child.pk  # in the denominator of x1 only


def test_a_partial_split_allocates_by_shares_and_flags_estimates(small_geo, org):
    g = small_geo
    quy = person("Quý", g.x3)
    serve(quy, org, D(2024, 2, 1))
    rang = person("Răng", g.y1)
    serve(rang, org, D(2024, 2, 1))
    child = person("Cháu Sương", g.x3, born=D(2015, 1, 1), code="TE01")
    serve(child, org, D(2024, 3, 1), "social_assistance")
    serve(child, org, D(2024, 4, 1), "counselling", "social_mobilization")
    rebuild_facts()
    n1, n2, new08 = (fact("COUNSELLED", unit, "2024") for unit in (g.n1, g.n2, g.new08))
    assert (n1.value, n1.is_estimate) == (1.0, True)  # half of Quý, half of Sương
    assert (n2.value, n2.is_estimate) == (2.0, True)  # Răng, half of Quý, half of Sương
    assert (new08.value, new08.is_estimate) == (3, False)  # wholly inside the new province
    assert fact("COUNSELLED", g.x3, "2024").is_estimate is False
    children = fact("CHILDREN", g.n2, "2024")
    assert (children.numerator, children.denominator, children.value, children.is_estimate) == (
        0.5, 0.5, 1.0, True)

    # Population shares replace the equal ones: rebuild the map and the facts.
    AllocationShare.objects.filter(predecessor=g.x3, successor=g.n1).update(share=Decimal("0.8"))
    AllocationShare.objects.filter(predecessor=g.x3, successor=g.n2).update(share=Decimal("0.2"))
    rebuild_facts(unit_map=True)
    assert fact("COUNSELLED", g.n1, "2024").value == pytest.approx(1.6)
    assert fact("COUNSELLED", g.n2, "2024").value == pytest.approx(1.4)
    assert fact("COUNSELLED", g.new08, "2024").value == 3
