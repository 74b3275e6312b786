"""DuckDB's COUNSELLED and CHILDREN over an export: hand-counted on a few people, and equal to ctxh's own
computations on the tiny generated data set."""

import datetime as dt

import pytest
from django.utils import timezone

from ctxh.bench import duck
from ctxh.bench.run import fact_periods
from ctxh.cases.indicators import children_served, counselled
from ctxh.cases.models import (
    Case,
    FundingSource,
    Person,
    PersonAddress,
    PersonStatus,
    ServiceDelivery,
    ServiceType,
    VulnerabilityCategory,
)
from ctxh.core.text import fold
from ctxh.geo.models import Unit
from ctxh.indicators.models import UnitContribution
from ctxh.indicators.periods import parse_period
from ctxh.indicators.unitmap import rebuild_unit_map
from ctxh.testing import LAST_OLD_DAY, REORG_DAY, make_org

TODAY = dt.date(2026, 11, 27)


def _duck(tmp_path, today=TODAY, periods=None):
    duck.export(tmp_path)
    con, _seconds = duck.load(tmp_path, periods or fact_periods(today), today)
    return duck.compute(con)


def _person(name, born, sex, places, statuses, services, org):
    person = Person.objects.create(full_name=name, search_name=fold(name), sex=sex, date_of_birth=born)
    for unit, start, end in places:
        PersonAddress.objects.create(person=person, unit=unit, valid_from=start, valid_to=end)
    for code, start, end in statuses:
        PersonStatus.objects.create(person=person, category=VulnerabilityCategory.objects.get(code=code),
                                    start_date=start, end_date=end)
    case = Case.objects.create(number=f"T-{person.pk}", person=person, opening_organization=org,
                               organization=org, opened_at=timezone.make_aware(dt.datetime(2020, 1, 2, 9)))
    for kind, day, funding in services:
        ServiceDelivery.objects.create(case=case, person=person, service_type=kind, delivered_on=day,
                                       provider=org, funding_source=funding)
    return person


@pytest.fixture
def three_people(small_geo):
    g = small_geo
    org = make_org(g.x1)
    # Counselled in 2024 while poor; lives in x1, then n1.
    _person("Nguyễn Văn An", dt.date(1980, 1, 1), "male", [(g.x1, dt.date(1980, 1, 1), LAST_OLD_DAY),
                                                           (g.n1, REORG_DAY, None)],
            [("HONGHEO", dt.date(2019, 1, 1), None)],
            [(ServiceType.COUNSELLING, dt.date(2024, 3, 1), FundingSource.STATE_BUDGET)], org)
    # An orphan child of y1 (old Hà Giang), then n2: assistance and socially mobilized counselling in 2024.
    _person("Lò Thị Bình", dt.date(2015, 5, 5), "female", [(g.y1, dt.date(2015, 5, 5), LAST_OLD_DAY),
                                                          (g.n2, REORG_DAY, None)],
            [("TE01", dt.date(2018, 1, 1), None)],
            [(ServiceType.SOCIAL_ASSISTANCE, dt.date(2024, 2, 1), FundingSource.STATE_BUDGET),
             (ServiceType.COUNSELLING, dt.date(2024, 9, 1), FundingSource.SOCIAL_MOBILIZATION)], org)
    # Counselled in 2024 after their status ended: not counted. An orphan counselled in 2024 (counted), with
    # services from the state budget only (not served for CHILDREN).
    _person("Hoàng Văn Cường", dt.date(1990, 1, 1), "male", [(g.x2, dt.date(1990, 1, 1), LAST_OLD_DAY),
                                                            (g.n1, REORG_DAY, None)],
            [("HONGHEO", dt.date(2019, 1, 1), dt.date(2023, 12, 31))],
            [(ServiceType.COUNSELLING, dt.date(2024, 5, 1), FundingSource.STATE_BUDGET)], org)
    _person("Ma Văn Dũng", dt.date(2016, 6, 1), "male", [(g.x2, dt.date(2016, 6, 1), LAST_OLD_DAY),
                                                        (g.n1, REORG_DAY, None)],
            [("TE03", dt.date(2020, 1, 1), None)],
            [(ServiceType.SOCIAL_ASSISTANCE, dt.date(2024, 2, 1), FundingSource.STATE_BUDGET),
             (ServiceType.COUNSELLING, dt.date(2024, 2, 1), FundingSource.STATE_BUDGET)], org)
    rebuild_unit_map()
    return g


