import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from ctxh.cases import services
from ctxh.cases.models import (
    CategoryGroup,
    Consent,
    HouseholdMember,
    Person,
    PersonAddress,
    PersonStatus,
    Plan154ChildGroup,
    ServiceDelivery,
    Severity,
    VulnerabilityCategory,
)
from ctxh.cases.selectors import disadvantaged_persons, plan154_children
from ctxh.cases.testing import at, category, make_case, make_person, make_status
from ctxh.core.concurrency import ConcurrentEditError
from ctxh.core.reference import Sex

pytestmark = pytest.mark.django_db
BORN = dt.date(2012, 4, 30)


def errors_of(call, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call(**kwargs)
    return caught.value.message_dict


def create(world, **extra):
    data = {"full_name": "Hoàng Thị Lan", "sex": Sex.FEMALE, "date_of_birth": BORN, "unit": world.geo.n1,
            "unit_from": dt.date(2025, 7, 1)} | extra
    return services.person_create(**data)


def test_the_reference_list_covers_article_10_and_the_plans_six_groups():
    categories = VulnerabilityCategory.objects.all()
    assert categories.filter(group=CategoryGroup.CHILD_SPECIAL).count() == 14
    groups = set(categories.exclude(plan154_child_group="").values_list("plan154_child_group", flat=True))
    assert groups == set(Plan154ChildGroup.values)
    assert category("TE05").is_sensitive and category("KH154_THIENTAI").requires_event


def test_a_person_is_stored_in_nfc_with_a_folded_search_name(world):
    person = create(world, full_name="  Hoa\u0300ng Thị Lan ").person
    assert person.full_name == "Hoàng Thị Lan" and person.birth_year == 2012
    assert list(Person.objects.search("hoang thi lan")) == [person]
    assert person.unit_on(dt.date(2025, 8, 1)) == world.geo.n1


def test_bad_input_is_refused_by_field_and_nothing_is_written(world):
    assert "date_of_birth" in errors_of(create, world=world, date_of_birth=None)
    assert "date_of_birth" in errors_of(create, world=world, date_of_birth=dt.date.today() + dt.timedelta(1))
    errors = errors_of(create, world=world, cccd="008212345678")  # digit 4 = 2: a boy born in the 2000s
    assert "giới tính" in errors["cccd"][0]
    assert "unit" in errors_of(create, world=world, unit=world.geo.x1)  # an old ward, gone on 2025-07-01
    assert not Person.objects.exists()


def test_a_child_is_under_16_with_the_birth_year_only_taken_as_1_january(world):
    child = make_person(date_of_birth=dt.date(2009, 12, 31))
    year_only = make_person(date_of_birth=None, birth_year=2009)
    day = dt.date(2025, 12, 30)
    assert child.is_child_on(day) and not child.is_child_on(dt.date(2025, 12, 31))
    assert not year_only.is_child_on(day)
    assert set(Person.objects.children_on(day)) == {child}


def test_duplicates_by_cccd(world):
    first = create(world, full_name="Nguyễn Văn Hùng", sex=Sex.MALE, cccd="008212345678").person
    result = create(world, full_name="Nguyễn Hùng Anh", sex=Sex.MALE, cccd="008 212 345 678",
                    date_of_birth=dt.date(2012, 1, 1), unit=world.geo.n2)
    assert not result.created
    assert [(c.person, c.reasons) for c in result.candidates] == [(first, ("Trùng số CCCD",))]
    assert "cccd" in errors_of(create, world=world, full_name="X", sex=Sex.MALE, cccd="008212345678",
                               date_of_birth=dt.date(2012, 1, 1), confirmed=True)


def test_duplicates_by_folded_name_birth_and_unit(world):
    first = create(world, date_of_birth=None, birth_year=2012).person
    result = create(world, full_name="HOANG THI LAN", date_of_birth=BORN)
    assert [c.person for c in result.candidates] == [first]
    assert "Trùng họ tên, ngày (năm) sinh và địa bàn" in result.candidates[0].reasons
    other = create(world, full_name="HOANG THI LAN", unit=world.geo.n2, date_of_birth=dt.date(2012, 5, 1))
    assert other.created


def test_duplicates_by_fuzzy_name_with_the_same_birth_date(world):
    first = create(world, full_name="Nguyễn Thị Thu Trang").person
    result = create(world, full_name="Nguyen Thi Thu Tranh", unit=world.geo.n2)
    assert [c.person for c in result.candidates] == [first]
    assert result.candidates[0].reasons == ("Họ tên gần giống, trùng ngày sinh",)
    assert create(world, full_name="Lò Văn Sử", unit=world.geo.n2).created
    confirmed = create(world, full_name="Nguyen Thi Thu Tranh", unit=world.geo.n2, confirmed=True)
    assert confirmed.created and Person.objects.count() == 3


def test_a_merge_moves_every_link_and_keeps_both_records(world):
    keep = make_person("Đặng Văn Long", sex=Sex.MALE, unit=world.geo.n1)
    dup = make_person("Dang Van Long", sex=Sex.MALE, unit=world.geo.n2, phone="0912345678",
                      cccd="008215123456")
    ward = make_person("Đặng Thị Nhỏ", guardian=dup)
    make_status(dup, "TE02")
    case = make_case(dup, world.org_a)
    services.service_record(case=case, service_type="counselling", delivered_on=dt.date(2025, 3, 5),
                            funding_source="state_budget")
    services.consent_record(person=dup, given_at=at(2025, 3, 4), given_by_person=True,
                            representative_name="Bà nội", representative_relationship="Bà")
    household = services.household_create(name="Hộ Đặng Văn Sơn", unit=world.geo.n2)
    services.household_member_add(household=household, person=dup, relationship="child",
                                  start_date=dt.date(2015, 3, 9))
    services.person_merge(keep=keep, merge=dup, by=world.manager)
    keep.refresh_from_db()
    dup.refresh_from_db()
    assert dup.merged_into == keep and keep.phone == "0912345678" and keep.cccd == "008215123456"
    assert PersonStatus.objects.filter(person=keep).count() == 1
    assert PersonAddress.objects.filter(person=keep).count() == 2
    assert HouseholdMember.objects.get().person == keep
    assert Consent.objects.get().person == keep
    assert ServiceDelivery.objects.get().person == keep
    case.refresh_from_db()
    assert case.person == keep and case.events.filter(kind="person_merged").exists()
    ward.refresh_from_db()
    assert ward.guardian == keep
    for model in (PersonStatus, PersonAddress, HouseholdMember, Consent):
        assert not model.objects.filter(person=dup).exists()
    assert dup.history.count() >= 2 and keep.history.count() >= 2  # both histories kept
    assert list(Person.objects.live().filter(pk__in=[keep.pk, dup.pk])) == [keep]
    assert "merge" in errors_of(services.person_merge, keep=keep, merge=dup)


def test_pseudonymizing_keeps_the_counts(world):
    day = dt.date(2025, 6, 1)
    person = make_person("Triệu Thị Hoa", cccd="008315123456", phone="0987", address_text="Thôn Bản Ba",
                         date_of_birth=dt.date(2015, 3, 9), unit=world.geo.x3)
    make_status(person, "TE04", severity=Severity.SEVERE)
    make_status(make_person(), "HONGHEO")
    def counts():
        return (disadvantaged_persons(day).count(), plan154_children(day).count(),
                PersonStatus.objects.active_on(day).count(),
                Person.objects.living_in([world.geo.x3.pk], day).count())

    before = counts()
    services.person_pseudonymize(person=person)
    person.refresh_from_db()
    assert person.full_name.startswith("Ẩn danh") and person.cccd is None and person.phone == ""
    assert person.date_of_birth is None and person.birth_year == 2015 and person.sex == Sex.FEMALE
    assert not person.history.filter(full_name="Triệu Thị Hoa").exists()
    assert counts() == before == (2, 1, 2, 1)


def test_a_stale_person_version_is_refused_with_what_changed(world):
    person = create(world).person
    services.person_update(person=person, version=1, data={"phone": "0911000111"})
    with pytest.raises(ConcurrentEditError) as caught:
        services.person_update(person=person, version=1, data={"address_text": "Tổ 5"})
    assert [change.field for change in caught.value.changes] == ["phone"]
    person.refresh_from_db()
    assert person.address_text == "" and person.version == 2


def test_a_person_belongs_to_one_household_at_a_time(world):
    person = make_person()
    first = services.household_create(name="Hộ A")
    second = services.household_create(name="Hộ B")
    member = services.household_member_add(household=first, person=person, relationship="child",
                                           start_date=dt.date(2020, 1, 1))
    assert "person" in errors_of(services.household_member_add, household=second, person=person,
                                 relationship="child", start_date=dt.date(2024, 1, 1))
    services.household_member_end(member=member, end_date=dt.date(2023, 12, 31))
    assert services.household_member_add(household=second, person=person, relationship="grandchild",
                                         start_date=dt.date(2024, 1, 1)).pk


def test_disadvantaged_and_plan154_children_are_set_based(world):
    day = dt.date(2025, 6, 1)
    severe = make_person()
    make_status(severe, "TE04", severity=Severity.EXTREMELY_SEVERE)
    mild = make_person()
    make_status(mild, "TE04", severity=Severity.MILD)
    ended = make_person()
    make_status(ended, "TE02", end=dt.date(2025, 5, 31))
    flood = make_person()
    make_status(flood, "KH154_THIENTAI", event="Bão Yagi 09/2024")
    assert set(disadvantaged_persons(day)) == {severe, mild, flood}
    assert set(plan154_children(day)) == {severe, flood}
    errors = errors_of(services.status_add, person=mild, category=category("KH154_THIENTAI"),
                       start_date=dt.date(2024, 9, 7))
    assert "event" in errors
