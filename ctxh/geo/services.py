"""Changes of state in `geo`: loading the official units, local mappings and change-sets.

Each function runs in one transaction: on any error nothing is written.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from ctxh.geo.changesets import ChangeSet, plan_changeset, read_changeset
from ctxh.geo.mapping import SHIPPED_MAPPINGS, MappingRow, read_mapping, resolve_mapping
from ctxh.geo.models import Level, Unit
from ctxh.geo.package import LAST_LEGACY_DAY, LegacyCommune, PackageData, read_package
from ctxh.geo.sync import Counts, UnitIndex, sync_successions, sync_units


@dataclass
class LoadReport:
    package: PackageData
    units: Counts
    successions: Counts
    mapping_files: list[Path]
    local_rows: list[MappingRow]
    unmapped: list[LegacyCommune]  # legacy communes still without any successor after the load
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return self.units.changed or self.successions.changed


@transaction.atomic
def admin_units_load(*, mapping_files: Sequence[Path] = (), use_shipped_mapping: bool = True) -> LoadReport:
    """Load (or bring up to date) the units of `vietnam-provinces`, the official 2025 successions and the
    local mappings. Idempotent: a second run writes nothing."""
    started = time.perf_counter()
    data = read_package()
    files = [*(SHIPPED_MAPPINGS if use_shipped_mapping else ()), *mapping_files]
    local_rows = [row for path in files for row in read_mapping(Path(path))]  # form errors before any write

    index = UnitIndex.load()
    unit_counts = sync_units(data.units, index)
    officially_mapped = {s.predecessor[1] for s in data.successions if s.predecessor[0] == Level.COMMUNE}
    local = resolve_mapping(local_rows, officially_mapped=officially_mapped)
    succession_counts = sync_successions([*data.successions, *local], index)

    unmapped = [
        LegacyCommune(code, name, province or "")
        for code, name, province in Unit.objects.filter(
            level=Level.COMMUNE,
            valid_from__isnull=True,
            valid_to=LAST_LEGACY_DAY,
            source=data.legacy_unit_source,
            successions_out__isnull=True,
        )
        .order_by("code")
        .values_list("code", "name", "parent__parent__name")
    ]
    return LoadReport(
        data, unit_counts, succession_counts, files, local_rows, unmapped, time.perf_counter() - started
    )


@dataclass
class ChangeSetReport:
    changeset: ChangeSet
    units: Counts = field(default_factory=Counts)
    successions: Counts = field(default_factory=Counts)
    ended: int = 0

    @property
    def changed(self) -> bool:
        return self.units.changed or self.successions.changed


@transaction.atomic
def changeset_apply(*, path: Path) -> ChangeSetReport:
    """Apply a change-set file (docs/geo.md). Everything is checked before the first write; idempotent."""
    changeset = read_changeset(Path(path))
    plan = plan_changeset(changeset)
    report = ChangeSetReport(changeset)
    ends = Unit.objects.in_bulk([pk for pk, _day in plan.ends])
    for pk, day in plan.ends:
        ends[pk].valid_to = day
    Unit.objects.bulk_update(list(ends.values()), ["valid_to"], batch_size=1000)
    report.ended = len(ends)
    index = UnitIndex.load()
    report.units = sync_units(plan.units, index) + Counts(updated=len(ends), unchanged=plan.unchanged_ends)
    report.successions = sync_successions(plan.successions, index)
    return report
