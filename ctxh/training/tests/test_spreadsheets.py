"""A session's attendance list in Excel: round trip, matching to registered workers, duplicates, bad input."""

import datetime as dt
import io
from functools import partial

import pytest
from openpyxl import load_workbook

from ctxh.accounts.roles import Role
from ctxh.imports.jobs import job_confirm, job_start
from ctxh.imports.models import JobStatus
from ctxh.imports.testing import ATTENDANCE_HEADERS
from ctxh.imports.testing import xlsx as workbook
from ctxh.testing import make_org, make_user
from ctxh.training import spreadsheets
from ctxh.training.models import Attendance
from ctxh.training.testing import attend, make_course, make_session
from ctxh.workforce.testing import make_position, make_worker

D = dt.date
HEADERS = ATTENDANCE_HEADERS
HOA_CCCD = "008190123456"


xlsx = partial(workbook, headers=HEADERS)


def check(user, session, data: bytes):
    return job_start(
        owner=user,
        kind=spreadsheets.KIND,
        handler=spreadsheets.HANDLER,
        filename="lop.xlsx",
        data=data,
        params={"session_id": session.pk},
    )


def apply(job, decisions=None):
    job_confirm(job=job, decisions=decisions or {})
    job.refresh_from_db()
    return job


def errors(job) -> list[str]:
    return [f"{e['row']}|{e['column']}|{e['message']}" for e in job.report["errors"]]


def snapshot(session) -> list[tuple]:
    return list(
        Attendance.objects.filter(session=session)
        .order_by("pk")
        .values_list(
            "worker_id",
            "person_name",
            "organization_id",
            "organization_name",
            "sex",
            "completed",
            "certificate_number",
            "position_title",
        )
    )


@pytest.fixture
def world(small_geo):
    committee = make_org(
        small_geo.n2, "Ủy ban nhân dân xã Nông Tiến", code="UBND-NT", valid_from=D(2025, 7, 1)
    )
    ward = make_org(
        small_geo.n1, "Ủy ban nhân dân phường Minh Xuân", code="UBND-MX", valid_from=D(2025, 7, 1)
    )
    session = make_session(make_course(committee), D(2025, 9, 15), D(2025, 9, 17))
    hoa = make_worker("Nguyễn Thị Hoa", date_of_birth=D(1990, 5, 17), cccd=HOA_CCCD)
    make_position(hoa, committee, start=D(2025, 7, 1))
    nam = make_worker("Trần Văn Nam", sex="male", date_of_birth=D(1985, 2, 3))
    make_position(nam, ward, start=D(2025, 7, 1))
    manager = make_user("quanly", Role.PROGRAMME_MANAGER, units=[small_geo.new08])
    return committee, ward, session, hoa, nam, manager


def test_template_headers_and_the_yes_no_drop_down():
    sheet, lists = load_workbook(io.BytesIO(spreadsheets.attendance_import_template())).worksheets
    assert [c.value for c in sheet[1]] == HEADERS
    assert {c.value for column in lists.iter_cols() for c in column} >= {"Có", "Không", "Nam", "Nữ"}


def test_workers_are_recognized_and_others_recorded_as_external_people(world):
    committee, ward, session, hoa, nam, manager = world
    job = check(
        manager,
        session,
        xlsx(
            [
                ["Nguyen Thi Hoa", None, None, HOA_CCCD, None, None, "Công chức", "Có", "CC-001"],  # by CCCD
                [
                    "Trần Văn Nam",
                    "Nam",
                    1985,
                    None,
                    "UBND-MX",
                    None,
                    None,
                    "có",
                    None,
                ],  # name, year, organization
                ["Lò Thị Mai", "Nữ", "1992", None, None, "Hội Phụ nữ huyện", "Hội viên", "Không", None],
                ["Vàng A Sử", "Nam", None, None, "UBND-NT", None, None, None, None],
            ]
        ),
    )
    assert job.status == JobStatus.VALIDATED, job.report["errors"]
    assert job.report["summary"] == {"rows": 4, "add": 4, "update": 0, "unchanged": 0, "ask": 0, "workers": 2}
    apply(job)
    assert job.status == JobStatus.DONE
    rows = {a.display_name: a for a in Attendance.objects.filter(session=session)}
    assert rows["Nguyễn Thị Hoa"].worker == hoa and rows["Nguyễn Thị Hoa"].certificate_number == "CC-001"
    assert rows["Trần Văn Nam"].worker == nam and rows["Trần Văn Nam"].organization is None
    assert (
        rows["Lò Thị Mai"].worker,
        rows["Lò Thị Mai"].organization_name,
        rows["Lò Thị Mai"].completed,
    ) == (None, "Hội Phụ nữ huyện", False)
    assert (rows["Vàng A Sử"].organization, rows["Vàng A Sử"].sex) == (committee, "male")


