# ruff: noqa: F811  (the `world` fixture is imported from cases_world and requested by name)
"""The case API: scope, access log, masking, the workflow actions through the services, referrals."""

import datetime as dt

import pytest

from ctxh.api.tests.cases_world import client_for, world  # noqa: F401 (fixture)
from ctxh.api.tests.helpers import errors, results
from ctxh.audit.models import AccessAction, AccessLog
from ctxh.cases import services
from ctxh.cases.models import Case, Referral, ReferralStatus, Stage
from ctxh.cases.testing import at

pytestmark = pytest.mark.django_db


def numbers(response) -> list[str]:
    return [row["number"] for row in results(response)]


# --- list, detail, filters


def test_a_manager_lists_the_cases_of_the_province_with_stage_risk_worker_and_deadlines(world):
    response = client_for(world.manager).get("/api/v1/cases/")

    rows = {row["number"]: row for row in results(response)}
    assert set(rows) == {world.case_a.number, world.case_b.number}
    row = rows[world.case_a.number]
    assert row["stage"] == "intake"
    assert row["worker"] == world.worker_a.pk and row["worker_name"] == "Lê Thị Minh"
    assert row["plan_overdue"] is True  # a child's case opened in September 2025 with no plan yet


def test_the_case_filters_narrow_the_list(world):
    api = client_for(world.manager)
    assert numbers(api.get("/api/v1/cases/", {"worker": world.worker_b.pk})) == [world.case_b.number]
    assert numbers(api.get("/api/v1/cases/", {"organization": world.org_a.pk})) == [world.case_a.number]
    assert numbers(api.get("/api/v1/cases/", {"stage": "closed"})) == []
    assert len(numbers(api.get("/api/v1/cases/", {"overdue": "true"}))) == 2
    assert "stage" in api.get("/api/v1/cases/", {"stage": "xong"}).json()


def test_a_case_detail_lists_its_deadlines(world):
    body = client_for(world.manager).get(f"/api/v1/cases/{world.case_a.pk}/").json()

    assert body["number"] == world.case_a.number
    assert [d["kind"] for d in body["deadlines"]] == ["plan"]
    assert body["deadlines"][0]["overdue"] is True


# --- scope


def test_another_organizations_case_by_guessed_id_answers_404(world):
    api = client_for(world.officer_a)

    assert api.get(f"/api/v1/cases/{world.case_b.pk}/").status_code == 404
    assert api.post(f"/api/v1/cases/{world.case_b.pk}/advance/", {"to": "assessment"},
                    format="json").status_code == 404
    assert Case.objects.get(pk=world.case_b.pk).stage == Stage.INTAKE


def test_a_social_worker_sees_only_the_cases_assigned_to_them(world):
    api = client_for(world.sw_a)

    assert numbers(api.get("/api/v1/cases/")) == [world.case_a.number]
    assert api.get(f"/api/v1/cases/{world.case_b.pk}/").status_code == 404
    persons = [row["id"] for row in results(api.get("/api/v1/persons/"))]
    assert persons == [world.mai.pk]


# --- access log and masking


def test_every_read_writes_an_access_log_row(world):
    api = client_for(world.officer_a)
    before = AccessLog.objects.count()

    api.get("/api/v1/cases/")
    api.get(f"/api/v1/cases/{world.case_a.pk}/")
    api.get("/api/v1/referrals/")
    api.get(f"/api/v1/persons/{world.mai.pk}/")

    rows = list(AccessLog.objects.order_by("pk")[before:])
    assert [row.action for row in rows] == [AccessAction.API_LIST, AccessAction.API_VIEW,
                                           AccessAction.API_LIST, AccessAction.API_VIEW]
    assert rows[0].object_ids == [world.case_a.pk] and rows[0].count == 1
    assert rows[1].object_id == str(world.case_a.pk) and rows[1].user == world.officer_a


def test_a_case_outside_the_scope_is_not_logged_as_read(world):
    before = AccessLog.objects.count()
    client_for(world.officer_a).get(f"/api/v1/cases/{world.case_b.pk}/")
    assert AccessLog.objects.count() == before


def test_sensitive_text_is_masked_for_an_officer_and_shown_to_a_manager(world):
    url = f"/api/v1/cases/{world.case_a.pk}/"

    assert client_for(world.officer_a).get(url).json()["intake_summary"] == "•••"
    assert client_for(world.manager).get(url).json()["intake_summary"] == "Bạo hành gia đình"
    listed = results(client_for(world.officer_a).get("/api/v1/cases/"))
    assert listed[0]["intake_summary"] == "•••"


# --- writes


def test_intake_with_an_idempotency_key_opens_one_case_when_sent_twice(world):
    api = client_for(world.officer_a)
    data = {"person": world.mai.pk, "organization": world.org_a.pk, "risk_level": "high",
            "intake_summary": "Bỏ học"}

    first = api.post("/api/v1/cases/", data, format="json", HTTP_IDEMPOTENCY_KEY="form-123")
    second = api.post("/api/v1/cases/", data, format="json", HTTP_IDEMPOTENCY_KEY="form-123")

    assert first.status_code == 201, first.content
    assert second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert Case.objects.filter(person=world.mai).count() == 2  # the fixture's case and this one


def test_intake_refuses_an_unknown_field_and_an_organization_outside_the_scope(world):
    api = client_for(world.officer_a)

    data = {"person": world.mai.pk, "organization": world.org_a.pk}
    assert "ghi_chu" in errors(api.post("/api/v1/cases/", data | {"ghi_chu": "x"}, format="json"), "ghi_chu")
    response = api.post("/api/v1/cases/", data | {"organization": world.org_b.pk}, format="json")
    assert "organization" in errors(response, "organization")


