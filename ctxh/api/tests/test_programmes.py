"""/api/v1/programmes/ and the targets per programme in /api/v1/indicators/, on the data files loaded in every
test database: Plan 154 (PLAN154_TQ, 8 targets) and Decision 112 (QD112, 8 targets), both active."""

import pytest
from django.conf import settings
from django.utils import translation
from rest_framework.test import APIClient

from ctxh.api.tests.helpers import codes, results
from ctxh.indicators.models import Programme

pytestmark = pytest.mark.django_db

URL = "/api/v1/programmes/"


def test_the_list_gives_the_programmes_in_their_order(api):
    rows = results(api.get(URL))
    assert [row["code"] for row in rows] == ["PLAN154_TQ", "QD112"]
    plan = rows[0]
    assert plan["scope_unit_code"] == "08" and plan["is_active"] is True
    assert (plan["start_date"], plan["end_date"]) == ("2021-01-01", "2030-12-31")
    assert plan["name"].startswith("Kế hoạch thực hiện Chương trình phát triển công tác xã hội")
    assert rows[1]["scope_unit_code"] == "" and rows[1]["document"].startswith("Quyết định số 112/QĐ-TTg")
    assert "targets" not in plan


def test_the_list_filters_active_programmes(api):
    Programme.objects.filter(code="QD112").update(is_active=False)
    assert codes(api.get(URL, {"is_active": "true"})) == ["PLAN154_TQ"]
    assert codes(api.get(URL, {"is_active": "false"})) == ["QD112"]
    assert codes(api.get(URL)) == ["PLAN154_TQ", "QD112"]
    bad = api.get(URL, {"is_active": "có"})
    assert bad.status_code == 400 and "is_active" in bad.json()


def test_the_detail_gives_the_targets(api):
    body = api.get(f"{URL}PLAN154_TQ/").json()
    targets = body["targets"]
    assert [(t["indicator"], t["period_code"], t["value"], t["comparison"]) for t in targets] == [
        ("STAFFING", "2025", 0.6, ">="), ("STAFFING", "2030", 0.9, ">="),
        ("TRAINING", "2021-2025", 2000.0, ">"), ("TRAINING", "2026-2030", 3500.0, ">"),
        ("COUNSELLED", "2025", 0.2, "growth>="), ("COUNSELLED", "2030", 0.3, "growth>="),
        ("CHILDREN", "2025", 0.9, ">="), ("CHILDREN", "2030", 1.0, ">="),
    ]
    training = targets[2]
    assert training["applies_to"] == "programme_unit" and training["deadline"] == "2025-12-31"
    assert training["label"] == "trên 2.000 lượt người trong giai đoạn 2021-2025"
    assert targets[5]["baseline_period_code"] == "2025" and targets[5]["phase_code"] == "2"


def test_an_unconfirmed_target_says_so(api):
    targets = {(t["indicator"], t["period_code"]): t for t in api.get(f"{URL}qd112/").json()["targets"]}
    assert len(targets) == 8
    children = targets[("CHILDREN", "2030")]
    assert children["is_confirmed"] is False
    assert children["label"] == "ít nhất 90 % vào năm 2030 (chưa xác nhận)"
    assert children["label_vi"] == "ít nhất 90 % vào năm 2030"
    assert targets[("SERVICE_FACILITIES", "2025")]["value"] == 0.5
    assert targets[("CHILDREN", "2025")]["is_confirmed"] is True


def test_the_detail_answers_in_english(api):
    with translation.override(settings.LANGUAGE_CODE):  # the request switches the thread's language
        body = api.get(f"{URL}PLAN154_TQ/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["name"].startswith("Plan implementing the Social Work Development Programme")
    assert body["targets"][0]["indicator_name"].startswith("Share of in-scope units")


def test_unknown_code_and_anonymous(api):
    assert api.get(f"{URL}NOPE/").status_code == 404
    assert APIClient().get(URL).status_code == 401


def test_the_indicators_list_gives_the_targets_of_each_programme(api):
    rows = {row["code"]: row for row in results(api.get("/api/v1/indicators/"))}
    staffing = rows["STAFFING"]
    assert [p["code"] for p in staffing["programmes"]] == ["PLAN154_TQ", "QD112"]
    assert [(t["programme"], t["phase_code"], t["value"]) for t in staffing["targets"]] == [
        ("PLAN154_TQ", "1", 0.6), ("PLAN154_TQ", "2", 0.9)]
    children = {p["code"]: [(t["period_code"], t["value"], t["is_confirmed"]) for t in p["targets"]]
                for p in rows["CHILDREN"]["programmes"]}
    assert children == {"PLAN154_TQ": [("2025", 0.9, True), ("2030", 1.0, True)],
                        "QD112": [("2025", 0.85, True), ("2030", 0.9, False)]}
    training = rows["TRAINING"]
    assert [p["code"] for p in training["programmes"]] == ["PLAN154_TQ"]  # Decision 112 has none
    assert training["targets"][0]["applies_to"] == "programme_unit"
    assert training["targets"][0]["phase_name"]
