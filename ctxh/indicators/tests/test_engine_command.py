"""`manage.py rebuild_facts`: what it did and how long it took; bad input refused in Vietnamese."""

import datetime as dt

import pytest
import time_machine
from django.core.management import CommandError, call_command

from ctxh.cases.testing import make_person, make_status
from ctxh.indicators.engine.testing import TODAY, fact, make_definitions, serve
from ctxh.indicators.models import IndicatorDefinition, UnitContribution
from ctxh.orgs.models import OrgKind
from ctxh.testing import make_org

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(dt.datetime(2026, 3, 1, 2, 0, tzinfo=dt.UTC), tick=False):
        yield TODAY


def test_rebuild_facts_builds_the_map_when_empty_and_says_what_it_did(small_geo, capsys):
    make_definitions("COUNSELLED", "TRAINING")
    someone = make_person("Xuân", unit=small_geo.x1, date_of_birth=dt.date(1980, 1, 1))
    make_status(someone, "HONGHEO", dt.date(2019, 1, 1))
    serve(someone, make_org(small_geo.x1, "Hội Nông dân", OrgKind.MASS_ORG), dt.date(2024, 2, 1))
    assert not UnitContribution.objects.exists()
    call_command("rebuild_facts", "--indicator", "counselled", "--period", "2024")
    out = capsys.readouterr().out
    assert "Bảng quy đổi đơn vị: dựng lại trong" in out
    # 2024 and its halves (the reporting periods of the year) were computed; data in 2024 and 2024S1: the
    # five units holding x1's person, each with a total and four disaggregations.
    assert "COUNSELLED: 50 số liệu (50 dòng thay đổi), 3 kỳ" in out
    assert "TRAINING" not in out and "Xong: 50 số liệu" in out
    assert fact("COUNSELLED", small_geo.n1, "2024").value == 1
    call_command("rebuild_facts", "--indicator", "COUNSELLED", "--period", "2024")
    assert "COUNSELLED: 50 số liệu (0 dòng thay đổi)" in capsys.readouterr().out


def test_rebuild_facts_refuses_a_day_and_says_when_nothing_is_defined(small_geo, capsys):
    with pytest.raises(CommandError, match="chỉ được tính sẵn cho năm, sáu tháng hoặc giai đoạn"):
        call_command("rebuild_facts", "--period", "2024-05-01")
    with pytest.raises(CommandError, match="không hợp lệ"):
        call_command("rebuild_facts", "--period", "2024Q1")
    call_command("rebuild_facts", "--indicator", "KHONG_CO", "--period", "2024")
    assert "Không có chỉ số đang dùng, tính được, mang mã: KHONG_CO." in capsys.readouterr().out
    IndicatorDefinition.objects.update(is_active=False)
    call_command("rebuild_facts")
    assert "Không có chỉ số nào để tính" in capsys.readouterr().out