def test_the_workflow_actions_run_through_the_services(world):
    api = client_for(world.officer_a)
    url = f"/api/v1/cases/{world.case_a.pk}"

    response = api.post(f"{url}/advance/", {"to": "assessment", "version": 1}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["stage"] == "assessment" and response.json()["version"] == 2

    response = api.post(f"{url}/close/", {"reason": "refused", "outcome": "Gia đình từ chối", "version": 2},
                        format="json")
    assert response.json()["stage"] == "closed"
    response = api.post(f"{url}/reopen/", {"reason": "Gia đình đồng ý trở lại", "version": 3}, format="json")
    assert response.json()["stage"] == "assessment"


def test_a_skipped_stage_answers_400_naming_the_missing_step(world):
    response = client_for(world.officer_a).post(f"/api/v1/cases/{world.case_a.pk}/advance/",
                                                {"to": "planning"}, format="json")

    message = errors(response, "stage")
    assert "Đánh giá nhu cầu" in message
    assert Case.objects.get(pk=world.case_a.pk).stage == Stage.INTAKE


def test_a_stale_version_answers_409_with_what_changed(world):
    services.case_assign(case=world.case_a, worker=world.worker_a, on=dt.date(2025, 9, 3))  # version 2

    response = client_for(world.officer_a).post(f"/api/v1/cases/{world.case_a.pk}/advance/",
                                                {"to": "assessment", "version": 1}, format="json")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stale_version" and body["version"] == 2
    assert Case.objects.get(pk=world.case_a.pk).stage == Stage.INTAKE


def test_assigning_a_worker_of_another_organization_is_refused(world):
    response = client_for(world.manager).post(f"/api/v1/cases/{world.case_a.pk}/assign/",
                                              {"worker": world.worker_b.pk}, format="json")
    assert response.status_code == 400
    assert Case.objects.get(pk=world.case_a.pk).assigned_worker == world.worker_a


def test_an_assessment_and_a_service_are_recorded_and_listed(world):
    api = client_for(world.officer_a)
    api.post(f"/api/v1/cases/{world.case_a.pk}/advance/", {"to": "assessment"}, format="json")

    response = api.post("/api/v1/assessments/", {"case": world.case_a.pk, "kind": "needs",
                                                 "assessed_on": "2025-09-04", "risk_level": "high",
                                                 "needs": "Tâm lý"}, format="json")
    assert response.status_code == 201, response.content
    assert [row["id"] for row in results(api.get("/api/v1/assessments/", {"case": world.case_a.pk}))] == [
        response.json()["id"]]

    response = api.post("/api/v1/services/", {"case": world.case_a.pk, "service_type": "counselling",
                                              "delivered_on": "2025-08-01", "funding_source": "state_budget"},
                        format="json")
    assert "trước ngày tiếp nhận" in errors(response, "delivered_on")


# --- referrals


def test_a_referral_to_the_same_organization_answers_400(world):
    response = client_for(world.officer_a).post("/api/v1/referrals/", {
        "case": world.case_a.pk, "to_org": world.org_a.pk, "reason": "Cần hỗ trợ"}, format="json")

    assert "chính tổ chức" in errors(response, "to_org")
    assert not Referral.objects.exists()


def test_a_sharing_referral_without_consent_answers_400(world):
    response = client_for(world.officer_a).post("/api/v1/referrals/", {
        "case": world.case_a.pk, "to_org": world.org_b.pk, "reason": "Cần hỗ trợ", "shares_data": True},
        format="json")

    assert "đồng ý" in errors(response, "shares_data")
    assert not Referral.objects.exists()


def test_a_referral_is_sent_seen_incoming_accepted_and_completed_by_the_receiver(world):
    sent = client_for(world.officer_a).post("/api/v1/referrals/", {
        "case": world.case_a.pk, "to_org": world.org_b.pk, "reason": "Cần hỗ trợ y tế"}, format="json")
    assert sent.status_code == 201, sent.content
    referral_id = sent.json()["id"]
    receiver = client_for(world.officer_b)

    assert [row["id"] for row in results(receiver.get("/api/v1/referrals/", {"direction": "incoming"}))] == [
        referral_id]
    assert results(receiver.get("/api/v1/referrals/", {"direction": "outgoing"})) == []
    sender_try = client_for(world.officer_a).post(f"/api/v1/referrals/{referral_id}/respond/",
                                                  {"accept": True}, format="json")
    assert sender_try.status_code == 400

    accepted = receiver.post(f"/api/v1/referrals/{referral_id}/respond/", {"accept": True}, format="json")
    assert accepted.json()["status"] == ReferralStatus.ACCEPTED
    assert receiver.get(f"/api/v1/cases/{world.case_a.pk}/").status_code == 200  # accepted: now visible
    done = receiver.post(f"/api/v1/referrals/{referral_id}/complete/", {"note": "Đã khám"}, format="json")
    assert done.json()["status"] == ReferralStatus.COMPLETED


def test_the_sender_withdraws_an_open_referral(world):
    referral = services.referral_send(case=world.case_a, to_org=world.org_b, reason="Cần hỗ trợ",
                                      by=world.officer_a, at=at(2025, 9, 5))
    response = client_for(world.officer_a).post(f"/api/v1/referrals/{referral.pk}/withdraw/",
                                                {"reason": "Đã tự giải quyết"}, format="json")
    assert response.json()["status"] == ReferralStatus.WITHDRAWN


def test_the_schema_describes_the_case_endpoints(client):
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]
    assert {"/api/v1/persons/", "/api/v1/cases/", "/api/v1/cases/{id}/advance/", "/api/v1/referrals/",
            "/api/v1/referrals/{id}/respond/", "/api/v1/consents/", "/api/v1/households/",
            "/api/v1/statuses/", "/api/v1/assessments/", "/api/v1/services/"} <= set(paths)