def test_hand_counted_counselled_and_children(three_people, tmp_path):
    g = three_people
    periods = [parse_period(code) for code in ("2024", "2024S1", "2024S2", "2023", "2021-2025")]
    result = _duck(tmp_path, periods=periods)
    assert result.counselled[(g.x1.pk, "2024")] == 1
    assert result.counselled[(g.y1.pk, "2024S2")] == 1
    assert (g.y1.pk, "2024S1") not in result.counselled  # assistance is not counselling
    assert result.counselled[(g.x2.pk, "2024")] == 1  # Dũng; not Cường, whose status ended before
    assert result.counselled[(g.old08.pk, "2024")] == 2
    assert result.counselled[(g.old02.pk, "2024")] == 1
    assert result.counselled[(g.new08.pk, "2024")] == 3  # restated through the old units
    assert result.counselled[(g.n1.pk, "2024S1")] == 2
    assert result.counselled[(g.new08.pk, "2021-2025")] == 3
    assert (g.new08.pk, "2023") not in result.counselled
    # CHILDREN on 31/12/2024: Bình served (assistance + mobilized counselling), Dũng not (state budget only).
    assert result.children[(g.y1.pk, "2024")] == (1, 1)
    assert result.children[(g.x2.pk, "2024")] == (0, 1)
    assert result.children[(g.old08.pk, "2024")] == (0, 1)
    assert result.children[(g.new08.pk, "2024")] == (1, 2)
    assert result.children[(g.new08.pk, "2024S1")] == (0, 2)  # the mobilized service came in September
    # A phase not over is taken on its last day but not after the old units' last day, 30/06/2025.
    assert result.children[(g.old08.pk, "2021-2025")] == (0, 1)


def test_duckdb_equals_ctxh_computations_on_the_tiny_data_set(tiny, tmp_path):
    today = timezone.localdate()
    rebuild_unit_map()
    periods = fact_periods(today)
    result = _duck(tmp_path, today, periods)
    partial = set(UnitContribution.objects.filter(weight__lt=1).values_list("ancestor_id", flat=True))
    assert result.counselled and result.children
    compared = 0
    for unit in Unit.objects.filter(level__lte=3).exclude(pk__in=partial):
        for period in periods:
            valid_in = ((unit.valid_from or dt.date.min) <= period.end
                        and (unit.valid_to or dt.date.max) >= period.start)
            if not valid_in and not unit.is_valid_on(today):
                continue
            day = min(period.end, today, unit.valid_to or period.end)
            total = counselled(unit, period.start, min(period.end, today), breakdowns=False).total
            children = children_served(unit, period.start, day)
            assert result.counselled.get((unit.pk, period.code), 0) == total, (unit, period.code)
            assert result.children.get((unit.pk, period.code), (0, 0)) == (
                children.numerator, children.denominator), (unit, period.code)
            compared += 1
    assert compared > 50
    province = Unit.objects.get(code="08", valid_to__isnull=True)
    assert result.counselled[(province.pk, "2024")] > 10


def test_duckdb_equals_the_engine_facts_on_the_tiny_data_set(tiny, tmp_path):
    """Every COUNSELLED and CHILDREN total of every unit and period, partly merged units (estimates) too."""
    from io import StringIO

    from django.core.management import call_command

    from ctxh.indicators.engine import rebuild_facts
    from ctxh.indicators.models import IndicatorFact

    today = timezone.localdate()
    call_command("load_indicator_data", stdout=StringIO())
    rebuild_facts(["COUNSELLED", "CHILDREN"], unit_map=True, today=today)
    periods = fact_periods(today)
    result = _duck(tmp_path, today, periods)
    comparison = duck.compare(result, [p.code for p in periods])
    assert comparison.mismatches == []
    assert comparison.compared == IndicatorFact.objects.filter(dimension="").count() > 100
    assert result.estimates  # the small geography splits x3 between n1 and n2
