"""Test data for the indicators: a tiny, hand-countable dataset on the small_geo fixture (`build_world`),
shared by the registry tests and the page tests.

Organizations (all active since 2015, located in the old units):
- A: People's Committee in x1, one person paid 2,340,000 from 2021: qualifies on every day.
- B: school in x2, one person paid 2,000,000: qualifies until 30/06/2024, below the base salary (2,340,000)
  from 01/07/2024.
- C: health station in y1 (old Hà Giang), nobody.
- D: department in x1: not counted by STAFFING (kind out of the plan's scope).
- E: school in x3, one person paid 2,500,000 whose position ended on 31/10/2024.
- F: health station in x1, nobody.

STAFFING on 31/12/2024: old Tuyên Quang (x1, x2, x3) 1/4 (A); the new Tuyên Quang 1/5 (C too).
On 30/06/2024 (base 1,800,000): old Tuyên Quang 3/4 (A, B, E).

Training (course organized by D): a session on 10/03/2022 completed by A's and C's people (one more person
of A did not complete it); a session on 05/05/2024 with 5 person-times counted in x2; a session on
01/03/2026 completed by A's person (phase 2). Phase 1: old Tuyên Quang 6, the new Tuyên Quang 7.
"""

import datetime as dt
from types import SimpleNamespace

from ctxh.accounts.roles import Role
from ctxh.core.reference import Sex
from ctxh.orgs.models import OrgKind
from ctxh.testing import make_org, make_user
from ctxh.training.testing import attend, count, make_course, make_session
from ctxh.workforce.testing import make_position, make_worker, staff


def build_world(small_geo) -> SimpleNamespace:
    g = small_geo
    a = make_org(g.x1, "UBND phường Phan Thiết", OrgKind.COMMUNE_COMMITTEE)
    b = make_org(g.x2, "Trường THCS Minh Xuân", OrgKind.SCHOOL)
    c = make_org(g.y1, "Trạm y tế phường Quang Trung", OrgKind.HEALTH)
    d = make_org(g.x1, "Sở Lao động - Thương binh và Xã hội", OrgKind.DEPARTMENT)
    e = make_org(g.x3, "Trường Tiểu học Tràng Đà", OrgKind.SCHOOL)
    f = make_org(g.x1, "Trạm y tế phường Phan Thiết", OrgKind.HEALTH)
    hoa = make_worker("Nguyễn Thị Hoa", Sex.FEMALE)
    make_position(hoa, a, allowance=2_340_000)
    staff(b, allowance=2_000_000)
    staff(e, allowance=2_500_000, end=dt.date(2024, 10, 31))
    nam = make_worker("Trần Văn Nam", Sex.MALE)
    make_position(nam, c, allowance=None)
    quitter = make_worker("Lê Văn Bỏ", Sex.MALE)
    make_position(quitter, a, allowance=None)

    course = make_course(d, "SW_SKILLS", "CASE_MANAGEMENT")
    s2022 = make_session(course, dt.date(2022, 3, 10), dt.date(2022, 3, 12))
    attend(s2022, hoa)
    attend(s2022, nam)
    attend(s2022, quitter, completed=False)
    s2024 = make_session(course, dt.date(2024, 5, 5))
    count(s2024, g.x2, 5, org_kind=OrgKind.SCHOOL, sex=Sex.FEMALE)
    s2026 = make_session(course, dt.date(2026, 3, 1))
    attend(s2026, hoa)
    return SimpleNamespace(geo=g, a=a, b=b, c=c, d=d, e=e, f=f, hoa=hoa, nam=nam)


def make_province_manager(world):
    return make_user("quanly", Role.PROGRAMME_MANAGER, units=[world.geo.new08])


def make_commune_officer(world):
    """An officer of the new commune n1 (which the old x1, x2 and part of x3 were merged into)."""
    return make_user("canboxa", Role.ORG_OFFICER, units=[world.geo.n1])
