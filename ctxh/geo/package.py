"""Read Vietnam's administrative units and the official 2025 conversion tables from `vietnam-provinces`.

Two generations:

- the legacy three-level divisions (provinces, districts, communes), valid until 2025-06-30; their start is
  before our records (`valid_from` empty);
- the two-level divisions valid from 2025-07-01 (provinces and communes; a commune's parent is its province).

Successions come from the official conversion tables shipped by the package: commune to commune
(`_ward_conversion_2025`) and province to province (`_province_conversion_2025`), effective 2025-07-01.
This module only reads: it returns rows for `ctxh.geo.sync`, and the gaps it found for the report.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from ctxh.geo.models import Level, SuccessionKind, UnitKind, format_code
from ctxh.geo.sync import KEEP, SuccessionRow, UnitKey, UnitRow

LAST_LEGACY_DAY = dt.date(2025, 6, 30)
REORG_2025 = dt.date(2025, 7, 1)

# The package's division types ("tỉnh", "quận", ...) by level, onto our kinds. "thành phố" is a provincial
# city at district level; "thành phố trung ương" a centrally-run city at province level.
DIVISION_KINDS: dict[tuple[int, str], str] = {
    (Level.PROVINCE, "tỉnh"): UnitKind.PROVINCE,
    (Level.PROVINCE, "thành phố trung ương"): UnitKind.MUNICIPALITY,
    (Level.DISTRICT, "huyện"): UnitKind.DISTRICT,
    (Level.DISTRICT, "quận"): UnitKind.URBAN_DISTRICT,
    (Level.DISTRICT, "thị xã"): UnitKind.TOWN,
    (Level.DISTRICT, "thành phố"): UnitKind.PROVINCIAL_CITY,
    (Level.COMMUNE, "xã"): UnitKind.COMMUNE,
    (Level.COMMUNE, "phường"): UnitKind.WARD,
    (Level.COMMUNE, "thị trấn"): UnitKind.TOWNSHIP,
    (Level.COMMUNE, "đặc khu"): UnitKind.SPECIAL_ZONE,
}


class PackageDataError(Exception):
    """The package holds something the loader does not understand (for example a new division type)."""


def kind_of(level: int, division_type: object, name: str) -> str:
    try:
        return DIVISION_KINDS[(level, str(division_type))]
    except KeyError:
        raise PackageDataError(
            _("Loại đơn vị «%(type)s» của «%(name)s» (%(level)s) chưa được hỗ trợ.")
            % {"type": division_type, "name": name, "level": Level(level).label}
        ) from None


@dataclass(frozen=True)
class LegacyCommune:
    code: str
    name: str
    province_name: str

    def __str__(self) -> str:
        return f"{self.code} {self.name} ({self.province_name})"


@dataclass
class PackageData:
    version: str
    data_version: str
    units: list[UnitRow] = field(default_factory=list)
    successions: list[SuccessionRow] = field(default_factory=list)
    legacy_counts: Counter = field(default_factory=Counter)  # by level
    new_counts: Counter = field(default_factory=Counter)
    legacy_communes: dict[str, LegacyCommune] = field(default_factory=dict)
    new_communes: dict[str, str] = field(default_factory=dict)  # code -> name
    # Legacy communes that the official table does not map, in code order.
    missing_in_table: list[LegacyCommune] = field(default_factory=list)
    # Old commune codes that the table maps but the legacy list does not hold (skipped).
    unknown_in_table: list[str] = field(default_factory=list)
    # New communes that no old commune flows into according to the table.
    new_without_predecessor: list[str] = field(default_factory=list)

    @property
    def unit_source(self) -> str:
        return f"vietnam-provinces {self.version}"

    @property
    def legacy_unit_source(self) -> str:
        return f"vietnam-provinces {self.version} (legacy)"


def succession_kind(*, split: bool, merge: bool, old_name: str, new_name: str) -> str:
    """One old to several new: split; several old to one new: merge; one to one: rename or reparent."""
    if split:
        return SuccessionKind.SPLIT
    if merge:
        return SuccessionKind.MERGE
    return SuccessionKind.RENAME if old_name != new_name else SuccessionKind.REPARENT


@functools.cache
def read_package() -> PackageData:
    """The package's units and successions as rows (read once per process: the package does not change)."""
    import vietnam_provinces
    from vietnam_provinces import Province, Ward
    from vietnam_provinces import _province_conversion_2025 as province_table
    from vietnam_provinces import _ward_conversion_2025 as ward_table
    from vietnam_provinces.legacy.base import District as LegacyDistrict
    from vietnam_provinces.legacy.base import Province as LegacyProvince
    from vietnam_provinces.legacy.base import Ward as LegacyWard

    for table in (ward_table, province_table):
        if dt.date.fromisoformat(table.EFFECTIVE_DATE) != REORG_2025:
            raise PackageDataError(
                _("Bảng chuyển đổi có ngày hiệu lực %(day)s, khác 01/07/2025.")
                % {"day": table.EFFECTIVE_DATE}
            )

    data = PackageData(vietnam_provinces.__version__, getattr(vietnam_provinces, "__data_version__", ""))
    P, D, C = Level.PROVINCE, Level.DISTRICT, Level.COMMUNE

    def add(
        level: int, code: object, item, valid_from, valid_to, parent: UnitKey | None, source: str
    ) -> UnitRow:
        row = UnitRow(
            code=format_code(int(code), level),
            name=item.name,
            kind=kind_of(level, item.division_type, item.name),
            valid_from=valid_from,
            valid_to=valid_to,
            parent=parent,
            source=source,
        )
        data.units.append(row)
        return row

    # Legacy generation: provinces, districts, communes; valid until 2025-06-30.
    legacy_src = data.legacy_unit_source
    legacy_provinces = {int(p.code): p for p in LegacyProvince.iter_all()}
    for code, province in legacy_provinces.items():
        add(P, code, province, None, LAST_LEGACY_DAY, None, legacy_src)
    for district in LegacyDistrict.iter_all():
        add(
            D,
            district.code,
            district,
            None,
            LAST_LEGACY_DAY,
            (P, format_code(int(district.province_code), P), None),
            legacy_src,
        )
    for ward in LegacyWard.iter_all():
        row = add(
            C,
            ward.code,
            ward,
            None,
            LAST_LEGACY_DAY,
            (D, format_code(int(ward.district_code), D), None),
            legacy_src,
        )
        data.legacy_communes[row.code] = LegacyCommune(
            row.code, row.name, legacy_provinces[int(ward.province_code)].name
        )

    # The generation from 2025-07-01: provinces and communes, no district level. The package does not know
    # when they end: a later change-set may have ended them, so the stored end is kept (KEEP).
    new_provinces = {int(p.code): p for p in Province.iter_all()}
    for code, province in new_provinces.items():
        add(P, code, province, REORG_2025, KEEP, None, data.unit_source)
    for ward in Ward.iter_all():
        row = add(
            C,
            ward.code,
            ward,
            REORG_2025,
            KEEP,
            (P, format_code(int(ward.province_code), P), REORG_2025),
            data.unit_source,
        )
        data.new_communes[row.code] = row.name

    for row in data.units:
        (data.new_counts if row.valid_from else data.legacy_counts)[row.level] += 1

    # Commune successions from the official conversion table.
    table_source = f"{ward_table.SOURCE} (vietnam-provinces {data.version}, _ward_conversion_2025)"
    olds_per_new = Counter(new.code for entry in ward_table.OLD_TO_NEW.values() for new in entry.new_wards)
    mapped_new: set[str] = set()
    for old_int, entry in sorted(ward_table.OLD_TO_NEW.items()):
        old_code = format_code(old_int, C)
        old = data.legacy_communes.get(old_code)
        if old is None:
            data.unknown_in_table.append(old_code)
            continue
        for new in entry.new_wards:
            new_code = format_code(new.code, C)
            if new_code not in data.new_communes:
                raise PackageDataError(
                    _("Bảng chuyển đổi nhắc đến xã mới mã %(code)s không có trong danh sách.")
                    % {"code": new_code}
                )
            mapped_new.add(new_code)
            kind = succession_kind(
                split=len(entry.new_wards) > 1,
                merge=olds_per_new[new.code] > 1,
                old_name=old.name,
                new_name=data.new_communes[new_code],
            )
            data.successions.append(
                SuccessionRow(
                    predecessor=(C, old_code, None),
                    successor=(C, new_code, REORG_2025),
                    effective_date=REORG_2025,
                    kind=kind,
                    partly_merged=entry.old_ward.is_partly_merged,
                    source=table_source,
                )
            )
    data.missing_in_table = [
        c for code, c in sorted(data.legacy_communes.items()) if int(code) not in ward_table.OLD_TO_NEW
    ]
    data.new_without_predecessor = sorted(set(data.new_communes) - mapped_new)

    # Province successions from the official province table.
    province_source = f"vietnam-provinces {data.version}, _province_conversion_2025"
    olds_per_province = Counter(
        new.code for entry in province_table.OLD_TO_NEW.values() for new in entry.new_provinces
    )
    for old_int, entry in sorted(province_table.OLD_TO_NEW.items()):
        old = legacy_provinces.get(old_int)
        if old is None:
            raise PackageDataError(
                _("Bảng chuyển đổi tỉnh nhắc đến tỉnh cũ mã %(code)s không có trong danh sách.")
                % {"code": old_int}
            )
        for new in entry.new_provinces:
            kind = succession_kind(
                split=len(entry.new_provinces) > 1,
                merge=olds_per_province[new.code] > 1,
                old_name=old.name,
                new_name=new_provinces[new.code].name,
            )
            data.successions.append(
                SuccessionRow(
                    predecessor=(P, format_code(old_int, P), None),
                    successor=(P, format_code(new.code, P), REORG_2025),
                    effective_date=REORG_2025,
                    kind=kind,
                    partly_merged=len(entry.new_provinces) > 1,
                    source=province_source,
                )
            )
    return data
