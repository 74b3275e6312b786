"""The workforce pages: worker list and page, create and edit, positions and allowances, the base salary
table, the STAFFING rules, and the staff section of an organization's page."""

import datetime as dt
import html as html_lib
import re
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ctxh.accounts.roles import Role
from ctxh.accounts.testing import login_verified
from ctxh.core.models import Ethnicity
from ctxh.core.reference import Sex
from ctxh.orgs.models import OrgKind
from ctxh.testing import make_org, make_user
from ctxh.training.testing import attend, make_course, make_session
from ctxh.workforce import services
from ctxh.workforce.models import (
    AllowanceChange,
    BaseSalary,
    Dedication,
    ProgrammePhase,
    Qualification,
    StaffingRule,
    Worker,
)
from ctxh.workforce.testing import make_position, make_worker, set_allowance

D = dt.date
CCCD_AN = "008090123456"  # Tuyên Quang, a man born in 1990


@pytest.fixture
def world(small_geo):
    """Two communes of the new province, one worker in each, and one user per role."""
    ward = make_org(small_geo.n1, "Ủy ban nhân dân phường Minh Xuân", code="UBND-MX")
    commune = make_org(small_geo.n2, "Ủy ban nhân dân xã Nông Tiến", code="UBND-NT")
    school = make_org(small_geo.n1, "Trường Tiểu học Minh Xuân", OrgKind.SCHOOL, code="TH-MX")
    an = make_worker("Nguyễn Văn An", Sex.MALE, D(1990, 3, 4), cccd=CCCD_AN, phone="0912 345 678",
                     ethnicity=Ethnicity.objects.get(code="01"), sw_qualification=Qualification.BACHELOR)
    # 2.000.000 đ from 2023: at least the base salary of 1.800.000, below the 2.340.000 of 01/07/2024.
    an_position = make_position(an, ward, start=D(2023, 1, 1), allowance=2_000_000,
                                dedication=Dedication.FULL_TIME)
    binh = make_worker("Trần Thị Bình", Sex.FEMALE, D(1985, 6, 7), ethnicity=Ethnicity.objects.get(code="02"))
    binh_position = make_position(binh, commune, start=D(2024, 1, 1), allowance=2_530_000)
    return SimpleNamespace(
        geo=small_geo, ward=ward, commune=commune, school=school, an=an, an_position=an_position, binh=binh,
        binh_position=binh_position,
        officer=make_user("canbo-mx", Role.ORG_OFFICER, units=[small_geo.n1], full_name="Lê Văn Cán"),
        other_officer=make_user("canbo-nt", Role.ORG_OFFICER, units=[small_geo.n2]),
        manager=make_user("quanly", Role.PROGRAMME_MANAGER, units=[small_geo.new08],
                          full_name="Phạm Quản Lý"),
        leader=make_user("lanhdao", Role.LEADER, units=[small_geo.new08]),
        admin=make_user("quantri", Role.ADMIN, full_name="Quản Trị Viên"),
    )


def page_of(client, user, name, *args, **params):
    client.force_login(user)
    return client.get(reverse(name, args=args), params)


def text_of(response) -> str:
    """What a person reads on the page: text without tags, white space collapsed."""
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def field_errors(response, field_id: str) -> list[str]:
    """The messages rendered right under the input `field_id` (the form templates' invalid-feedback)."""
    found = re.search(rf'id="{field_id}_error">(.*?)</div></div>', response.content.decode(), re.S)
    messages = re.findall(r"<div>(.*?)(?:</div>|$)", found.group(1)) if found else []
    return [" ".join(html_lib.unescape(message).split()) for message in messages]


def names_in_list(response) -> list[str]:
    return re.findall(r'<a href="/nhan-su/\d+/">([^<]+)</a>', response.content.decode())


# --- list ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("q", "expected"), [
    ("nguyen van an", ["Nguyễn Văn An"]),
    ("TRAN thi binh", ["Trần Thị Bình"]),
    ("an nguyen", ["Nguyễn Văn An"]),
    (CCCD_AN, ["Nguyễn Văn An"]),
    ("0912345678", ["Nguyễn Văn An"]),
    ("nguyen thi", []),
])
def test_the_list_search_ignores_diacritics_and_finds_cccd_and_phone(client, world, q, expected):
    assert names_in_list(page_of(client, world.manager, "web:worker_list", q=q)) == expected


