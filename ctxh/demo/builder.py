"""Create organizations in bulk from plain descriptions, reusing those that exist (found by code).

A second run finds every code and writes nothing. An organization that points at another one (its parent or
its successor) is created after it, in waves, so a whole network takes a few bulk inserts.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from ctxh.core.text import fold, nfc
from ctxh.geo.models import Unit
from ctxh.orgs.models import Organization, OrganizationLocation, Ownership

BATCH_SIZE = 500
CHANGE_REASON = "Dữ liệu mẫu (load_demo)"


class DemoDataError(Exception):
    """The demo data files or their references are inconsistent (reported in Vietnamese)."""


@dataclass(frozen=True)
class Place:
    """One period of an organization's location."""

    unit: Unit
    valid_from: dt.date | None
    valid_to: dt.date | None


@dataclass
class OrgSpec:
    """The desired state of one organization. `places` in time order; the last one is its current unit."""

    code: str
    name: str
    kind: str
    sector: str
    places: list[Place]
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    ownership: str = Ownership.PUBLIC
    school_level: str = ""
    health_level: str = ""
    parent_code: str = ""
    successor_code: str = ""
    succession_note: str = ""
    closed_reason: str = ""

    @property
    def references(self) -> list[str]:
        return [c for c in (self.parent_code, self.successor_code) if c]


@dataclass
class BuildStats:
    created: Counter = field(default_factory=Counter)
    reused: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def created_total(self) -> int:
        return sum(self.created.values())


def ensure_organizations(specs: Iterable[OrgSpec], *, stats: BuildStats) -> dict[str, int]:
    """Create the organizations of `specs` that do not exist yet; return the id of every code in `specs`."""
    specs = list(specs)
    seen: set[str] = set()
    for spec in specs:
        if spec.code in seen:
            raise DemoDataError(
                _("Mã tổ chức “%(code)s” xuất hiện hai lần trong dữ liệu mẫu.") % {"code": spec.code}
            )
        seen.add(spec.code)
        if not spec.places:
            raise DemoDataError(_("Tổ chức “%(code)s” không có địa bàn.") % {"code": spec.code})

    wanted = seen | {ref for spec in specs for ref in spec.references}
    ids = dict(Organization.objects.filter(code__in=wanted).values_list("code", "id"))
    pending = [spec for spec in specs if spec.code not in ids]
    stats.reused += len(specs) - len(pending)
    pending_codes = {spec.code for spec in pending}
    for spec in pending:
        for ref in spec.references:
            if ref not in ids and ref not in pending_codes:
                raise DemoDataError(
                    _("Tổ chức “%(code)s” tham chiếu tổ chức “%(ref)s” không có trong dữ liệu mẫu.")
                    % {"code": spec.code, "ref": ref}
                )

    while pending:
        ready = [spec for spec in pending if all(ref in ids for ref in spec.references)]
        if not ready:
            codes = ", ".join(s.code for s in pending)
            raise DemoDataError(_("Vòng tham chiếu giữa các tổ chức: %(codes)s.") % {"codes": codes})
        ids.update(_create(ready, ids, stats))
        pending = [spec for spec in pending if spec.code not in ids]
    return {spec.code: ids[spec.code] for spec in specs}


def _create(specs: list[OrgSpec], ids: dict[str, int], stats: BuildStats) -> dict[str, int]:
    objects = []
    for spec in specs:
        name = nfc(spec.name)
        objects.append(Organization(
            code=spec.code, name=name, search_name=fold(f"{name} {spec.code}"), kind=spec.kind,
            sector=spec.sector, ownership=spec.ownership, school_level=spec.school_level,
            health_level=spec.health_level, unit=spec.places[-1].unit,
            parent_id=ids.get(spec.parent_code) if spec.parent_code else None,
            successor_id=ids.get(spec.successor_code) if spec.successor_code else None,
            succession_note=nfc(spec.succession_note), closed_reason=nfc(spec.closed_reason),
            valid_from=spec.valid_from, valid_to=spec.valid_to,
        ))
    created = bulk_create_with_history(objects, Organization, batch_size=BATCH_SIZE,
                                       default_change_reason=CHANGE_REASON)
    new_ids = {org.code: org.pk for org in created}
    if any(pk is None for pk in new_ids.values()):  # a database that does not return ids on bulk insert
        new_ids = dict(Organization.objects.filter(code__in=list(new_ids)).values_list("code", "id"))
    OrganizationLocation.objects.bulk_create(
        [
            OrganizationLocation(organization_id=new_ids[spec.code], unit=place.unit,
                                 valid_from=place.valid_from, valid_to=place.valid_to)
            for spec in specs
            for place in spec.places
        ],
        batch_size=BATCH_SIZE,
    )
    stats.created.update(spec.kind for spec in specs)
    return new_ids


def places_across_reorganization(old: Unit | None, new: Unit | None, *, valid_from: dt.date | None,
                                 valid_to: dt.date | None, reorg_day: dt.date) -> list[Place]:
    """Where a long-lived organization stood: `old` until the day before `reorg_day`, `new` from then on.

    An organization that ended before the reorganization keeps only `old`; one founded after it only `new`.
    """
    last_old_day = reorg_day - dt.timedelta(days=1)
    if new is None or (valid_to is not None and valid_to < reorg_day):
        return [Place(old, valid_from, valid_to)] if old is not None else []
    if old is None or (valid_from is not None and valid_from >= reorg_day):
        return [Place(new, valid_from, valid_to)]
    return [Place(old, valid_from, last_old_day), Place(new, reorg_day, valid_to)]
