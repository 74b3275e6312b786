import datetime as dt

import pytest

from ctxh.cases.models import Case, Person, Referral
from ctxh.cases.testing import at, make_case, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(world):
    person_a = make_person("Người ở Minh Xuân", unit=world.geo.n1, unit_from=dt.date(2025, 7, 1))
    person_b = make_person("Người ở Nông Tiến", unit=world.geo.n2, unit_from=dt.date(2025, 7, 1))
    return {
        "a_assigned": make_case(person_a, world.org_a, world.worker_a, opened_at=at(2025, 8, 1)),
        "a_unassigned": make_case(make_person(), world.org_a, opened_at=at(2025, 8, 1)),
        "b": make_case(person_b, world.org_b, world.worker_b, opened_at=at(2025, 8, 1)),
    }


def visible(user) -> set[int]:
    return set(Case.objects.for_user(user).values_list("pk", flat=True))


def test_a_social_worker_sees_only_the_cases_assigned_to_them(world, cases):
    assert visible(world.sw_a) == {cases["a_assigned"].pk}
    assert not Case.objects.for_user(world.sw_a).filter(pk=cases["b"].pk).exists()  # another org's case by id
    assert set(Person.objects.for_user(world.sw_a)) == {cases["a_assigned"].person}


def test_an_officer_sees_the_cases_of_their_organization(world, cases):
    assert visible(world.officer_a) == {cases["a_assigned"].pk, cases["a_unassigned"].pk}
    assert visible(world.officer_b) == {cases["b"].pk}
    assert cases["b"].person not in Person.objects.for_user(world.officer_a)


def test_a_provincial_manager_sees_the_province_and_people_by_address(world, cases):
    assert visible(world.manager) == {case.pk for case in cases.values()}
    registered_only = make_person("Chưa có hồ sơ", unit=world.geo.x3, unit_from=dt.date(2020, 1, 1))
    elsewhere = make_person("Ở tỉnh khác")
    people = set(Person.objects.for_user(world.manager))
    assert registered_only in people and elsewhere not in people


def test_a_leader_sees_no_individual_record_and_nobody_signed_out_sees_anything(world, cases):
    from django.contrib.auth.models import AnonymousUser

    assert visible(world.leader) == set() and not Person.objects.for_user(world.leader).exists()
    assert visible(AnonymousUser()) == set()
    assert not Referral.objects.for_user(AnonymousUser()).exists()
