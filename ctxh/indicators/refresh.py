"""Freshness: a saved record shows in the indicators within seconds, without a rebuild.

Receivers (connected in `IndicatorsConfig.ready`; the domain apps know nothing of them) note what a save or a
delete touches: which computations (`counselled`, `children`, `staffing`, `training`) or data elements, which
units (directly, or through a person's addresses or an organization's locations, resolved after the commit),
and which dates. An update also notes what the row touched before (read in `pre_save`), so that a service
moved to another day refreshes both days. When the transaction commits, the changes are merged and one task
(`refresh_facts_task`, django.tasks: immediate in tests and by default, `db_worker` in production) recomputes
only the ancestors of those units (through the unit map) and the periods sharing a day with the dates.

Bulk work (imports, demo loading) wraps itself in `facts_paused()`: the changes are collected and refreshed
once at the end (or dropped, `facts_paused(refresh=False)`, when the caller rebuilds).

Not followed (a rebuild is needed, `manage.py rebuild_facts`): bulk `update()`/`bulk_create()` outside the
domain services, changes of reference data (base salary, staffing rules, phases, vulnerability categories),
and of the geography (units, successions, allocation shares: `rebuild_facts --unit-map`).
"""

import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.tasks import task

from ctxh.indicators.engine.run import Change, refresh_for

logger = logging.getLogger(__name__)

STAFFING = frozenset({"staffing"})
TRAINING = frozenset({"training"})

_local = threading.local()


def _pending() -> list[Change]:
    if not hasattr(_local, "pending"):
        _local.pending = []
        _local.paused = 0
    return _local.pending


def record(changes: list[Change]) -> None:
    """Note changes; they are refreshed when the current transaction commits (at once outside one)."""
    if not changes:
        return
    _pending().extend(changes)
    if not _local.paused:
        # One callback per change (cheap): the first that runs takes every pending change, so a transaction
        # refreshes once, and changes noted before a test captures its callbacks are not lost.
        transaction.on_commit(_flush, robust=True)


def _take() -> list[Change]:
    pending = _pending()
    changes = list(pending)
    pending.clear()
    return changes


def merge(changes: list[Change]) -> list[Change]:
    """One change per (computations, elements, any unit or not): units, people and organizations united,
    the dates widened."""
    merged: dict[tuple, Change] = {}
    for change in changes:
        key = (change.methods, change.elements, change.units is None)
        old = merged.get(key)
        if old is None:
            merged[key] = change
            continue
        merged[key] = Change(
            methods=change.methods, elements=change.elements,
            units=None if change.units is None else old.units | change.units,
            persons=old.persons | change.persons, organizations=old.organizations | change.organizations,
            lo=None if old.lo is None or change.lo is None else min(old.lo, change.lo),
            hi=None if old.hi is None or change.hi is None else max(old.hi, change.hi),
        )
    return list(merged.values())


def to_json(change: Change) -> dict:
    return {
        "methods": sorted(change.methods), "elements": sorted(change.elements),
        "units": None if change.units is None else sorted(change.units),
        "persons": sorted(change.persons), "organizations": sorted(change.organizations),
        "lo": change.lo.isoformat() if change.lo else None,
        "hi": change.hi.isoformat() if change.hi else None,
    }


def from_json(data: dict) -> Change:
    return Change(
        methods=frozenset(data.get("methods") or ()), elements=frozenset(data.get("elements") or ()),
        units=None if data.get("units") is None else frozenset(data["units"]),
        persons=frozenset(data.get("persons") or ()),
        organizations=frozenset(data.get("organizations") or ()),
        lo=dt.date.fromisoformat(data["lo"]) if data.get("lo") else None,
        hi=dt.date.fromisoformat(data["hi"]) if data.get("hi") else None,
    )


def refresh_now(changes: list[Change]) -> int:
    """Recompute what the changes touch (the body of the task); returns the number of fact rows changed."""
    written = 0
    for change in merge(changes):
        written += refresh_for(change).changed
    return written


@task
def refresh_facts_task(changes: list[dict]) -> int:
    try:
        return refresh_now([from_json(c) for c in changes])
    except Exception:
        logger.exception("Indicator facts: the refresh failed; `manage.py rebuild_facts` repairs them")
        raise


