"""Freshness: a record saved through the domain services shows in the facts after its commit, without a
rebuild; the refreshed table equals a full rebuild after a sequence of changes; bulk work refreshes once."""

import datetime as dt

import pytest
import time_machine

from ctxh.cases import services
from ctxh.cases.models import FundingSource, ServiceType
from ctxh.cases.testing import at, category, make_case, make_person, make_status
from ctxh.core.reference import Sex
from ctxh.indicators import refresh
from ctxh.indicators.engine import rebuild_facts
from ctxh.indicators.engine.testing import (
    TODAY,
    build_cases_world,
    fact,
    facts_table,
    make_definitions,
    report,
)
from ctxh.indicators.testing import build_world
from ctxh.training.testing import attend, make_session
from ctxh.workforce.testing import set_allowance

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(dt.datetime(2026, 3, 1, 2, 0, tzinfo=dt.UTC), tick=False):
        yield TODAY


@pytest.fixture
def world(small_geo):
    people = build_cases_world(small_geo)
    people.orgs = build_world(small_geo)
    make_definitions()
    rebuild_facts()
    return people


def test_a_service_recorded_shows_in_the_facts_without_a_rebuild(world, django_capture_on_commit_callbacks):
    g = world.geo
    # Hà (in x2, which became part of n1) had no service: n1 has no COUNSELLED fact for 2026.
    assert fact("COUNSELLED", g.n1, "2026") is None
    case = make_case(world.ha, world.a)
    with django_capture_on_commit_callbacks(execute=True):
        services.service_record(case=case, service_type=ServiceType.COUNSELLING, delivered_on=D(2026, 2, 2),
                                funding_source=FundingSource.STATE_BUDGET)
    for period in ("2026S1", "2026", "2026-2030"):
        assert fact("COUNSELLED", g.n1, period).value == 1
        assert fact("COUNSELLED", g.new08, period).value == 1
    assert fact("COUNSELLED", g.n1, "2026", "age", "0-15").value == 1
    assert fact("COUNSELLED", g.n1, "2025") is None  # periods not containing the day are untouched

    # Her status ends the day before: the service no longer counts.
    status = world.ha.statuses.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.status_end(status=status, end_date=D(2026, 2, 1))
    assert fact("COUNSELLED", g.n1, "2026") is None


