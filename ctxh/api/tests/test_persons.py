# ruff: noqa: F811  (the `world` fixture is imported from cases_world and requested by name)
"""The people API: filters, duplicates on registration, masking, statuses, households and consents."""

import datetime as dt

import pytest

from ctxh.api.tests.cases_world import client_for, world  # noqa: F401 (fixture)
from ctxh.api.tests.helpers import errors, results
from ctxh.audit.models import AccessAction, AccessLog
from ctxh.cases.models import Consent, Household, Person
from ctxh.cases.testing import make_person, make_status

pytestmark = pytest.mark.django_db


def ids(response) -> list[int]:
    return [row["id"] for row in results(response)]


def test_the_person_filters(world):
    api = client_for(world.manager)
    make_status(world.mai, "TE02")
    adult = make_person("Nguyễn Văn Già", date_of_birth=dt.date(1950, 1, 1), unit=world.geo.n1)

    assert ids(api.get("/api/v1/persons/", {"q": "vang thi mai"})) == [world.mai.pk]
    assert ids(api.get("/api/v1/persons/", {"cccd": "0083 1500 0111"})) == [world.mai.pk]
    assert set(ids(api.get("/api/v1/persons/", {"unit": world.geo.n1.pk}))) == {world.mai.pk, adult.pk}
    assert ids(api.get("/api/v1/persons/", {"category": "TE02"})) == [world.mai.pk]
    assert set(ids(api.get("/api/v1/persons/", {"child_on": "2025-09-01"}))) == {world.mai.pk, world.tu.pk}
    assert "không có nhóm" in errors(api.get("/api/v1/persons/", {"category": "XYZ"}), "category")
    assert "YYYY-MM-DD" in errors(api.get("/api/v1/persons/", {"child_on": "01/09/2025"}), "child_on")


def test_a_person_outside_the_scope_answers_404_and_is_not_logged(world):
    before = AccessLog.objects.count()
    assert client_for(world.officer_a).get(f"/api/v1/persons/{world.tu.pk}/").status_code == 404
    assert AccessLog.objects.count() == before


def test_person_reads_are_logged(world):
    api = client_for(world.officer_a)
    api.get("/api/v1/persons/", {"q": "mai"})
    api.get(f"/api/v1/persons/{world.mai.pk}/")

    listed, viewed = AccessLog.objects.order_by("-pk")[:2][::-1]
    assert listed.action == AccessAction.API_LIST and listed.object_ids == [world.mai.pk]
    assert "q=mai" in listed.description
    assert viewed.action == AccessAction.API_VIEW and viewed.object_id == str(world.mai.pk)


def test_cccd_phone_and_note_are_masked_without_view_sensitive_and_shown_to_a_manager(world):
    url = f"/api/v1/persons/{world.mai.pk}/"

    masked = client_for(world.officer_a).get(url).json()
    assert (masked["cccd"], masked["phone"], masked["note"]) == ("********0111", "*******678", "•••")
    listed = results(client_for(world.officer_a).get("/api/v1/persons/"))[0]
    assert listed["cccd"] == "********0111"
    whole = client_for(world.manager).get(url).json()
    assert (whole["cccd"], whole["note"]) == ("008315000111", "Bị bạo hành từ năm 2023")


def test_registering_a_possible_duplicate_answers_409_unless_confirmed(world):
    api = client_for(world.officer_a)
    data = {"full_name": "Vang Thi Mai", "sex": "female", "date_of_birth": "2015-03-09",
            "unit": world.geo.n1.pk}

    response = api.post("/api/v1/persons/", data, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "possible_duplicates"
    assert [c["id"] for c in body["candidates"]] == [world.mai.pk]
    assert Person.objects.count() == 2

    response = api.post("/api/v1/persons/", data | {"confirm_new": True}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["full_name"] == "Vang Thi Mai"


def test_a_duplicate_outside_the_scope_is_reported_without_its_name(world):
    response = client_for(world.officer_a).post("/api/v1/persons/", {
        "full_name": "Lò Văn Tú", "sex": "male", "date_of_birth": "2012-06-01"}, format="json")

    candidate = response.json()["candidates"][0]
    assert candidate == {"id": None, "full_name": None, "date_of_birth": None, "in_scope": False,
                         "reasons": candidate["reasons"]}


def test_a_birth_date_in_the_future_answers_400_naming_the_field(world):
    response = client_for(world.officer_a).post("/api/v1/persons/", {
        "full_name": "Hà Văn Mới", "sex": "male", "date_of_birth": "2099-01-01"}, format="json")
    assert errors(response, "date_of_birth")


def test_editing_a_person_with_a_stale_version_answers_409(world):
    api = client_for(world.manager)
    url = f"/api/v1/persons/{world.mai.pk}/"
    assert api.patch(url, {"phone": "0987654321", "version": 1}, format="json").status_code == 200

    response = api.patch(url, {"address_text": "Thôn 3", "version": 1}, format="json")
    assert response.status_code == 409
    assert [change["field"] for change in response.json()["changes"]] == ["phone"]


def test_statuses_are_recorded_listed_and_masked(world):
    api = client_for(world.officer_a)
    response = api.post("/api/v1/statuses/", {"person": world.mai.pk, "category": "TE02",
                                              "start_date": "2025-01-01", "evidence": "Giấy chứng tử"},
                        format="json")
    assert response.status_code == 201, response.content
    listed = results(api.get("/api/v1/statuses/", {"person": world.mai.pk}))
    assert [row["category"]["code"] for row in listed] == ["TE02"]
    assert listed[0]["evidence"] == "•••"
    assert api.post("/api/v1/statuses/", {"person": world.tu.pk, "category": "TE02",
                                          "start_date": "2025-01-01"}, format="json").status_code == 400


def test_households_and_their_members(world):
    api = client_for(world.officer_a)
    created = api.post("/api/v1/households/", {"name": "Vàng A Páo", "unit": world.geo.n1.pk,
                                               "is_poor": True}, format="json")
    assert created.status_code == 201, created.content
    household = created.json()["id"]
    added = api.post(f"/api/v1/households/{household}/members/", {
        "person": world.mai.pk, "relationship": "child", "start_date": "2020-01-01"}, format="json")
    assert added.status_code == 201, added.content
    assert [m["person"] for m in added.json()["members"]] == [world.mai.pk]
    assert ids(api.get("/api/v1/households/", {"person": world.mai.pk})) == [household]
    assert client_for(world.officer_b).get(f"/api/v1/households/{household}/").status_code == 404
    assert Household.objects.count() == 1


def test_consents_are_recorded_and_withdrawn(world):
    api = client_for(world.officer_a)
    refused = api.post("/api/v1/consents/", {"person": world.mai.pk, "given_by_person": True,
                                             "for_sharing": True}, format="json")
    assert "người đại diện" in errors(refused, "representative_name")

    response = api.post("/api/v1/consents/", {
        "person": world.mai.pk, "given_by_person": True, "representative_name": "Vàng A Páo",
        "representative_relationship": "Bố", "for_sharing": True}, format="json")
    assert response.status_code == 201, response.content
    consent = response.json()["id"]
    assert ids(api.get("/api/v1/consents/", {"person": world.mai.pk, "active": "true"})) == [consent]
    withdrawn = api.post(f"/api/v1/consents/{consent}/withdraw/", {}, format="json")
    assert withdrawn.json()["withdrawn_at"] is not None
    assert Consent.objects.get(pk=consent).withdrawn_at is not None
