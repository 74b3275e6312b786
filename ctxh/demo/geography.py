"""One province before and after the 2025 reorganization, read from the units and successions tables.

The demo data is placed with the help of this map: which old communes were merged into which new commune,
which commune was the seat of an old district, and which new commune an old one mainly continues in. It
reads the database only, so it works the same on the whole country and on the small test geography.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from ctxh.core.text import fold
from ctxh.geo.models import Level, Succession, Unit, UnitKind

REORG_DAY = dt.date(2025, 7, 1)
LAST_OLD_DAY = REORG_DAY - dt.timedelta(days=1)

# The kind words that start an official unit name ("Xã Nông Tiến", "Thành phố Tuyên Quang"), longest first.
_KIND_WORDS = ("Thành phố", "Thị trấn", "Thị xã", "Đặc khu", "Huyện", "Quận", "Phường", "Xã", "Tỉnh")


def name_in_sentence(unit_name: str) -> str:
    """"Xã Nông Tiến" -> "xã Nông Tiến", for "Ủy ban nhân dân xã Nông Tiến"."""
    for word in _KIND_WORDS:
        if unit_name.startswith(word + " "):
            return word.lower() + unit_name[len(word):]
    return unit_name


def short_name(unit_name: str) -> str:
    """"Xã Nông Tiến" -> "Nông Tiến", for "Trường Tiểu học Nông Tiến"."""
    for word in _KIND_WORDS:
        if unit_name.startswith(word + " "):
            return unit_name[len(word) + 1:]
    return unit_name


@dataclass(frozen=True)
class Choice:
    """A unit chosen among several, and why (said in the organization's succession note)."""

    unit: Unit
    reason: str


@dataclass
class OldProvince:
    unit: Unit
    districts: list[Unit]
    communes_by_district: dict[int, list[Unit]]

    @property
    def communes(self) -> list[Unit]:
        return [c for d in self.districts for c in self.communes_by_district.get(d.pk, [])]

    def district_by_code(self, code: str) -> Unit | None:
        return next((d for d in self.districts if d.code == code), None)

    def capital(self) -> Unit | None:
        """The district-level unit that holds the provincial seat: the provincial city, else the first one."""
        for kind in (UnitKind.PROVINCIAL_CITY, UnitKind.TOWN):
            for district in self.districts:
                if district.kind == kind:
                    return district
        return self.districts[0] if self.districts else None

    def seat_of(self, district: Unit) -> Unit | None:
        """The commune holding a district's offices: its township, else its first ward or commune."""
        communes = self.communes_by_district.get(district.pk, [])
        for kind in (UnitKind.TOWNSHIP, UnitKind.WARD):
            for commune in communes:
                if commune.kind == kind:
                    return commune
        return communes[0] if communes else None


@dataclass
class Geography:
    """A new province (from 2025-07-01), its communes, and the old provinces merged into it."""

    province: Unit
    communes: list[Unit]
    old_provinces: list[OldProvince]
    successors: dict[int, list[Unit]] = field(default_factory=dict)
    predecessors: dict[int, list[Unit]] = field(default_factory=dict)

    def old_province(self, code: str) -> OldProvince | None:
        return next((p for p in self.old_provinces if p.unit.code == code), None)

    def main_successor(self, old: Unit) -> Choice | None:
        """The new unit an old one mainly continues in (None when the conversion table leaves it unmapped).

        One successor: that one. Several (the old commune was split): the one that kept its name, else the
        one that kept its code, else the first in code order (the order of the official conversion table).
        The table gives no area or population, so "largest" cannot be decided from it.
        """
        return _pick(old, self.successors.get(old.pk, []), _("đứng đầu bảng chuyển đổi chính thức"))

    def main_predecessor(self, new: Unit) -> Choice | None:
        """The old commune where a long-lived organization of a new commune stood before 2025-07-01.

        The predecessor that gave the new commune its name, else its code, else the first in code order.
        """
        return _pick(new, self.predecessors.get(new.pk, []), _("đơn vị cũ đầu tiên theo mã"))


def _pick(unit: Unit, candidates: list[Unit], fallback_reason: str) -> Choice | None:
    if not candidates:
        return None
    if len(candidates) == 1:
        return Choice(candidates[0], "")
    key = fold(short_name(unit.name))
    for candidate in candidates:
        if fold(short_name(candidate.name)) == key:
            return Choice(candidate, _("cùng tên"))
    for candidate in candidates:
        if candidate.code == unit.code:
            return Choice(candidate, _("cùng mã"))
    return Choice(candidates[0], fallback_reason)


def geography_for(province: Unit) -> Geography:
    """The map of `province` (a province valid on 2025-07-01) and of the provinces merged into it.

    A handful of queries, whatever the size of the province.
    """
    communes = list(
        Unit.objects.as_of(REORG_DAY).filter(parent=province, level=Level.COMMUNE).order_by("code")
    )
    old_province_units = list(
        Unit.objects.filter(
            successions_out__successor=province, level=Level.PROVINCE
        ).as_of(LAST_OLD_DAY).distinct().order_by("code")
    )
    districts = list(
        Unit.objects.as_of(LAST_OLD_DAY)
        .filter(parent__in=old_province_units, level=Level.DISTRICT)
        .order_by("code")
    )
    old_communes = list(
        Unit.objects.as_of(LAST_OLD_DAY).filter(parent__in=districts, level=Level.COMMUNE).order_by("code")
    )
    by_district: dict[int, list[Unit]] = defaultdict(list)
    for commune in old_communes:
        by_district[commune.parent_id].append(commune)
    old_provinces = [
        OldProvince(
            unit=p,
            districts=[d for d in districts if d.parent_id == p.pk],
            communes_by_district={d.pk: by_district[d.pk] for d in districts if d.parent_id == p.pk},
        )
        for p in old_province_units
    ]

    units_by_id = {u.pk: u for u in [province, *communes, *old_province_units, *old_communes]}
    links = Succession.objects.filter(
        predecessor_id__in=[u.pk for u in [*old_province_units, *old_communes]],
        successor_id__in=[u.pk for u in [province, *communes]],
        effective_date=REORG_DAY,
    ).values_list("predecessor_id", "successor_id")
    successors: dict[int, list[Unit]] = defaultdict(list)
    predecessors: dict[int, list[Unit]] = defaultdict(list)
    for old_id, new_id in links:
        successors[old_id].append(units_by_id[new_id])
        predecessors[new_id].append(units_by_id[old_id])
    for group in (*successors.values(), *predecessors.values()):
        group.sort(key=lambda u: u.code)
    return Geography(province=province, communes=communes, old_provinces=old_provinces,
                     successors=dict(successors), predecessors=dict(predecessors))
