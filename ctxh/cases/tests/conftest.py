"""A small world for the case tests: two communes of the new province, an organization in each, a
social worker in each (with a sign-in account), an officer of each organization, a provincial manager and a
leader."""

import datetime as dt
from types import SimpleNamespace

import pytest

from ctxh.accounts.roles import Role
from ctxh.testing import make_org, make_user
from ctxh.workforce.testing import make_position, make_worker


@pytest.fixture
def world(small_geo):
    geo = small_geo
    org_a = make_org(geo.n1, "UBND phường Minh Xuân")
    org_b = make_org(geo.n2, "UBND xã Nông Tiến")
    worker_a = make_worker("Lê Thị Minh")
    worker_b = make_worker("Hoàng Văn Tú")
    make_position(worker_a, org_a, start=dt.date(2020, 1, 1))
    make_position(worker_b, org_b, start=dt.date(2020, 1, 1))
    sw_a = make_user("ctxh-a", Role.SOCIAL_WORKER, organizations=[org_a])
    sw_b = make_user("ctxh-b", Role.SOCIAL_WORKER, organizations=[org_b])
    worker_a.user = sw_a
    worker_a.save()
    worker_b.user = sw_b
    worker_b.save()
    return SimpleNamespace(
        geo=geo, org_a=org_a, org_b=org_b, worker_a=worker_a, worker_b=worker_b, sw_a=sw_a, sw_b=sw_b,
        officer_a=make_user("can-bo-a", Role.ORG_OFFICER, organizations=[org_a]),
        officer_b=make_user("can-bo-b", Role.ORG_OFFICER, organizations=[org_b]),
        manager=make_user("tinh", Role.PROGRAMME_MANAGER, units=[geo.new08]),
        leader=make_user("lanh-dao", Role.LEADER, units=[geo.new08]),
    )