def _flush() -> None:
    changes = merge(_take())
    if not changes:
        return
    payload = [to_json(c) for c in changes]
    try:
        refresh_facts_task.enqueue(payload)
    except Exception:
        # The queue is unreachable: refresh here rather than leave the facts stale.
        logger.exception("Indicator facts: could not queue the refresh; running it now")
        refresh_now(changes)


@contextmanager
def facts_paused(refresh: bool = True) -> Iterator[None]:
    """Collect the changes of a bulk operation and refresh once at the end (after its commit), or drop them
    (`refresh=False`) when the caller rebuilds the facts itself."""
    _pending()
    _local.paused += 1
    try:
        yield
    finally:
        _local.paused -= 1
        if not _local.paused:
            if refresh and _local.pending:
                transaction.on_commit(_flush, robust=True)
            elif not refresh:
                _local.pending.clear()


# --- what a row touches ------------------------------------------------------------------------------------


def _session_day(session_id: int | None) -> dt.date | None:
    from ctxh.training.models import Session

    return Session.objects.filter(pk=session_id).values_list("start_date", flat=True).first()


def _position_org(position_id: int | None) -> int | None:
    from ctxh.workforce.models import Position

    return Position.objects.filter(pk=position_id).values_list("organization_id", flat=True).first()


def _ids(*values) -> frozenset[int]:
    return frozenset(v for v in values if v is not None)


def _in_child_groups(*person_ids) -> bool:
    """Whether one of the people ever held a status of the plan's six groups of children: only then can
    their services, addresses or sex change CHILDREN (a status of those groups says so itself)."""
    from ctxh.cases.models import PersonStatus

    ids = [pk for pk in person_ids if pk is not None]
    return bool(ids) and PersonStatus.objects.filter(person_id__in=ids).exclude(
        category__plan154_child_group="").exists()


def _cases(*person_ids, counselled: bool = True, children: bool = True) -> frozenset[str]:
    methods = {"counselled"} if counselled else set()
    if children and _in_child_groups(*person_ids):
        methods.add("children")
    return frozenset(methods)


def service_changes(row) -> list[Change]:
    # COUNSELLED counts social work services; CHILDREN social assistance and socially mobilized social work.
    from ctxh.cases.indicators import COUNSELLING_TYPES
    from ctxh.cases.models import FundingSource, ServiceType

    social_work = row.service_type in COUNSELLING_TYPES
    for_children = row.service_type == ServiceType.SOCIAL_ASSISTANCE or (
        social_work and row.funding_source == FundingSource.SOCIAL_MOBILIZATION)
    methods = _cases(row.person_id, counselled=social_work, children=for_children)
    if not methods:
        return []
    return [Change(methods=methods, persons=_ids(row.person_id), lo=row.delivered_on, hi=row.delivered_on)]


def status_changes(row) -> list[Change]:
    from ctxh.cases.models import VulnerabilityCategory

    group = VulnerabilityCategory.objects.filter(pk=row.category_id).values_list(
        "plan154_child_group", flat=True).first()
    methods = frozenset({"counselled", "children"}) if group else frozenset({"counselled"})
    return [Change(methods=methods, persons=_ids(row.person_id), lo=row.start_date, hi=row.end_date)]


def address_changes(row) -> list[Change]:
    return [Change(methods=_cases(row.person_id), units=_ids(row.unit_id), persons=_ids(row.person_id),
                   lo=row.valid_from, hi=row.valid_to)]


def person_changes(row) -> list[Change]:
    # Sex, birth, ethnicity and a merge change every period the person counts in.
    return [Change(methods=_cases(row.pk, row.merged_into_id), persons=_ids(row.pk, row.merged_into_id))]


def organization_changes(row) -> list[Change]:
    return [Change(methods=STAFFING, organizations=_ids(row.pk), lo=row.valid_from, hi=row.valid_to),
            Change(methods=TRAINING, units=None, lo=row.valid_from, hi=row.valid_to)]


def location_changes(row) -> list[Change]:
    return [Change(methods=STAFFING, units=_ids(row.unit_id), organizations=_ids(row.organization_id),
                   lo=row.valid_from, hi=row.valid_to),
            Change(methods=TRAINING, units=None, lo=row.valid_from, hi=row.valid_to)]


