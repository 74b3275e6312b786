"""The bench generator: deterministic, the counts asked for, and data a form would have accepted."""

import datetime as dt
import unicodedata
from collections import defaultdict

from django.db.models import Max
from django.utils import timezone

from ctxh.bench import generate as gen
from ctxh.bench.tests.conftest import TINY
from ctxh.cases.models import (
    Case,
    CaseSequence,
    HouseholdMember,
    Person,
    PersonAddress,
    PersonStatus,
    ServiceDelivery,
    Stage,
)
from ctxh.core.cccd import validate_cccd
from ctxh.core.text import fold
from ctxh.geo.models import Unit
from ctxh.orgs.models import Organization


def test_the_size_of_a_scale():
    assert gen.Size.of(1.0) == gen.Size(200_000, 60_000, 1_000_000)
    assert gen.Size.of(0.05) == gen.Size(10_000, 3_000, 50_000)
    assert gen.Size.of(TINY) == gen.Size(200, 60, 1_000)


def test_the_same_seed_gives_the_same_rows(network):
    today = dt.date(2026, 11, 27)
    ids = {model: 1 for model in gen.TABLES}
    first = gen.plan_rows(network, seed=3, scale=TINY, today=today, first_ids=ids)
    again = gen.plan_rows(network, seed=3, scale=TINY, today=today, first_ids=ids)
    other = gen.plan_rows(network, seed=4, scale=TINY, today=today, first_ids=ids)
    assert first.tables == again.tables
    assert first.sequences == again.sequences
    names = [row[1] for row in first.tables[Person][1]]
    assert names != [row[1] for row in other.tables[Person][1]]


def test_the_same_seed_writes_the_same_rows(network):
    today = timezone.localdate()

    def snapshot():
        return {model: sorted(model.objects.values_list(*gen.COLUMNS[model])) for model in gen.TABLES}

    gen.generate(network, seed=5, scale=TINY, today=today)
    first = snapshot()
    gen.clear()
    gen.generate(network, seed=5, scale=TINY, today=today)
    again = snapshot()
    # Ids continue after the rows deleted; everything else is the same.
    for model in gen.TABLES:
        assert [row[1:] for row in first[model]] == [row[1:] for row in again[model]], model.__name__


def test_tiny_scale_counts_and_marker(tiny):
    _geo, result = tiny
    assert Person.objects.count() == 200
    assert Case.objects.count() == 60
    assert ServiceDelivery.objects.count() == 1_000
    assert result.counts["person"] == 200 and result.counts["servicedelivery"] == 1_000
    assert gen.present(7, TINY)
    assert not gen.present(8, TINY)
    assert not gen.present(7, 0.002)


def test_people_are_valid(tiny):
    today = timezone.localdate()
    with_cccd = 0
    for person in Person.objects.all():
        assert person.full_name == unicodedata.normalize("NFC", person.full_name)
        assert person.search_name == fold(person.full_name)
        assert person.date_of_birth is not None or person.birth_year is not None
        if person.cccd:
            with_cccd += 1
            validate_cccd(person.cccd, sex=person.sex, birth_date=person.date_of_birth or person.birth_year)
            assert person.date_of_birth is None or person.age_on(today) >= gen.CCCD_AGE
    assert with_cccd > 50
    assert Person.objects.exclude(cccd__isnull=True).values("cccd").distinct().count() == with_cccd
    for status in PersonStatus.objects.all():
        assert status.start_date <= today
        assert status.end_date is None or status.start_date <= status.end_date <= today


def test_addresses_follow_each_other_in_units_valid_on_their_dates(tiny):
    units = {u.pk: u for u in Unit.objects.all()}
    by_person = defaultdict(list)
    for address in PersonAddress.objects.order_by("person_id", "valid_from"):
        by_person[address.person_id].append(address)
        unit = units[address.unit_id]
        assert unit.level == 3
        assert unit.valid_from is None or unit.valid_from <= address.valid_from
        if unit.valid_to is not None:
            assert address.valid_to is not None and address.valid_to <= unit.valid_to
    assert len(by_person) == 200
    for person_id, addresses in by_person.items():
        born = Person.objects.get(pk=person_id).birth
        assert addresses[0].valid_from == (born if isinstance(born, dt.date) else dt.date(born, 1, 1))
        for before, after in zip(addresses, addresses[1:], strict=False):
            assert before.valid_to == after.valid_from - dt.timedelta(days=1)
        assert addresses[-1].valid_to is None


def test_services_fall_within_their_case(tiny):
    today = timezone.localdate()
    cases = {c.pk: c for c in Case.objects.all()}
    orgs = {o.pk: o for o in Organization.objects.all()}
    for case in cases.values():
        opened = timezone.localdate(case.opened_at)
        assert dt.date(2020, 1, 1) <= opened <= today
        assert orgs[case.opening_organization_id].is_valid_on(opened)
        assert (case.stage == Stage.CLOSED) == (case.closed_at is not None)
    for service in ServiceDelivery.objects.all():
        case = cases[service.case_id]
        assert service.person_id == case.person_id
        assert timezone.localdate(case.opened_at) <= service.delivered_on <= today
        if case.closed_at:
            assert service.delivered_on <= timezone.localdate(case.closed_at)
        assert orgs[service.provider_id].is_valid_on(service.delivered_on)
    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers)
    for sequence in CaseSequence.objects.all():
        assert Case.objects.filter(number__startswith=f"CTXH-{sequence.year}-").count() == sequence.last


def test_households_gather_people_of_one_commune(tiny):
    members = defaultdict(set)
    for member in HouseholdMember.objects.all():
        first = PersonAddress.objects.filter(person_id=member.person_id).order_by("valid_from").first()
        members[member.household_id].add(first.unit_id)
    assert members
    assert all(len(units) == 1 for units in members.values())
    assert HouseholdMember.objects.values("person_id").distinct().count() == HouseholdMember.objects.count()


def test_new_rows_take_ids_after_the_generated_ones(tiny):
    from ctxh.cases.services.persons import person_create

    last = Person.objects.aggregate(m=Max("pk"))["m"]
    created = person_create(full_name="Lò Thị Mai", sex="female", birth_year=1990, confirmed=True)
    person = created.person if hasattr(created, "person") else created
    assert person.pk > last
