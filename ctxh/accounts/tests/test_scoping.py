"""The scoping layer on the small two-generation geography (see conftest.small_geo)."""

import pytest

from ctxh.accounts.roles import Role
from ctxh.geo.models import Unit
from ctxh.orgs.models import Organization
from ctxh.testing import make_org, make_user

pytestmark = pytest.mark.django_db


def visible_units(user) -> set[int]:
    return set(Unit.objects.for_user(user).values_list("id", flat=True))


def visible_orgs(user) -> set[int]:
    return set(Organization.objects.for_user(user).values_list("id", flat=True))


def ids(*objects) -> set[int]:
    return {obj.pk for obj in objects}


def test_user_of_a_new_commune_sees_it_and_the_old_communes_merged_into_it(small_geo):
    g = small_geo
    user = make_user("phuong.n1", Role.ORG_OFFICER, units=[g.n1])
    assert visible_units(user) == ids(g.n1, g.x1, g.x2, g.x3)
    assert not visible_units(user) & ids(g.n2, g.y1)


def test_user_of_the_new_province_sees_everything_of_both_old_provinces(small_geo):
    user = make_user("tinh", Role.PROGRAMME_MANAGER, units=[small_geo.new08])
    assert visible_units(user) == set(Unit.objects.values_list("id", flat=True))


def test_organizations_follow_the_units_of_the_scope(small_geo):
    g = small_geo
    in_old = make_org(g.x2, name="UBND phường Minh Xuân (cũ)")
    in_new = make_org(g.n1, name="UBND phường Minh Xuân")
    split = make_org(g.x3, name="Trạm y tế xã Tràng Đà")
    elsewhere = make_org(g.y1, name="UBND phường Quang Trung")
    user = make_user("phuong.n1", Role.ORG_OFFICER, units=[g.n1])
    assert visible_orgs(user) == ids(in_old, in_new, split)
    assert elsewhere.pk not in visible_orgs(user)


def test_organization_scoped_user_sees_the_organization_and_its_children_only(small_geo):
    g = small_geo
    centre = make_org(g.n1, name="Trung tâm Công tác xã hội")
    branch = make_org(g.n2, name="Chi nhánh", parent=centre)
    sub_branch = make_org(g.n2, name="Điểm tư vấn", parent=branch)
    neighbour = make_org(g.n1, name="Trường Tiểu học")
    user = make_user("trung.tam", Role.SOCIAL_WORKER, organizations=[centre])
    assert visible_orgs(user) == ids(centre, branch, sub_branch)
    assert neighbour.pk not in visible_orgs(user)
    # The units where those organizations are, and nothing more.
    assert visible_units(user) == ids(g.n1, g.n2)


def test_user_without_scope_sees_nothing(small_geo):
    make_org(small_geo.n1)
    user = make_user("khong.pham.vi", Role.LEADER)
    assert visible_units(user) == set()
    assert visible_orgs(user) == set()


def test_administrator_sees_everything(small_geo):
    orgs = ids(make_org(small_geo.n1), make_org(small_geo.y1))
    admin = make_user("quan.tri", Role.ADMIN)
    assert visible_units(admin) == set(Unit.objects.values_list("id", flat=True))
    assert visible_orgs(admin) == orgs


def test_inactive_user_sees_nothing(small_geo):
    make_org(small_geo.n1)
    user = make_user("nghi.viec", Role.ADMIN, is_active=False)
    assert visible_units(user) == set()
    assert visible_orgs(user) == set()


def test_scope_costs_a_few_queries_whatever_the_number_of_units(small_geo, django_assert_max_num_queries):
    user = make_user("tinh", Role.PROGRAMME_MANAGER, units=[small_geo.new08])
    with django_assert_max_num_queries(12):
        visible_units(user)
        visible_orgs(user)