def position_changes(row) -> list[Change]:
    # Positions qualify organizations (STAFFING) and place named participants of training (TRAINING).
    return [Change(methods=STAFFING, organizations=_ids(row.organization_id), lo=row.start_date,
                   hi=row.end_date),
            Change(methods=TRAINING, units=None, lo=row.start_date, hi=row.end_date)]


def allowance_changes(row) -> list[Change]:
    return [Change(methods=STAFFING, organizations=_ids(_position_org(row.position_id)),
                   lo=row.effective_date)]


def worker_changes(row) -> list[Change]:
    return [Change(methods=TRAINING, units=None)]  # the participant's sex, in every period


def session_changes(row) -> list[Change]:
    return [Change(methods=TRAINING, units=None, lo=row.start_date, hi=row.start_date)]


def attendance_changes(row) -> list[Change]:
    day = _session_day(row.session_id)
    return [Change(methods=TRAINING, units=None, lo=day, hi=day)]


def counted_changes(row) -> list[Change]:
    day = _session_day(row.session_id)
    return [Change(methods=TRAINING, units=_ids(row.unit_id), lo=day, hi=day)]


def data_value_changes(row) -> list[Change]:
    return [Change(elements=_ids(row.data_element_id), units=_ids(row.unit_id), lo=row.period_start,
                   hi=row.period_end)]


# (model label, what a row touches, the fields that matter: an update changing none of them is ignored;
# None: every update counts)
TRACKED: list[tuple[str, Callable[..., list[Change]], tuple[str, ...] | None]] = [
    ("cases.ServiceDelivery", service_changes, None),
    ("cases.PersonStatus", status_changes, None),
    ("cases.PersonAddress", address_changes, None),
    ("cases.Person", person_changes,
     ("sex", "date_of_birth", "birth_year", "ethnicity_id", "merged_into_id")),
    ("orgs.Organization", organization_changes, ("kind", "unit_id", "valid_from", "valid_to")),
    ("orgs.OrganizationLocation", location_changes, None),
    ("workforce.Position", position_changes, None),
    ("workforce.AllowanceChange", allowance_changes, None),
    ("workforce.Worker", worker_changes, ("sex",)),
    ("training.Session", session_changes, ("start_date",)),
    ("training.Attendance", attendance_changes, None),
    ("training.CountedAttendance", counted_changes, None),
    ("indicators.DataValue", data_value_changes, ("unit_id", "period_code", "value", "data_element_id",
                                                  "category_option_combo_id")),
]

_OLD = "_ctxh_facts_old"


def _receivers(changes_of: Callable[..., list[Change]], fields: tuple[str, ...] | None):
    def before_save(sender, instance, raw=False, **kwargs):
        if raw or instance._state.adding or instance.pk is None:
            return
        old = sender._base_manager.filter(pk=instance.pk).first()
        setattr(instance, _OLD, old)

    def after_save(sender, instance, created, raw=False, **kwargs):
        if raw:
            return
        old = getattr(instance, _OLD, None)
        if hasattr(instance, _OLD):
            delattr(instance, _OLD)
        if created:
            if fields is not None and sender._meta.label in ("cases.Person", "workforce.Worker"):
                return  # a new person or worker counts once their addresses, statuses or positions exist
            record(changes_of(instance))
            return
        if old is not None and fields is not None and all(
                getattr(old, name) == getattr(instance, name) for name in fields):
            return
        record(changes_of(instance) + (changes_of(old) if old is not None else []))

    def after_delete(sender, instance, **kwargs):
        record(changes_of(instance))

    return before_save, after_save, after_delete


def connect() -> None:
    from django.apps import apps

    for label, changes_of, fields in TRACKED:
        model = apps.get_model(label)
        before_save, after_save, after_delete = _receivers(changes_of, fields)
        uid = f"ctxh.indicators.refresh:{label}"
        pre_save.connect(before_save, sender=model, weak=False, dispatch_uid=f"{uid}:pre_save")
        post_save.connect(after_save, sender=model, weak=False, dispatch_uid=f"{uid}:post_save")
        post_delete.connect(after_delete, sender=model, weak=False, dispatch_uid=f"{uid}:post_delete")
