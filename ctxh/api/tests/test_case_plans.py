# ruff: noqa: F811  (the `world` fixture is imported from cases_world and requested by name)
"""The care plan routes of the case API (draft, list, approve), emergency measures and transfer: through the
services, scoped (another organization's case answers 404), logged, masked."""

import pytest

from ctxh.api.tests.cases_world import client_for, world  # noqa: F401 (fixture)
from ctxh.api.tests.helpers import errors
from ctxh.audit.models import AccessAction, AccessLog
from ctxh.cases import services
from ctxh.cases.models import CarePlan, Case, EmergencyMeasure, EventKind, Stage
from ctxh.cases.testing import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def planning(world):
    """Case A assessed and in planning (its child is served by organization A's social worker)."""
    case = services.case_advance(case=world.case_a, to=Stage.ASSESSMENT)
    services.assessment_add(case=case, kind="needs", assessed_on=at(2025, 9, 3).date(), risk_level="high")
    return services.case_advance(case=case, to=Stage.PLANNING)


def plans_url(case) -> str:
    return f"/api/v1/cases/{case.pk}/plans/"


def test_a_social_worker_drafts_a_plan_and_an_officer_approves_it(world, planning):
    response = client_for(world.sw_a).post(plans_url(planning), {
        "goals": ["Đi học trở lại", "Khám sức khỏe định kỳ"], "note": "Bà ngoại đồng ý chăm sóc"},
        format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert [g["text"] for g in body["goals"]] == ["Đi học trở lại", "Khám sức khỏe định kỳ"]
    assert body["is_approved"] is False and body["drafted_by"] == world.worker_a.pk
    assert body["note"] == "Bà ngoại đồng ý chăm sóc"  # her own case: she reads the note
    plan = CarePlan.objects.get(pk=body["id"])
    assert planning.events.filter(kind=EventKind.PLAN_DRAFTED).exists()

    approve = f"{plans_url(planning)}{plan.pk}/approve/"
    refused = client_for(world.sw_a).post(approve, {"approver_name": "Nguyễn Văn An"}, format="json")
    assert "approved_by" in refused.json() and refused.status_code == 400  # only the organization's officer
    response = client_for(world.officer_a).post(approve, {
        "approver_name": "Nguyễn Văn An, Chủ tịch UBND phường", "decision_number": "12/QĐ-UBND",
    }, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["is_approved"] is True and body["decision_number"] == "12/QĐ-UBND"
    assert body["note"] == "•••"  # the officer does not see sensitive text
    again = client_for(world.officer_a).post(approve, {"approver_name": "Nguyễn Văn An"}, format="json")
    assert "plan" in again.json() and again.status_code == 400
    # The approved plan lets the case go on to intervention.
    advanced = client_for(world.officer_a).post(f"/api/v1/cases/{planning.pk}/advance/",
                                                {"to": "intervention"}, format="json")
    assert advanced.json()["stage"] == "intervention"


def test_the_plans_of_a_case_are_listed_and_the_read_is_logged(world, planning):
    services.plan_draft(case=planning, goals=["Hỗ trợ tâm lý"])
    response = client_for(world.officer_a).get(plans_url(planning))

    assert response.status_code == 200
    assert [p["goals"][0]["text"] for p in response.json()] == ["Hỗ trợ tâm lý"]
    entry = AccessLog.objects.get(user=world.officer_a, action=AccessAction.API_LIST)
    assert entry.content_type.model == "careplan" and entry.description == f"case={planning.pk}"


def test_bad_plans_are_refused_naming_the_field(world, planning):
    api = client_for(world.officer_a)
    assert "goals" in errors(api.post(plans_url(planning), {"goals": []}, format="json"), "goals")
    assert "mục tiêu" in errors(api.post(plans_url(planning), {"goals": ["  "]}, format="json"), "goals")
    assert "unknown" in api.post(plans_url(planning), {"goals": ["x"], "unknown": 1}, format="json").json()
    assert not CarePlan.objects.exists()


def test_a_plan_before_planning_is_refused(world):
    response = client_for(world.officer_a).post(plans_url(world.case_a), {"goals": ["Đi học"]}, format="json")
    assert response.status_code == 400 and "giai đoạn" in " ".join(response.json()["case"])


def test_another_organizations_plans_answer_404(world, planning):
    plan = services.plan_draft(case=planning, goals=["Đi học"])
    api = client_for(world.officer_b)
    assert api.get(plans_url(planning)).status_code == 404
    assert api.post(plans_url(planning), {"goals": ["x"]}, format="json").status_code == 404
    assert api.post(f"{plans_url(planning)}{plan.pk}/approve/", {"approver_name": "X"},
                    format="json").status_code == 404
    # A plan id of another case under a case of hers is not found either.
    own = client_for(world.officer_b).post(f"{plans_url(world.case_b)}{plan.pk}/approve/",
                                           {"approver_name": "X"}, format="json")
    assert own.status_code == 404
    assert not CarePlan.objects.get(pk=plan.pk).is_approved


def test_a_leader_may_not_read_plans(world, planning):
    from ctxh.accounts.roles import Role
    from ctxh.testing import make_user

    leader = make_user("lanh-dao", Role.LEADER, units=[world.geo.new08])
    assert client_for(leader).get(plans_url(planning)).status_code == 403


def test_emergency_measures_through_the_api(world):
    case = world.case_a
    response = client_for(world.sw_a).post(f"/api/v1/cases/{case.pk}/emergency/", {
        "at": "2025-09-01T11:00:00+07:00", "note": "Đưa trẻ đến nhà tạm lánh"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["emergency_measures_at"].startswith("2025-09-01T11:00")
    assert EmergencyMeasure.objects.get(case=case).measures == "Đưa trẻ đến nhà tạm lánh"
    before = client_for(world.sw_a).post(f"/api/v1/cases/{case.pk}/emergency/", {
        "at": "2025-08-31T11:00:00+07:00"}, format="json")
    assert "at" in before.json() and before.status_code == 400


def test_a_transfer_through_the_api(world):
    case = world.case_a
    refused = client_for(world.sw_a).post(f"/api/v1/cases/{case.pk}/transfer/", {
        "to_org": world.org_b.pk, "reason": "Chuyển"}, format="json")
    assert refused.status_code == 403
    response = client_for(world.manager).post(f"/api/v1/cases/{case.pk}/transfer/", {
        "to_org": world.org_b.pk, "worker": world.worker_b.pk, "reason": "Gia đình chuyển đến xã Nông Tiến",
        "version": case.version}, format="json")
    assert response.status_code == 200, response.content
    case = Case.objects.get(pk=case.pk)
    assert case.organization == world.org_b and case.assigned_worker == world.worker_b
    assert client_for(world.officer_a).get(f"/api/v1/cases/{case.pk}/").status_code == 404
