"""COUNSELLED and CHILDREN through the registry, the pages and the API: targets, growth on the base year,
the list of children not yet served, scope.

Today is 1 March 2026.
COUNSELLED (new Tuyên Quang): 2020 = 2 people (An in the old Phan Thiết, Bình in the old Quang Trung of Hà
Giang); 2025 = 5 people (An twice, Cúc, Dung, and the children Em and Gấm; Bình's status had ended) = +150 %
on 2020, above the 20 % target (2.4 people).
CHILDREN 2025: Em (served: assistance and counselling by social mobilization) and Gấm (assistance only, by
the state budget): 1/2 = 50 %, below 90 %.
"""

import datetime as dt
from types import SimpleNamespace

import pytest
import time_machine
from rest_framework.test import APIClient

from ctxh.accounts.roles import Role
from ctxh.accounts.testing import login_verified
from ctxh.cases.models import FundingSource, ServiceDelivery, ServiceType
from ctxh.cases.testing import make_case, make_person, make_status
from ctxh.core.reference import Sex
from ctxh.indicators.registry import indicator_value
from ctxh.indicators.results import Status
from ctxh.testing import make_org, make_user

pytestmark = pytest.mark.django_db
D = dt.date
SM = FundingSource.SOCIAL_MOBILIZATION
STATE = FundingSource.STATE_BUDGET


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        yield D(2026, 3, 1)


def serve(person, org, day, kind=ServiceType.COUNSELLING, funding=STATE):
    case = person.cases.first() or make_case(person, org)
    return ServiceDelivery.objects.create(case=case, person=person, service_type=kind, delivered_on=day,
                                          provider=org, funding_source=funding)


@pytest.fixture
def world(small_geo):
    g = small_geo
    a = make_org(g.n1, "UBND phường Minh Xuân", valid_from=D(2015, 1, 1))
    b = make_org(g.n2, "UBND xã Nông Tiến", valid_from=D(2015, 1, 1))
    an = make_person("Nguyễn Văn An", Sex.MALE, D(1955, 1, 1), g.x1, unit_from=D(2010, 1, 1))
    make_status(an, "NCT_DONTHAN", D(2019, 1, 1))
    serve(an, a, D(2020, 3, 1))
    serve(an, a, D(2025, 2, 1))
    serve(an, b, D(2025, 3, 1), ServiceType.LEGAL_AID)
    binh = make_person("Lò Thị Bình", Sex.FEMALE, D(1985, 1, 1), g.y1, unit_from=D(2010, 1, 1))
    make_status(binh, "HONGHEO", D(2019, 1, 1), D(2021, 12, 31))
    serve(binh, b, D(2020, 6, 1))
    serve(binh, b, D(2025, 6, 1))  # no status any more: not counted in 2025
    cuc = make_person("Trần Thị Cúc", Sex.FEMALE, D(1990, 1, 1), g.n1, unit_from=D(2025, 7, 1))
    make_status(cuc, "BAOLUC", D(2025, 8, 1))
    serve(cuc, a, D(2025, 9, 1))
    dung = make_person("Hoàng Văn Dung", Sex.MALE, D(2000, 1, 1), g.n2, unit_from=D(2025, 7, 1))
    make_status(dung, "TAIHOANHAP", D(2025, 1, 1))
    serve(dung, b, D(2025, 10, 1), ServiceType.VOCATIONAL)
    em = make_person("Cháu Em", Sex.FEMALE, D(2015, 1, 1), g.n1, unit_from=D(2025, 7, 1))
    make_status(em, "TE01", D(2020, 1, 1))
    serve(em, a, D(2025, 8, 1), ServiceType.SOCIAL_ASSISTANCE, STATE)
    serve(em, a, D(2025, 8, 2), ServiceType.COUNSELLING, SM)
    gam = make_person("Cháu Gấm", Sex.FEMALE, D(2016, 1, 1), g.n2, unit_from=D(2025, 7, 1))
    make_status(gam, "TE02", D(2020, 1, 1))
    serve(gam, b, D(2025, 8, 1), ServiceType.SOCIAL_ASSISTANCE, STATE)
    serve(gam, b, D(2025, 8, 2), ServiceType.COUNSELLING, STATE)
    return SimpleNamespace(geo=g, a=a, b=b,
                           manager=make_user("quanly", Role.PROGRAMME_MANAGER, units=[g.new08]),
                           leader=make_user("lanhdao", Role.LEADER, units=[g.new08]))