def test_a_move_a_merge_and_a_report_refresh_the_facts_they_touch(world, django_capture_on_commit_callbacks):
    g = world.geo
    an = world.an
    case = an.cases.get(organization=world.a)
    with django_capture_on_commit_callbacks(execute=True):
        services.address_set(person=an, unit=g.n2, valid_from=D(2026, 1, 15))
        services.service_record(case=case, service_type=ServiceType.LEGAL_AID, delivered_on=D(2026, 2, 1),
                                funding_source=FundingSource.STATE_BUDGET)
    assert fact("COUNSELLED", g.n2, "2026").value == 1 and fact("COUNSELLED", g.n1, "2026") is None

    # A duplicate record of Em (in x3, served in 2024 as the other record): merged, she counts once.
    twin = make_person("Cháu Em (trùng)", Sex.FEMALE, D(2015, 1, 1), g.x1, unit_from=D(2015, 1, 1))
    make_status(twin, "TE02", D(2020, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        services.service_record(case=make_case(twin, world.a, opened_at=at(2024, 4, 1)),
                                service_type=ServiceType.COUNSELLING,
                                delivered_on=D(2024, 5, 1), funding_source=FundingSource.STATE_BUDGET)
    assert fact("COUNSELLED", g.old08, "2024").value == 6
    with django_capture_on_commit_callbacks(execute=True):
        services.person_merge(keep=world.em, merge=twin)
    assert fact("COUNSELLED", g.old08, "2024").value == 5

    with django_capture_on_commit_callbacks(execute=True):
        report(g.y1, "2024", "COUNSELLED_PEOPLE", {"MALE": 3})  # y1 has records (Cúc): ignored
        report(g.n1, "2026", "COUNSELLED_PEOPLE", {"FEMALE": 2})  # n1 has none in 2026: counted
        report(g.y1, "2024", "CHILDREN_IN_GROUPS", {"FEMALE": 4})  # no child on record in y1
        report(g.y1, "2024", "CHILDREN_SERVED", {"FEMALE": 1})
    assert fact("COUNSELLED", g.y1, "2024").value == 1
    assert fact("COUNSELLED", g.n1, "2026").reported_part == 2
    assert fact("COUNSELLED", g.new08, "2026").value == 3  # An in n2, and n1's report
    children = fact("CHILDREN", g.y1, "2024")
    assert (children.numerator, children.denominator, children.reported_part) == (1, 4, 4)
    assert fact("CHILDREN", g.old02, "2024").value == 0.25


def test_the_refreshed_table_equals_a_full_rebuild(world, django_capture_on_commit_callbacks):
    g = world.geo
    with django_capture_on_commit_callbacks(execute=True):
        services.service_record(case=make_case(world.ha, world.b), service_type=ServiceType.COUNSELLING,
                                delivered_on=D(2026, 1, 10), funding_source=FundingSource.SOCIAL_MOBILIZATION)
    with django_capture_on_commit_callbacks(execute=True):
        services.status_add(person=world.ha, category=category("TE01"), start_date=D(2025, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        services.address_set(person=world.binh, unit=g.n2, valid_from=D(2025, 9, 1))
    with django_capture_on_commit_callbacks(execute=True):
        services.status_end(status=world.an.statuses.get(), end_date=D(2024, 6, 30))
    with django_capture_on_commit_callbacks(execute=True):
        report(g.x2, "2024S2", "COUNSELLED_PEOPLE", {"FEMALE": 7})
        report(g.n1, "2026", "COUNSELLED_PEOPLE", {"FEMALE": 2})
    with django_capture_on_commit_callbacks(execute=True):
        set_allowance(world.orgs.b.sw_positions.get(), D(2025, 1, 1), 3_000_000)
    with django_capture_on_commit_callbacks(execute=True):
        session = make_session(world.orgs.hoa.attendances.first().session.course, D(2026, 2, 10))
        attend(session, world.orgs.nam)
    with django_capture_on_commit_callbacks(execute=True):
        world.dung.sex = Sex.FEMALE
        world.dung.save()
    refreshed = facts_table()
    rebuild_facts()
    assert facts_table() == refreshed
    assert fact("STAFFING", g.old08, "2025").numerator == 2  # B qualifies again from 01/01/2025
    assert fact("TRAINING", g.new08, "2026").value == 2


def test_bulk_work_refreshes_once_at_the_end_or_not_at_all(world, django_capture_on_commit_callbacks,
                                                           monkeypatch):
    g = world.geo
    runs = []
    original = refresh.refresh_now
    monkeypatch.setattr(refresh, "refresh_now", lambda changes: runs.append(changes) or original(changes))
    cases = [make_case(person, world.a) for person in (world.ha, world.gam)]
    with django_capture_on_commit_callbacks(execute=True), refresh.facts_paused():
        for case in cases:
            services.service_record(case=case, service_type=ServiceType.COUNSELLING,
                                    delivered_on=D(2026, 1, 5), funding_source=FundingSource.STATE_BUDGET)
        assert fact("COUNSELLED", g.n1, "2026") is None
    assert len(runs) == 1 and fact("COUNSELLED", g.n1, "2026").value == 2
    with django_capture_on_commit_callbacks(execute=True), refresh.facts_paused(refresh=False):
        services.service_record(case=cases[0], service_type=ServiceType.COUNSELLING,
                                delivered_on=D(2025, 8, 5), funding_source=FundingSource.STATE_BUDGET)
    assert len(runs) == 1 and fact("COUNSELLED", g.n1, "2025S2") is None