@pytest.mark.parametrize(("params", "expected"), [
    ({}, ["Nguyễn Văn An", "Trần Thị Bình"]),
    ({"dedication": Dedication.FULL_TIME}, ["Nguyễn Văn An"]),
    ({"sex": Sex.FEMALE}, ["Trần Thị Bình"]),
    ({"sw_qualification": Qualification.BACHELOR}, ["Nguyễn Văn An"]),
    ({"active_on": "2023-06-01"}, ["Nguyễn Văn An"]),  # Bình started on 01/01/2024
    ({"active_on": "2022-06-01"}, []),
])
def test_the_list_filters(client, world, params, expected):
    assert names_in_list(page_of(client, world.manager, "web:worker_list", **params)) == expected


def test_the_list_filters_by_organization_unit_and_ethnicity(client, world):
    assert names_in_list(page_of(client, world.manager, "web:worker_list",
                                 organization=world.commune.pk)) == ["Trần Thị Bình"]
    assert names_in_list(page_of(client, world.manager, "web:worker_list", unit=world.geo.n1.pk)) == [
        "Nguyễn Văn An"]
    kinh = Ethnicity.objects.get(code="01")
    assert names_in_list(page_of(client, world.manager, "web:worker_list", ethnicity=kinh.pk)) == [
        "Nguyễn Văn An"]


def test_an_htmx_request_gets_only_the_results(client, world):
    client.force_login(world.manager)
    response = client.get(reverse("web:worker_list"), {"q": "binh"}, headers={"HX-Request": "true"})
    text = response.content.decode()
    assert 'id="worker-results"' in text and "Trần Thị Bình" in text
    assert "<html" not in text and 'name="q"' not in text


def test_the_list_costs_the_same_number_of_queries_for_many_workers(client, world):
    client.force_login(world.officer)
    url = reverse("web:worker_list")
    client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(30):
        make_position(make_worker(f"Người thứ {number}"), world.ward, start=D(2024, 1, 1))
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(names_in_list(response)) == 31
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_list_is_paginated(client, world):
    for number in range(55):
        make_position(make_worker(f"Người thứ {number:02d}"), world.ward, start=D(2024, 1, 1))
    first = page_of(client, world.officer, "web:worker_list")
    second = page_of(client, world.officer, "web:worker_list", page=2)
    assert len(names_in_list(first)) == 50 and len(names_in_list(second)) == 6
    assert "56 người" in text_of(first)


# --- scope -----------------------------------------------------------------------------------------------


def test_a_commune_officer_neither_sees_nor_opens_another_communes_worker(client, world):
    assert names_in_list(page_of(client, world.officer, "web:worker_list")) == ["Nguyễn Văn An"]
    assert names_in_list(page_of(client, world.officer, "web:worker_list", q="binh")) == []
    change = world.binh_position.allowances.get()
    for name, pk in [("web:worker_detail", world.binh.pk), ("web:worker_edit", world.binh.pk),
                     ("web:position_create", world.binh.pk), ("web:position_end", world.binh_position.pk),
                     ("web:allowance_create", world.binh_position.pk), ("web:allowance_correct", change.pk)]:
        assert client.get(reverse(name, args=[pk])).status_code == 404, name
        if name != "web:worker_detail":
            assert client.post(reverse(name, args=[pk]), {}).status_code == 404, name
    world.binh.refresh_from_db()
    assert world.binh.version == 1


def test_a_worker_in_two_communes_shows_only_the_positions_in_scope(client, world):
    make_position(world.binh, world.ward, start=D(2024, 9, 1), title="Cộng tác viên phường")
    text = text_of(page_of(client, world.officer, "web:worker_detail", world.binh.pk))
    assert "Ủy ban nhân dân phường Minh Xuân" in text
    assert "Ủy ban nhân dân xã Nông Tiến" not in text
    assert "Người này còn 1 vị trí công tác ở tổ chức ngoài phạm vi của bạn." in text


