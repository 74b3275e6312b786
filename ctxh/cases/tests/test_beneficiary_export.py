# ruff: noqa: F811  (the `people_world` fixture is imported and requested by name)
"""The beneficiary list export: the person list's filters, the import's columns (a file exported and imported
back changes nothing), masked cells for a role without VIEW_SENSITIVE, and the access log (export, import)."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ctxh.audit.models import AccessAction, AccessLog
from ctxh.cases import spreadsheets
from ctxh.cases.models import Person, PersonAddress, PersonStatus
from ctxh.cases.reference import load_categories
from ctxh.cases.testing import make_person, make_status
from ctxh.cases.tests.people_world import MAI_CCCD, people_world  # noqa: F401 (fixture)
from ctxh.imports.jobs import job_confirm, job_start
from ctxh.imports.models import JobStatus

pytestmark = pytest.mark.django_db

HEADERS = [
    "Họ và tên", "Giới tính", "Ngày sinh / Năm sinh", "Dân tộc", "Số CCCD", "Mã xã/phường", "Địa chỉ",
    "Nhóm đối tượng", "Từ ngày", "Ghi chú",
]


@pytest.fixture(autouse=True)
def categories(db):
    from ctxh.cases.models import VulnerabilityCategory

    load_categories(VulnerabilityCategory)


def export(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("web:beneficiary_export"), params)
    assert response.status_code == 200, response.status_code
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)
            if any(value is not None for value in row)]
    return response, header, {row["Họ và tên"]: row for row in rows}


def reimport(user, content: bytes):
    job = job_start(owner=user, kind=spreadsheets.KIND, handler=spreadsheets.HANDLER, filename="xuat.xlsx",
                    data=content)
    assert job.status == JobStatus.VALIDATED, job.report.get("errors")
    job_confirm(job=job, decisions={})
    job.refresh_from_db()
    return job


def test_the_export_has_the_import_columns_and_every_value_for_a_manager(client, people_world):
    w = people_world
    _response, header, rows = export(client, w.manager)

    assert header == HEADERS
    assert set(rows) == {"Vàng Thị Mai", "Vang Thi Mai", "Lò Văn Tú"}
    mai = rows["Vàng Thị Mai"]
    assert mai["Số CCCD"] == MAI_CCCD and mai["Ghi chú"] == "Mẹ bị bạo hành"
    assert mai["Giới tính"] == "Nữ" and mai["Ngày sinh / Năm sinh"] == "09/03/2015"
    assert mai["Mã xã/phường"] == "02200"
    assert mai["Nhóm đối tượng"] == "Trẻ em mồ côi cả cha và mẹ; Người nhiễm HIV"
    # The statuses began (01/05/2024) before her known address (01/07/2025): listed without a date.
    assert mai["Từ ngày"] is None


def test_an_officer_gets_the_sensitive_cells_masked(client, people_world):
    w = people_world
    _response, _header, rows = export(client, w.officer_a)

    assert set(rows) == {"Vàng Thị Mai", "Vang Thi Mai"}  # her commune only
    mai = rows["Vàng Thị Mai"]
    assert mai["Số CCCD"] == "********0111" and mai["Ghi chú"] == "•••"
    assert mai["Nhóm đối tượng"] == "Trẻ em mồ côi cả cha và mẹ; •••"
    assert mai["Họ và tên"] == "Vàng Thị Mai" and mai["Mã xã/phường"] == "02200"


def test_the_export_follows_the_lists_filters_and_is_logged_with_its_ids(client, people_world):
    w = people_world
    _response, _header, rows = export(client, w.manager, q="lo van tu")

    assert set(rows) == {"Lò Văn Tú"}
    entry = AccessLog.objects.get(user=w.manager, action=AccessAction.EXPORT)
    assert entry.object_ids == [w.tu.pk] and entry.count == 1
    assert "xlsx" in entry.description and "q=lo van tu" in entry.description
    assert entry.content_type.model == "person"


def test_roles_without_the_export_capability_get_403(client, people_world):
    for user in (people_world.sw_a, people_world.leader):
        client.force_login(user)
        assert client.get(reverse("web:beneficiary_export")).status_code == 403
    assert not AccessLog.objects.filter(action=AccessAction.EXPORT).exists()


def test_a_dated_status_is_exported_with_its_date_and_the_commune_of_that_day(client, people_world):
    w = people_world
    lan = make_person("Hà Thị Lan", date_of_birth=dt.date(2016, 2, 2), unit=w.geo.x2,
                      unit_from=dt.date(2020, 1, 1))
    PersonAddress.objects.filter(person=lan).update(valid_to=dt.date(2025, 6, 30))
    PersonAddress.objects.create(person=lan, unit=w.geo.n1, valid_from=dt.date(2025, 7, 1))
    make_status(lan, "TE02", start=dt.date(2023, 4, 1))
    _response, _header, rows = export(client, w.manager, q="ha thi lan")

    row = rows["Hà Thị Lan"]
    assert row["Từ ngày"] == dt.datetime(2023, 4, 1)
    assert row["Mã xã/phường"] == "02203"  # the old Phường Minh Xuân, valid on that day


def test_a_full_export_imported_back_changes_nothing(client, people_world):
    w = people_world
    lan = make_person("Hà Thị Lan", date_of_birth=dt.date(2016, 2, 2), unit=w.geo.x2,
                      unit_from=dt.date(2020, 1, 1))
    make_status(lan, "TE02", start=dt.date(2023, 4, 1))
    response, _header, _rows = export(client, w.manager)
    people, statuses = Person.objects.count(), PersonStatus.objects.count()

    job = reimport(w.manager, response.content)

    assert job.status == JobStatus.DONE, job.report.get("errors")
    assert job.report["summary"]["persons_create"] == 0 and job.report["summary"]["statuses_create"] == 0
    assert (Person.objects.count(), PersonStatus.objects.count()) == (people, statuses)


def test_a_masked_export_imported_back_reads_masks_as_unknown_and_changes_nothing(client, people_world):
    w = people_world
    # Without the CCCD the duplicate record would read as the same row twice: tell them apart by birth.
    Person.objects.filter(pk=w.twin.pk).update(date_of_birth=dt.date(2015, 3, 10))
    response, _header, _rows = export(client, w.officer_a)
    people, statuses = Person.objects.count(), PersonStatus.objects.count()

    job = reimport(w.officer_a, response.content)

    assert job.status == JobStatus.DONE, job.report.get("errors")
    assert (Person.objects.count(), PersonStatus.objects.count()) == (people, statuses)
    assert Person.objects.get(pk=w.mai.pk).note == "Mẹ bị bạo hành"  # the mask did not overwrite anything
    entry = AccessLog.objects.get(user=w.officer_a, action=AccessAction.IMPORT)
    assert set(entry.object_ids) == {w.mai.pk, w.twin.pk} and "xuat.xlsx" in entry.description
