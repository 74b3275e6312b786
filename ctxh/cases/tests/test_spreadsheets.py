"""Beneficiary lists from Excel: template, matching (CCCD, name + birth + unit, near match), bad rows,
re-import."""

import datetime as dt
import io
from functools import partial

import pytest
from openpyxl import load_workbook

from ctxh.accounts.roles import Role
from ctxh.audit.models import AccessLog
from ctxh.cases import spreadsheets
from ctxh.cases.models import Person, PersonAddress, PersonStatus
from ctxh.cases.testing import make_person, make_status
from ctxh.imports.jobs import job_confirm, job_start
from ctxh.imports.models import JobStatus
from ctxh.imports.testing import xlsx as workbook
from ctxh.testing import make_user

D = dt.date
HEADERS = [
    "Họ và tên", "Giới tính", "Ngày sinh / Năm sinh", "Dân tộc", "Số CCCD", "Mã xã/phường", "Địa chỉ",
    "Nhóm đối tượng", "Từ ngày", "Ghi chú",
]
xlsx = partial(workbook, headers=HEADERS)


def row(name="Nguyễn Thị Hoa", sex="Nữ", born="09/03/2015", cccd=None, unit="02210", groups="TE02",
        since="01/08/2025", address="Thôn Nà Héc", note=None):
    return [name, sex, born, "Tày", cccd, unit, address, groups, since, note]


def check(user, data: bytes):
    return job_start(owner=user, kind=spreadsheets.KIND, handler=spreadsheets.HANDLER, filename="ds.xlsx",
                     data=data)


def apply(job, decisions=None):
    assert job.status == JobStatus.VALIDATED, job.report.get("errors")
    job_confirm(job=job, decisions=decisions or {})
    job.refresh_from_db()
    return job


def messages(job) -> list[str]:
    return [f"{e['row']}|{e['column']}|{e['message']}" for e in job.report["errors"]]


@pytest.fixture
def officer(small_geo):
    return make_user("canboxa", Role.PROGRAMME_MANAGER, units=[small_geo.n2])


def test_template_has_the_vietnamese_headers(db):
    sheet = load_workbook(io.BytesIO(spreadsheets.beneficiary_import_template())).worksheets[0]
    assert [c.value for c in sheet[1]][: len(HEADERS)] == HEADERS


def test_import_creates_people_with_address_and_groups_then_reimport_creates_nothing(small_geo, officer):
    orphan = "TE02; Trẻ em mồ côi cả cha và mẹ"
    data = xlsx([row(), row(name="Trần Văn Nam", sex="Nam", born=2014, groups=orphan)])
    job = check(officer, data)
    assert job.report["summary"]["persons_create"] == 2 and Person.objects.count() == 0
    job = apply(job)
    assert job.status == JobStatus.DONE
    hoa = Person.objects.get(full_name="Nguyễn Thị Hoa")
    nam = Person.objects.get(full_name="Trần Văn Nam")
    assert (hoa.date_of_birth, nam.birth_year, nam.date_of_birth) == (D(2015, 3, 9), 2014, None)
    assert PersonAddress.objects.get(person=hoa).unit == small_geo.n2
    assert sorted(nam.statuses.values_list("category__code", flat=True)) == ["TE01", "TE02"]
    assert AccessLog.objects.filter(user=officer, description__contains="ds.xlsx").exists()

    again = apply(check(officer, data))
    assert again.report["summary"]["unchanged"] == 2
    assert (Person.objects.count(), PersonStatus.objects.count()) == (2, 3)


def test_matching_by_cccd_and_by_name_birth_and_unit(small_geo, officer):
    by_cccd = make_person("Lò Thị Mai", date_of_birth=D(1990, 5, 17), cccd="008190123456", unit=small_geo.n2)
    by_name = make_person("Nguyễn Thị Hoa", unit=small_geo.n2)
    make_status(by_name, "TE02", start=D(2025, 8, 1))
    data = xlsx([row(), row(name="Lo Thi Mai", born="17/05/1990", cccd="008190123456", groups="TE01")])
    job = apply(check(officer, data))
    assert job.status == JobStatus.DONE
    assert Person.objects.count() == 2
    assert list(by_cccd.statuses.values_list("category__code", flat=True)) == ["TE01"]
    assert by_name.statuses.count() == 1  # same group, same start: unchanged


def test_a_near_match_is_asked_before_anything_is_written(small_geo, officer):
    similar = make_person("Nguyen Thi Hoan", date_of_birth=D(2015, 3, 9), unit=small_geo.n2)
    job = check(officer, xlsx([row()]))
    (question,) = job.report["questions"]
    assert [c["id"] for c in question["candidates"]] == [similar.pk]
    assert job.report["summary"]["persons_ask"] == 1 and PersonStatus.objects.count() == 0
    job = apply(job, {question["key"]: str(similar.pk)})
    assert job.status == JobStatus.DONE and Person.objects.count() == 1  # "same person": linked, not added
    assert list(similar.statuses.values_list("category__code", flat=True)) == ["TE02"]


def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_written(small_geo, officer):
    data = xlsx([
        row(groups="TE02; Không có nhóm này"),
        row(name="Trần Văn Nam", sex="Nam", unit="99999"),
        row(name="Lò Văn Páo", sex="Nam", born="17/05/1990", cccd="008190123456"),
        row(name="Hà Thị Lan", born="01/01/2099"),
        row(name="Vi Văn Dũng", sex="Nam", unit="02200"),
    ])
    job = check(officer, data)
    assert job.status == JobStatus.INVALID
    found = messages(job)
    assert any(m.startswith("2|Nhóm đối tượng|") and "Không có nhóm này" in m for m in found)
    assert any(m.startswith("3|Mã xã/phường|") and "99999" in m for m in found)
    assert any(m.startswith("4|Số CCCD|") and "giới tính" in m.lower() for m in found), found
    assert any(m.startswith("5|Ngày sinh / Năm sinh|") for m in found), found
    assert any(m.startswith("6|Mã xã/phường|") and "02200" in m and "phạm vi" in m for m in found)
    assert Person.objects.count() == 0 and PersonStatus.objects.count() == 0


def test_the_pages_upload_and_link(client, small_geo, officer):
    client.force_login(officer)
    assert "Nhập danh sách từ Excel" in client.get("/ho-so/").content.decode()
    upload = io.BytesIO(xlsx([row()]))
    upload.name = "ds.xlsx"
    response = client.post("/ho-so/excel/nhap/", {"file": upload})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200 and "Nguyễn Thị Hoa" in page.content.decode()
    assert client.get("/ho-so/excel/nhap/mau.xlsx").status_code == 200
