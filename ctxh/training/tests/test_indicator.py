"""TRAINING, hand-counted on the small_geo fixture."""

import datetime as dt
from types import SimpleNamespace

import pytest

from ctxh.core.reference import Sex
from ctxh.orgs.models import OrgKind
from ctxh.testing import make_org
from ctxh.training.selectors import training
from ctxh.training.testing import attend, count, make_course, make_session
from ctxh.workforce.testing import make_position, make_worker

pytestmark = pytest.mark.django_db

PHASE_1 = {"start": dt.date(2021, 1, 1), "end": dt.date(2025, 12, 31)}


@pytest.fixture
def world(small_geo):
    """A commune People's Committee in old Tuyên Quang (x1), a school in old Hà Giang (y1), one course with
    two topics organized by a department in x1, and one session on 10/03/2022."""
    committee = make_org(small_geo.x1, kind=OrgKind.COMMUNE_COMMITTEE)
    school = make_org(small_geo.y1, kind=OrgKind.SCHOOL)
    department = make_org(small_geo.x1, kind=OrgKind.DEPARTMENT)
    hoa = make_worker("Nguyễn Thị Hoa", Sex.FEMALE)
    nam = make_worker("Trần Văn Nam", Sex.MALE)
    make_position(hoa, committee)
    make_position(nam, school)
    course = make_course(department, "SW_SKILLS", "CASE_MANAGEMENT")
    session = make_session(course, dt.date(2022, 3, 10), dt.date(2022, 3, 12))
    return SimpleNamespace(geo=small_geo, committee=committee, school=school, department=department, hoa=hoa,
                           nam=nam, course=course, session=session)


def test_completed_attendance_counts_once_each_and_incomplete_not_at_all(world):
    attend(world.session, world.hoa)
    attend(world.session, world.nam)
    attend(world.session, make_position(make_worker(), world.committee).worker, completed=False)
    attend(world.session, person_name="Lý Văn Sáng", sex=Sex.MALE, organization=world.committee)
    result = training(world.geo.old08, **PHASE_1)
    # Hoa and Lý Văn Sáng; Nam works in old Hà Giang.
    assert (result.total, result.named, result.counted) == (2, 2, 0)
    assert training(world.geo.new08, **PHASE_1).total == 3
    assert training(world.geo.n2, **PHASE_1).total == 1  # y1 went to n2
    # A second completed session of the same person is a second person-time.
    attend(make_session(world.course, dt.date(2023, 5, 2)), world.hoa)
    result = training(world.geo.old08, **PHASE_1)
    assert result.total == 3
    assert [(row.year, row.count, row.cumulative) for row in result.by_year] == [
        (2021, 0, 0), (2022, 2, 2), (2023, 1, 3), (2024, 0, 3), (2025, 0, 3)]


def test_counted_attendance_adds_to_named_attendance(world):
    attend(world.session, world.hoa)
    count(world.session, world.geo.x2, 5, org_kind=OrgKind.SCHOOL, sex=Sex.FEMALE)
    count(world.session, world.geo.x2, 2, org_kind=OrgKind.HEALTH, sex=Sex.MALE)
    count(world.session, world.geo.y1, 4)  # old Hà Giang: not in old Tuyên Quang
    result = training(world.geo.old08, **PHASE_1)
    assert (result.named, result.counted, result.total) == (1, 7, 8)
    assert {row.key: row.count for row in result.by_sex} == {Sex.FEMALE: 6, Sex.MALE: 2}
    assert {row.key: row.count for row in result.by_kind} == {
        OrgKind.SCHOOL: 5, OrgKind.HEALTH: 2, OrgKind.COMMUNE_COMMITTEE: 1}
    new = training(world.geo.new08, **PHASE_1)
    assert new.total == 12
    assert {row.label: row.count for row in new.by_sex} == {"Nữ": 6, "Nam": 2, "Không rõ": 4}


def test_a_course_with_two_topics_counts_under_both_topics_and_once_in_the_total(world):
    attend(world.session, world.hoa)
    count(world.session, world.geo.x2, 3)
    other = make_session(make_course(world.department, "LAW"), dt.date(2024, 9, 1))
    attend(other, world.hoa)
    untopical = make_session(make_course(world.department), dt.date(2024, 10, 1))
    attend(untopical, world.hoa)
    result = training(world.geo.old08, **PHASE_1)
    assert result.total == 6
    assert [(row.label, row.count) for row in result.by_topic] == [
        ("Kỹ năng công tác xã hội", 4), ("Quản lý trường hợp", 4), ("Pháp luật về công tác xã hội", 1),
        ("Chưa phân loại chủ đề", 1)]


def test_attendance_is_placed_by_the_workers_position_on_the_session_date(world):
    mover = make_worker("Hoàng Văn Chuyển", Sex.MALE)
    make_position(mover, world.committee, end=dt.date(2022, 12, 31))
    make_position(mover, world.school, start=dt.date(2023, 1, 1))
    attend(world.session, mover)  # 2022: in the committee (x1)
    attend(make_session(world.course, dt.date(2023, 3, 1)), mover)  # 2023: in the school (y1)
    assert training(world.geo.old08, **PHASE_1).total == 1
    assert training(world.geo.old02, **PHASE_1).total == 1
    # An organization recorded on the attendance wins over the position.
    attend(make_session(world.course, dt.date(2024, 3, 1)), mover, organization=world.committee)
    assert training(world.geo.old08, **PHASE_1).total == 2


def test_attendance_that_cannot_be_placed_is_reported(world):
    attend(world.session, person_name="Người Ngoài", sex=Sex.FEMALE, organization_name="Hội Phụ nữ thôn")
    attend(world.session, make_worker())  # a worker without any position
    result = training(world.geo.old08, **PHASE_1)
    assert (result.total, result.unattributed) == (0, 2)


def test_a_period_and_a_phase(world):
    # The phases' targets are the programmes' (ctxh.indicators.targets), not the selector's.
    attend(world.session, world.hoa)
    assert training(world.geo.old08, start=dt.date(2022, 3, 11), end=dt.date(2022, 12, 31)).total == 0
    assert training(world.geo.old08, start=dt.date(2022, 3, 10), end=dt.date(2022, 3, 10)).total == 1
    phase_1 = training(world.geo.new08, phase="1")
    assert phase_1.total == 1
    phase_2 = training(world.geo.new08, phase="2")
    assert phase_2.total == 0
    assert phase_2.by_year[0].year == 2026 and len(phase_2.by_year) == 5


def _populate(world, copies: int) -> None:
    for i in range(copies):
        session = make_session(world.course, dt.date(2022 + i % 3, 4, 1 + i))
        for worker in (world.hoa, world.nam):
            attend(session, worker, completed=bool(i % 2))
        attend(session, person_name=f"Khách {i}", sex=Sex.FEMALE, organization=world.school)
        count(session, world.geo.x2, i + 1, sex=Sex.MALE)


@pytest.mark.parametrize("copies", [1, 10])
def test_the_number_of_queries_does_not_depend_on_the_number_of_rows(world, copies,
                                                                    django_assert_max_num_queries):
    _populate(world, copies)
    with django_assert_max_num_queries(13):
        result = training(world.geo.new08, phase="1")
    assert result.counted == copies * (copies + 1) // 2
