import datetime as dt

import pytest

from ctxh.accounts.roles import Role
from ctxh.orgs.models import OrgKind
from ctxh.testing import make_org, make_user
from ctxh.training.models import Course
from ctxh.training.testing import attend, count, make_course, make_session
from ctxh.workforce.models import Position, Worker
from ctxh.workforce.testing import make_position, make_worker

pytestmark = pytest.mark.django_db


def test_a_commune_user_sees_only_the_workers_and_courses_of_their_commune(small_geo):
    mine = make_org(small_geo.n1, kind=OrgKind.COMMUNE_COMMITTEE)
    theirs = make_org(small_geo.n2, kind=OrgKind.COMMUNE_COMMITTEE)
    own_worker, other_worker, unplaced = make_worker(), make_worker(), make_worker()
    make_position(own_worker, mine)
    make_position(other_worker, theirs)
    own_course = make_course(mine)
    attended = make_course(theirs, title="Lớp của xã khác, có người của xã mình dự")
    attend(make_session(attended, dt.date(2025, 9, 1)), own_worker)
    counted = make_course(theirs, title="Lớp chỉ có số liệu")
    count(make_session(counted, dt.date(2025, 9, 1)), small_geo.n1, 3)
    make_course(theirs, title="Lớp của xã khác")

    user = make_user("xa1", Role.ORG_OFFICER, units=[small_geo.n1])
    assert list(Worker.objects.for_user(user)) == [own_worker]
    assert list(Position.objects.for_user(user).values_list("worker", flat=True)) == [own_worker.pk]
    assert set(Course.objects.for_user(user)) == {own_course, attended, counted}

    admin = make_user("admin", Role.ADMIN)
    assert set(Worker.objects.for_user(admin)) == {own_worker, other_worker, unplaced}
    assert Course.objects.for_user(admin).count() == 4
