"""The demo people, statuses, cases, services and referrals (load_demo), on the small geography."""

import datetime as dt

from django.db.models import F

from ctxh.cases.indicators import children_served, counselled_by_year
from ctxh.cases.models import Case, Person, PersonAddress, PersonStatus, Referral, ServiceDelivery
from ctxh.demo.cases import DEMO_NOTE, PEOPLE_PER_OLD_COMMUNE, cases_summary, read_statuses
from ctxh.demo.services import demo_load
from ctxh.geo.models import Unit

MODELS = (Person, PersonAddress, PersonStatus, Case, ServiceDelivery, Referral)


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_people_live_in_every_old_commune_and_follow_it_into_the_new_one(demo):
    g = demo.geo
    assert Person.objects.filter(note=DEMO_NOTE).count() == 4 * PEOPLE_PER_OLD_COMMUNE
    for old in (g.x1, g.x2, g.x3, g.y1):
        assert PersonAddress.objects.filter(unit=old, valid_to=dt.date(2025, 6, 30)).count() == (
            PEOPLE_PER_OLD_COMMUNE)
    moved = PersonAddress.objects.filter(valid_from=dt.date(2025, 7, 1))
    assert set(moved.values_list("unit__code", flat=True)) <= {"02200", "02210"}
    assert moved.count() == 4 * PEOPLE_PER_OLD_COMMUNE
    assert not Person.objects.exclude(statuses__isnull=False).exists()  # everyone holds a status
    assert PersonStatus.objects.count() >= Person.objects.count()


def test_services_follow_their_case_and_the_indicators_have_data(demo):
    assert Case.objects.exists() and ServiceDelivery.objects.exists()
    assert not ServiceDelivery.objects.filter(delivered_on__lt=F("case__opened_at__date")).exists()
    assert not ServiceDelivery.objects.exclude(person=F("case__person")).exists()
    assert not Case.objects.filter(closed_at__lt=F("opened_at")).exists()
    province = Unit.objects.get(pk=demo.geo.new08.pk)
    years = counselled_by_year(province, 2020, 2026)
    assert all(years[year] > 0 for year in range(2020, 2026))
    summary = cases_summary(province)
    assert summary.counselled == years
    children = children_served(province, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert summary.children_denominator == children.denominator
    assert 0 <= children.numerator <= children.denominator


def test_a_second_run_writes_nothing(demo):
    first = counts()
    assert all(first.values())
    again = demo_load(province=demo.geo.new08, password=None, credentials_path=demo.credentials)
    assert counts() == first
    assert again.stats.created["person"] == 0 and again.stats.created["service"] == 0


def test_the_status_file_covers_every_age_group_with_known_categories(db):
    from ctxh.cases.models import VulnerabilityCategory

    choices = read_statuses()
    assert set(choices) == {"child", "adult", "elderly"}
    codes = {c.code for group in choices.values() for c in group}
    assert codes <= set(VulnerabilityCategory.objects.values_list("code", flat=True))
