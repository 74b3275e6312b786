import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from ctxh.imports.spreadsheet import SpreadsheetError
from ctxh.orgs.models import Organization, OrgKind, Sector
from ctxh.orgs.selectors import organization_list
from ctxh.orgs.services import organization_move
from ctxh.orgs.spreadsheets import organization_export, organization_import, organization_import_template
from ctxh.testing import make_org

D = dt.date
BRIEF_HEADERS = [
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


def xlsx(rows, headers=BRIEF_HEADERS, merge: str | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def school_row(code="TH-NT", name="Trường Tiểu học Nông Tiến", unit="02210", start="01/08/2025", **extra):
    row = {
        "code": code,
        "name": name,
        "kind": "Trường học",
        "level": "Tiểu học",
        "sector": "Giáo dục",
        "ownership": "Công lập",
        "unit": unit,
        "parent": None,
        "start": start,
        "end": None,
        "address": "Tổ 5",
        "phone": "02073822123",
        "email": "",
    }
    row.update(extra)
    return list(row.values())


def snapshot() -> list[tuple]:
    return list(Organization.objects.order_by("code").values_list("code", "name", "version", "unit_id"))


@pytest.fixture
def network(small_geo, people):
    department = make_org(
        small_geo.new08,
        "Sở Giáo dục và Đào tạo",
        OrgKind.DEPARTMENT,
        code="SGDDT",
        sector=Sector.EDUCATION,
        valid_from=D(2025, 7, 1),
        phone="0207 3822 000",
    )
    school = make_org(
        small_geo.x3,
        "Trường THCS Tràng Đà",
        OrgKind.SCHOOL,
        code="THCS-TD",
        school_level="lower_secondary",
        sector=Sector.EDUCATION,
        valid_from=D(2010, 9, 5),
    )
    organization_move(
        user=people.manager, organization=school, unit=small_geo.n2, effective_date=D(2025, 7, 1)
    )
    make_org(small_geo.y1, "Ủy ban nhân dân phường Quang Trung", code="UBND-QT", valid_to=D(2025, 6, 30))
    make_org(
        small_geo.n1,
        "Trạm Y tế phường Minh Xuân",
        OrgKind.HEALTH,
        code="TYT-MX",
        health_level="health_station",
        sector=Sector.HEALTH,
        valid_from=D(2025, 7, 1),
        parent=department,
    )
    return department


def test_export_has_vietnamese_headers_and_the_rows_in_scope(network, people):
    workbook = load_workbook(io.BytesIO(organization_export(organization_list(user=people.officer))))
    sheet = workbook["Tổ chức"]
    headers = [c.value for c in sheet[1]]
    assert headers[:4] == BRIEF_HEADERS[:4]
    assert set(BRIEF_HEADERS) <= set(headers)
    assert all(c.font.bold for c in sheet[1]) and sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width > 30
    rows = [dict(zip(headers, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    # The officer of commune 02210 sees the school (moved there) and the old committee of Quang Trung.
    assert [r["Mã tổ chức"] for r in rows] == ["THCS-TD", "UBND-QT"]
    school = rows[0]
    assert (school["Loại tổ chức"], school["Cấp học"], school["Mã đơn vị hành chính"]) == (
        "Trường học",
        "Trung học cơ sở",
        "02210",
    )
    assert school["Hiệu lực từ ngày"] == dt.datetime(2010, 9, 5)
    assert sheet.cell(row=2, column=headers.index("Hiệu lực từ ngày") + 1).number_format == "DD/MM/YYYY"
    assert rows[1]["Hiệu lực đến ngày"] == dt.datetime(2025, 6, 30)
    assert rows[1]["Trạng thái"] == "Đã chấm dứt"


def test_export_respects_the_filters(network, people):
    queryset = organization_list(user=people.manager, filters={"kind": OrgKind.HEALTH})
    sheet = load_workbook(io.BytesIO(organization_export(queryset))).worksheets[0]
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == ["TYT-MX"]


def test_the_template_lists_allowed_values_with_drop_downs():
    workbook = load_workbook(io.BytesIO(organization_import_template()))
    sheet, lists = workbook.worksheets
    headers = [c.value for c in sheet[1]]
    assert [h for h in headers if h in BRIEF_HEADERS] == BRIEF_HEADERS
    assert sheet.max_row == 1
    assert lists.title == "Danh mục"
    columns = {col[0].value: [c.value for c in col[1:] if c.value] for col in lists.iter_cols()}
    assert "Trường học" in columns["Loại tổ chức"]
    assert columns["Loại hình sở hữu"] == ["Công lập", "Ngoài công lập", "Tổ chức phi chính phủ"]
    assert len(sheet.data_validations.dataValidation) == len(columns)


def test_export_then_import_of_the_same_file_changes_nothing(network, people):
    before = snapshot()
    history = sum(o.history.count() for o in Organization.objects.all())
    data = organization_export(organization_list(user=people.manager))

    outcome = organization_import(user=people.manager, data=data, commit=True)

    assert outcome.errors == []
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 0, 4)
    assert snapshot() == before
    assert sum(o.history.count() for o in Organization.objects.all()) == history


def test_import_creates_resolving_unit_codes_as_of_the_start_date(small_geo, network, people):
    data = xlsx(
        [
            school_row("MN-01", "Trường Mầm non Hoa Sen", unit="02200", start="01/09/2020", level="mam non"),
            school_row("TH-NT-2", "Phân hiệu Trường Tiểu học Nông Tiến", start="05/09/2025", parent="TH-NT"),
            school_row(
                "TH-NT", "Trường Tiểu học Nông Tiến", kind="truong hoc", sector="education", parent="SGDDT"
            ),
        ]
    )
    outcome = organization_import(user=people.manager, data=data, commit=True)

    assert outcome.errors == [] and outcome.committed
    nursery = Organization.objects.get(code="MN-01")
    assert nursery.unit == small_geo.x1  # "02200" in 2020 was Phường Phan Thiết
    assert nursery.school_level == "preschool"
    assert Organization.objects.get(code="TH-NT-2").parent.code == "TH-NT"  # created by the same file
    primary = Organization.objects.get(code="TH-NT")
    assert (primary.unit, primary.parent, primary.valid_from) == (small_geo.n2, network, D(2025, 8, 1))
    assert primary.history.get().history_user == people.manager


def test_import_updates_existing_codes_and_a_second_run_changes_nothing(network, people):
    data = xlsx(
        [
            [
                "SGDDT",
                "Sở Giáo dục và Đào tạo tỉnh Tuyên Quang",
                "Sở, ban, ngành",
                None,
                "Giáo dục",
                "Công lập",
                "08",
                None,
                "01/07/2025",
                None,
                "",
                "0207 3822 000",
                "",
            ]
        ]
    )

    preview = organization_import(user=people.manager, data=data, commit=False)
    assert [(r.action, [(c.label, c.before, c.after) for c in r.changes]) for r in preview.rows] == [
        ("update", [("Tên tổ chức", "Sở Giáo dục và Đào tạo", "Sở Giáo dục và Đào tạo tỉnh Tuyên Quang")])
    ]
    network.refresh_from_db()
    assert network.name == "Sở Giáo dục và Đào tạo"  # a preview writes nothing

    assert organization_import(user=people.manager, data=data, commit=True).updated == 1
    network.refresh_from_db()
    assert (network.name, network.version) == ("Sở Giáo dục và Đào tạo tỉnh Tuyên Quang", 2)
    again = organization_import(user=people.manager, data=data, commit=True)
    assert (again.updated, again.unchanged) == (0, 1)


def import_errors(user, data) -> list[str]:
    before = snapshot()
    try:
        outcome = organization_import(user=user, data=data, commit=True)
    except SpreadsheetError as exc:
        errors = exc.errors
    else:
        errors = outcome.errors
        assert not outcome.committed
    assert snapshot() == before, "a refused import must write nothing"
    return [str(e) for e in errors]


def test_wrong_headers_are_named(network, people):
    headers = ["Mã", *BRIEF_HEADERS[1:]]
    assert import_errors(people.manager, xlsx([school_row()], headers=headers)) == [
        "Dòng 1: thiếu cột “Mã tổ chức”. Hãy dùng đúng các tiêu đề của tệp mẫu.",
        "Dòng 1, cột “Mã”: cột A có tiêu đề không có trong tệp mẫu.",
    ]


def test_empty_oversized_protected_and_foreign_files_are_refused(network, people, settings):
    assert import_errors(people.manager, b"") == ["Tệp tải lên trống (0 byte)."]
    assert "bảo vệ bằng mật khẩu" in import_errors(people.manager, b"\xd0\xcf\x11\xe0" + b"\0" * 100)[0]
    assert "không phải là bảng tính Excel" in import_errors(people.manager, "Mã tổ chức;Tên".encode())[0]
    assert "không có dòng dữ liệu nào" in import_errors(people.manager, xlsx([]))[0]
    settings.CTXH_IMPORT_MAX_ROWS = 1
    assert "hơn 1 dòng dữ liệu" in import_errors(people.manager, xlsx([school_row(), school_row("B")]))[0]
    settings.CTXH_IMPORT_MAX_BYTES = 100
    assert "vượt quá giới hạn" in import_errors(people.manager, xlsx([school_row()]))[0]


def test_merged_cells_are_refused(network, people):
    assert import_errors(people.manager, xlsx([school_row()], merge="B2:C2")) == [
        "Dòng 2, cột “Tên tổ chức”: ô gộp B2:C2 không được phép; "
        "hãy bỏ gộp ô (Merge & Center) rồi tải lên lại."
    ]


def test_row_errors_name_the_row_and_column_and_nothing_is_written(network, people):
    data = xlsx(
        [
            school_row("OK-1"),
            school_row("BAD-DATE", start="31/02/2025"),
            school_row("BAD-UNIT", unit="99999"),
            school_row("OK-1", name="Trùng mã"),
            [None, None, None, None, None, None, None, None, None, None, None, None, None],
            school_row("NO-LEVEL", level=None),
            school_row("OLD-UNIT", unit="02206", start="01/08/2025"),
        ]
    )
    assert import_errors(people.manager, data) == [
        "Dòng 3, cột “Hiệu lực từ ngày”: “31/02/2025” không phải là ngày hợp lệ (định dạng ngày/tháng/năm, "
        "ví dụ 01/07/2025).",
        "Dòng 4, cột “Mã đơn vị hành chính”: không tìm thấy đơn vị hành chính mã “99999” có hiệu lực "
        "vào ngày 01/08/2025.",
        "Dòng 5, cột “Mã tổ chức”: mã “OK-1” trùng với dòng 2.",
        "Dòng 7, cột “Cấp học”: Trường học phải có cấp học.",
        "Dòng 8, cột “Mã đơn vị hành chính”: không tìm thấy đơn vị hành chính mã “02206” có hiệu lực "
        "vào ngày 01/08/2025.",
    ]


def test_a_unit_outside_the_users_scope_is_refused(network, people):
    errors = import_errors(people.officer, xlsx([school_row(unit="02200")]))
    assert errors == [
        "Dòng 2, cột “Mã đơn vị hành chính”: Đơn vị hành chính “Phường Minh Xuân” nằm ngoài phạm vi của bạn."
    ]


def test_an_existing_code_outside_the_scope_is_refused(network, people):
    errors = import_errors(people.officer, xlsx([school_row("TYT-MX")]))
    assert errors == [
        "Dòng 2, cột “Mã tổ chức”: mã “TYT-MX” đã được dùng cho một tổ chức ngoài phạm vi của bạn."
    ]


def test_an_unknown_parent_is_refused(network, people):
    errors = import_errors(people.manager, xlsx([school_row(parent="KHONG-CO")]))
    assert errors == ["Dòng 2, cột “Mã tổ chức cấp trên”: không tìm thấy tổ chức mã “KHONG-CO”."]


def test_a_change_made_after_the_preview_stops_the_import(network, people):
    data = xlsx(
        [
            [
                "SGDDT",
                "Sở GD&ĐT",
                "Sở, ban, ngành",
                None,
                "Giáo dục",
                "Công lập",
                "08",
                None,
                "01/07/2025",
                None,
                "",
                "",
                "",
            ]
        ]
    )
    preview = organization_import(user=people.manager, data=data, commit=False)
    Organization.objects.filter(code="SGDDT").update(version=7)

    outcome = organization_import(
        user=people.manager, data=data, commit=True, expected_versions=preview.versions
    )

    assert outcome.stale == ["SGDDT"] and not outcome.committed
    assert Organization.objects.get(code="SGDDT").name == "Sở Giáo dục và Đào tạo"


def test_a_code_created_by_someone_else_after_the_preview_stops_the_import(small_geo, network, people):
    data = xlsx([school_row()])
    preview = organization_import(user=people.manager, data=data, commit=False)
    assert preview.created == 1 and preview.versions == {}
    make_org(small_geo.n2, "Trường do người khác thêm", code="TH-NT")

    outcome = organization_import(
        user=people.manager, data=data, commit=True, expected_versions=preview.versions
    )

    assert outcome.stale == ["TH-NT"] and not outcome.committed
    assert Organization.objects.get(code="TH-NT").name == "Trường do người khác thêm"
