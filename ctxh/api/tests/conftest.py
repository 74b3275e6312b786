"""Fixtures for the API tests: a client signed in as a province-wide programme manager, a small network."""

from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from ctxh.accounts.roles import Role
from ctxh.orgs.models import HealthLevel, OrgKind, Ownership, SchoolLevel, Sector
from ctxh.testing import LAST_OLD_DAY, REORG_DAY, make_org, make_user


@pytest.fixture
def manager(small_geo):
    """A provincial programme manager of the new Tuyên Quang: sees both generations of the province."""
    return make_user("quanly", Role.PROGRAMME_MANAGER, units=[small_geo.new08])


@pytest.fixture
def api(manager):
    client = APIClient()
    client.force_authenticate(manager)
    return client


@pytest.fixture
def network(small_geo):
    """Organizations in both generations of the small province (see conftest.small_geo).

    Old units: the People's Committee of Tràng Đà (02206), a primary school in Phan Thiết (02200) and
    a preschool in Quang Trung (00700, old Hà Giang), all closed on 2025-06-30, and the old department of
    labour. New units: the committee of Minh Xuân (02200 from 2025-07-01) succeeding Tràng Đà's, a lower
    secondary school and an NGO there, a health station in Nông Tiến (02210), the Department of Health
    (successor of the old department) and the province's social work centre under it.
    """
    g = small_geo
    committee = make_org(g.n1, "UBND phường Minh Xuân", OrgKind.COMMUNE_COMMITTEE, code="UB-02200-MOI",
                         valid_from=REORG_DAY)
    old_committee = make_org(g.x3, "UBND xã Tràng Đà", OrgKind.COMMUNE_COMMITTEE, code="UB-02206",
                             valid_to=LAST_OLD_DAY, successor=committee)
    old_school = make_org(g.x1, "Trường Tiểu học Phan Thiết", OrgKind.SCHOOL, code="TH-PT",
                          sector=Sector.EDUCATION, school_level=SchoolLevel.PRIMARY, valid_to=LAST_OLD_DAY)
    school = make_org(g.n1, "Trường THCS Minh Xuân", OrgKind.SCHOOL, code="THCS-MX", sector=Sector.EDUCATION,
                      school_level=SchoolLevel.LOWER_SECONDARY)
    ngo = make_org(g.n1, "Hội Bảo vệ quyền trẻ em", OrgKind.NGO, code="NGO-TE", sector=Sector.OTHER,
                   ownership=Ownership.NGO)
    station = make_org(g.n2, "Trạm Y tế xã Nông Tiến", OrgKind.HEALTH, code="TYT-NT", sector=Sector.HEALTH,
                       health_level=HealthLevel.HEALTH_STATION, valid_from=REORG_DAY)
    preschool = make_org(g.y1, "Trường Mầm non Quang Trung", OrgKind.SCHOOL, code="MN-QT",
                         sector=Sector.EDUCATION, school_level=SchoolLevel.PRESCHOOL, valid_to=LAST_OLD_DAY)
    department = make_org(g.new08, "Sở Y tế", OrgKind.DEPARTMENT, code="SO-YT", sector=Sector.HEALTH)
    old_department = make_org(g.old08, "Sở Lao động - Thương binh và Xã hội", OrgKind.DEPARTMENT,
                              code="SO-LDTBXH", sector=Sector.LABOUR, valid_to=LAST_OLD_DAY,
                              successor=department)
    centre = make_org(g.new08, "Trung tâm Công tác xã hội tỉnh", OrgKind.SOCIAL_ASSISTANCE, code="TT-CTXH",
                      sector=Sector.SOCIAL_PROTECTION, parent=department)
    return SimpleNamespace(
        committee=committee, old_committee=old_committee, old_school=old_school, school=school, ngo=ngo,
        station=station, preschool=preschool, department=department, old_department=old_department,
        centre=centre,
    )
