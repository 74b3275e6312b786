"""The local network: People's Committees of every commune and district, commune health stations and schools,
district health centres. Names follow the official unit names; codes are readable and stable:

- ``UBND-02215-2025``: People's Committee of the new commune 02215, from 2025-07-01;
- ``UBND-02200-CU``: People's Committee of the old commune 02200, until 2025-06-30 ("cũ": old);
- ``UBND-070-CU``: People's Committee of the old district 070, until 2025-06-30;
- ``TYT-02215``: health station of the new commune 02215; ``TTYT-070``: health centre of old district 070;
- ``MN-``, ``TH-``, ``THCS-``, ``THPT-``, ``PTDTBT-`` + the code of the old commune where the school stood
  before 2025-07-01 (schools are older than the reorganization).

Choices that chance makes (which commune has an upper secondary school, founding years) come from a random
generator seeded with the province code, so every run builds the same network.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from django.utils.translation import gettext as _

from ctxh.demo.builder import BuildStats, OrgSpec, Place, ensure_organizations, places_across_reorganization
from ctxh.demo.geography import LAST_OLD_DAY, REORG_DAY, Geography, name_in_sentence, short_name
from ctxh.geo.models import Unit, UnitKind
from ctxh.orgs.models import HealthLevel, OrgKind, SchoolLevel, Sector

# Share of communes (not wards) that have an upper secondary school; every ward has one.
UPPER_SECONDARY_SHARE = 0.3
# Share of the other old communes of a new commune that keep a school of their own (a primary school, or in a
# rural district often a semi-boarding school for ethnic minority pupils).
EXTRA_SCHOOL_SHARE = 0.5
SEMI_BOARDING_SHARE = 0.4


def rng_for(geo: Geography, part: str) -> random.Random:
    return random.Random(f"ctxh-demo-{part}-{geo.province.code}-{geo.province.valid_from}")


def committees(geo: Geography, *, stats: BuildStats) -> dict[str, int]:
    """Every commune's People's Committee, new and old, and the old district People's Committees.

    An old commune's committee ends on 2025-06-30 and names as successor the committee of the new commune it
    was merged into (for a split commune, the main part: see Geography.main_successor). District committees
    end without successor: the district level was abolished.
    """
    new = [_commune_committee(commune) for commune in geo.communes]
    new_code = {spec.places[0].unit.pk: spec.code for spec in new}
    old: list[OrgSpec] = []
    for province in geo.old_provinces:
        for district in province.districts:
            old.append(OrgSpec(
                code=f"UBND-{district.code}-CU", name=_committee_name(district), kind=OrgKind.OTHER,
                sector=Sector.LOCAL_GOVERNMENT, valid_from=district.valid_from, valid_to=LAST_OLD_DAY,
                places=[Place(district, district.valid_from, LAST_OLD_DAY)],
                closed_reason=_("Kết thúc hoạt động từ 01/07/2025: tổ chức chính quyền địa phương cấp huyện "
                                "chấm dứt (Nghị quyết 203/2025/QH15, Luật Tổ chức chính quyền địa phương "
                                "số 72/2025/QH15)."),
            ))
            for commune in province.communes_by_district.get(district.pk, []):
                old.append(_old_commune_committee(geo, commune, new_code, stats))
    return ensure_organizations([*new, *old], stats=stats)


def _committee_name(unit: Unit) -> str:
    return f"Ủy ban nhân dân {name_in_sentence(unit.name)}"


def _commune_committee(commune: Unit, suffix: str = "") -> OrgSpec:
    suffix = suffix or (str(commune.valid_from.year) if commune.valid_from else "MOI")
    return OrgSpec(
        code=f"UBND-{commune.code}-{suffix}", name=_committee_name(commune), kind=OrgKind.COMMUNE_COMMITTEE,
        sector=Sector.LOCAL_GOVERNMENT, valid_from=commune.valid_from, valid_to=commune.valid_to,
        places=[Place(commune, commune.valid_from, commune.valid_to)],
    )


def _old_commune_committee(geo: Geography, commune: Unit, new_code: dict[int, str],
                           stats: BuildStats) -> OrgSpec:
    spec = _commune_committee(commune, "CU")
    spec.valid_to = LAST_OLD_DAY
    spec.places = [Place(commune, commune.valid_from, LAST_OLD_DAY)]
    choice = geo.main_successor(commune)
    if choice is None:
        spec.closed_reason = _("Kết thúc hoạt động từ 01/07/2025 khi sắp xếp đơn vị hành chính cấp xã.")
        spec.succession_note = _("Bảng chuyển đổi chính thức không ghi đơn vị kế thừa của %(unit)s; "
                                 "cần bổ sung.") % {"unit": commune.name}
        stats.warnings.append(
            _("%(unit)s (mã %(code)s) chưa có đơn vị kế thừa: Ủy ban nhân dân của xã này không có tổ chức "
              "kế thừa.") % {"unit": commune.name, "code": commune.code}
        )
        return spec
    spec.successor_code = new_code[choice.unit.pk]
    spec.closed_reason = _("Kết thúc hoạt động từ 01/07/2025 khi sắp xếp đơn vị hành chính cấp xã; địa bàn "
                           "thuộc %(new)s (mới).") % {"new": choice.unit.name}
    others = [u for u in geo.successors[commune.pk] if u.pk != choice.unit.pk]
    if others:
        spec.succession_note = _(
            "%(old)s được chia cho nhiều đơn vị mới (%(all)s); chọn %(main)s làm đơn vị kế thừa chính "
            "(%(reason)s), cần xác nhận theo quyết định sắp xếp."
        ) % {"old": commune.name, "all": ", ".join(u.name for u in geo.successors[commune.pk]),
             "main": choice.unit.name, "reason": choice.reason}
    return spec


def local_services(geo: Geography, *, stats: BuildStats) -> dict[str, int]:
    """For every new commune: a health station and schools, older than the reorganization.

    Each one stood in an old commune until 2025-06-30 (chosen among the new commune's predecessors) and stands
    in the new commune from 2025-07-01; its unit is the new commune.
    """
    rng = rng_for(geo, "local")
    specs: list[OrgSpec] = []
    used: set[str] = set()
    rural = {d.pk for p in geo.old_provinces for d in p.districts if d.kind == UnitKind.DISTRICT}
    for commune in geo.communes:
        specs.extend(_commune_services(geo, commune, rng, used, rural))
    return ensure_organizations(specs, stats=stats)


def _commune_services(geo: Geography, commune: Unit, rng: random.Random, used: set[str],
                      rural: set[int]) -> Iterator[OrgSpec]:
    choice = geo.main_predecessor(commune)
    home = choice.unit if choice else None
    label = short_name(commune.name)
    founded = dt.date(rng.randint(1995, 2010), 1, 1)
    yield OrgSpec(
        code=_unique(f"TYT-{commune.code}", used), name=f"Trạm Y tế {name_in_sentence(commune.name)}",
        kind=OrgKind.HEALTH, health_level=HealthLevel.HEALTH_STATION, sector=Sector.HEALTH,
        valid_from=founded,
        places=places_across_reorganization(home, commune, valid_from=founded, valid_to=None,
                                            reorg_day=REORG_DAY),
    )
    site = home or commune
    levels = [("MN", "Trường Mầm non", SchoolLevel.PRESCHOOL), ("TH", "Trường Tiểu học", SchoolLevel.PRIMARY),
              ("THCS", "Trường THCS", SchoolLevel.LOWER_SECONDARY)]
    if commune.kind == UnitKind.WARD or rng.random() < UPPER_SECONDARY_SHARE:
        levels.append(("THPT", "Trường THPT", SchoolLevel.UPPER_SECONDARY))
    for prefix, title, level in levels:
        yield _school(f"{prefix}-{site.code}", f"{title} {label}", level, home, commune, rng, used)

    # Other old communes merged into this one often keep a school named after them (only in the new commune
    # that an old commune mainly continues in, so a split commune does not get two).
    for other in geo.predecessors.get(commune.pk, []):
        main = geo.main_successor(other)
        if other.pk == site.pk or main is None or main.unit.pk != commune.pk:
            continue
        if rng.random() >= EXTRA_SCHOOL_SHARE:
            continue
        name = short_name(other.name)
        if other.parent_id in rural and other.kind == UnitKind.COMMUNE and rng.random() < SEMI_BOARDING_SHARE:
            yield _school(f"PTDTBT-{other.code}", f"Trường Phổ thông Dân tộc bán trú Tiểu học và THCS {name}",
                          SchoolLevel.MULTI_LEVEL, other, commune, rng, used)
        else:
            yield _school(f"TH-{other.code}", f"Trường Tiểu học {name}", SchoolLevel.PRIMARY, other, commune,
                          rng, used)


def _school(code: str, name: str, level: str, old: Unit | None, new: Unit, rng: random.Random,
            used: set[str]) -> OrgSpec:
    founded = dt.date(rng.randint(1995, 2012), 9, 5)
    return OrgSpec(
        code=_unique(code, used), name=name, kind=OrgKind.SCHOOL, school_level=level, sector=Sector.EDUCATION,
        valid_from=founded,
        places=places_across_reorganization(old, new, valid_from=founded, valid_to=None, reorg_day=REORG_DAY),
    )


def _unique(code: str, used: set[str]) -> str:
    """`code`, or `code-2`, `code-3` ... when a split old commune already gave its code to another school."""
    candidate, number = code, 1
    while candidate in used:
        number += 1
        candidate = f"{code}-{number}"
    used.add(candidate)
    return candidate


def district_health_centres(geo: Geography, *, stats: BuildStats) -> dict[str, int]:
    """A health centre for every old district, in the district's seat; it keeps running after 2025-07-01 in
    the new commune that took over its seat."""
    rng = rng_for(geo, "district-health")
    specs = []
    for province in geo.old_provinces:
        for district in province.districts:
            seat = province.seat_of(district)
            if seat is None:
                continue
            choice = geo.main_successor(seat)
            founded = dt.date(rng.randint(2005, 2017), 1, 1)
            specs.append(OrgSpec(
                code=f"TTYT-{district.code}", name=f"Trung tâm Y tế {name_in_sentence(district.name)}",
                kind=OrgKind.HEALTH, health_level=HealthLevel.HEALTH_CENTRE, sector=Sector.HEALTH,
                valid_from=founded,
                places=places_across_reorganization(seat, choice.unit if choice else None, valid_from=founded,
                                                    valid_to=None, reorg_day=REORG_DAY),
            ))
    return ensure_organizations(specs, stats=stats)
