"""The unit map: every unit contributes to itself, its parents, and the later units it flowed into (and their
parents), with allocation shares through partly merged units; equal shares are created when missing."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from ctxh.geo.models import Succession
from ctxh.indicators.models import AllocationShare, UnitContribution
from ctxh.indicators.unitmap import EQUAL_SHARE_BASIS, UnitMapError, rebuild_unit_map
from ctxh.testing import make_succession, make_unit

pytestmark = pytest.mark.django_db


def contributions(unit) -> dict:
    return {c.ancestor.name + (" (cũ)" if c.ancestor.valid_to else ""): c.weight
            for c in UnitContribution.objects.filter(unit=unit).select_related("ancestor")}


def test_hierarchy_successions_and_shares(small_geo):
    g = small_geo
    result = rebuild_unit_map()
    assert result.units == 11 and result.shares_created == 2 and result.rows == 36
    # x1 lies wholly in its district, its province, the new commune n1 and the new province.
    assert contributions(g.x1) == {"Phường Phan Thiết (cũ)": 1.0, "Thành phố Tuyên Quang (cũ)": 1.0,
                                   "Tỉnh Tuyên Quang (cũ)": 1.0, "Phường Minh Xuân": 1.0,
                                   "Tỉnh Tuyên Quang": 1.0}
    # x3 was split between n1 and n2: half each (equal shares), but wholly in the new province.
    assert contributions(g.x3) == {"Xã Tràng Đà (cũ)": 1.0, "Thành phố Tuyên Quang (cũ)": 1.0,
                                   "Tỉnh Tuyên Quang (cũ)": 1.0, "Phường Minh Xuân": 0.5, "Xã Nông Tiến": 0.5,
                                   "Tỉnh Tuyên Quang": 1.0}
    assert contributions(g.n1) == {"Phường Minh Xuân": 1.0, "Tỉnh Tuyên Quang": 1.0}
    assert contributions(g.old02) == {"Tỉnh Hà Giang (cũ)": 1.0, "Tỉnh Tuyên Quang": 1.0}
    shares = AllocationShare.objects.filter(predecessor=g.x3).order_by("successor__code")
    assert [(s.successor_id, s.share, s.basis) for s in shares] == [
        (g.n1.pk, Decimal("0.500000"), EQUAL_SHARE_BASIS), (g.n2.pk, Decimal("0.500000"), EQUAL_SHARE_BASIS)]


def test_rebuilding_is_idempotent_and_keeps_edited_shares(small_geo):
    g = small_geo
    rebuild_unit_map()
    before = sorted(UnitContribution.objects.values_list("ancestor_id", "unit_id", "weight"))
    assert sorted(UnitContribution.objects.values_list("ancestor_id", "unit_id", "weight")) == before
    AllocationShare.objects.filter(predecessor=g.x3, successor=g.n1).update(share=Decimal("0.7"),
                                                                           basis="Theo số dân 2024")
    AllocationShare.objects.filter(predecessor=g.x3, successor=g.n2).update(share=Decimal("0.3"))
    again = rebuild_unit_map()
    assert again.shares_created == 0
    assert contributions(g.x3)["Phường Minh Xuân"] == pytest.approx(0.7)
    assert contributions(g.x3)["Xã Nông Tiến"] == pytest.approx(0.3)
    assert contributions(g.x3)["Tỉnh Tuyên Quang"] == 1.0
    assert AllocationShare.objects.get(predecessor=g.x3, successor=g.n1).basis == "Theo số dân 2024"


def test_weights_multiply_along_a_chain_of_reorganizations(small_geo):
    """An older commune split in three (one third each) into x3, which was later split in halves."""
    g = small_geo
    older = make_unit("02299", "Xã Cũ Hơn", valid_to=g.x1.valid_to, parent=g.d070)
    Succession.objects.filter(predecessor=older).delete()
    other = make_unit("02298", "Xã Khác", parent=g.d070)
    third = make_unit("02297", "Xã Thứ Ba", parent=g.d070)
    for successor in (g.x3, other, third):
        make_succession(older, successor, partly=True)
    rebuild_unit_map()
    weights = contributions(older)
    assert weights["Xã Tràng Đà (cũ)"] == pytest.approx(0.333333)
    assert weights["Phường Minh Xuân"] == pytest.approx(0.333333 * 0.5)
    assert weights["Tỉnh Tuyên Quang (cũ)"] == 1.0  # its own district and province, wholly


def test_a_cycle_is_refused_with_a_message(small_geo):
    make_succession(small_geo.n1, small_geo.x1)
    with pytest.raises(UnitMapError, match="vòng lặp"):
        rebuild_unit_map()


def test_the_command_says_what_it_did(small_geo, capsys):
    call_command("rebuild_unit_map")
    out = capsys.readouterr().out
    assert "11 đơn vị, 36 dòng (2 dòng ước tính theo tỷ lệ phân bổ)" in out
    assert "tạo 2 tỷ lệ chia đều" in out
