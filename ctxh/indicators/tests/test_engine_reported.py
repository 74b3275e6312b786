"""Reported numbers in the facts and the no-double-counting rule (records_first): a unit's reported number for
a reporting period is used only when it has no record-based data for that period; merges sum."""

import datetime as dt

import pytest
import time_machine

from ctxh.cases.testing import make_person, make_status
from ctxh.core.reference import Sex
from ctxh.indicators.engine import rebuild_facts
from ctxh.indicators.engine.testing import TODAY, fact, make_definitions, report, serve
from ctxh.orgs.models import OrgKind
from ctxh.testing import make_org

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(dt.datetime(2026, 3, 1, 2, 0, tzinfo=dt.UTC), tick=False):
        yield TODAY


@pytest.fixture
def world(small_geo):
    """x1 has records (two people served in 2024, one child counted); x2, x3 and y1 only report."""
    g = small_geo
    make_definitions("COUNSELLED", "CHILDREN", "SERVICE_FACILITIES")
    org = make_org(g.x1, "Hội Chữ thập đỏ", OrgKind.MASS_ORG)
    for name, sex in (("Tâm", Sex.MALE), ("Uyên", Sex.FEMALE)):
        someone = make_person(name, sex, D(1980, 1, 1), g.x1, unit_from=D(2010, 1, 1))
        make_status(someone, "HONGHEO", D(2019, 1, 1))
        serve(someone, org, D(2024, 3, 1))
    child = make_person("Cháu Vân", Sex.FEMALE, D(2015, 1, 1), g.x1, unit_from=D(2015, 1, 1))
    make_status(child, "TE01", D(2020, 1, 1))
    return g


def test_a_commune_with_records_counts_its_records_only(world):
    g = world
    report(g.x1, "2024", "COUNSELLED_PEOPLE", {"MALE": 30, "FEMALE": 40})
    rebuild_facts()
    x1 = fact("COUNSELLED", g.x1, "2024")
    assert (x1.value, x1.records_part, x1.reported_part) == (2, 2, 0)
    assert fact("COUNSELLED", g.x1, "2024", "sex", "male").value == 1


def test_a_commune_with_only_a_reported_number_adds_it(world):
    g = world
    report(g.x2, "2024", "COUNSELLED_PEOPLE", {"MALE": 3, "FEMALE": 4})
    rebuild_facts()
    x2 = fact("COUNSELLED", g.x2, "2024")
    assert (x2.value, x2.records_part, x2.reported_part, x2.is_estimate) == (7, 0, 7, False)
    assert fact("COUNSELLED", g.x2, "2024", "sex", "female").value == 4
    district = fact("COUNSELLED", g.d070, "2024")
    assert (district.value, district.records_part, district.reported_part) == (9, 2, 7)
    assert fact("COUNSELLED", g.d070, "2024", "sex", "male").value == 4
    # Merges sum: the new commune n1 (x1 + x2 + part of x3) has both.
    assert fact("COUNSELLED", g.n1, "2024").value == 9
    # A period of six months the unit did not report: no reported number.
    assert fact("COUNSELLED", g.x2, "2024S1") is None


def test_a_year_reported_by_halves_is_their_sum_and_an_estimate(world):
    g = world
    report(g.y1, "2024S1", "COUNSELLED_PEOPLE", {"MALE": 2})
    report(g.y1, "2024S2", "COUNSELLED_PEOPLE", {"FEMALE": 3})
    report(g.x2, "2024", "COUNSELLED_PEOPLE", {"MALE": 5})
    report(g.x2, "2024S1", "COUNSELLED_PEOPLE", {"MALE": 4})  # the yearly value wins
    rebuild_facts()
    y1 = fact("COUNSELLED", g.y1, "2024")
    assert (y1.value, y1.is_estimate) == (5, True)
    assert fact("COUNSELLED", g.y1, "2024S1").value == 2
    assert fact("COUNSELLED", g.x2, "2024").value == 5
    # A phase sums its years (distinct people over several years: an estimate).
    phase = fact("COUNSELLED", g.y1, "2021-2025")
    assert (phase.value, phase.is_estimate) == (5, True)


def test_records_first_is_decided_per_reporting_period(world):
    """x1 has records in 2024S1 only: its S2 report counts, its S1 report does not."""
    g = world
    report(g.x1, "2024S1", "COUNSELLED_PEOPLE", {"MALE": 10})
    report(g.x1, "2024S2", "COUNSELLED_PEOPLE", {"MALE": 6})
    rebuild_facts()
    assert fact("COUNSELLED", g.x1, "2024S1").value == 2
    second = fact("COUNSELLED", g.x1, "2024S2")
    assert (second.value, second.records_part, second.reported_part) == (6, 0, 6)
    year = fact("COUNSELLED", g.x1, "2024")
    assert (year.value, year.records_part, year.reported_part, year.is_estimate) == (8, 2, 6, True)


def test_a_ratio_adds_reported_numerators_and_denominators(world):
    g = world
    report(g.x2, "2024", "CHILDREN_SERVED", {"MALE": 1, "FEMALE": 2})
    report(g.x2, "2024", "CHILDREN_IN_GROUPS", {"MALE": 2, "FEMALE": 2})
    report(g.x1, "2024", "CHILDREN_SERVED", {"FEMALE": 5})  # x1 has a child on record: ignored
    report(g.x1, "2024", "CHILDREN_IN_GROUPS", {"FEMALE": 9})
    rebuild_facts()
    x2 = fact("CHILDREN", g.x2, "2024")
    assert (x2.numerator, x2.denominator, x2.value, x2.records_part, x2.reported_part) == (3, 4, 0.75, 0, 4)
    x1 = fact("CHILDREN", g.x1, "2024")
    assert (x1.numerator, x1.denominator, x1.reported_part) == (0, 1, 0)
    district = fact("CHILDREN", g.d070, "2024")
    assert (district.numerator, district.denominator) == (3, 5)
    assert fact("CHILDREN", g.d070, "2024", "sex", "female").denominator == 3


def test_an_indicator_from_reports_only(world):
    g = world
    report(g.x2, "2024", "FACILITIES_TOTAL", {"default": 4})
    report(g.x2, "2024", "FACILITIES_PROVIDING", {"default": 1})
    report(g.y1, "2024", "FACILITIES_TOTAL", {"default": 1})
    report(g.y1, "2024", "FACILITIES_PROVIDING", {"default": 1})
    rebuild_facts()
    province = fact("SERVICE_FACILITIES", g.new08, "2024")
    assert (province.numerator, province.denominator, province.value) == (2, 5, 0.4)
    assert province.records_part is None and province.reported_part == 5
    # A partly merged unit's report is allocated: x3 reports, n1 and n2 get half each.
    report(g.x3, "2024", "FACILITIES_TOTAL", {"default": 2})
    report(g.x3, "2024", "FACILITIES_PROVIDING", {"default": 2})
    rebuild_facts(["SERVICE_FACILITIES"], ["2024"])
    n2 = fact("SERVICE_FACILITIES", g.n2, "2024")
    assert (n2.numerator, n2.denominator, n2.is_estimate) == (2, 2, True)
