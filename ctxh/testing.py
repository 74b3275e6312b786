"""Factories shared by the test suites of every app: small, explicit, readable fixtures."""

import datetime as dt
import itertools

from ctxh.accounts.models import User, UserScope
from ctxh.accounts.roles import Role
from ctxh.geo.models import Succession, SuccessionKind, Unit, UnitKind
from ctxh.orgs.models import Organization, OrganizationLocation, OrgKind, Ownership, Sector

REORG_DAY = dt.date(2025, 7, 1)
LAST_OLD_DAY = dt.date(2025, 6, 30)
TEST_PASSWORD = "mat-khau-thu-nghiem-2025"
_codes = itertools.count(1)


def make_unit(
    code: str,
    name: str,
    kind: str = UnitKind.COMMUNE,
    parent: Unit | None = None,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
) -> Unit:
    return Unit.objects.create(
        code=code,
        name=name,
        kind=kind,
        parent=parent,
        valid_from=valid_from,
        valid_to=valid_to,
        source="test",
    )


def make_succession(
    old: Unit, new: Unit, kind: str = SuccessionKind.MERGE, partly: bool = False
) -> Succession:
    return Succession.objects.create(
        predecessor=old,
        successor=new,
        effective_date=REORG_DAY,
        kind=kind,
        partly_merged=partly,
        source="test",
    )


def make_org(
    unit: Unit,
    name: str | None = None,
    kind: str = OrgKind.COMMUNE_COMMITTEE,
    code: str | None = None,
    parent: Organization | None = None,
    valid_from: dt.date | None = dt.date(2015, 1, 1),
    valid_to: dt.date | None = None,
    **extra,
) -> Organization:
    number = next(_codes)
    org = Organization.objects.create(
        code=code or f"TEST-{number:05d}",
        name=name or f"Tổ chức thử {number}",
        kind=kind,
        sector=extra.pop("sector", Sector.LOCAL_GOVERNMENT),
        ownership=extra.pop("ownership", Ownership.PUBLIC),
        unit=unit,
        parent=parent,
        valid_from=valid_from,
        valid_to=valid_to,
        **extra,
    )
    OrganizationLocation.objects.create(organization=org, unit=unit, valid_from=valid_from, valid_to=valid_to)
    return org


def make_user(username: str, role: str = Role.ORG_OFFICER, units=(), organizations=(), **extra) -> User:
    user = User.objects.create_user(
        username=username,
        password=TEST_PASSWORD,
        role=role,
        full_name=extra.pop("full_name", username),
        **extra,
    )
    for unit in units:
        UserScope.objects.create(user=user, unit=unit)
    for org in organizations:
        UserScope.objects.create(user=user, organization=org)
    return user


# The data migrations that load reference data (ethnicities, categories, holidays, topics, base salaries,
# phases, staffing rules). A transactional test flushes the database at its end; later tests need them.
MIGRATION_DATA = (
    "ctxh.core.migrations.0002_load_ethnicities",
    "ctxh.cases.migrations.0002_load_categories",
    "ctxh.cases.migrations.0004_load_public_holidays",
    "ctxh.training.migrations.0002_topics",
    "ctxh.workforce.migrations.0002_reference_data",
)


def reload_migration_data() -> None:
    """Run the reference-data migrations again (they are idempotent) with today's models."""
    import importlib

    from django.apps import apps

    for name in MIGRATION_DATA:
        importlib.import_module(name).load(apps, None)