def test_export_then_import_changes_nothing(world):
    committee, ward, session, hoa, nam, manager = world
    attend(session, hoa, certificate_number="CC-1", position_title="Công chức")
    attend(session, nam, completed=False)
    attend(session, person_name="Lò Thị Mai", sex="female", organization_name="Hội Phụ nữ huyện")
    attend(session, person_name="Vàng A Sử", sex="male", organization=committee)
    before = snapshot(session)
    exported = spreadsheets.attendance_export(session=session, attendances=Attendance.objects.all())
    job = check(manager, session, exported)
    assert job.status == JobStatus.VALIDATED, job.report["errors"]
    assert job.report["summary"]["unchanged"] == 4 and job.report["summary"]["add"] == 0
    apply(job)
    assert job.status == JobStatus.DONE and snapshot(session) == before


def test_a_person_already_on_the_list_is_not_added_again_but_their_result_is_updated(world):
    committee, ward, session, hoa, nam, manager = world
    attend(session, hoa, completed=False)
    job = apply(
        check(
            manager,
            session,
            xlsx([["Nguyễn Thị Hoa", "Nữ", "17/05/1990", None, "UBND-NT", None, None, "Có", "CC-9"]]),
        )
    )
    assert job.status == JobStatus.DONE
    (row,) = job.report["rows"]
    assert row["action"] == "update" and ["Hoàn thành", "Không", "Có"] in row["changes"]
    attendance = Attendance.objects.get(session=session)
    assert (attendance.completed, attendance.certificate_number) == (True, "CC-9")


def test_duplicates_within_the_file_are_reported_by_row_and_nothing_is_written(world):
    committee, ward, session, hoa, nam, manager = world
    job = check(
        manager,
        session,
        xlsx(
            [
                ["Nguyễn Thị Hoa", None, None, HOA_CCCD, None, None, None, "Có", None],
                ["Lò Thị Mai", "Nữ", None, None, None, "Hội Phụ nữ", None, None, None],
                ["NGUYỄN THỊ HOA", "Nữ", "17/05/1990", None, "UBND-NT", None, None, None, None],
                ["Lo Thi Mai", "Nữ", None, None, None, "Hội phụ nữ", None, None, None],
            ]
        ),
    )
    assert job.status == JobStatus.INVALID
    assert errors(job) == [
        "4|Họ và tên|Nguyễn Thị Hoa đã có ở dòng 2 của tệp.",
        "5|Họ và tên|Lo Thi Mai đã có ở dòng 3 của tệp.",
    ]
    assert not Attendance.objects.exists()


@pytest.mark.parametrize(
    ("values", "column", "text"),
    [
        (
            ["Lò Thị Mai", None, None, None, None, "Hội Phụ nữ", None, "Có", None],
            "Giới tính",
            "hãy chọn giới tính",
        ),
        (
            ["Lò Thị Mai", "Nữ", None, None, None, None, None, "Không", "CC-1"],
            "Số chứng chỉ",
            "chỉ ghi số chứng chỉ khi người dự đã hoàn thành",
        ),
        (
            ["Lò Thị Mai", "Nữ", "năm 92", None, None, None, None, None, None],
            "Năm sinh / Ngày sinh",
            "không phải năm sinh",
        ),
        (
            ["Lò Thị Mai", "Nữ", None, "00819012345", None, None, None, None, None],
            "Số CCCD",
            "đúng 12 chữ số",
        ),
        (
            ["Lò Thị Mai", "Nữ", None, None, "KHONG-CO", None, None, None, None],
            "Mã tổ chức",
            "không tìm thấy tổ chức mã “KHONG-CO” trong phạm vi của bạn",
        ),
        (
            ["Lò Thị Mai", "Nữ", None, None, None, None, None, "Chưa", None],
            "Hoàn thành",
            "không có trong danh mục",
        ),
    ],
)
def test_bad_input_names_the_row_and_column(world, values, column, text):
    committee, ward, session, hoa, nam, manager = world
    job = check(
        manager, session, xlsx([["Vàng A Sử", "Nam", None, None, None, None, None, None, None], values])
    )
    assert job.status == JobStatus.INVALID
    assert any(
        e["row"] == 3 and e["column"] == column and text in e["message"] for e in job.report["errors"]
    ), job.report["errors"]
    assert not Attendance.objects.exists()


def test_a_namesake_of_the_same_birth_year_elsewhere_is_asked(world):
    committee, ward, session, hoa, nam, manager = world
    job = check(
        manager,
        session,
        xlsx([["Nguyễn Thị Hoa", "Nữ", 1990, None, None, "Trường Tiểu học", None, "Có", None]]),
    )
    (question,) = job.report["questions"]
    assert [c["id"] for c in question["candidates"]] == [hoa.pk]
    apply(job, {question["key"]: str(hoa.pk)})
    assert job.status == JobStatus.DONE
    assert Attendance.objects.get(session=session).worker == hoa
