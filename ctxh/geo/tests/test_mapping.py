"""Local mapping files: read, checked row by row and column by column, resolved as of 30/06 and 01/07/2025."""

import pytest

from ctxh.geo.mapping import SHIPPED_MAPPINGS, MappingError, read_mapping, resolve_mapping
from ctxh.geo.models import SuccessionKind

HEADER = "old_code,new_code,kind,partly_merged,note\n"


def mapping_file(tmp_path, body: str, header: str = HEADER):
    path = tmp_path / "doi-chieu.csv"
    path.write_text(header + body, encoding="utf-8")
    return path


def test_shipped_tuyen_quang_mapping_is_a_local_decision_to_confirm():
    [row] = read_mapping(SHIPPED_MAPPINGS[0])
    assert (row.old_code, row.new_code, row.kind, row.partly_merged) == ("02482", "02473", "merge", False)
    assert "Quyết định tại địa phương" in row.note and "1684/NQ-UBTVQH15" in row.note


def test_rows_resolve_to_successions_as_of_the_reorganization(small_geo, tmp_path):
    # Leading zeros lost in a spreadsheet are put back.
    rows = read_mapping(mapping_file(tmp_path, "2206,2210,split,có,Thử nghiệm\n"))
    [succession] = resolve_mapping(rows, officially_mapped=set())
    assert succession.predecessor == (3, "02206", None)
    assert succession.successor == (3, "02210", small_geo.n2.valid_from)
    assert (succession.kind, succession.partly_merged, succession.note) == (
        SuccessionKind.SPLIT,
        True,
        "Thử nghiệm",
    )
    assert "doi-chieu.csv" in succession.source


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("02206,02210,absorb,false,\n", "dòng 2, cột kind: hình thức «absorb» không hợp lệ"),
        ("02206,0221X,merge,false,\n", "dòng 2, cột new_code: mã xã «0221X» không hợp lệ"),
        ("02206,02210,merge,maybe,\n", "dòng 2, cột partly_merged: giá trị «maybe» không hợp lệ"),
        ("02206,02210,merge,false,\n02206,02210,merge,false,\n", "dòng 3: cặp 02206 → 02210 đã có ở dòng 2"),
    ],
)
def test_form_errors_name_the_row_and_column(tmp_path, body, message):
    with pytest.raises(MappingError, match=message):
        read_mapping(mapping_file(tmp_path, body))


def test_wrong_header_is_refused(tmp_path):
    with pytest.raises(
        MappingError, match="dòng tiêu đề phải là «old_code,new_code,kind,partly_merged,note»"
    ):
        read_mapping(mapping_file(tmp_path, "02206,02210,merge,false\n", header="ma_cu,ma_moi\n"))


@pytest.mark.parametrize(
    ("body", "official", "message"),
    [
        ("02200,02210,merge,false,\n", {"02200"}, "xã cũ 02200 đã có trong bảng chuyển đổi chính thức"),
        (
            "02210,02200,merge,false,\n",
            set(),
            "cột old_code: không có xã cũ mã 02210 có hiệu lực ngày 30/06/2025",
        ),
        (
            "02206,02203,merge,false,\n",
            set(),
            "cột new_code: không có xã mới mã 02203 có hiệu lực ngày 01/07/2025",
        ),
    ],
)
def test_codes_are_checked_against_the_units(small_geo, tmp_path, body, official, message):
    rows = read_mapping(mapping_file(tmp_path, body))
    with pytest.raises(MappingError, match=message):
        resolve_mapping(rows, officially_mapped=official)
