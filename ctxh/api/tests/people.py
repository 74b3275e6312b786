"""A small workforce on the API tests' network (see conftest.network), shared by the workforce, training and
scope tests of the API.

- Nguyễn Thị Hoa (CCCD 008190123456): part-time in the lower secondary school of Minh Xuân (02200 today)
  since 2021, allowance 2,340,000, raised to 2,530,000 on 2024-07-01.
- Trần Văn Nam (CCCD 008085654321): full-time in the primary school of the old Phan Thiết ward until
  2025-06-30, then collaborator in the health station of Nông Tiến (02210) from 2025-07-01.
- Lý Thị An: in the preschool of the old Quang Trung ward (old Hà Giang, now part of 02210) until 2025-06-30.
- Đỗ Văn Xa: in a commune of Hà Nội, outside the province: nobody of the province sees him.
"""

import datetime as dt
from types import SimpleNamespace

from ctxh.core.reference import Sex
from ctxh.geo.models import UnitKind
from ctxh.orgs.models import OrgKind
from ctxh.testing import LAST_OLD_DAY, REORG_DAY, make_org, make_unit
from ctxh.workforce.models import Dedication
from ctxh.workforce.testing import make_position, make_worker, set_allowance

HOA_CCCD = "008190123456"
NAM_CCCD = "008085654321"


def build_people(small_geo, network) -> SimpleNamespace:
    hoa = make_worker("Nguyễn Thị Hoa", Sex.FEMALE, dt.date(1990, 5, 17), cccd=HOA_CCCD, phone="0912345678")
    hoa_school = make_position(hoa, network.school, start=dt.date(2021, 1, 1), allowance=2_340_000,
                               title="Giáo viên kiêm nhiệm CTXH")
    set_allowance(hoa_school, dt.date(2024, 7, 1), 2_530_000)

    nam = make_worker("Trần Văn Nam", Sex.MALE, dt.date(1985, 2, 3), cccd=NAM_CCCD)
    nam_old = make_position(nam, network.old_school, start=dt.date(2020, 1, 1), end=LAST_OLD_DAY,
                            allowance=1_800_000, dedication=Dedication.FULL_TIME)
    nam_station = make_position(nam, network.station, start=REORG_DAY, allowance=2_340_000,
                                dedication=Dedication.COLLABORATOR)

    an = make_worker("Lý Thị An", Sex.FEMALE, dt.date(1995, 9, 9))
    an_preschool = make_position(an, network.preschool, start=dt.date(2022, 1, 1), end=LAST_OLD_DAY)

    hanoi = make_unit("01", "Thành phố Hà Nội", UnitKind.MUNICIPALITY)
    ba_dinh = make_unit("00004", "Phường Ba Đình", UnitKind.WARD, hanoi)
    far_committee = make_org(ba_dinh, "UBND phường Ba Đình", OrgKind.COMMUNE_COMMITTEE, code="UB-00004")
    xa = make_worker("Đỗ Văn Xa", Sex.MALE, dt.date(1980, 1, 1))
    xa_position = make_position(xa, far_committee, start=dt.date(2021, 1, 1))
    return SimpleNamespace(
        hoa=hoa, hoa_school=hoa_school, nam=nam, nam_old=nam_old, nam_station=nam_station, an=an,
        an_preschool=an_preschool, hanoi=hanoi, ba_dinh=ba_dinh, far_committee=far_committee, xa=xa,
        xa_position=xa_position,
    )
