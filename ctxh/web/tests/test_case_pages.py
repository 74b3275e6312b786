"""The case pages: list and search in scope, intake (one case on a double submit), the case page with its
transition forms, the access log, masking, and the referral inbox."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.urls import reverse

from ctxh.accounts.roles import Role
from ctxh.audit.models import AccessAction, AccessLog
from ctxh.cases.models import Case, Person, Referral, ReferralStatus
from ctxh.cases.testing import at, make_case, make_person, make_status
from ctxh.testing import make_org, make_user
from ctxh.workforce.testing import make_position, make_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(small_geo):
    geo = small_geo
    org_a = make_org(geo.n1, "UBND phường Minh Xuân")
    org_b = make_org(geo.n2, "UBND xã Nông Tiến")
    worker_a, worker_b = make_worker("Lê Thị Minh"), make_worker("Hoàng Văn Tú")
    make_position(worker_a, org_a, start=dt.date(2020, 1, 1))
    make_position(worker_b, org_b, start=dt.date(2020, 1, 1))
    sw_a = make_user("ctxh-a", Role.SOCIAL_WORKER, organizations=[org_a])
    worker_a.user = sw_a
    worker_a.save()
    person_a = make_person("Nguyễn Thị Hoà", unit=geo.n1, cccd="008190123456", phone="0912345678")
    person_b = make_person("Trần Văn Bình", unit=geo.n2)
    return SimpleNamespace(
        geo=geo, org_a=org_a, org_b=org_b, worker_a=worker_a, sw_a=sw_a, person_a=person_a,
        officer_a=make_user("can-bo-a", Role.ORG_OFFICER, organizations=[org_a]),
        officer_b=make_user("can-bo-b", Role.ORG_OFFICER, organizations=[org_b]),
        case_a=make_case(person_a, org_a, worker_a, opened_at=at(2025, 8, 1), intake_summary="Bị bạo hành"),
        case_b=make_case(person_b, org_b, worker_b, opened_at=at(2025, 8, 1)),
    )


def test_list_searches_without_diacritics_and_stays_in_scope(client, world):
    client.force_login(world.sw_a)
    page = client.get(reverse("web:case_list"), {"q": "nguyen thi hoa"}).content.decode()
    assert world.case_a.number in page and world.case_b.number not in page
    other = client.get(reverse("web:case_list"), {"q": "tran van binh"}).content.decode()
    assert world.case_b.number not in other
    by_number = client.get(reverse("web:case_list"), {"q": world.case_a.number}).content.decode()
    assert world.case_a.number in by_number


def test_another_organizations_case_by_url_is_404(client, world):
    client.force_login(world.sw_a)
    assert client.get(reverse("web:case_detail", args=[world.case_b.pk])).status_code == 404
    assert client.get(reverse("web:person_detail", args=[world.case_b.person_id])).status_code == 404
    assert client.get(reverse("web:case_detail", args=[world.case_a.pk])).status_code == 200


def test_list_pagination_runs_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    for _ in range(60):
        make_case(make_person(), world.org_a, opened_at=at(2025, 9, 1))
    client.force_login(world.officer_a)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("web:case_list"), {"page": 2})
    assert response.status_code == 200 and "61" in response.content.decode()


def test_intake_double_submit_creates_one_case(client, world):
    client.force_login(world.officer_a)
    form = client.get(reverse("web:case_intake")).context["form"]
    data = {
        "token": form.initial["token"], "full_name": "Lò Văn Páo", "sex": "male",
        "date_of_birth": "2016-04-02", "unit": world.geo.n1.pk,
        "organization": world.org_a.pk, "risk_level": "high", "intake_summary": "Mồ côi",
    }
    first = client.post(reverse("web:case_intake"), data)
    second = client.post(reverse("web:case_intake"), data)
    cases = Case.objects.filter(person__full_name="Lò Văn Páo")
    assert cases.count() == 1 and Person.objects.filter(full_name="Lò Văn Páo").count() == 1
    # Where the person lives is recorded: the indicators count people by it.
    assert cases.get().person.addresses.get().unit == world.geo.n1
    assert first.status_code == second.status_code == 302 and first.url == second.url


def test_intake_shows_duplicate_candidates_before_creating(client, world):
    client.force_login(world.officer_a)
    token = client.get(reverse("web:case_intake")).context["form"].initial["token"]
    data = {"token": token, "full_name": "Nguyen Thi Hoa", "sex": "female", "date_of_birth": "2015-03-09",
            "unit": world.geo.n1.pk, "organization": world.org_a.pk}
    response = client.post(reverse("web:case_intake"), data)
    assert response.status_code == 200 and "Hồ sơ có thể trùng" in response.content.decode()
    assert not Person.objects.filter(full_name="Nguyen Thi Hoa").exists()
    found = client.get(reverse("web:case_intake"), {"tim": "hoa"}).content.decode()
    assert "Nguyễn Thị Hoà" in found and "Trần Văn Bình" not in found
    chosen = client.post(reverse("web:case_intake"), {**data, "person": world.person_a.pk})
    assert chosen.status_code == 302 and world.person_a.cases.count() == 2


def test_intake_of_a_new_person_asks_where_they_live(client, world):
    client.force_login(world.officer_a)
    token = client.get(reverse("web:case_intake")).context["form"].initial["token"]
    response = client.post(reverse("web:case_intake"), {
        "token": token, "full_name": "Lò Văn Páo", "sex": "male", "date_of_birth": "2016-04-02",
        "organization": world.org_a.pk,
    })
    assert response.status_code == 200
    assert "Hãy chọn xã, phường nơi người này cư trú." in response.content.decode()
    assert not Person.objects.filter(full_name="Lò Văn Páo").exists()


def test_a_transition_that_skips_a_step_shows_the_message(client, world):
    client.force_login(world.sw_a)
    url = reverse("web:case_action", args=[world.case_a.pk, "chuyen-giai-doan"])
    response = client.post(url, {"stage": "planning", "version": world.case_a.version})
    assert response.status_code == 400
    assert "còn thiếu bước" in response.content.decode()
    world.case_a.refresh_from_db()
    assert world.case_a.stage == "intake"
    ok = client.post(url, {"stage": "assessment", "version": world.case_a.version})
    assert ok.status_code == 302
    world.case_a.refresh_from_db()
    assert world.case_a.stage == "assessment"
    stale = client.post(url, {"stage": "planning", "version": 1})
    assert "người khác sửa" in stale.content.decode()


def test_the_access_log_gets_a_row_for_the_list_and_the_case_page(client, world):
    client.force_login(world.sw_a)
    client.get(reverse("web:case_list"))
    client.get(reverse("web:case_detail", args=[world.case_a.pk]))
    client.get(reverse("web:case_detail", args=[world.case_a.pk]), {"print": "1"})
    rows = AccessLog.objects.filter(user=world.sw_a)
    assert rows.filter(action=AccessAction.LIST, object_ids=[world.case_a.pk]).exists()
    assert rows.filter(action=AccessAction.VIEW, object_id=str(world.case_a.pk)).exists()
    assert rows.filter(action=AccessAction.PRINT, object_id=str(world.case_a.pk)).exists()


def test_sensitive_fields_stay_masked_without_view_sensitive(client, world):
    make_status(world.person_a, "HIV", evidence="Giấy xét nghiệm")
    client.force_login(world.officer_a)
    page = client.get(reverse("web:person_detail", args=[world.person_a.pk])).content.decode()
    assert "********3456" in page and "008190123456" not in page
    assert "Người nhiễm HIV" not in page and "Giấy xét nghiệm" not in page
    case_page = client.get(reverse("web:case_detail", args=[world.case_a.pk])).content.decode()
    assert "Bị bạo hành" not in case_page and "008190123456" not in case_page
    client.force_login(world.sw_a)  # the worker assigned to the case sees them
    own = client.get(reverse("web:person_detail", args=[world.person_a.pk])).content.decode()
    assert "Người nhiễm HIV" in own


def test_a_referral_is_sent_and_accepted_by_the_receiving_organization(client, world):
    client.force_login(world.officer_a)
    send = client.post(reverse("web:case_action", args=[world.case_a.pk, "chuyen-tuyen"]),
                       {"to_org": world.org_b.pk, "reason": "Cần hỗ trợ y tế", "shares_data": "on"})
    assert send.status_code == 400 and "sự đồng ý" in send.content.decode()  # sharing needs consent
    client.post(reverse("web:case_action", args=[world.case_a.pk, "chuyen-tuyen"]),
                {"to_org": world.org_b.pk, "reason": "Cần hỗ trợ y tế"})
    referral = Referral.objects.get(case=world.case_a)
    client.force_login(world.officer_b)
    assert client.get(reverse("web:case_detail", args=[world.case_a.pk])).status_code == 404
    inbox = client.get(reverse("web:referral_inbox")).content.decode()
    assert world.case_a.number in inbox and "Tiếp nhận" in inbox
    client.post(reverse("web:referral_respond", args=[referral.pk]), {"decision": "accept"})
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    assert client.get(reverse("web:case_detail", args=[world.case_a.pk])).status_code == 200
    client.force_login(world.officer_a)
    assert "Đã tiếp nhận" in client.get(reverse("web:referral_inbox")).content.decode()
