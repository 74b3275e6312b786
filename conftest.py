"""Fixtures shared by every app's tests."""

import datetime as dt
from types import SimpleNamespace

import pytest

from ctxh.geo.models import SuccessionKind, UnitKind
from ctxh.testing import LAST_OLD_DAY, REORG_DAY, make_succession, make_unit


@pytest.fixture
def small_geo(db):
    """Two generations of a small province, shaped like the 2025 reorganization of Tuyên Quang.

    Before 2025-07-01: old province "08" (district "070" with communes 02200, 02203, 02206) and old
    province "02" (district "024" with commune 00700). From 2025-07-01: new province "08" with two communes:
    02200 (kept code; = 02200 + 02203 + part of 02206) and 02210 (= rest of 02206 + 00700).
    """
    old08 = make_unit("08", "Tỉnh Tuyên Quang", UnitKind.PROVINCE, valid_to=LAST_OLD_DAY)
    old02 = make_unit("02", "Tỉnh Hà Giang", UnitKind.PROVINCE, valid_to=LAST_OLD_DAY)
    d070 = make_unit("070", "Thành phố Tuyên Quang", UnitKind.PROVINCIAL_CITY, old08, valid_to=LAST_OLD_DAY)
    d024 = make_unit("024", "Thành phố Hà Giang", UnitKind.PROVINCIAL_CITY, old02, valid_to=LAST_OLD_DAY)
    x1 = make_unit("02200", "Phường Phan Thiết", UnitKind.WARD, d070, valid_to=LAST_OLD_DAY)
    x2 = make_unit("02203", "Phường Minh Xuân", UnitKind.WARD, d070, valid_to=LAST_OLD_DAY)
    x3 = make_unit("02206", "Xã Tràng Đà", UnitKind.COMMUNE, d070, valid_to=LAST_OLD_DAY)
    y1 = make_unit("00700", "Phường Quang Trung", UnitKind.WARD, d024, valid_to=LAST_OLD_DAY)
    new08 = make_unit("08", "Tỉnh Tuyên Quang", UnitKind.PROVINCE, valid_from=REORG_DAY)
    n1 = make_unit("02200", "Phường Minh Xuân", UnitKind.WARD, new08, valid_from=REORG_DAY)
    n2 = make_unit("02210", "Xã Nông Tiến", UnitKind.COMMUNE, new08, valid_from=REORG_DAY)
    make_succession(old08, new08)
    make_succession(old02, new08)
    make_succession(x1, n1)
    make_succession(x2, n1)
    make_succession(x3, n1, SuccessionKind.SPLIT, partly=True)
    make_succession(x3, n2, SuccessionKind.SPLIT, partly=True)
    make_succession(y1, n2)
    return SimpleNamespace(
        old08=old08,
        old02=old02,
        d070=d070,
        d024=d024,
        x1=x1,
        x2=x2,
        x3=x3,
        y1=y1,
        new08=new08,
        n1=n1,
        n2=n2,
        before=dt.date(2024, 6, 1),
        after=dt.date(2025, 8, 1),
    )
