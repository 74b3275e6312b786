"""The unit map the engine aggregates through: `UnitContribution(ancestor, unit, weight)`.

A unit's data counts towards:
- the unit itself (weight 1);
- its parents up the hierarchy (weight 1: a commune lies wholly inside its district and province);
- every later unit it flowed into through a `Succession`, transitively across reorganizations, and their
  parents: weight 1 when the succession is whole, the `AllocationShare` of the (predecessor, successor)
  pair when it is `partly_merged` (an estimate). Weights multiply along a chain.

Formally, W(u, a) = max(1 if u = a, W(parent(u), a), min(1, sum over the successors s of u of
share(u, s) x W(s, a))). Parents and successions are two descriptions of the same territory, so they are
combined by `max` (old commune -> old district -> old province -> new province and old commune -> new
commune -> new province both say "all of it"), while the parts of a split are disjoint, so they add up (a
commune split in halves between two new communes of one new province lies wholly inside it). A sum never
exceeds 1: a unit cannot be more than wholly inside another.

Built set-based: one INSERT ... SELECT per generation, newest units first. A unit is ready when its parent
and all its successors already have their rows (their own row `(s, s)` marks them done); a generation
writes the rows of every ready unit from those of its parent and successors. Six or seven generations cover
the country (new province; new communes and old provinces; old districts; old communes; earlier merges).

Missing allocation shares are created first as equal shares among the partly merged successors of a
predecessor, with basis "Chia đều (chưa có số dân)": they are editable, and shares by population should
replace them (then rebuild the map and the facts: `manage.py rebuild_facts --unit-map`).
"""

import logging
import time
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import Count, F
from django.utils.translation import gettext as _

from ctxh.geo.models import Succession, Unit
from ctxh.indicators.models import AllocationShare, UnitContribution

logger = logging.getLogger(__name__)

EQUAL_SHARE_BASIS = "Chia đều (chưa có số dân)"
SHARE_QUANTUM = Decimal("0.000001")


class UnitMapError(Exception):
    """The geography cannot be ordered (a cycle of successions or parents)."""


@dataclass(frozen=True)
class UnitMapResult:
    units: int
    rows: int
    estimated_rows: int
    shares_created: int
    generations: int
    seconds: float


def ensure_allocation_shares() -> int:
    """Create the missing shares of partly merged successions: equal shares among the partly merged
    successors of each predecessor. Existing shares (edited by people) are kept. Returns how many were
    created. Three queries and one bulk insert, whatever the number of successions."""
    pairs = set(Succession.objects.filter(partly_merged=True).exclude(predecessor=F("successor"))
                .values_list("predecessor_id", "successor_id"))
    if not pairs:
        return 0
    counts = dict(Succession.objects.filter(partly_merged=True).exclude(predecessor=F("successor"))
                  .order_by().values("predecessor_id")
                  .annotate(n=Count("successor_id", distinct=True)).values_list("predecessor_id", "n"))
    existing = set(AllocationShare.objects.values_list("predecessor_id", "successor_id"))
    missing = [
        AllocationShare(
            predecessor_id=pred, successor_id=succ,
            share=(Decimal(1) / Decimal(counts[pred])).quantize(SHARE_QUANTUM, rounding=ROUND_HALF_UP),
            basis=EQUAL_SHARE_BASIS,
        )
        for pred, succ in sorted(pairs - existing)
    ]
    AllocationShare.objects.bulk_create(missing, batch_size=1000)
    return len(missing)


