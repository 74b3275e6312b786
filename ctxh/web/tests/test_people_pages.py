# ruff: noqa: F811  (the `people_world` fixture is imported and requested by name)
"""The people pages: the person list (scope, search, masking, access log), statuses (add, end, verify),
households and their members, the merge of two records, emergency measures and the transfer of a case, and
the scope matrix: a user of one organization reaches nothing of another's by URL."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from ctxh.accounts.roles import Role
from ctxh.audit.models import AccessAction, AccessLog
from ctxh.cases.models import (
    Case,
    EmergencyMeasure,
    EventKind,
    Household,
    HouseholdMember,
    Person,
    PersonAddress,
    PersonStatus,
)
from ctxh.cases.testing import make_case
from ctxh.cases.tests.people_world import MAI_CCCD, people_world  # noqa: F401 (fixture)
from ctxh.testing import make_user

pytestmark = pytest.mark.django_db

MASKED_CCCD = "********0111"


def groups(html: str) -> str:
    """The "groups" cells of the person list (the filter's drop-down lists every group's name)."""
    return " | ".join(re.findall(r'data-testid="groups">([^<]*)</td>', html))


def page(client, user, url, **params):
    client.force_login(user)
    response = client.get(url, params)
    return response, response.content.decode()


# --- the person list


def test_the_person_list_shows_the_organizations_people_masked_for_an_officer(client, people_world):
    w = people_world
    response, html = page(client, w.officer_a, reverse("web:person_list"))

    assert response.status_code == 200
    assert "Vàng Thị Mai" in html and "Vang Thi Mai" in html and "Lò Văn Tú" not in html
    assert MASKED_CCCD in html and MAI_CCCD not in html
    assert groups(html) == "Trẻ em mồ côi cả cha và mẹ; ••• | —"  # Mai (HIV masked), then her duplicate
    entry = AccessLog.objects.get(user=w.officer_a, action=AccessAction.LIST)
    assert sorted(entry.object_ids) == sorted([w.mai.pk, w.twin.pk]) and entry.count == 2


def test_a_manager_sees_the_province_and_the_sensitive_values(client, people_world):
    _response, html = page(client, people_world.manager, reverse("web:person_list"))

    assert "Lò Văn Tú" in html and MAI_CCCD in html and "Người nhiễm HIV" in groups(html)


def test_the_assigned_social_worker_sees_her_childs_values_whole(client, people_world):
    _response, html = page(client, people_world.sw_a, reverse("web:person_list"))

    assert "Vàng Thị Mai" in html and "Vang Thi Mai" not in html  # the duplicate has no case of hers
    assert MAI_CCCD in html and "Người nhiễm HIV" in groups(html)


def test_the_list_searches_without_diacritics_and_by_cccd_and_logs_a_search(client, people_world):
    w = people_world
    _response, html = page(client, w.manager, reverse("web:person_list"), q="lo van tu")
    assert "Lò Văn Tú" in html and "Vàng Thị Mai" not in html
    _response, html = page(client, w.manager, reverse("web:person_list"), q=MAI_CCCD)
    assert "Vàng Thị Mai" in html and "Vang Thi Mai" not in html
    search = AccessLog.objects.filter(user=w.manager, action=AccessAction.SEARCH).latest("at")
    assert search.object_ids == [w.mai.pk] and f"q={MAI_CCCD}" in search.description


def test_the_list_filters_by_group_and_by_children(client, people_world):
    w = people_world
    from ctxh.cases.testing import category

    _response, html = page(client, w.manager, reverse("web:person_list"), category=category("TE01").pk)
    assert "Vàng Thị Mai" in html and "Lò Văn Tú" not in html
    adult = Person.objects.create(full_name="Đặng Văn Sơn", sex="male", date_of_birth=dt.date(1960, 1, 1))
    PersonAddress.objects.create(person=adult, unit=w.geo.n2, valid_from=dt.date(2025, 7, 1))
    _response, html = page(client, w.manager, reverse("web:person_list"), children="on")
    assert "Lò Văn Tú" in html and "Đặng Văn Sơn" not in html


def test_the_list_answers_htmx_with_the_results_only(client, people_world):
    client.force_login(people_world.manager)
    response = client.get(reverse("web:person_list"), {"q": "mai"}, HTTP_HX_REQUEST="true",
                          HTTP_HX_TARGET="person-results")
    html = response.content.decode()
    assert response.status_code == 200 and 'id="person-results"' in html and "<html" not in html


def test_a_leader_may_not_open_the_list(client, people_world):
    response, _html = page(client, people_world.leader, reverse("web:person_list"))
    assert response.status_code == 403


# --- scope matrix: another organization's records by URL


def test_a_social_worker_of_another_organization_reaches_nothing_by_url(client, people_world):
    w = people_world
    client.force_login(w.sw_b)
    household = Household.objects.create(name="Hộ Vàng Thị Mai", unit=w.geo.n1)
    HouseholdMember.objects.create(household=household, person=w.mai, relationship="child",
                                   start_date=dt.date(2025, 7, 1))
    urls = [
        reverse("web:person_detail", args=[w.mai.pk]),
        reverse("web:status_add", args=[w.mai.pk]),
        reverse("web:status_end", args=[w.mai.pk, w.orphan.pk]),
        reverse("web:status_verify", args=[w.mai.pk, w.orphan.pk]),
        reverse("web:person_merge", args=[w.mai.pk, w.twin.pk]),
        reverse("web:household_detail", args=[household.pk]),
        reverse("web:case_emergency", args=[w.case_a.pk]),
        reverse("web:case_transfer", args=[w.case_a.pk]),
        f"{reverse('web:household_create')}?person={w.mai.pk}",
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    posts = [
        (reverse("web:status_end", args=[w.mai.pk, w.orphan.pk]), {"end_date": "01/10/2025"}),
        (reverse("web:household_member_add", args=[household.pk]), {"person": w.tu.pk}),
        (reverse("web:case_emergency", args=[w.case_a.pk]), {"measures": "x"}),
        (reverse("web:person_merge", args=[w.mai.pk, w.twin.pk]), {"keep": w.mai.pk}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert not AccessLog.objects.filter(user=w.sw_b, object_id__in=[str(w.mai.pk), str(w.case_a.pk)]).exists()
    _response, html = page(client, w.sw_b, reverse("web:person_list"))
    assert "Vàng Thị Mai" not in html


def test_an_officer_of_another_organization_cannot_export_its_people(client, people_world):
    import io

    from openpyxl import load_workbook

    client.force_login(people_world.officer_b)
    response = client.get(reverse("web:beneficiary_export"), {"q": "mai"})
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert response.status_code == 200 and rows == []


# --- statuses


def test_an_officer_adds_a_verified_status(client, people_world):
    w = people_world
    from ctxh.cases.testing import category

    client.force_login(w.officer_a)
    url = reverse("web:status_add", args=[w.mai.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"category": category("TE02").pk, "start_date": "01/08/2025",
                                 "evidence": "Biên bản của công an xã", "verified": "on"})
    assert response.status_code == 302
    status = PersonStatus.objects.get(person=w.mai, category__code="TE02")
    assert status.start_date == dt.date(2025, 8, 1) and status.verified_by == w.officer_a
    assert status.verified_on == timezone.localdate()


def test_a_status_ending_before_it_starts_is_refused_and_nothing_is_written(client, people_world):
    w = people_world
    from ctxh.cases.testing import category

    client.force_login(w.officer_a)
    response = client.post(reverse("web:status_add", args=[w.mai.pk]), {
        "category": category("TE02").pk, "start_date": "01/08/2025", "end_date": "01/07/2025"})
    assert response.status_code == 400
    assert "Ngày kết thúc không được trước ngày bắt đầu." in response.content.decode()
    assert not PersonStatus.objects.filter(person=w.mai, category__code="TE02").exists()


def test_verifying_needs_the_papers(client, people_world):
    w = people_world
    client.force_login(w.manager)
    url = reverse("web:status_verify", args=[w.mai.pk, w.hiv.pk])
    response = client.post(url, {"verified_on": "02/09/2025", "evidence": ""})
    assert response.status_code == 400 and PersonStatus.objects.get(pk=w.hiv.pk).verified_on is None
    response = client.post(url, {"verified_on": "02/09/2025", "evidence": "Phiếu xét nghiệm số 12"})
    assert response.status_code == 302
    w.hiv.refresh_from_db()
    assert (w.hiv.verified_on, w.hiv.verified_by, w.hiv.evidence) == (
        dt.date(2025, 9, 2), w.manager, "Phiếu xét nghiệm số 12")


def test_a_sensitive_status_is_changed_only_by_who_may_read_it(client, people_world):
    w = people_world
    _response, html = page(client, w.officer_a, reverse("web:person_detail", args=[w.mai.pk]))
    assert reverse("web:status_end", args=[w.mai.pk, w.orphan.pk]) in html
    assert reverse("web:status_end", args=[w.mai.pk, w.hiv.pk]) not in html
    assert client.get(reverse("web:status_end", args=[w.mai.pk, w.hiv.pk])).status_code == 403
    response = client.post(reverse("web:status_end", args=[w.mai.pk, w.orphan.pk]),
                           {"end_date": "31/08/2025"})
    assert response.status_code == 302
    assert PersonStatus.objects.get(pk=w.orphan.pk).end_date == dt.date(2025, 8, 31)
    # Her social worker (assigned to her case) reads and ends it.
    client.force_login(w.sw_a)
    assert client.get(reverse("web:status_end", args=[w.mai.pk, w.hiv.pk])).status_code == 200


# --- households


def test_a_household_is_created_from_a_persons_page_and_members_change(client, people_world):
    w = people_world
    client.force_login(w.officer_a)
    response = client.post(f"{reverse('web:household_create')}", {
        "person": w.mai.pk, "name": "Hộ bà Vàng Thị Dín", "unit": w.geo.n1.pk, "address_text": "Tổ 5",
        "is_poor": "on", "relationship": "grandchild", "start_date": "01/07/2025"})
    household = Household.objects.get(name="Hộ bà Vàng Thị Dín")
    assert response.status_code == 302 and household.is_poor
    member = HouseholdMember.objects.get(household=household, person=w.mai)
    assert member.relationship == "grandchild"

    url = reverse("web:household_detail", args=[household.pk])
    _response, html = page(client, w.officer_a, url, tim="vang thi")
    assert "Vang Thi Mai" in html  # the search offers the people in scope who are not members yet
    client.post(reverse("web:household_member_add", args=[household.pk]), {
        "person": w.twin.pk, "relationship": "sibling", "start_date": "01/07/2025"})
    assert HouseholdMember.objects.filter(household=household, person=w.twin).exists()
    # Someone out of scope is not added.
    client.post(reverse("web:household_member_add", args=[household.pk]), {
        "person": w.tu.pk, "relationship": "sibling", "start_date": "01/07/2025"})
    assert not HouseholdMember.objects.filter(person=w.tu).exists()

    change = reverse("web:household_member_change", args=[household.pk, member.pk, "quan-he"])
    client.post(change, {"relationship": "child"})
    member.refresh_from_db()
    assert member.relationship == "child"
    end = reverse("web:household_member_change", args=[household.pk, member.pk, "ket-thuc"])
    client.post(end, {"end_date": "30/06/2025"})  # before it started: refused
    member.refresh_from_db()
    assert member.end_date is None
    client.post(end, {"end_date": "30/09/2025"})
    member.refresh_from_db()
    assert member.end_date == dt.date(2025, 9, 30)
    assert AccessLog.objects.filter(user=w.officer_a, action=AccessAction.VIEW, object_id=str(household.pk),
                                    content_type__model="household").exists()


def test_a_stale_household_edit_is_refused_with_what_changed(client, people_world):
    w = people_world
    from ctxh.cases import services

    household = services.household_create(name="Hộ Lò Văn Páo", unit=w.geo.n1)
    HouseholdMember.objects.create(household=household, person=w.mai, relationship="child",
                                   start_date=dt.date(2025, 7, 1))
    services.household_update(household=household, version=1, data={"is_poor": True})
    client.force_login(w.officer_a)
    response = client.post(reverse("web:household_detail", args=[household.pk]), {
        "version": 1, "name": "Hộ Lò Văn Páo", "unit": w.geo.n1.pk, "is_near_poor": "on"})
    assert response.status_code == 400
    assert "hộ nghèo" in response.content.decode()  # the field the other person changed
    household.refresh_from_db()
    assert household.is_poor and not household.is_near_poor and household.version == 2


# --- duplicates and merge


def test_the_person_page_offers_the_duplicate_and_the_merge_keeps_every_link(client, people_world):
    w = people_world
    other_case = make_case(w.twin, w.org_a, opened_at=w.case_a.opened_at)
    Person.objects.filter(pk=w.twin.pk).update(created_by=w.officer_a)  # she registered it: sees it after
    _response, html = page(client, w.officer_a, reverse("web:person_detail", args=[w.mai.pk]))
    merge_url = reverse("web:person_merge", args=[w.mai.pk, w.twin.pk])
    assert merge_url in html

    response, html = page(client, w.officer_a, merge_url)
    assert response.status_code == 200
    assert 'data-testid="side-1"' in html and 'data-testid="side-2"' in html
    assert "Vàng Thị Mai" in html and "Vang Thi Mai" in html and MASKED_CCCD in html
    viewed = AccessLog.objects.filter(user=w.officer_a, action=AccessAction.VIEW,
                                      description="merge comparison")
    assert {e.object_id for e in viewed} == {str(w.mai.pk), str(w.twin.pk)}

    # Without the confirmation nothing happens.
    response = client.post(merge_url, {"keep": w.mai.pk, "version_a": w.mai.version,
                                       "version_b": w.twin.version})
    assert response.status_code == 400 and Person.objects.get(pk=w.twin.pk).merged_into is None
    response = client.post(merge_url, {"keep": w.mai.pk, "version_a": w.mai.version,
                                       "version_b": w.twin.version, "confirm": "on"})
    assert response.status_code == 302 and response.url == reverse("web:person_detail", args=[w.mai.pk])
    twin = Person.objects.get(pk=w.twin.pk)
    assert twin.merged_into_id == w.mai.pk
    other_case.refresh_from_db()
    assert other_case.person_id == w.mai.pk
    assert other_case.events.filter(kind=EventKind.PERSON_MERGED).exists()
    assert PersonAddress.objects.filter(person=w.mai).count() == 2
    # The merged record says where it went.
    _response, html = page(client, w.officer_a, reverse("web:person_detail", args=[twin.pk]))
    assert 'data-testid="merged-into"' in html


def test_a_merge_of_records_changed_meanwhile_is_refused(client, people_world):
    w = people_world
    from ctxh.cases import services

    client.force_login(w.officer_a)
    merge_url = reverse("web:person_merge", args=[w.mai.pk, w.twin.pk])
    stale = {"keep": w.twin.pk, "version_a": w.mai.version, "version_b": w.twin.version, "confirm": "on"}
    services.person_update(person=w.mai, version=w.mai.version, data={"phone": "0987654321"})
    response = client.post(merge_url, stale)
    assert response.status_code == 400 and "người khác sửa" in response.content.decode()
    assert Person.objects.get(pk=w.mai.pk).merged_into is None


def test_a_social_worker_may_not_merge(client, people_world):
    w = people_world
    make_case(w.twin, w.org_a, w.worker_a, opened_at=w.case_a.opened_at)  # she sees both now
    response, _html = page(client, w.sw_a, reverse("web:person_merge", args=[w.mai.pk, w.twin.pk]))
    assert response.status_code == 403


# --- emergency measures


def test_emergency_measures_for_a_child_at_serious_risk(client, people_world):
    w = people_world
    opened = timezone.now() - dt.timedelta(hours=2)
    case = make_case(w.tu, w.org_b, w.worker_b, opened_at=opened, risk_level="serious")
    url = reverse("web:case_emergency", args=[case.pk])
    response, html = page(client, w.officer_b, url)
    assert response.status_code == 200 and "còn 9 giờ" in html

    taken = timezone.localtime(opened + dt.timedelta(hours=1))
    response = client.post(url, {"version": case.version, "day": taken.strftime("%d/%m/%Y"),
                                 "time": taken.strftime("%H:%M"), "measures": "Đưa trẻ đến nhà tạm lánh"})
    assert response.status_code == 302
    case.refresh_from_db()
    measure = EmergencyMeasure.objects.get(case=case)
    assert measure.measures == "Đưa trẻ đến nhà tạm lánh" and case.emergency_measures_at == measure.taken_at
    assert case.events.filter(kind=EventKind.EMERGENCY).exists()
    _response, html = page(client, w.officer_b, reverse("web:case_detail", args=[case.pk]))
    assert "Đưa trẻ đến nhà tạm lánh" not in html and "•••" in html  # sensitive for an officer
    _response, html = page(client, w.sw_b, reverse("web:case_detail", args=[case.pk]))
    assert "Đưa trẻ đến nhà tạm lánh" in html  # her assigned social worker reads it


def test_an_emergency_measure_before_intake_is_refused(client, people_world):
    w = people_world
    client.force_login(w.officer_a)
    response = client.post(reverse("web:case_emergency", args=[w.case_a.pk]), {
        "version": w.case_a.version, "day": "31/08/2025", "time": "23:00", "measures": "Tạm lánh"})
    assert response.status_code == 400
    assert "không được trước thời điểm tiếp nhận" in response.content.decode()
    assert not EmergencyMeasure.objects.exists()


# --- transfer


def test_an_officer_transfers_a_case_to_another_organization(client, people_world):
    w = people_world
    url = reverse("web:case_transfer", args=[w.case_a.pk])
    response, html = page(client, w.officer_a, url, to_org=w.org_b.pk)
    assert response.status_code == 200 and "Hoàng Văn Tú" in html  # the receiving organization's workers
    response = client.post(url, {"version": w.case_a.version, "to_org": w.org_b.pk, "worker": w.worker_b.pk,
                                 "on": timezone.localdate().strftime("%d/%m/%Y"),
                                 "reason": "Gia đình chuyển đến xã Nông Tiến", "confirm": "on"})
    assert response.status_code == 302 and response.url == reverse("web:case_list")
    case = Case.objects.get(pk=w.case_a.pk)
    assert case.organization == w.org_b and case.assigned_worker == w.worker_b
    assert case.events.filter(kind=EventKind.TRANSFERRED).exists()
    # Organization A no longer reaches it; B does.
    assert client.get(reverse("web:case_detail", args=[case.pk])).status_code == 404
    client.force_login(w.officer_b)
    assert client.get(reverse("web:case_detail", args=[case.pk])).status_code == 200


def test_a_social_worker_may_not_transfer_and_a_transfer_needs_a_reason(client, people_world):
    w = people_world
    response, _html = page(client, w.sw_a, reverse("web:case_transfer", args=[w.case_a.pk]))
    assert response.status_code == 403
    client.force_login(w.officer_a)
    response = client.post(reverse("web:case_transfer", args=[w.case_a.pk]), {
        "version": w.case_a.version, "to_org": w.org_b.pk, "on": "01/10/2025", "reason": "", "confirm": "on"})
    assert response.status_code == 400
    assert Case.objects.get(pk=w.case_a.pk).organization == w.org_a


def test_a_manager_of_the_province_keeps_the_transferred_case(client, people_world):
    w = people_world
    manager = make_user("tinh-2", Role.PROGRAMME_MANAGER, units=[w.geo.new08])
    client.force_login(manager)
    response = client.post(reverse("web:case_transfer", args=[w.case_a.pk]), {
        "version": w.case_a.version, "to_org": w.org_b.pk, "on": timezone.localdate().strftime("%d/%m/%Y"),
        "reason": "Chuyển về xã", "confirm": "on"})
    assert response.status_code == 302 and response.url == reverse("web:case_detail", args=[w.case_a.pk])


def test_the_list_runs_a_constant_number_of_queries(client, people_world, django_assert_max_num_queries):
    from ctxh.cases.testing import make_person, make_status

    w = people_world
    for number in range(60):
        make_status(make_person(f"Người thứ {number}", unit=w.geo.n1, unit_from=dt.date(2025, 7, 1)), "TE02")
    client.force_login(w.officer_a)
    with django_assert_max_num_queries(25):  # sign-in, scope and filters, then one query per kind of row
        response = client.get(reverse("web:person_list"), {"page": 2})
    assert response.status_code == 200 and "62 người" in response.content.decode()
