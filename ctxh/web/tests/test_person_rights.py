"""The data subject's rights on the person page: the full export for the person (unmasked, logged, only for
VIEW_SENSITIVE + EXPORT_CASES and in scope) and pseudonymization on a lawful request (counts unchanged)."""

import datetime as dt
import io
from types import SimpleNamespace

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ctxh.accounts.roles import Role
from ctxh.audit.models import AccessAction, AccessLog
from ctxh.cases import indicators
from ctxh.cases.models import FundingSource, Person, PersonStatus, ServiceDelivery, ServiceType
from ctxh.cases.testing import at, make_case, make_person
from ctxh.testing import make_org, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(small_geo):
    geo = small_geo
    org_a = make_org(geo.n1, "UBND phường Minh Xuân")
    org_b = make_org(geo.n2, "UBND xã Nông Tiến")
    person = make_person("Nguyễn Thị Hoà", unit=geo.n1, cccd="008190123456", phone="0912345678")
    other = make_person("Trần Văn Bình", unit=geo.n2)
    case = make_case(person, org_a, opened_at=at(2025, 8, 1), intake_summary="Bị bạo hành")
    other_case = make_case(other, org_b, opened_at=at(2025, 8, 1))
    service = ServiceDelivery.objects.create(
        case=case, person=person, service_type=ServiceType.COUNSELLING, delivered_on=dt.date(2025, 8, 5),
        provider=org_a, funding_source=FundingSource.STATE_BUDGET)
    return SimpleNamespace(
        geo=geo, org_a=org_a, org_b=org_b, person=person, other=other, case=case, other_case=other_case,
        service=service,
        manager=make_user("quan-ly", Role.PROGRAMME_MANAGER, units=[geo.new08]),
        manager_a=make_user("quan-ly-a", Role.PROGRAMME_MANAGER, units=[geo.n1]),
        officer=make_user("can-bo-a", Role.ORG_OFFICER, organizations=[org_a]),
        leader=make_user("lanh-dao", Role.LEADER),
    )


def _export(client, person):
    return client.get(reverse("web:person_subject_export", args=[person.pk]))


def test_export_has_the_persons_cases_and_services_unmasked_and_is_logged(client, world):
    client.force_login(world.manager)
    response = _export(client, world.person)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert {"Thông tin cá nhân", "Hồ sơ trường hợp", "Dịch vụ đã nhận", "Sự đồng ý", "Tình trạng"} \
        <= set(book.sheetnames)
    identity = {row[0]: row[1] for row in book["Thông tin cá nhân"].iter_rows(min_row=2, values_only=True)}
    assert identity["Họ và tên"] == "Nguyễn Thị Hoà" and identity["Số CCCD"] == "008190123456"
    birth = book["Thông tin cá nhân"].cell(row=4, column=2)
    assert birth.value.date() == dt.date(2015, 3, 9) and birth.number_format == "DD/MM/YYYY"
    cases = list(book["Hồ sơ trường hợp"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in cases] == [world.case.number]
    services = list(book["Dịch vụ đã nhận"].iter_rows(min_row=2, values_only=True))
    assert len(services) == 1 and services[0][0] == world.case.number
    assert services[0][1].date() == dt.date(2025, 8, 5)
    assert services[0][2] == ServiceType.COUNSELLING.label
    entry = AccessLog.objects.get(action=AccessAction.EXPORT)
    assert entry.user == world.manager and entry.object_ids == [world.person.pk]


@pytest.mark.parametrize("who", ["officer", "leader"])
def test_export_and_pseudonymize_need_view_sensitive(client, world, who):
    client.force_login(getattr(world, who))
    assert _export(client, world.person).status_code == 403
    assert client.get(reverse("web:person_pseudonymize", args=[world.person.pk])).status_code == 403
    assert not AccessLog.objects.filter(action=AccessAction.EXPORT).exists()


def test_person_out_of_scope_is_404(client, world):
    client.force_login(world.manager_a)
    assert _export(client, world.other).status_code == 404
    assert client.get(reverse("web:person_pseudonymize", args=[world.other.pk])).status_code == 404
    assert _export(client, world.person).status_code == 200


def test_person_page_shows_the_two_buttons_only_to_sensitive_roles(client, world):
    client.force_login(world.manager)
    page = client.get(reverse("web:person_detail", args=[world.person.pk])).content.decode()
    assert reverse("web:person_subject_export", args=[world.person.pk]) in page
    assert reverse("web:person_pseudonymize", args=[world.person.pk]) in page
    client.force_login(world.officer)
    page = client.get(reverse("web:person_detail", args=[world.person.pk])).content.decode()
    assert reverse("web:person_pseudonymize", args=[world.person.pk]) not in page


def test_pseudonymize_replaces_the_name_keeps_the_counts_and_is_logged(client, world):
    status = PersonStatus.objects.create(person=world.person, category=_any_category(),
                                         start_date=dt.date(2020, 1, 1))
    year = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    before = indicators.counselled([world.geo.n1], *year, breakdowns=True)
    statuses_before = PersonStatus.objects.filter(category=status.category).count()
    url = reverse("web:person_pseudonymize", args=[world.person.pk])
    client.force_login(world.manager)
    page = client.get(url).content.decode()
    assert "Sẽ bị thay thế" in page and "Được giữ lại" in page

    refused = client.post(url, {"reason": "", "legal_basis": "", "confirm": "on"})
    assert refused.status_code == 200 and Person.objects.get(pk=world.person.pk).full_name == "Nguyễn Thị Hoà"

    response = client.post(url, {"reason": "Yêu cầu xóa dữ liệu của chính người đó",
                                 "legal_basis": "Đơn ngày 01/10/2025; Luật 91/2025/QH15", "confirm": "on"})
    assert response.status_code == 302
    person = Person.objects.get(pk=world.person.pk)
    assert person.is_pseudonymized and person.full_name != "Nguyễn Thị Hoà" and person.cccd is None
    after = indicators.counselled([world.geo.n1], *year, breakdowns=True)
    assert after.total == before.total == 1
    assert PersonStatus.objects.filter(category=status.category).count() == statuses_before
    entry = AccessLog.objects.filter(object_id=str(person.pk), purpose__startswith="Yêu cầu xóa").get()
    assert entry.user == world.manager and "91/2025/QH15" in entry.description
    assert "Nguyễn Thị Hoà" not in entry.description and "Nguyễn Thị Hoà" not in entry.object_label


def _any_category():
    from ctxh.cases.models import VulnerabilityCategory

    return VulnerabilityCategory.objects.order_by("pk").first()