def _generation_sql() -> str:
    q = connection.ops.quote_name
    uc = q(UnitContribution._meta.db_table)
    unit = q(Unit._meta.db_table)
    succession = q(Succession._meta.db_table)
    share = q(AllocationShare._meta.db_table)
    # `ready`: units without rows whose parent and successors all have theirs. `edges`: one row per
    # (predecessor, successor) pair, with the weight of the step.
    # `INSERT ... WITH ... SELECT` (not `WITH ... INSERT`): SQLite reports the row count only for the former.
    return f"""
        INSERT INTO {uc} (ancestor_id, unit_id, weight)
        WITH ready AS MATERIALIZED (
            SELECT u.id AS id, u.parent_id AS parent_id FROM {unit} u
            WHERE NOT EXISTS (SELECT 1 FROM {uc} d WHERE d.ancestor_id = u.id AND d.unit_id = u.id)
              AND (u.parent_id IS NULL OR EXISTS (
                   SELECT 1 FROM {uc} d WHERE d.ancestor_id = u.parent_id AND d.unit_id = u.parent_id))
              AND NOT EXISTS (
                   SELECT 1 FROM {succession} s
                   WHERE s.predecessor_id = u.id AND s.successor_id <> u.id
                     AND NOT EXISTS (SELECT 1 FROM {uc} d
                                     WHERE d.ancestor_id = s.successor_id AND d.unit_id = s.successor_id))
        ),
        edges AS (
            SELECT e.pred AS pred, e.succ AS succ,
                   CASE WHEN e.partly = 1 THEN COALESCE(CAST(a.share AS DOUBLE PRECISION), 1.0)
                        ELSE 1.0 END AS w
            FROM (SELECT s.predecessor_id AS pred, s.successor_id AS succ,
                         MAX(CASE WHEN s.partly_merged THEN 1 ELSE 0 END) AS partly
                  FROM {succession} s JOIN ready r ON r.id = s.predecessor_id
                  WHERE s.successor_id <> s.predecessor_id
                  GROUP BY s.predecessor_id, s.successor_id) e
            LEFT JOIN {share} a ON a.predecessor_id = e.pred AND a.successor_id = e.succ
        )
        SELECT x.ancestor_id, x.unit_id, CASE WHEN MAX(x.w) > 1.0 THEN 1.0 ELSE MAX(x.w) END
        FROM (
            SELECT r.id AS unit_id, r.id AS ancestor_id, CAST(1.0 AS DOUBLE PRECISION) AS w FROM ready r
            UNION ALL
            SELECT r.id, d.ancestor_id, d.weight FROM ready r JOIN {uc} d ON d.unit_id = r.parent_id
            UNION ALL
            SELECT e.pred, d.ancestor_id, SUM(e.w * d.weight)
            FROM edges e JOIN {uc} d ON d.unit_id = e.succ
            GROUP BY e.pred, d.ancestor_id
        ) x
        GROUP BY x.unit_id, x.ancestor_id
    """


def rebuild_unit_map() -> UnitMapResult:
    """Recompute the whole unit map (idempotent): missing allocation shares, then one statement per
    generation, in one transaction (readers see the old map until it commits)."""
    started = time.monotonic()
    sql = _generation_sql()
    with transaction.atomic():
        shares = ensure_allocation_shares()
        UnitContribution.objects.all().delete()
        generations = 0
        with connection.cursor() as cursor:
            while True:
                cursor.execute(sql)
                if cursor.rowcount <= 0:
                    break
                generations += 1
        units = Unit.objects.count()
        done = UnitContribution.objects.filter(ancestor_id=F("unit_id")).count()
        if done != units:
            stuck = list(Unit.objects.exclude(pk__in=UnitContribution.objects.filter(
                ancestor_id=F("unit_id")).values("unit_id")).order_by("pk")[:5])
            raise UnitMapError(_(
                "Không sắp xếp được %(n)s đơn vị hành chính theo thời gian (có vòng lặp kế thừa hoặc cấp "
                "trên), ví dụ: %(units)s."
            ) % {"n": units - done, "units": ", ".join(f"{u.code} {u.name}" for u in stuck)})
        rows = UnitContribution.objects.count()
        estimated = UnitContribution.objects.filter(weight__lt=1.0).count()
    result = UnitMapResult(units=units, rows=rows, estimated_rows=estimated, shares_created=shares,
                           generations=generations, seconds=time.monotonic() - started)
    logger.info("Unit map: %s", result)
    return result


def unit_map_is_empty() -> bool:
    return not UnitContribution.objects.exists()
