from types import SimpleNamespace

import pytest

from ctxh.accounts.roles import Role
from ctxh.audit.masking import SENSITIVE_FIELDS, MaskKind, Sensitive
from ctxh.testing import make_org, make_user
from ctxh.workforce.testing import make_position, make_worker

CCCD_HOA = "008190123456"
CCCD_LAN = "002185004321"


@pytest.fixture
def world(small_geo):
    """Two communes of the new province with their organizations, workers, and one user of each role."""
    minh_xuan = make_org(small_geo.n1, "UBND phường Minh Xuân", code="ORG-MX")
    school = make_org(small_geo.n1, "Trường THCS Minh Xuân", code="ORG-MX-S")
    health = make_org(small_geo.n1, "Trạm y tế Minh Xuân", code="ORG-MX-H")
    nong_tien = make_org(small_geo.n2, "UBND xã Nông Tiến", code="ORG-NT")
    hoa = make_worker("Nguyễn Thị Hoa", cccd=CCCD_HOA, phone="0912 345 678", note="Đang điều trị trầm cảm")
    lan = make_worker("Lê Thị Lan", cccd=CCCD_LAN, phone="", note="")
    make_position(hoa, minh_xuan)
    make_position(lan, nong_tien)
    users = {
        role: make_user(f"u.{role}", role, units=[small_geo.new08] if role != Role.ADMIN else [])
        for role in Role.values
    }
    officer = make_user("can.bo.mx", Role.ORG_OFFICER, units=[small_geo.n1])
    return SimpleNamespace(
        geo=small_geo, minh_xuan=minh_xuan, school=school, health=health, nong_tien=nong_tien, hoa=hoa,
        lan=lan, users=users, officer=officer, admin=users[Role.ADMIN],
        manager=users[Role.PROGRAMME_MANAGER], leader=users[Role.LEADER],
        social_worker=users[Role.SOCIAL_WORKER],
    )


@pytest.fixture
def sensitive_workers(monkeypatch):
    """Workers' CCCD, phone and note declared sensitive for the test (the real registry is the apps')."""
    monkeypatch.setitem(
        SENSITIVE_FIELDS, "workforce.Worker",
        [Sensitive("cccd", MaskKind.CCCD), Sensitive("phone", MaskKind.PHONE), "note"],
    )
