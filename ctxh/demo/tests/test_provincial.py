"""Departments of Plan 154 section IV with their 2025 successions, and the provincial organizations."""

import datetime as dt

import pytest

from ctxh.demo.builder import DemoDataError
from ctxh.demo.geography import LAST_OLD_DAY, REORG_DAY
from ctxh.demo.provincial import COLUMNS, DATA_FILES, read_rows
from ctxh.orgs.models import HealthLevel, Organization, OrgKind, Sector

PLAN_154_DEPARTMENTS = [
    "Sở Lao động - Thương binh và Xã hội", "Sở Kế hoạch và Đầu tư", "Sở Tài chính", "Sở Nội vụ",
    "Sở Giáo dục và Đào tạo", "Sở Tư pháp", "Sở Y tế", "Sở Thông tin và Truyền thông", "Công an",
]


def org(code):
    return Organization.objects.get(code=code)


def test_every_department_of_plan_154_exists_for_both_old_provinces(demo):
    for province in ("Tuyên Quang", "Hà Giang"):
        for department in PLAN_154_DEPARTMENTS:
            assert Organization.objects.filter(
                kind=OrgKind.DEPARTMENT, name=f"{department} tỉnh {province}").count() == 1, department


def test_labour_department_hands_social_work_to_health_in_2025(demo):
    labour = org("SO-LDTBXH-TQ")
    assert labour.valid_to == dt.date(2025, 2, 28)
    assert labour.successor == org("SO-YT-TQ")
    assert "Sở Nội vụ" in labour.succession_note and "Sở Giáo dục và Đào tạo" in labour.succession_note
    assert "cần xác nhận" in labour.closed_reason
    assert org("SO-LDTBXH-HG").successor == org("SO-YT-HG")


def test_planning_merges_into_finance_and_information_into_science(demo):
    assert org("SO-KHDT-TQ").successor == org("SO-TC-TQ")
    assert org("SO-TTTT-TQ").successor == org("SO-KHCN-TQ")
    assert org("SO-TC-TQ").valid_to is None


def test_ha_giang_bodies_end_with_the_province_and_continue_in_tuyen_quang(demo):
    geo = demo.geo
    for old, new in [("SO-YT-HG", "SO-YT-TQ"), ("SO-TC-HG", "SO-TC-TQ"), ("CA-HG", "CA-TQ"),
                     ("UBND-TINH-HG", "UBND-TINH-TQ"), ("TAND-HG", "TAND-TQ"), ("MTTQ-HG", "MTTQ-TQ")]:
        closed = org(old)
        assert closed.valid_to == LAST_OLD_DAY and closed.successor == org(new)
        assert closed.unit == geo.old02
    health = org("SO-YT-TQ")
    assert health.unit == geo.new08 and health.parent == org("UBND-TINH-TQ")
    assert [p.unit for p in health.locations.order_by("valid_from")] == [geo.old08, geo.new08]


def test_departments_as_of_a_date_before_and_after_the_reorganization(demo):
    departments = Organization.objects.filter(kind=OrgKind.DEPARTMENT)
    on_2024 = set(departments.as_of(dt.date(2024, 6, 1)).values_list("code", flat=True))
    on_2026 = set(departments.as_of(dt.date(2026, 1, 1)).values_list("code", flat=True))
    assert {"SO-LDTBXH-TQ", "SO-LDTBXH-HG", "SO-KHDT-TQ", "SO-YT-HG"} <= on_2024
    assert on_2026 == {"SO-TC-TQ", "SO-NV-TQ", "SO-GDDT-TQ", "SO-TP-TQ", "SO-YT-TQ", "SO-KHCN-TQ", "CA-TQ"}


def test_provincial_facilities_of_the_plan(demo):
    geo = demo.geo
    assert org("TTCTXH-TQ").kind == OrgKind.SOCIAL_ASSISTANCE
    assert org("TTBTXH-HG").kind == OrgKind.SOCIAL_ASSISTANCE
    assert org("CSCN-TQ").kind == OrgKind.DRUG_REHAB
    detention = org("TTG-TQ")
    assert detention.kind == OrgKind.DETENTION and detention.sector == Sector.PUBLIC_SECURITY
    assert org("TAND-TQ").kind == OrgKind.JUDICIAL
    assert org("DHTT").name == "Trường Đại học Tân Trào" and org("DHTT").kind == OrgKind.UNIVERSITY
    assert Organization.objects.filter(kind=OrgKind.MASS_ORG).count() >= 5
    assert Organization.objects.filter(kind=OrgKind.NGO).exists()
    hospital = org("BVDK-HG")
    assert hospital.health_level == HealthLevel.HOSPITAL and hospital.valid_to is None
    # A Hà Giang hospital keeps running in the new commune that took over its seat.
    assert hospital.unit == geo.n2 and hospital.is_valid_on(REORG_DAY)


def test_the_data_files_have_the_documented_columns_and_unique_codes():
    rows = read_rows()
    codes = [row["code"] for row in rows]
    assert len(codes) == len(set(codes))
    assert all(row["note"] or not row["valid_to"] for row in rows), "every closure carries a note"
    for path in DATA_FILES:
        assert path.read_text(encoding="utf-8").splitlines()[0] == ",".join(COLUMNS)


def test_a_bad_row_is_reported_with_file_line_and_column(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(",".join(COLUMNS) + "\n" + "X-1,Tên,school_board,education,public,,,08,capital,,,,,,,\n",
                   encoding="utf-8")
    with pytest.raises(DemoDataError, match=r"bad.csv, dòng 2, cột “kind”: giá trị “school_board” không có"):
        read_rows([bad])
