"""Change-sets: later reorganizations loaded from a file, checked as a whole, all or nothing, idempotent."""

import copy
import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ctxh.geo.changesets import ChangeSetError
from ctxh.geo.models import Succession, SuccessionKind, Unit, UnitKind
from ctxh.geo.selectors import current_successors, unit_by_code
from ctxh.geo.services import changeset_apply

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "examples" / "changeset_example_small_geo.json"
BASE = json.loads(EXAMPLE.read_text(encoding="utf-8"))


def snapshot():
    return (
        list(
            Unit.objects.order_by("id").values_list(
                "id", "code", "name", "parent_id", "valid_from", "valid_to"
            )
        ),
        list(Succession.objects.order_by("id").values_list("id", "predecessor_id", "successor_id", "kind")),
    )


def write(tmp_path, data, name="thay-doi.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def changed(**sections):
    data = copy.deepcopy(BASE)
    data.update(sections)
    return data


def apply_expecting_errors(path: Path) -> str:
    before = snapshot()
    with pytest.raises(ChangeSetError) as caught:
        changeset_apply(path=path)
    assert snapshot() == before, "nothing may be written when a change-set is refused"
    return str(caught.value)


def test_example_changeset_applies_and_a_second_run_changes_nothing(small_geo):
    out = StringIO()
    call_command("load_admin_units", "--changeset", str(EXAMPLE), stdout=out)
    assert "Đơn vị hành chính: tạo mới 1, cập nhật 2, không đổi 0." in out.getvalue()
    assert "Quan hệ kế thừa: tạo mới 2, cập nhật 0, không đổi 0." in out.getvalue()
    small_geo.n1.refresh_from_db()
    small_geo.n2.refresh_from_db()
    assert small_geo.n1.valid_to == small_geo.n2.valid_to == dt.date(2026, 4, 29)
    new = unit_by_code("02200", dt.date(2026, 4, 30))
    assert (new.parent, new.kind, new.source) == (small_geo.new08, UnitKind.WARD, BASE["source"])
    assert Succession.objects.get(predecessor=small_geo.n2).note == "Ví dụ: toàn bộ xã nhập vào phường."

    before = snapshot()
    again = StringIO()
    call_command("load_admin_units", "--changeset", str(EXAMPLE), stdout=again)
    assert "tạo mới 0, cập nhật 0, không đổi 3." in again.getvalue()
    assert "Không có thay đổi nào" in again.getvalue()
    assert snapshot() == before


def test_a_new_province_with_its_communes_in_one_changeset(small_geo, tmp_path):
    data = changed(
        ended_units=[{"code": "02210", "valid_to": "2027-12-31"}],
        new_units=[
            {
                "code": "02211",
                "name": "Xã Nông Tiến",
                "kind": "commune",
                "parent_code": "99",
                "valid_from": "2028-01-01",
            },
            {"code": "99", "name": "Tỉnh Thử Nghiệm", "kind": "province", "valid_from": "2028-01-01"},
        ],
        successions=[
            {"old_code": "02210", "new_code": "02211", "kind": "reparent", "effective_date": "2028-01-01"}
        ],
    )
    report = changeset_apply(path=write(tmp_path, data))
    assert (report.units.created, report.successions.created) == (2, 1)
    commune = unit_by_code("02211", dt.date(2028, 1, 1))
    assert commune.parent == unit_by_code("99", dt.date(2028, 1, 1))
    assert list(current_successors(small_geo.y1, dt.date(2028, 6, 1))) == [commune]
    assert Succession.objects.get(successor=commune).kind == SuccessionKind.REPARENT


def test_unknown_code_is_named_and_nothing_is_written(small_geo, tmp_path):
    data = changed(
        ended_units=[*BASE["ended_units"], {"code": "09999", "level": 3, "valid_to": "2026-04-29"}]
    )
    message = apply_expecting_errors(write(tmp_path, data))
    assert "không có gì được ghi" in message
    assert "ended_units, mục 3 (mã 09999): không có đơn vị cấp xã nào mang mã 09999" in message


def test_codes_are_looked_up_as_of_the_date(small_geo, tmp_path):
    # 02206 existed until 30/06/2025 only; 02200 names a different unit in each generation.
    data = changed(
        ended_units=[{"code": "02206", "valid_to": "2026-04-29"}],
        successions=[
            {"old_code": "02200", "new_code": "02206", "kind": "merge", "effective_date": "2026-04-30"},
            {"old_code": "02200", "new_code": "02200", "kind": "merge", "effective_date": "2024-04-30"},
        ],
        new_units=[],
    )
    message = apply_expecting_errors(write(tmp_path, data))
    assert (
        "ended_units, mục 1 (mã 02206): không có đơn vị cấp xã mã 02206 có hiệu lực ngày 29/04/2026"
        in message
    )
    assert (
        "successions, mục 1 (mã 02200): không có đơn vị mới cấp xã mã 02206 có hiệu lực ngày 30/04/2026"
        in message
    )
    assert (
        "successions, mục 2 (mã 02200): đơn vị cũ và đơn vị mới là cùng một đơn vị «Phường Phan Thiết»"
        in message
    )


def test_overlapping_validity_of_one_code_is_refused(small_geo, tmp_path):
    # Xã Nông Tiến (02210) is valid from 01/07/2025 with no end: a second 02210 from 2026 overlaps it.
    data = changed(
        ended_units=[],
        successions=[],
        new_units=[
            {
                "code": "02210",
                "name": "Xã Nông Tiến mới",
                "kind": "commune",
                "parent_code": "08",
                "valid_from": "2026-01-01",
            },
        ],
    )
    message = apply_expecting_errors(write(tmp_path, data))
    assert "new_units, mục 1 (mã 02210): thời gian hiệu lực trùng với đơn vị «Xã Nông Tiến»" in message


def test_parent_must_be_valid_on_the_first_day(small_geo, tmp_path):
    data = changed(
        ended_units=[],
        successions=[],
        new_units=[
            {
                "code": "02299",
                "name": "Xã Mới",
                "kind": "commune",
                "parent_code": "070",
                "valid_from": "2026-04-30",
            },
        ],
    )
    message = apply_expecting_errors(write(tmp_path, data))
    assert (
        "new_units, mục 1 (mã 02299): không có đơn vị cấp trên cấp huyện mã 070 có hiệu lực ngày 30/04/2026"
        in message
    )


def test_bad_dates_are_named(small_geo, tmp_path):
    data = changed(
        ended_units=[{"code": "02200", "valid_to": "2026-02-30"}],
        new_units=[
            {
                "code": "02299",
                "name": "Xã Mới",
                "kind": "commune",
                "parent_code": "08",
                "valid_from": "2026-05-01",
                "valid_to": "2026-04-01",
            }
        ],
        successions=[
            {"old_code": "02200", "new_code": "02299", "kind": "merge", "effective_date": "30/04/2026"}
        ],
    )
    message = apply_expecting_errors(write(tmp_path, data))
    assert "ended_units, mục 1 (mã 02200): «valid_to»: ngày «2026-02-30» không hợp lệ" in message
    assert "new_units, mục 1 (mã 02299): «valid_to» (01/04/2026) trước «valid_from» (01/05/2026)" in message
    assert "successions, mục 1 (mã 02200): «effective_date»: ngày «30/04/2026» không hợp lệ" in message


def test_a_unit_cannot_end_while_its_children_go_on(small_geo, tmp_path):
    data = changed(ended_units=[{"code": "08", "valid_to": "2026-04-29"}], new_units=[], successions=[])
    message = apply_expecting_errors(write(tmp_path, data))
    assert "ended_units, mục 1 (mã 08): đơn vị con «Phường Minh Xuân»" in message


def test_form_errors_are_all_reported_at_once(small_geo, tmp_path):
    data = changed(format="v0", extra=1, new_units=[{"code": "2299", "name": "", "kind": "village"}])
    message = apply_expecting_errors(write(tmp_path, data))
    assert '«format» phải là "ctxh.geo.changeset/1"' in message
    assert "trường «extra» không được hỗ trợ" in message
    assert "new_units, mục 1 (mã 2299): «code»: mã «2299» không hợp lệ" in message
    assert "thiếu «name»" in message
    assert "«kind»: loại «village» không hợp lệ" in message


def test_ending_a_unit_twice_with_different_dates_is_refused(small_geo, tmp_path):
    changeset_apply(path=EXAMPLE)
    data = changed(ended_units=[{"code": "02210", "valid_to": "2026-03-31"}], new_units=[], successions=[])
    message = apply_expecting_errors(write(tmp_path, data))
    assert "đã kết thúc ngày 29/04/2026" in message


def test_command_reports_a_broken_file_in_vietnamese(small_geo, tmp_path):
    path = tmp_path / "hong.json"
    path.write_text('{"format": "ctxh.geo.changeset/1",', encoding="utf-8")
    with pytest.raises(CommandError, match=r"(?s)hong.json có 1 lỗi.*không phải JSON hợp lệ \(dòng 1"):
        call_command("load_admin_units", "--changeset", str(path), stdout=StringIO())


def test_rerunning_an_earlier_changeset_keeps_a_later_end(small_geo, tmp_path):
    changeset_apply(path=EXAMPLE)
    later = changed(ended_units=[{"code": "02200", "valid_to": "2027-12-31"}], new_units=[], successions=[])
    changeset_apply(path=write(tmp_path, later))
    report = changeset_apply(path=EXAMPLE)
    assert not report.changed
    assert unit_by_code("02200", dt.date(2026, 4, 30)).valid_to == dt.date(2027, 12, 31)
