"""The full loader against the real `vietnam-provinces` package, in ONE test that loads the country once.

One test rather than a module-scoped fixture: the country is then loaded once whatever way the suite is
distributed over workers (with pytest 9.2, pytest-xdist's `--dist loadgroup` no longer keeps an
`xdist_group` together, pytest-xdist issue #1386). Each check is a helper named after the behaviour.
"""

import datetime as dt
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from ctxh.geo.mapping import DATA_DIR
from ctxh.geo.models import Level, Succession, SuccessionKind, Unit, UnitKind
from ctxh.geo.package import LAST_LEGACY_DAY, REORG_2025
from ctxh.geo.selectors import children_as_of, current_successors, predecessors, unit_by_code, units_as_of

pytestmark = [pytest.mark.xdist_group("geo_loader"), pytest.mark.django_db]

BEFORE = dt.date(2024, 1, 1)
AFTER = dt.date(2025, 8, 1)


def load(*args: str) -> str:
    out = StringIO()
    call_command("load_admin_units", *args, stdout=out)
    return out.getvalue()


def test_load_admin_units_from_the_real_package(tmp_path):
    without_local = load("--no-local-mapping")
    with_local = load()
    check_the_whole_country_in_both_generations(without_local)
    check_new_tuyen_quang_has_124_communes_and_wards()
    check_old_tuyen_quang_and_ha_giang()
    check_code_08_names_two_different_provinces()
    check_old_communes_of_tuyen_quang_and_ha_giang_all_lead_to_new_tuyen_quang(without_local, with_local)
    check_succession_kinds_follow_the_official_table()
    check_a_second_run_changes_nothing()
    check_an_extra_mapping_file_completes_the_table(tmp_path)
    check_a_later_changeset_on_top_of_the_official_units()


def old_communes(province_code: str):
    province = unit_by_code(province_code, BEFORE)
    return Unit.objects.as_of(LAST_LEGACY_DAY).filter(level=Level.COMMUNE, parent__parent=province)


def check_the_whole_country_in_both_generations(output: str):
    assert (
        Unit.objects.filter(level=Level.PROVINCE, valid_from__isnull=True, valid_to=LAST_LEGACY_DAY).count()
        == 63
    )
    assert units_as_of(BEFORE, level=Level.DISTRICT).count() == 696
    assert units_as_of(BEFORE, level=Level.COMMUNE).count() == 10051
    assert units_as_of(REORG_2025, level=Level.PROVINCE).count() == 34
    assert units_as_of(REORG_2025, level=Level.COMMUNE).count() == 3321
    assert not units_as_of(REORG_2025, level=Level.DISTRICT).exists()
    assert "Thời gian nạp:" in output


def check_new_tuyen_quang_has_124_communes_and_wards():
    tuyen_quang = unit_by_code("08", REORG_2025)
    communes = children_as_of(tuyen_quang, REORG_2025)
    assert communes.count() == 124
    assert communes.filter(kind=UnitKind.COMMUNE).count() == 117
    assert communes.filter(kind=UnitKind.WARD).count() == 7


def check_old_tuyen_quang_and_ha_giang():
    old_tuyen_quang = unit_by_code("08", BEFORE)
    assert children_as_of(old_tuyen_quang, BEFORE).count() == 7
    assert old_communes("08").count() == 137
    assert old_communes("02").count() == 193


def check_code_08_names_two_different_provinces():
    old, new = unit_by_code("08", BEFORE), unit_by_code("08", AFTER)
    assert old != new
    assert old.valid_to == LAST_LEGACY_DAY and new.valid_from == REORG_2025
    assert set(predecessors(new)) == {old, unit_by_code("02", BEFORE)}
    assert list(current_successors(unit_by_code("02", BEFORE), AFTER)) == [new]


