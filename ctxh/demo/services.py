"""`demo_load`: the demo data of one province, part after part, in one transaction.

Each part is a function of the province's map (ctxh.demo.geography) that creates what is missing and reuses
what exists, so a second run writes nothing. Later features add their own part (workers, trainings, people,
cases) to PARTS, after the parts they build on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from ctxh.demo import aggregate, cases, orgs, provincial, training, users, workforce
from ctxh.demo.builder import BuildStats, DemoDataError
from ctxh.demo.geography import REORG_DAY, Geography, geography_for
from ctxh.geo.models import Level, Unit

# A part is called as part(geo, stats=stats).
PARTS: list[Callable[..., object]] = [
    orgs.committees,                        # People's Committees of communes and districts
    provincial.provincial_organizations,    # departments, provincial facilities (data/*.csv)
    orgs.district_health_centres,
    orgs.local_services,                    # health stations and schools of every commune
    workforce.demo_workforce,               # social work people, positions, allowances (data/names.csv)
    training.demo_training,                 # courses, sessions, attendance (data/courses.csv)
    cases.demo_cases,                       # people in need, cases, services (data/case_statuses.csv)
    aggregate.demo_aggregate,               # numbers reported by communes that keep no records
]


@dataclass
class DemoResult:
    geography: Geography
    stats: BuildStats
    accounts: list[users.Account] = field(default_factory=list)


def demo_province(code: str) -> Unit:
    """The province (valid on 2025-07-01) with this code."""
    province = Unit.objects.by_code(code, REORG_DAY).filter(level=Level.PROVINCE).first()
    if province is None:
        raise DemoDataError(
            _("Chưa có tỉnh mã %(code)s hiệu lực từ 01/07/2025. Hãy chạy “manage.py load_admin_units” trước.")
            % {"code": code}
        )
    return province


@transaction.atomic
def demo_load(*, province: Unit, password: str | None, credentials_path: Path) -> DemoResult:
    """Load the demo organizations of `province` and of the provinces merged into it, and the demo users."""
    geo = geography_for(province)
    if not geo.communes:
        raise DemoDataError(
            _("%(province)s chưa có xã, phường nào từ 01/07/2025.") % {"province": province.name}
        )
    stats = BuildStats()
    for part in PARTS:
        part(geo, stats=stats)
    accounts = users.demo_users(geo, stats=stats, password=password, credentials_path=credentials_path)
    return DemoResult(geography=geo, stats=stats, accounts=accounts)
