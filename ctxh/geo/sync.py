"""Bring the database in line with a desired set of units and successions, in bulk.

The loaders (the package loader, the local mapping, the change-sets) describe what should exist as plain rows;
this module compares them with what is stored and writes only the differences, with `bulk_create` and
`bulk_update` and in-memory dictionaries, never one query per row. Nothing is ever deleted: a unit that a
source no longer lists is left alone (organizations and records may point to it).

A unit is identified by its level, its code and its first day of validity (`UnitKey`): official codes are
reused across generations, so a code alone names nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

from django.utils.translation import gettext as _

from ctxh.core.text import fold, nfc
from ctxh.geo.models import KIND_LEVEL, Level, Succession, Unit

UnitKey = tuple[int, str, dt.date | None]  # (level, code, valid_from)
BATCH_SIZE = 1000


class Keep(Enum):
    """A field value that the source does not know: keep what is stored (a new unit starts with it empty)."""

    KEEP = "keep"


KEEP = Keep.KEEP


class SyncError(Exception):
    """The rows given to the sync are inconsistent (a programming or data error, reported in Vietnamese)."""


def level_name(level: int) -> str:
    return str(Level(level).label).lower()


def describe_key(key: UnitKey) -> str:
    level, code, valid_from = key
    since = _("từ %(day)s") % {"day": valid_from.strftime("%d/%m/%Y")} if valid_from else _("thế hệ cũ")
    return f"{code} ({level_name(level)}, {since})"


@dataclass(frozen=True)
class UnitRow:
    """The desired state of one unit."""

    code: str
    name: str
    kind: str
    valid_from: dt.date | None
    valid_to: dt.date | None | Keep
    parent: UnitKey | None
    source: str

    @property
    def level(self) -> int:
        return int(KIND_LEVEL[self.kind])

    @property
    def key(self) -> UnitKey:
        return (self.level, self.code, self.valid_from)


@dataclass(frozen=True)
class SuccessionRow:
    """The desired state of one succession between two units named by their keys."""

    predecessor: UnitKey
    successor: UnitKey
    effective_date: dt.date
    kind: str
    partly_merged: bool
    source: str
    note: str = ""


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.created + other.created, self.updated + other.updated, self.unchanged + other.unchanged
        )


@dataclass
class _Stored:
    id: int
    name: str
    kind: str
    parent_id: int | None
    valid_to: dt.date | None
    source: str


@dataclass
class UnitIndex:
    """Every stored unit by key, read in one query; kept up to date as the sync creates units."""

    stored: dict[UnitKey, _Stored] = field(default_factory=dict)

    @classmethod
    def load(cls) -> UnitIndex:
        index = cls()
        rows = Unit.objects.order_by().values_list(
            "id", "level", "code", "valid_from", "valid_to", "name", "kind", "parent_id", "source"
        )
        for pk, level, code, valid_from, valid_to, name, kind, parent_id, source in rows:
            index.stored[(level, code, valid_from)] = _Stored(pk, name, kind, parent_id, valid_to, source)
        return index

    def id_of(self, key: UnitKey) -> int:
        try:
            return self.stored[key].id
        except KeyError:
            raise SyncError(_("Không tìm thấy đơn vị %(unit)s.") % {"unit": describe_key(key)}) from None


UNIT_FIELDS = ["name", "search_name", "kind", "level", "parent", "valid_to", "source"]


def sync_units(rows: Iterable[UnitRow], index: UnitIndex) -> Counts:
    """Create or update the units described by `rows`, parents before children (level by level)."""
    counts = Counts()
    by_level: dict[int, list[UnitRow]] = defaultdict(list)
    seen: set[UnitKey] = set()
    for row in rows:
        if row.key in seen:
            raise SyncError(_("Đơn vị %(unit)s được khai báo hai lần.") % {"unit": describe_key(row.key)})
        seen.add(row.key)
        by_level[row.level].append(row)

    for level in sorted(by_level):
        to_create: list[Unit] = []
        to_update: list[Unit] = []
        for row in by_level[level]:
            name = nfc(row.name)
            parent_id = index.id_of(row.parent) if row.parent else None
            stored = index.stored.get(row.key)
            if stored is None:
                valid_to = None if row.valid_to is KEEP else row.valid_to
                to_create.append(
                    Unit(
                        code=row.code,
                        name=name,
                        search_name=fold(name),
                        kind=row.kind,
                        level=level,
                        parent_id=parent_id,
                        valid_from=row.valid_from,
                        valid_to=valid_to,
                        source=row.source,
                    )
                )
                continue
            valid_to = stored.valid_to if row.valid_to is KEEP else row.valid_to
            wanted = (name, row.kind, parent_id, valid_to, row.source)
            if (stored.name, stored.kind, stored.parent_id, stored.valid_to, stored.source) == wanted:
                counts.unchanged += 1
                continue
            to_update.append(
                Unit(
                    id=stored.id,
                    code=row.code,
                    name=name,
                    search_name=fold(name),
                    kind=row.kind,
                    level=level,
                    parent_id=parent_id,
                    valid_from=row.valid_from,
                    valid_to=valid_to,
                    source=row.source,
                )
            )
            index.stored[row.key] = _Stored(stored.id, name, row.kind, parent_id, valid_to, row.source)

        created = Unit.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
        if created and any(unit.pk is None for unit in created):  # a backend that cannot return keys
            pending = {(unit.code, unit.valid_from): unit for unit in created}
            for pk, code, valid_from in Unit.objects.filter(
                level=level, code__in={key[0] for key in pending}
            ).values_list("id", "code", "valid_from"):
                if (code, valid_from) in pending:
                    pending[(code, valid_from)].pk = pk
        for unit in created:
            index.stored[(level, unit.code, unit.valid_from)] = _Stored(
                unit.pk, unit.name, unit.kind, unit.parent_id, unit.valid_to, unit.source
            )
        Unit.objects.bulk_update(to_update, UNIT_FIELDS, batch_size=BATCH_SIZE)
        counts.created += len(created)
        counts.updated += len(to_update)
    return counts


def sync_successions(rows: Iterable[SuccessionRow], index: UnitIndex) -> Counts:
    """Create or update the successions described by `rows` (identified by old unit, new unit and date)."""
    counts = Counts()
    stored = {
        (pred, succ, day): (pk, kind, partly, source, note)
        for pk, pred, succ, day, kind, partly, source, note in Succession.objects.order_by().values_list(
            "id",
            "predecessor_id",
            "successor_id",
            "effective_date",
            "kind",
            "partly_merged",
            "source",
            "note",
        )
    }
    to_create: list[Succession] = []
    to_update: list[Succession] = []
    seen: set[tuple[int, int, dt.date]] = set()
    for row in rows:
        pred, succ = index.id_of(row.predecessor), index.id_of(row.successor)
        key = (pred, succ, row.effective_date)
        if key in seen:
            raise SyncError(
                _("Quan hệ kế thừa %(old)s → %(new)s được khai báo hai lần.")
                % {"old": describe_key(row.predecessor), "new": describe_key(row.successor)}
            )
        seen.add(key)
        wanted = (row.kind, row.partly_merged, row.source, row.note)
        current = stored.get(key)
        if current is not None and current[1:] == wanted:
            counts.unchanged += 1
            continue
        obj = Succession(
            pk=current[0] if current else None,
            predecessor_id=pred,
            successor_id=succ,
            effective_date=row.effective_date,
            kind=row.kind,
            partly_merged=row.partly_merged,
            source=row.source,
            note=row.note,
        )
        (to_create if current is None else to_update).append(obj)
    Succession.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    Succession.objects.bulk_update(
        to_update, ["kind", "partly_merged", "source", "note"], batch_size=BATCH_SIZE
    )
    counts.created += len(to_create)
    counts.updated += len(to_update)
    return counts