def check_old_communes_of_tuyen_quang_and_ha_giang_all_lead_to_new_tuyen_quang(
    without_local: str, with_local: str
):
    new_tuyen_quang = unit_by_code("08", AFTER)
    olds = old_communes("08") | old_communes("02")
    assert olds.count() == 330
    # Without the local mapping, the only gap is Xã Phú Thịnh, and the loader says so.
    unmapped = re.findall(r"^  (\d{5}) .*\((?:Tỉnh Tuyên Quang|Tỉnh Hà Giang)\)$", without_local, re.M)
    assert unmapped == ["02482"]
    assert "  02482 Xã Phú Thịnh (Tỉnh Tuyên Quang)" in without_local
    # With the shipped local mapping (the default) every one of them has a successor in the new province.
    assert not olds.filter(successions_out__isnull=True).exists()
    successor_provinces = set(
        Unit.objects.filter(successions_in__predecessor__in=olds).values_list("parent", flat=True)
    )
    assert successor_provinces == {new_tuyen_quang.pk}
    assert "02482 Xã Phú Thịnh (Tỉnh Tuyên Quang) → 02473 Xã Yên Sơn (merge)" in with_local
    assert "02482 Xã Phú Thịnh" not in with_local.split("chưa có đơn vị kế thừa")[-1]


def check_succession_kinds_follow_the_official_table():
    cong_da = unit_by_code("02485", LAST_LEGACY_DAY)  # split between Trung Sơn and Thái Bình
    assert {(s.successor.code, s.kind, s.partly_merged) for s in cong_da.successions_out.all()} == {
        ("02458", SuccessionKind.SPLIT, True),
        ("02494", SuccessionKind.SPLIT, True),
    }
    quang_binh = unit_by_code("00700", LAST_LEGACY_DAY)
    assert quang_binh.parent.parent.code == "02"
    phu_thinh = Succession.objects.get(predecessor=unit_by_code("02482", LAST_LEGACY_DAY))
    assert (phu_thinh.successor, phu_thinh.kind) == (unit_by_code("02473", AFTER), SuccessionKind.MERGE)
    assert "1684/NQ-UBTVQH15" in phu_thinh.note
    province = Succession.objects.get(predecessor=unit_by_code("02", BEFORE))
    assert (province.kind, province.effective_date) == (SuccessionKind.MERGE, REORG_2025)
    assert "_province_conversion_2025" in province.source


def check_a_second_run_changes_nothing():
    before = (Unit.objects.count(), Succession.objects.count())
    out = load()
    assert "Đơn vị hành chính: tạo mới 0, cập nhật 0, không đổi 14.165." in out
    assert re.search(r"Quan hệ kế thừa: tạo mới 0, cập nhật 0, không đổi [\d.]+\.", out)
    assert "Không có thay đổi nào" in out
    assert (Unit.objects.count(), Succession.objects.count()) == before


def check_an_extra_mapping_file_completes_the_table(tmp_path: Path):
    extra = tmp_path / "cao-bang.csv"
    new_code = (
        Unit.objects.as_of(AFTER).filter(level=Level.COMMUNE, parent__code="04").order_by("code")[0].code
    )
    extra.write_text(
        f"old_code,new_code,kind,partly_merged,note\n01651,{new_code},merge,false,Thử\n", encoding="utf-8"
    )
    out = load("--mapping", str(extra))
    assert "Quan hệ kế thừa: tạo mới 1, cập nhật 0" in out
    assert "Còn 26 xã cũ chưa có đơn vị kế thừa" in out
    assert list(
        current_successors(unit_by_code("01651", LAST_LEGACY_DAY), AFTER).values_list("code", flat=True)
    ) == [new_code]


def check_a_later_changeset_on_top_of_the_official_units():
    example = DATA_DIR / "examples" / "changeset_example_tuyen_quang_2026.json"
    assert "tạo mới 1, cập nhật 2" in load("--changeset", str(example))
    may_2026 = dt.date(2026, 5, 1)
    minh_xuan_2026 = unit_by_code("02215", may_2026)
    assert minh_xuan_2026 != unit_by_code("02215", AFTER)
    assert children_as_of(unit_by_code("08", may_2026), may_2026).count() == 123
    # Two reorganizations: legacy Phường Phan Thiết -> Phường Minh Xuân (2025) -> Phường Minh Xuân (2026);
    # legacy Xã Thái Bình was split in 2025, one part went on to the 2026 ward.
    assert list(current_successors(unit_by_code("02200", BEFORE), may_2026)) == [minh_xuan_2026]
    thai_binh = current_successors(unit_by_code("02494", BEFORE), may_2026)
    assert set(thai_binh.values_list("code", flat=True)) == {"02215", "02494"}
    assert {"02209", "02212", "02200"} <= set(predecessors(minh_xuan_2026).values_list("code", flat=True))
    # The package loader leaves the later change alone, and the change-set is idempotent too.
    assert "Không có thay đổi nào" in load()
    assert "Không có thay đổi nào" in load("--changeset", str(example))
