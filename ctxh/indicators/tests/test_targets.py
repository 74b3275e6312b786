"""Targets from the database: which one is in force for a period, a unit and a programme; and the indicator
pages comparing with them (Plan 154 for Tuyên Quang), following the data files after a reload.

The loaded data (see ctxh/indicators/data/): Plan 154 (PLAN154_TQ, province 08) and Decision 112 (QD112,
national), both active, Plan 154 first.
"""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from ctxh.indicators.definitions import DATA_DIR, load_indicator_data
from ctxh.indicators.models import IndicatorDefinition, Programme, Target
from ctxh.indicators.periods import day_period, parse_period
from ctxh.indicators.registry import (
    REGISTRY,
    UnknownIndicator,
    get_indicator,
    indicator_list,
    indicator_value,
)
from ctxh.indicators.results import Status
from ctxh.indicators.targets import (
    is_met,
    programme_for_unit,
    required_value,
    target_in_force,
    target_label,
    targets_for,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def plan() -> Programme:
    return Programme.objects.get(code="PLAN154_TQ")


def in_force(programme, code, period, unit=None):
    target = target_in_force(programme, code, parse_period(period), unit=unit)
    return None if target is None else (target.period_code, target.value)


# ---------------------------------------------------------------------------------------------- lookup


def test_the_target_in_force_is_the_one_whose_dates_hold_the_period(plan):
    assert in_force(plan, "STAFFING", "2024") == ("2025", Decimal("0.6"))
    assert in_force(plan, "STAFFING", "2025S2") == ("2025", Decimal("0.6"))
    assert in_force(plan, "STAFFING", "2025-12-31") == ("2025", Decimal("0.6"))  # the deadline day
    assert in_force(plan, "STAFFING", "2026-01-01") == ("2030", Decimal("0.9"))
    assert in_force(plan, "STAFFING", "2021-2030") is None  # across both phases
    assert in_force(plan, "STAFFING", "2031") is None
    assert in_force(plan, "COUNSELLED", "2030") == ("2030", Decimal("0.3"))
    assert target_in_force(plan, "COUNSELLED", parse_period("2030")).baseline_period_code == "2025"
    assert in_force(plan, "SERVICE_FACILITIES", "2025") is None  # not a Plan 154 indicator
    assert in_force(None, "STAFFING", "2025") is None


def test_each_programme_has_its_own_figures(plan):
    assert in_force(plan, "CHILDREN", "2025") == ("2025", Decimal("0.9"))
    assert in_force("QD112", "CHILDREN", "2025") == ("2025", Decimal("0.85"))
    assert in_force("QD112", "SERVICE_FACILITIES", "2030") == ("2030", Decimal("0.6"))
    assert in_force("QD112", "TRAINING", "2021-2025") is None


def test_the_training_target_is_for_the_province_only(plan, small_geo):
    g = small_geo
    assert in_force(plan, "TRAINING", "2021-2025", g.new08) == ("2021-2025", Decimal(2000))
    assert in_force(plan, "TRAINING", "2024", g.old08) == ("2021-2025", Decimal(2000))  # same code 08
    assert in_force(plan, "TRAINING", "2026-2030", g.new08) == ("2026-2030", Decimal(3500))
    for unit in (g.n1, g.d070, g.x1):
        assert in_force(plan, "TRAINING", "2021-2025", unit) is None
    assert in_force(plan, "TRAINING", "2021-2025", g.old02) is None  # another province: not Plan 154's unit
    assert in_force(plan, "STAFFING", "2024", g.x1) == ("2025", Decimal("0.6"))  # for any unit


def test_the_programme_of_a_unit_is_its_provinces_else_the_first_active_one(plan, small_geo):
    g = small_geo
    for unit in (g.new08, g.old08, g.n1, g.x3, g.d070):
        assert programme_for_unit(unit) == plan
    assert programme_for_unit(g.y1) == plan  # old Hà Giang has no programme of its own: the first active
    assert programme_for_unit(None) == plan
    Programme.objects.filter(pk=plan.pk).update(is_active=False)
    assert programme_for_unit(g.n1).code == "QD112"


def test_targets_for_lists_them_by_programme_unit_and_day(small_geo):
    rows = [(t.programme.code, t.period_code, t.value) for t in targets_for("CHILDREN")]
    assert rows == [("PLAN154_TQ", "2025", Decimal("0.9")), ("PLAN154_TQ", "2030", Decimal("1")),
                    ("QD112", "2025", Decimal("0.85")), ("QD112", "2030", Decimal("0.9"))]
    assert [t.period_code for t in targets_for("CHILDREN", programme="QD112")] == ["2025", "2030"]
    assert [t.programme.code for t in targets_for("STAFFING", day=dt.date(2026, 1, 1))] == ["PLAN154_TQ",
                                                                                              "QD112"]
    assert [t.period_code for t in targets_for("TRAINING", unit=small_geo.new08)] == ["2021-2025",
                                                                                      "2026-2030"]
    assert targets_for("TRAINING", unit=small_geo.n2) == []
    Programme.objects.filter(code="QD112").update(is_active=False)
    assert [t.programme.code for t in targets_for("CHILDREN")] == ["PLAN154_TQ", "PLAN154_TQ"]


def test_growth_and_comparisons(plan):
    growth = target_in_force(plan, "COUNSELLED", parse_period("2025"))
    assert required_value(growth, 10) == Decimal(12) and required_value(growth) is None
    assert is_met(growth, 12, baseline=10) and not is_met(growth, 11, baseline=10)
    assert is_met(growth, 12) is None
    training = target_in_force(plan, "TRAINING", parse_period("2021-2025"))
    assert not is_met(training, 2000) and is_met(training, 2001) and is_met(training, None) is None
    staffing = target_in_force(plan, "STAFFING", day_period(dt.date(2025, 1, 1)))
    assert is_met(staffing, 0.6) and not is_met(staffing, 0.59)


def test_an_unconfirmed_figure_says_so():
    target = Target.objects.get(programme__code="QD112", indicator__code="COUNSELLED", period_code="2030")
    assert target_label(target) == "năm 2030 tăng ít nhất 30 % so với năm 2025 (chưa xác nhận)"


# ---------------------------------------------------------------------------------------------- the registry


def test_the_registry_reads_the_definitions():
    assert [i.code for i in indicator_list()] == ["STAFFING", "TRAINING", "COUNSELLED", "CHILDREN"]
    assert "STAFFING" in REGISTRY and "SERVICE_FACILITIES" not in REGISTRY  # no computation from records
    IndicatorDefinition.objects.filter(code="TRAINING").update(name_vi="Lượt người được tập huấn",
                                                               sort_order=9)
    assert get_indicator("training").name == "Lượt người được tập huấn"
    assert [i.code for i in indicator_list()][-1] == "TRAINING"
    IndicatorDefinition.objects.filter(code="CHILDREN").update(is_active=False)
    with pytest.raises(UnknownIndicator):
        get_indicator("CHILDREN")
    assert "CHILDREN" not in REGISTRY and len(REGISTRY) == 3


# ---------------------------------------------------------------------------------------------- the pages


def test_the_pages_compare_with_plan_154(client, world, province_manager):
    client.force_login(province_manager)
    staffing = client.get(reverse("web:indicator_detail", args=["STAFFING"]),
                          {"unit": world.geo.old08.pk, "period": "2024"})
    assert staffing.context["result"].target.label == "ít nhất 60 % vào cuối năm 2025"
    assert "ít nhất 60 % vào cuối năm 2025" in staffing.content.decode()
    training = client.get(reverse("web:indicator_detail", args=["TRAINING"]),
                          {"unit": world.geo.new08.pk, "period": "2021-2025"})
    html = training.content.decode()
    assert "trên 2.000 lượt người trong giai đoạn 2021-2025" in html
    result = training.context["result"]
    assert (result.target.value, result.target.deadline, result.status) == (2000, dt.date(2025, 12, 31),
                                                                            Status.NOT_ACHIEVED)
    commune = client.get(reverse("web:indicator_detail", args=["TRAINING"]),
                         {"unit": world.geo.n1.pk, "period": "2021-2025"})
    assert commune.context["result"].target is None
    assert "không phân bổ cho từng xã" in commune.content.decode()


def test_a_target_changed_in_the_data_file_shows_after_reloading(client, world, province_manager, tmp_path):
    """STAFFING of the old Tuyên Quang on 31/12/2024 is 1/4 = 25 %: below 60 %, at a target of 25 %."""
    client.force_login(province_manager)
    url = reverse("web:indicator_detail", args=["STAFFING"])
    query = {"unit": world.geo.old08.pk, "period": "2024"}
    before = client.get(url, query).context["result"]
    assert (before.target.value, before.status) == (0.6, Status.IN_PROGRESS)

    content = json.loads((DATA_DIR / "plan154_tuyen_quang.json").read_text(encoding="utf-8"))
    content["targets"][0] |= {"value": 0.25, "label_vi": "ít nhất 25 % vào cuối năm 2025"}
    changed = tmp_path / "plan154_tuyen_quang.json"
    changed.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    load_indicator_data([changed])

    after = client.get(url, query)
    result = after.context["result"]
    assert (result.target.value, result.target.met, result.status) == (0.25, True, Status.ACHIEVED)
    assert "ít nhất 25 % vào cuối năm 2025" in after.content.decode()


def test_a_deactivated_programme_gives_way_to_the_next(world, province_manager):
    Programme.objects.filter(code="PLAN154_TQ").update(is_active=False)
    result = indicator_value("CHILDREN", unit="08", period="2025", user=province_manager, today=TODAY)
    assert result.target.value == 0.85  # Decision 112's
    later = indicator_value("CHILDREN", unit="08", period="2030", user=province_manager,
                            today=dt.date(2031, 1, 10))
    assert (later.target.value, later.target.label) == (0.9, "ít nhất 90 % vào năm 2030 (chưa xác nhận)")