def test_the_pages_need_a_login_and_the_capability(client, world):
    response = client.get(reverse("web:worker_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert page_of(client, world.leader, "web:worker_create").status_code == 403
    assert page_of(client, world.leader, "web:worker_edit", world.an.pk).status_code == 403


def test_the_navigation_links_to_the_workforce(client, world):
    assert 'href="/nhan-su/"' in page_of(client, world.leader, "web:home").content.decode()


# --- worker page -----------------------------------------------------------------------------------------


def test_the_cccd_is_masked_for_readers_and_whole_for_editors(client, world):
    leader_page = page_of(client, world.leader, "web:worker_detail", world.an.pk).content.decode()
    assert "********3456" in leader_page and CCCD_AN not in leader_page
    assert CCCD_AN not in page_of(client, world.leader, "web:worker_list").content.decode()
    assert CCCD_AN in page_of(client, world.officer, "web:worker_detail", world.an.pk).content.decode()


def test_the_worker_page_shows_allowances_against_the_base_salary_trainings_and_history(client, world):
    services.worker_update(worker=world.an, version=1, data={"phone": "0987 654 321"})
    course = make_course(world.ward, title="Tập huấn kỹ năng quản lý ca")
    attend(make_session(course, D(2024, 3, 5), D(2024, 3, 8), place="Hội trường UBND"), world.an,
           certificate_number="CN-2024-017")
    text = text_of(page_of(client, world.officer, "web:worker_detail", world.an.pk))
    # The allowance of 2.000.000 đ reached the base salary when it took effect, not after 01/07/2024.
    assert "01/01/2023 – nay" in text
    assert "✓ đạt mức lương cơ sở 1.490.000 ₫ Từ 01/07/2023: ✓ đạt mức lương cơ sở 1.800.000 ₫" in text
    assert "Từ 01/07/2024: ✗ thấp hơn mức lương cơ sở 2.340.000 ₫" in text
    assert "chưa xác nhận" in text  # the announced 2.530.000 from 01/07/2026
    assert "Hôm nay chưa được tính cho chỉ tiêu bố trí người làm CTXH" in text
    assert "Tập huấn kỹ năng quản lý ca" in text and "05/03/2024 – 08/03/2024" in text
    assert "Chứng chỉ số CN-2024-017" in text and "1 lượt hoàn thành" in text
    assert "Điện thoại: “0912 345 678” → “0987 654 321”" in text


def test_the_history_masks_the_cccd_for_readers(client, world):
    services.worker_update(worker=world.an, version=1, data={"cccd": "008090654321"})
    text = text_of(page_of(client, world.leader, "web:worker_detail", world.an.pk))
    assert "Số CCCD: “********3456” → “********4321”" in text
    assert "008090654321" not in text


# --- create and edit -------------------------------------------------------------------------------------


def worker_data(**extra) -> dict:
    return {"full_name": "Hoàng Thị Cúc", "sex": Sex.FEMALE, "date_of_birth": "1992-02-03",
            "sw_qualification": Qualification.COLLEGE, "professional_title": "none"} | extra


def position_data(organization, prefix: str = "", **extra) -> dict:
    data = {"start_date": "2025-08-01", "organization": organization.pk, "category": "staff",
            "dedication": Dedication.PART_TIME, "monthly_allowance_vnd": "2.340.000"} | extra
    return {f"{prefix}{key}": value for key, value in data.items()}


def test_an_officer_creates_a_worker_with_a_first_position(client, world):
    client.force_login(world.officer)
    response = client.post(reverse("web:worker_create"), worker_data() | position_data(world.ward, "vt-"))
    worker = Worker.objects.get(full_name="Hoàng Thị Cúc")
    assert response.status_code == 302
    assert response["Location"] == reverse("web:worker_detail", args=[worker.pk])
    position = worker.positions.get()
    assert position.organization == world.ward
    assert list(position.allowances.values_list("effective_date", "monthly_allowance_vnd")) == [
        (D(2025, 8, 1), 2_340_000)]
    assert "Hoàng Thị Cúc" in names_in_list(client.get(reverse("web:worker_list")))


def test_an_officer_cannot_create_a_worker_without_a_position_or_in_another_commune(client, world):
    client.force_login(world.officer)
    response = client.post(reverse("web:worker_create"), worker_data())
    assert field_errors(response, "id_vt-organization")
    response = client.post(reverse("web:worker_create"), worker_data() | position_data(world.commune, "vt-"))
    assert field_errors(response, "id_vt-organization")
    assert not Worker.objects.filter(full_name="Hoàng Thị Cúc").exists()


def test_a_bad_position_rolls_back_the_new_worker(client, world):
    client.force_login(world.officer)
    response = client.post(reverse("web:worker_create"), worker_data() | position_data(
        world.ward, "vt-", end_date="2025-07-01"))
    assert field_errors(response, "id_vt-end_date") == [
        "Ngày kết thúc không được trước ngày bắt đầu (01/08/2025)."]
    assert not Worker.objects.filter(full_name="Hoàng Thị Cúc").exists()


def test_an_invalid_cccd_is_refused_next_to_the_field_with_the_reason(client, world):
    client.force_login(world.officer)
    response = client.post(reverse("web:worker_create"),
                           worker_data(cccd="008290123456") | position_data(world.ward, "vt-"))
    assert field_errors(response, "id_cccd") == [
        "Chữ số thứ tư (2) là mã của giới tính nam, nhưng giới tính đã nhập là nữ."]
    response = client.post(reverse("web:worker_create"),
                           worker_data(cccd="999192123456") | position_data(world.ward, "vt-"))
    assert field_errors(response, "id_cccd") == [
        "Ba chữ số đầu (999) không phải mã tỉnh, thành phố nơi đăng ký khai sinh."]
    assert not Worker.objects.filter(full_name="Hoàng Thị Cúc").exists()


def test_an_administrator_may_register_a_worker_without_a_position(client, world):
    login_verified(client, world.admin)
    response = client.post(reverse("web:worker_create"), worker_data())
    assert response.status_code == 302
    assert not Worker.objects.get(full_name="Hoàng Thị Cúc").positions.exists()


def test_editing_a_worker_read_before_someone_elses_change_is_refused_with_what_changed(client, world):
    client.force_login(world.officer)
    form = client.get(reverse("web:worker_edit", args=[world.an.pk])).context["form"]
    data = {name: form.initial.get(name) or "" for name in form.fields} | {
        "ethnicity": world.an.ethnicity_id, "date_of_birth": "1990-03-04", "full_name": "Nguyễn Văn Ân"}
    services.worker_update(worker=world.an, version=1, data={"phone": "0987 654 321"})  # someone else

    response = client.post(reverse("web:worker_edit", args=[world.an.pk]), data)
    text = text_of(response)
    assert response.status_code == 200
    assert "đã sửa hồ sơ này lúc" in text
    assert "Trường “Điện thoại” trước là “0912 345 678”, nay là “0987 654 321”." in text
    world.an.refresh_from_db()
    assert world.an.full_name == "Nguyễn Văn An" and world.an.version == 2

    # A second click on Save applies the user's change, knowingly.
    response = client.post(reverse("web:worker_edit", args=[world.an.pk]), data | {"version": 2})
    assert response.status_code == 302
    world.an.refresh_from_db()
    assert world.an.full_name == "Nguyễn Văn Ân" and world.an.version == 3


# --- positions and allowances ----------------------------------------------------------------------------


def test_an_allowance_change_adds_a_row_and_keeps_the_earlier_amount(client, world):
    client.force_login(world.officer)
    response = client.post(reverse("web:allowance_create", args=[world.an_position.pk]),
                           {"effective_date": "2024-07-01", "monthly_allowance_vnd": "2 340 000 đ",
                            "note": "Quyết định 12/QĐ-UBND"})
    assert response.status_code == 302
    assert list(world.an_position.allowances.order_by("effective_date").values_list(
        "effective_date", "monthly_allowance_vnd")) == [
        (D(2023, 1, 1), 2_000_000), (D(2024, 7, 1), 2_340_000)]
    text = text_of(client.get(reverse("web:worker_detail", args=[world.an.pk])))
    assert "01/01/2023 – 30/06/2024" in text and "01/07/2024 – nay" in text
    assert "✓ đạt mức lương cơ sở 2.340.000 ₫" in text


@pytest.mark.parametrize(("amount", "message"), [
    ("-100000", "Số tiền không được âm."),
    ("2340000,5", "Số tiền phải là một số nguyên (đồng)."),
    ("hai triệu", "Số tiền phải là một số nguyên (đồng)."),
])
def test_a_negative_or_fractional_allowance_is_refused_next_to_the_field(client, world, amount, message):
    client.force_login(world.officer)
    response = client.post(reverse("web:allowance_create", args=[world.an_position.pk]),
                           {"effective_date": "2024-07-01", "monthly_allowance_vnd": amount})
    assert field_errors(response, "id_monthly_allowance_vnd") == [message]
    assert world.an_position.allowances.count() == 1


def test_correcting_a_mistyped_allowance_keeps_the_wrong_value_in_the_history(client, world):
    change = world.an_position.allowances.get()
    client.force_login(world.officer)
    seen = client.get(reverse("web:allowance_correct", args=[change.pk])).context["form"].initial["seen"]
    response = client.post(reverse("web:allowance_correct", args=[change.pk]),
                           {"monthly_allowance_vnd": "2.400.000", "note": "Nhập nhầm", "seen": seen})
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.monthly_allowance_vnd == 2_400_000
    assert AllowanceChange.objects.filter(position=world.an_position).count() == 1
    text = text_of(client.get(reverse("web:worker_detail", args=[world.an.pk])))
    assert "đã sửa 1 lần" in text
    assert "Phụ cấp hằng tháng (đồng): “2.000.000 ₫” → “2.400.000 ₫”" in text
    assert "Lê Văn Cán" in text


def test_a_stale_allowance_correction_is_refused(client, world):
    change = world.an_position.allowances.get()
    client.force_login(world.officer)
    seen = client.get(reverse("web:allowance_correct", args=[change.pk])).context["form"].initial["seen"]
    services.allowance_correct(change=change, monthly_allowance_vnd=2_100_000)  # someone else
    response = client.post(reverse("web:allowance_correct", args=[change.pk]),
                           {"monthly_allowance_vnd": "2.400.000", "note": "Nhập nhầm", "seen": seen})
    assert ("Trường “Phụ cấp hằng tháng (đồng)” trước là “2.000.000 ₫”, nay là “2.100.000 ₫”."
            in text_of(response))
    change.refresh_from_db()
    assert change.monthly_allowance_vnd == 2_100_000


def test_adding_a_position_offers_the_organizations_active_on_the_start_date(client, world):
    closed = make_org(world.geo.x1, "Ủy ban nhân dân phường Phan Thiết", valid_to=D(2025, 6, 30))
    client.force_login(world.manager)
    options = client.get(reverse("web:position_organization_options"), {"start_date": "2025-08-01"})
    assert "Ủy ban nhân dân phường Minh Xuân" in options.content.decode()
    assert "Phan Thiết" not in options.content.decode()
    response = client.post(reverse("web:position_create", args=[world.an.pk]),
                           position_data(closed, start_date="2025-08-01"))
    assert field_errors(response, "id_start_date") == [
        "Tổ chức “Ủy ban nhân dân phường Phan Thiết” không hoạt động vào ngày bắt đầu 01/08/2025."]
    response = client.post(reverse("web:position_create", args=[world.an.pk]), position_data(world.school))
    assert response.status_code == 302
    assert world.an.positions.filter(organization=world.school).exists()


def test_ending_a_position_before_it_starts_is_refused_next_to_the_field(client, world):
    client.force_login(world.officer)
    url = reverse("web:position_end", args=[world.an_position.pk])
    seen = client.get(url).context["form"].initial["seen"]
    response = client.post(url, {"end_date": "2022-12-31", "seen": seen})
    assert field_errors(response, "id_end_date") == [
        "Ngày kết thúc không được trước ngày bắt đầu (01/01/2023)."]
    response = client.post(url, {"end_date": "2025-09-30", "seen": seen})
    assert response.status_code == 302
    world.an_position.refresh_from_db()
    assert world.an_position.end_date == D(2025, 9, 30)


# --- base salary and STAFFING rules ----------------------------------------------------------------------


def test_a_leader_reads_the_base_salary_table_with_the_unconfirmed_row_flagged(client, world):
    response = page_of(client, world.leader, "web:base_salary")
    text = text_of(response)
    assert response.status_code == 200 and response.context["form"] is None
    assert "2.340.000 ₫" in text and "Nghị định 73/2024/NĐ-CP" in text
    rows = re.findall(r'<tr data-testid="base-salary".*?</tr>', response.content.decode(), re.S)
    assert [("01/07/2026" in row, "chưa xác nhận" in row) for row in rows] == [
        (True, True), (False, False), (False, False), (False, False)]
    assert client.post(reverse("web:base_salary"), {}).status_code == 403


def test_a_programme_manager_cannot_change_the_base_salary(client, world):
    client.force_login(world.manager)
    response = client.post(reverse("web:base_salary"),
                           {"effective_date": "2027-01-01", "amount_vnd": "3000000"})
    assert response.status_code == 403
    row = BaseSalary.objects.get(effective_date=D(2026, 7, 1))
    assert client.get(reverse("web:base_salary_edit", args=[row.pk])).status_code == 403
    assert not BaseSalary.objects.filter(effective_date=D(2027, 1, 1)).exists()


def test_an_administrator_adds_and_corrects_base_salary_rows_with_history(client, world):
    login_verified(client, world.admin)
    response = client.post(reverse("web:base_salary"), {
        "effective_date": "2027-01-01", "amount_vnd": "3.000.000", "confirmed": "on"})
    assert response.status_code == 302
    assert BaseSalary.objects.get(effective_date=D(2027, 1, 1)).amount_vnd == 3_000_000

    response = client.post(reverse("web:base_salary"), {"effective_date": "2026-07-01", "amount_vnd": "1"})
    assert "Đã có mức lương cơ sở 2.530.000 ₫ áp dụng từ ngày 01/07/2026" in field_errors(
        response, "id_effective_date")[0]

    row = BaseSalary.objects.get(effective_date=D(2026, 7, 1))
    url = reverse("web:base_salary_edit", args=[row.pk])
    seen = client.get(url).context["form"].initial["seen"]
    response = client.post(url, {"amount_vnd": "2530000", "instrument": "Nghị định 161/2026/NĐ-CP",
                                 "confirmed": "on", "seen": seen})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.confirmed and row.instrument == "Nghị định 161/2026/NĐ-CP"
    text = text_of(client.get(reverse("web:base_salary")))
    assert "Quản Trị Viên" in text and "Đã xác nhận: “Không” → “Có”" in text


def test_a_negative_base_salary_is_refused_next_to_the_field(client, world):
    login_verified(client, world.admin)
    response = client.post(reverse("web:base_salary"), {"effective_date": "2027-01-01", "amount_vnd": "-5"})
    assert field_errors(response, "id_amount_vnd") == ["Số tiền không được âm."]


def test_the_programme_manager_sets_n_per_phase_and_kind_with_history(client, world):
    rule = StaffingRule.objects.get(phase__code="2", org_kind=OrgKind.COMMUNE_COMMITTEE)
    client.force_login(world.manager)
    url = reverse("web:staffing_rule_edit", args=[rule.pk])
    seen = client.get(url).context["form"].initial["seen"]
    response = client.post(url, {"required_positions": "0", "seen": seen})
    assert field_errors(response, "id_required_positions") == [
        "Số người tối thiểu phải là một số nguyên từ 1 trở lên."]
    response = client.post(url, {"required_positions": "3", "note": "Theo chỉ đạo của tỉnh", "seen": seen})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.required_positions == 3
    response = client.post(reverse("web:staffing_rules"), {
        "phase": ProgrammePhase.objects.get(code="2").pk, "org_kind": OrgKind.SCHOOL,
        "required_positions": "2"})
    assert response.status_code == 302
    text = text_of(client.get(reverse("web:staffing_rules")))
    assert "Số người tối thiểu: “2” → “3”" in text and "Phạm Quản Lý" in text

    client.force_login(world.leader)
    assert client.get(reverse("web:staffing_rules")).context["form"] is None
    assert client.post(url, {"required_positions": "1"}).status_code == 403


# --- the organization page -------------------------------------------------------------------------------


def test_the_organization_page_shows_its_staff_and_whether_it_qualifies(client, world):
    client.force_login(world.officer)
    url = reverse("web:org_detail", args=[world.ward.pk])
    before_rise = text_of(client.get(url, {"staff_day": "2024-06-30"}))
    assert "Nhân sự công tác xã hội" in before_rise and "Nguyễn Văn An" in before_rise
    assert "Đạt Ngày 30/06/2024: có 1 người làm công tác xã hội" in before_rise

    after_rise = text_of(client.get(url, {"staff_day": "2024-07-01"}))
    assert "Chưa đạt" in after_rise
    assert "Phụ cấp cao nhất 2.000.000 đồng/tháng, thấp hơn mức lương cơ sở 2.340.000 đồng." in after_rise

    set_allowance(world.an_position, D(2024, 7, 1), 2_340_000)
    partial = client.get(reverse("web:organization_staff", args=[world.ward.pk]), {"staff_day": "2024-07-01"})
    assert "<html" not in partial.content.decode() and "Đạt" in text_of(partial)

    empty = text_of(client.get(reverse("web:org_detail", args=[world.school.pk])))
    assert "Chưa bố trí người làm công tác xã hội." in empty
    assert client.get(reverse("web:organization_staff", args=[world.commune.pk])).status_code == 404

