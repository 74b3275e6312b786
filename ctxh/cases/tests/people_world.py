"""A small world for the tests of the people pages, the beneficiary export and the care plan API (engineer
"cases"): two organizations in two communes of the new province, a social worker of each (linked to a worker
with a sign-in account), an officer of each commune (scoped to the commune, so they see its people and its
organization's cases), a provincial manager, a leader and an administrator.

- Vàng Thị Mai (a child of Phường Minh Xuân, CCCD, phone, note), orphan since 2024 (not sensitive) and living
  with HIV (sensitive), with a case at organization A assigned to A's social worker;
- "Vang Thi Mai", the same child registered twice (same birth date and commune, no CCCD), no case;
- Lò Văn Tú (a child of Xã Nông Tiến), with a case at organization B assigned to B's social worker.
"""

import datetime as dt
from types import SimpleNamespace

import pytest

from ctxh.accounts.roles import Role
from ctxh.cases.testing import at, make_case, make_person, make_status
from ctxh.testing import REORG_DAY, make_org, make_user
from ctxh.workforce.testing import make_position, make_worker

MAI_CCCD = "008315000111"


@pytest.fixture
def people_world(small_geo):
    geo = small_geo
    org_a = make_org(geo.n1, "UBND phường Minh Xuân")
    org_b = make_org(geo.n2, "UBND xã Nông Tiến")
    worker_a, worker_b = make_worker("Lê Thị Minh"), make_worker("Hoàng Văn Tú")
    make_position(worker_a, org_a, start=dt.date(2020, 1, 1))
    make_position(worker_b, org_b, start=dt.date(2020, 1, 1))
    sw_a = make_user("ctxh-a", Role.SOCIAL_WORKER, organizations=[org_a])
    sw_b = make_user("ctxh-b", Role.SOCIAL_WORKER, organizations=[org_b])
    worker_a.user, worker_b.user = sw_a, sw_b
    worker_a.save()
    worker_b.save()
    mai = make_person("Vàng Thị Mai", date_of_birth=dt.date(2015, 3, 9), unit=geo.n1, unit_from=REORG_DAY,
                      cccd=MAI_CCCD, phone="0912345678", note="Mẹ bị bạo hành")
    orphan = make_status(mai, "TE01", start=dt.date(2024, 5, 1), evidence="Giấy chứng tử của cha mẹ")
    hiv = make_status(mai, "HIV", start=dt.date(2024, 5, 1), evidence="Kết quả xét nghiệm")
    twin = make_person("Vang Thi Mai", date_of_birth=dt.date(2015, 3, 9), unit=geo.n1, unit_from=REORG_DAY)
    tu = make_person("Lò Văn Tú", date_of_birth=dt.date(2012, 6, 1), unit=geo.n2, unit_from=REORG_DAY)
    return SimpleNamespace(
        geo=geo, org_a=org_a, org_b=org_b, worker_a=worker_a, worker_b=worker_b, sw_a=sw_a, sw_b=sw_b,
        officer_a=make_user("can-bo-a", Role.ORG_OFFICER, units=[geo.n1]),
        officer_b=make_user("can-bo-b", Role.ORG_OFFICER, units=[geo.n2]),
        manager=make_user("tinh", Role.PROGRAMME_MANAGER, units=[geo.new08]),
        leader=make_user("lanh-dao", Role.LEADER, units=[geo.new08]),
        admin=make_user("quan-tri", Role.ADMIN),
        mai=mai, twin=twin, tu=tu, orphan=orphan, hiv=hiv,
        case_a=make_case(mai, org_a, worker_a, opened_at=at(2025, 9, 1), intake_summary="Bạo hành gia đình"),
        case_b=make_case(tu, org_b, worker_b, opened_at=at(2025, 9, 2)),
    )
