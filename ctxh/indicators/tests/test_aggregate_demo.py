"""The demo reports (ctxh/demo/aggregate.py) on the small geography, with the new commune n2 (02210) standing
for the real communes that keep no records: the old y1 (00700) mainly continues in it."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from ctxh.cases.models import PersonAddress
from ctxh.demo import aggregate as demo_aggregate
from ctxh.demo.services import demo_load
from ctxh.indicators.aggregate import rules as rule_engine
from ctxh.indicators.aggregate.selectors import ReportStatus, annotate_reports, completeness
from ctxh.indicators.aggregate.testing import make_data_sets
from ctxh.indicators.models import CompleteDataSetRegistration, DataSet, DataValue
from ctxh.indicators.periods import parse_period

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2026, 11, 27, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture
def demo(small_geo, tmp_path, monkeypatch):
    monkeypatch.delenv("CTXH_DEMO_PASSWORD", raising=False)
    monkeypatch.setattr(demo_aggregate, "NUMBERS_ONLY_CODES", ("02210",))
    make_data_sets()
    with time_machine.travel(TODAY, tick=False):
        demo_load(province=small_geo.new08, password=None, credentials_path=tmp_path / "credentials.txt")
    return small_geo


def periods(unit) -> set[str]:
    return set(DataValue.objects.filter(unit=unit).values_list("period_code", flat=True))


def test_the_communes_that_report_numbers_keep_no_records(demo):
    g = demo
    assert not PersonAddress.objects.filter(unit__in=[g.y1, g.n2]).exists()
    assert PersonAddress.objects.filter(unit=g.x1).exists()  # the others keep records
    assert periods(g.y1) == {f"{year}S{half}" for year in range(2020, 2025) for half in (1, 2)} | {
        "2025S1", "2020", "2021", "2022", "2023", "2024"}
    assert periods(g.n2) == {"2025S2", "2025"}  # 2026S1: the one missing report
    assert not DataValue.objects.exclude(unit__in=[g.y1, g.n2]).exists()


def test_every_form_is_complete_passes_the_rules_and_is_believable(demo):
    checks = {s.code: rule_engine.compile_rules(s.validation_rules.all()) for s in DataSet.objects.all()}
    registrations = list(CompleteDataSetRegistration.objects.select_related("data_set"))
    assert len(registrations) == 18  # y1: 11 halves and 5 years; n2: 2025S2 and 2025
    for registration in registrations:
        rows = DataValue.objects.filter(unit=registration.unit, period_code=registration.period_code)
        values = {(v.data_element.code, v.category_option_combo.code): v.value
                  for v in rows.select_related("data_element", "category_option_combo")}
        assert len(values) == 14
        assert not rule_engine.violations(checks[registration.data_set.code], values)
        people = values[("COUNSELLED_PEOPLE", "MALE")] + values[("COUNSELLED_PEOPLE", "FEMALE")]
        assert 10 <= people <= 80, (registration.unit, registration.period_code, people)


def test_most_reports_are_on_time_some_late_and_the_province_sees_the_missing_one(demo):
    g = demo
    data_set = DataSet.objects.get(code="CTXH_6M")
    statuses = []
    halves = [f"{year}S{half}" for year in range(2020, 2025) for half in (1, 2)] + ["2025S1"]
    for code in halves:
        unit = annotate_reports(type(g.y1).objects.filter(pk=g.y1.pk), data_set, parse_period(code),
                                TODAY.date()).get()
        statuses.append(unit.status)
    assert statuses.count(ReportStatus.ON_TIME) >= 7 and ReportStatus.LATE in statuses
    result = completeness(data_set, "2026S1", g.new08, today=TODAY.date())
    assert {row.code: row.status for row in result.rows}["02210"] == ReportStatus.MISSING


def test_a_second_run_writes_nothing(demo, tmp_path):
    before = (DataValue.objects.count(), CompleteDataSetRegistration.objects.count())
    with time_machine.travel(TODAY, tick=False):
        demo_load(province=demo.new08, password=None, credentials_path=tmp_path / "credentials.txt")
    assert (DataValue.objects.count(), CompleteDataSetRegistration.objects.count()) == before