def test_counselled_grows_on_the_base_year_and_meets_the_target(world):
    result = indicator_value("COUNSELLED", unit="08", period="2025", user=world.manager)
    assert result.value == 5
    assert result.details["base_year"] == 2020 and result.details["base_value"] == 2
    assert result.details["growth"] == 1.5
    assert result.target.value == pytest.approx(2.4) and result.target.met
    assert result.status == Status.ACHIEVED
    assert [(row.key, row.value) for row in result.breakdown("by_year").rows] == [
        (2020, 2), (2021, 0), (2022, 0), (2023, 0), (2024, 0), (2025, 5)]
    assert {row.key: row.value for row in result.breakdown("sex").rows} == {Sex.MALE: 2, Sex.FEMALE: 3}
    assert {row.key: row.value for row in result.breakdown("age").rows} == {
        "0-15": 2, "16-59": 2, "60+": 1}
    # By commune, where each person lived on the service's date: An in the old Phan Thiết (until 30/06/2025).
    g = world.geo
    by_commune = {row["unit_id"]: row["count"] for row in result.actionable.rows}
    assert (by_commune[g.x1.pk], by_commune[g.n1.pk], by_commune[g.n2.pk]) == (1, 2, 2)


def test_phase_two_compares_with_2025_and_a_phase_period_has_no_growth_target(world):
    result = indicator_value("COUNSELLED", unit="08", period="2026", user=world.manager)
    assert result.value == 0 and result.details["base_year"] == 2025
    assert result.target.value == pytest.approx(5 * 1.3) and result.status == Status.IN_PROGRESS
    phase = indicator_value("COUNSELLED", unit="08", period="2021-2025", user=world.manager)
    assert phase.value == 5 and phase.target is None and phase.status == Status.NO_TARGET


def test_children_share_target_and_the_list_for_action_respects_scope(world):
    result = indicator_value("CHILDREN", unit="08", period="2025", user=world.manager)
    assert (result.numerator, result.denominator, result.value) == (1, 2, 0.5)
    assert result.target.value == 0.9 and result.status == Status.NOT_ACHIEVED
    rows = result.actionable.rows
    assert [row["full_name"] for row in rows] == ["Cháu Gấm"]
    assert rows[0]["missing"] == "dịch vụ công tác xã hội từ nguồn xã hội hóa"
    # A leader sees the counts, not the children.
    hidden = indicator_value("CHILDREN", unit="08", period="2025", user=world.leader).actionable
    assert hidden.rows == [] and hidden.hidden == 1


def test_the_api_and_the_page_show_both(world, client):
    api = APIClient()
    api.force_authenticate(world.manager)
    data = api.get("/api/v1/indicators/COUNSELLED/values/", {"unit": "08", "period": "2025"}).json()
    assert data["value"] == 5 and data["status"] == "achieved"
    data = api.get("/api/v1/indicators/CHILDREN/values/", {"unit": "08", "period": "2025"}).json()
    assert data["value"] == 0.5 and data["actionable"]["rows"][0]["full_name"] == "Cháu Gấm"
    login_verified(client, world.manager)
    page = client.get("/chi-so/CHILDREN/", {"unit": world.geo.new08.pk, "period": "2025"})
    assert page.status_code == 200 and "Cháu Gấm" in page.content.decode()
    assert client.get("/chi-so/").status_code == 200


def test_reading_the_children_not_yet_served_is_in_the_access_log(world, client):
    """The list names children: the page, its XLSX and the API each write who read which children."""
    from ctxh.audit.models import AccessAction, AccessLog
    from ctxh.cases.models import Person

    gam = Person.objects.get(full_name="Cháu Gấm")
    login_verified(client, world.manager)
    query = {"unit": world.geo.new08.pk, "period": "2025"}
    assert client.get("/chi-so/CHILDREN/", query).status_code == 200
    assert client.get("/chi-so/CHILDREN/excel/", query).status_code == 200
    api = APIClient()
    api.force_authenticate(world.manager)
    assert api.get("/api/v1/indicators/CHILDREN/values/", {"unit": "08", "period": "2025"}).status_code == 200
    entries = AccessLog.objects.filter(user=world.manager, content_type__model="person").order_by("pk")
    assert [(e.action, e.object_ids) for e in entries] == [
        (AccessAction.LIST, [gam.pk]), (AccessAction.EXPORT, [gam.pk]), (AccessAction.API_LIST, [gam.pk])]
    # COUNSELLED's list names communes, not people: nothing about people is logged for it.
    client.get("/chi-so/COUNSELLED/", query)
    assert AccessLog.objects.filter(user=world.manager, content_type__model="person").count() == 3
