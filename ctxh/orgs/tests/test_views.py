import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from ctxh.accounts.roles import Role
from ctxh.orgs.models import Organization, OrgKind, Sector
from ctxh.orgs.services import organization_move, organization_update
from ctxh.testing import make_org, make_user

D = dt.date
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def orgs(small_geo):
    committee = make_org(
        small_geo.n2, "Ủy ban nhân dân xã Nông Tiến", code="UBND-NT", valid_from=D(2025, 7, 1)
    )
    old = make_org(
        small_geo.y1,
        "Ủy ban nhân dân phường Quang Trung",
        code="UBND-QT",
        valid_to=D(2025, 6, 30),
        successor=committee,
        closed_reason="Sắp xếp đơn vị hành chính",
    )
    ward = make_org(
        small_geo.n1,
        "Trạm Y tế phường Minh Xuân",
        OrgKind.HEALTH,
        code="TYT-MX",
        sector=Sector.HEALTH,
        valid_from=D(2025, 7, 1),
    )
    return committee, old, ward


def login(client, user):
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_anonymous_visitors_are_sent_to_the_login_page(client, orgs):
    for name, args in [
        ("web:org_list", []),
        ("web:org_detail", [orgs[0].pk]),
        ("web:org_create", []),
        ("web:org_export", []),
        ("web:org_import", []),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_list_shows_counts_and_the_users_organizations_only(client, orgs, people):
    response = login(client, people.officer).get(reverse("web:org_list"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Ủy ban nhân dân xã Nông Tiến" in text and "Ủy ban nhân dân phường Quang Trung" in text
    assert "Trạm Y tế phường Minh Xuân" not in text
    assert "2 tổ chức (1 đang hoạt động, 1 đã chấm dứt)" in " ".join(text.split())


def test_list_search_ignores_diacritics_and_htmx_gets_only_the_table(client, orgs, people):
    client = login(client, people.manager)
    response = client.get(reverse("web:org_list"), {"q": "tram y te"}, headers={"HX-Request": "true"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in text and 'id="org-results"' in text
    assert "Trạm Y tế phường Minh Xuân" in text and "Nông Tiến" not in text


def test_list_filters_by_unit_across_successions_and_paginates(client, small_geo, orgs, people):
    for number in range(50):
        make_org(small_geo.n2, f"Chi hội {number:02d}", code=f"CH-{number:02d}", valid_from=D(2025, 8, 1))
    client = login(client, people.manager)
    first = client.get(reverse("web:org_list"), {"unit": small_geo.n2.pk})
    assert first.context["page"].paginator.count == 52  # 50 + the new committee + the old Quang Trung one
    assert len(first.context["page"].object_list) == 50
    second = client.get(reverse("web:org_list"), {"unit": small_geo.n2.pk, "page": 2})
    assert len(second.context["page"].object_list) == 2


def test_detail_shows_locations_succession_and_history(client, orgs, people):
    committee, old, _ward = orgs
    organization_update(user=people.manager, organization=committee, expected_version=1, phone="0207 123 456")
    client = login(client, people.officer)

    response = client.get(reverse("web:org_detail", args=[committee.pk]))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Ủy ban nhân dân phường Quang Trung" in text  # predecessor
    assert reverse("web:org_detail", args=[old.pk]) in text
    assert "Xã Nông Tiến" in text and "01/07/2025" in text
    assert "quanly" in text and "0207 123 456" in text  # who changed what

    old_page = client.get(reverse("web:org_detail", args=[old.pk])).content.decode()
    assert "Sắp xếp đơn vị hành chính" in old_page
    assert reverse("web:org_detail", args=[committee.pk]) in old_page  # successor link


def test_an_organization_out_of_scope_is_not_found(client, orgs, people):
    ward = orgs[2]
    client = login(client, people.officer)
    for name in ("web:org_detail", "web:org_edit", "web:org_close"):
        assert client.get(reverse(name, args=[ward.pk])).status_code == 404
    assert (
        client.post(
            reverse("web:org_close", args=[ward.pk]), {"valid_to": "2025-12-31", "reason": "x", "version": 1}
        ).status_code
        == 404
    )
    ward.refresh_from_db()
    assert ward.valid_to is None


def test_pages_that_change_need_the_capability(client, orgs, people):
    client = login(client, people.leader)
    assert client.get(reverse("web:org_list")).status_code == 200
    assert client.get(reverse("web:org_create")).status_code == 403
    assert client.get(reverse("web:org_edit", args=[orgs[0].pk])).status_code == 403
    assert client.post(reverse("web:org_close", args=[orgs[0].pk])).status_code == 403
    assert client.get(reverse("web:org_import")).status_code == 403
    worker = make_user("nhanvien", Role.SOCIAL_WORKER, units=[orgs[0].unit])
    assert login(client, worker).get(reverse("web:org_export")).status_code == 403


def create_data(small_geo, **extra):
    data = {
        "code": "TH-NT",
        "name": "Trường Tiểu học Nông Tiến",
        "kind": OrgKind.SCHOOL,
        "school_level": "primary",
        "health_level": "",
        "sector": Sector.EDUCATION,
        "ownership": "public",
        "valid_from": "2025-08-01",
        "unit": small_geo.n2.pk,
        "parent": "",
        "address": "",
        "phone": "",
        "email": "",
    }
    data.update(extra)
    return data


def test_create(client, small_geo, orgs, people):
    client = login(client, people.officer)
    form_page = client.get(reverse("web:org_create"))
    assert form_page.status_code == 200
    options = form_page.content.decode()
    assert "Xã Nông Tiến — Tỉnh Tuyên Quang" in options and "Phường Minh Xuân" not in options

    response = client.post(reverse("web:org_create"), create_data(small_geo), follow=True)

    org = Organization.objects.get(code="TH-NT")
    assert response.redirect_chain[-1][0] == reverse("web:org_detail", args=[org.pk])
    assert messages_of(response) == ["Đã thêm tổ chức “Trường Tiểu học Nông Tiến”."]
    assert org.history.get().history_user == people.officer


def test_create_shows_service_errors_next_to_the_field(client, small_geo, orgs, people):
    client = login(client, people.officer)
    response = client.post(reverse("web:org_create"), create_data(small_geo, school_level="", code="UBND-NT"))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "code": ["Mã tổ chức “UBND-NT” đã được dùng cho một tổ chức khác."],
        "school_level": ["Trường học phải có cấp học."],
    }
    assert not Organization.objects.filter(code="TH-NT").exists()


def test_unit_options_follow_the_date(client, small_geo, people):
    client = login(client, people.manager)
    before = client.get(reverse("web:org_unit_options"), {"valid_from": "2024-01-01"}).content.decode()
    after = client.get(reverse("web:org_unit_options"), {"valid_from": "2025-08-01"}).content.decode()
    assert "Xã Tràng Đà" in before and "Xã Nông Tiến" not in before
    assert "Xã Nông Tiến" in after and "Xã Tràng Đà" not in after


def edit_data(org, **extra):
    data = {
        "code": org.code,
        "name": org.name,
        "kind": org.kind,
        "school_level": org.school_level,
        "health_level": org.health_level,
        "sector": org.sector,
        "ownership": org.ownership,
        "valid_from": org.valid_from.isoformat() if org.valid_from else "",
        "unit": org.unit_id,
        "parent": org.parent_id or "",
        "address": org.address,
        "phone": org.phone,
        "email": org.email,
        "version": org.version,
    }
    data.update(extra)
    return data


def test_edit(client, orgs, people):
    committee = orgs[0]
    client = login(client, people.officer)
    assert client.get(reverse("web:org_edit", args=[committee.pk])).status_code == 200

    response = client.post(
        reverse("web:org_edit", args=[committee.pk]), edit_data(committee, phone="0207 3866 111"), follow=True
    )

    assert messages_of(response) == ["Đã lưu tổ chức “Ủy ban nhân dân xã Nông Tiến”."]
    committee.refresh_from_db()
    assert (committee.phone, committee.version) == ("0207 3866 111", 2)


def test_edit_of_a_stale_form_shows_the_other_change_and_overwrites_nothing(client, orgs, people):
    committee = orgs[0]
    stale = edit_data(committee, address="Thôn Nông Tiến")
    organization_update(
        user=people.manager, organization=committee, expected_version=1, name="UBND xã Nông Tiến"
    )
    client = login(client, people.officer)

    response = client.post(reverse("web:org_edit", args=[committee.pk]), stale)

    assert response.status_code == 200
    text = " ".join(response.content.decode().split())
    assert "Người khác (quanly) đã sửa tổ chức này lúc" in text
    assert "Trường “Tên tổ chức” trước là “Ủy ban nhân dân xã Nông Tiến”, nay là “UBND xã Nông Tiến”." in text
    committee.refresh_from_db()
    assert (committee.name, committee.address, committee.version) == ("UBND xã Nông Tiến", "", 2)
    assert response.context["form"]["version"].value() == 2


def test_close(client, orgs, people):
    committee = orgs[0]
    client = login(client, people.officer)
    assert client.get(reverse("web:org_close", args=[committee.pk])).status_code == 200

    response = client.post(
        reverse("web:org_close", args=[committee.pk]),
        {"valid_to": "2026-04-29", "reason": "Sáp nhập xã", "successor": "", "version": 1},
        follow=True,
    )

    assert messages_of(response) == [
        "Đã ghi nhận tổ chức “Ủy ban nhân dân xã Nông Tiến” chấm dứt hoạt động từ ngày 29/04/2026."
    ]
    committee.refresh_from_db()
    assert (committee.valid_to, committee.closed_reason) == (D(2026, 4, 29), "Sáp nhập xã")


def test_close_before_the_start_is_refused_with_a_message(client, orgs, people):
    committee = orgs[0]
    response = login(client, people.officer).post(
        reverse("web:org_close", args=[committee.pk]), {"valid_to": "2025-01-01", "reason": "X", "version": 1}
    )
    assert (
        "không được trước ngày bắt đầu hiệu lực (01/07/2025)"
        in response.context["form"].errors["valid_to"][0]
    )


def test_export_downloads_the_filtered_list(client, orgs, people):
    response = login(client, people.manager).get(reverse("web:org_export"), {"kind": OrgKind.HEALTH})
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet["A1"].value == "Mã tổ chức"
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == ["TYT-MX"]


def test_import_template_download(client, people):
    response = login(client, people.officer).get(reverse("web:org_import_template"))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert load_workbook(io.BytesIO(response.content)).sheetnames == ["Tổ chức", "Danh mục"]


def upload(rows) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        [
            "Mã tổ chức",
            "Tên tổ chức",
            "Loại tổ chức",
            "Cấp học",
            "Ngành",
            "Loại hình sở hữu",
            "Mã đơn vị hành chính",
            "Mã tổ chức cấp trên",
            "Hiệu lực từ ngày",
            "Hiệu lực đến ngày",
            "Địa chỉ",
            "Điện thoại",
            "Thư điện tử",
        ]
    )
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "to-chuc.xlsx"
    return buffer


SCHOOL = [
    "TH-NT",
    "Trường Tiểu học Nông Tiến",
    "Trường học",
    "Tiểu học",
    "Giáo dục",
    "Công lập",
    "02210",
    None,
    "01/08/2025",
    None,
    None,
    None,
    None,
]


def test_import_upload_preview_and_confirm(client, orgs, people):
    client = login(client, people.officer)
    assert client.get(reverse("web:org_import")).status_code == 200

    preview = client.post(reverse("web:org_import"), {"file": upload([SCHOOL]), "action": "check"})
    assert preview.status_code == 200
    assert "Sẽ thêm mới 1 tổ chức, cập nhật 0 tổ chức; 0 tổ chức không thay đổi." in " ".join(
        preview.content.decode().split()
    )
    assert not Organization.objects.filter(code="TH-NT").exists()

    done = client.post(
        reverse("web:org_import"), {"token": preview.context["token"], "action": "confirm"}, follow=True
    )
    assert done.redirect_chain[-1][0] == reverse("web:org_list")
    assert messages_of(done) == [
        "Đã nhập tệp “to-chuc.xlsx”: 1 tổ chức thêm mới, 0 cập nhật, 0 không thay đổi."
    ]
    assert Organization.objects.get(code="TH-NT").unit.code == "02210"

    again = client.post(
        reverse("web:org_import"), {"token": preview.context["token"], "action": "confirm"}, follow=True
    )
    assert "hãy tải lên lại" in messages_of(again)[0]


def test_import_of_a_bad_file_shows_the_report_and_writes_nothing(client, orgs, people):
    bad = list(SCHOOL)
    bad[6] = "99999"
    response = login(client, people.officer).post(reverse("web:org_import"), {"file": upload([SCHOOL, bad])})
    assert response.status_code == 200
    assert [str(e) for e in response.context["errors"]] == [
        "Dòng 3, cột “Mã tổ chức”: mã “TH-NT” trùng với dòng 2.",
    ]
    assert "chưa có dữ liệu nào được ghi" in response.content.decode()
    assert not Organization.objects.filter(code="TH-NT").exists()


def test_import_cancel_discards_the_upload(client, orgs, people):
    client = login(client, people.officer)
    preview = client.post(reverse("web:org_import"), {"file": upload([SCHOOL])})
    response = client.post(
        reverse("web:org_import"), {"token": preview.context["token"], "action": "cancel"}, follow=True
    )
    assert messages_of(response) == ["Đã hủy lần nhập; không có dữ liệu nào được ghi."]
    assert not Organization.objects.filter(code="TH-NT").exists()


def test_a_token_of_another_user_opens_nothing(client, orgs, people):
    preview = login(client, people.officer).post(reverse("web:org_import"), {"file": upload([SCHOOL])})
    response = login(client, people.manager).post(
        reverse("web:org_import"), {"token": preview.context["token"], "action": "confirm"}, follow=True
    )
    assert "hãy tải lên lại" in messages_of(response)[0]
    assert not Organization.objects.filter(code="TH-NT").exists()


def test_an_oversized_upload_is_refused_before_reading(client, orgs, people, settings):
    settings.CTXH_IMPORT_MAX_BYTES = 2048
    response = login(client, people.officer).post(reverse("web:org_import"), {"file": upload([SCHOOL] * 40)})
    (error,) = response.context["errors"]
    assert "vượt quá giới hạn 2,0\xa0KB cho một lần nhập" in str(error)
    assert not Organization.objects.filter(code="TH-NT").exists()


def test_edit_of_a_moved_organization_keeps_its_current_unit(client, small_geo, people):
    school = make_org(
        small_geo.x3,
        "Trường Tiểu học Tràng Đà",
        OrgKind.SCHOOL,
        code="TH-TD",
        school_level="primary",
        sector=Sector.EDUCATION,
        valid_from=D(2010, 9, 5),
    )
    school = organization_move(
        user=people.manager, organization=school, unit=small_geo.n2, effective_date=D(2025, 7, 1)
    )
    client = login(client, people.manager)
    page = client.get(reverse("web:org_edit", args=[school.pk])).content.decode()
    assert f'<option value="{small_geo.n2.pk}" selected>Xã Nông Tiến — Tỉnh Tuyên Quang</option>' in page

    data = edit_data(school, phone="0207 111 222", name="")
    data.pop("unit")  # a disabled field is not sent by the browser
    invalid = client.post(reverse("web:org_edit", args=[school.pk]), data).content.decode()
    assert f'<option value="{small_geo.n2.pk}" selected>' in invalid

    data["name"] = school.name
    client.post(reverse("web:org_edit", args=[school.pk]), data)
    school.refresh_from_db()
    assert (school.phone, school.unit, school.version) == ("0207 111 222", small_geo.n2, 3)
