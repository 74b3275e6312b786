"""A small world for the case API tests: two organizations in two communes of the new province, a social
worker in each (linked to a worker with a sign-in account), an officer of each, a provincial manager; a child
in each commune with a case in each organization, assigned to that organization's social worker."""

import datetime as dt
from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from ctxh.accounts.roles import Role
from ctxh.cases.testing import at, make_case, make_person
from ctxh.testing import REORG_DAY, make_org, make_user
from ctxh.workforce.testing import make_position, make_worker


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


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
    mai = make_person("Vàng Thị Mai", date_of_birth=dt.date(2015, 3, 9), unit=geo.n1, unit_from=REORG_DAY,
                      cccd="008315000111",
                      phone="0912345678", note="Bị bạo hành từ năm 2023")
    tu = make_person("Lò Văn Tú", date_of_birth=dt.date(2012, 6, 1), unit=geo.n2, unit_from=REORG_DAY)
    case_a = make_case(mai, org_a, worker_a, opened_at=at(2025, 9, 1), intake_summary="Bạo hành gia đình")
    case_b = make_case(tu, org_b, worker_b, opened_at=at(2025, 9, 2))
    return SimpleNamespace(
        geo=geo, org_a=org_a, org_b=org_b, worker_a=worker_a, worker_b=worker_b, sw_a=sw_a, sw_b=sw_b,
        officer_a=make_user("can-bo-a", Role.ORG_OFFICER, organizations=[org_a]),
        officer_b=make_user("can-bo-b", Role.ORG_OFFICER, organizations=[org_b]),
        manager=make_user("tinh", Role.PROGRAMME_MANAGER, units=[geo.new08]),
        mai=mai, tu=tu, case_a=case_a, case_b=case_b,
    )
