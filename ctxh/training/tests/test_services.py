import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from ctxh.core.reference import Sex
from ctxh.orgs.models import OrgKind
from ctxh.testing import make_org
from ctxh.training import services
from ctxh.training.models import Attendance, CountedAttendance, Topic
from ctxh.training.services import AttendanceEntry
from ctxh.training.testing import make_course, make_session
from ctxh.workforce.services import ConcurrentEditError
from ctxh.workforce.testing import make_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(small_geo):
    return make_session(make_course(make_org(small_geo.x1, kind=OrgKind.DEPARTMENT)), dt.date(2024, 3, 1))


def errors_of(call, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call(**kwargs)
    return caught.value.message_dict


def test_the_plan_topics_are_loaded():
    names = list(Topic.objects.values_list("name", flat=True))
    assert len(names) == 8
    assert "Công tác xã hội trong lĩnh vực tư pháp" in names and "Quản lý trường hợp" in names


def test_a_course_and_its_session(small_geo):
    organizer = make_org(small_geo.x1, kind=OrgKind.DEPARTMENT)
    university = make_org(small_geo.x1, kind=OrgKind.UNIVERSITY, name="Trường Đại học Tân Trào")
    course = services.course_create(title="Quản lý trường hợp với trẻ em", organizer=organizer,
                                    partner=university, topics=Topic.objects.filter(code="CASE_MANAGEMENT"))
    assert list(course.topics.values_list("code", flat=True)) == ["CASE_MANAGEMENT"]
    trainer = make_worker("Giảng Viên A")
    session = services.session_create(course=course, start_date=dt.date(2024, 3, 1), trainers=[trainer],
                                      trainer_names="TS. Lê Văn B")
    assert session.end_date == dt.date(2024, 3, 1) and list(session.trainers.all()) == [trainer]
    errors = errors_of(services.session_create, course=course, start_date=dt.date(2024, 3, 5),
                       end_date=dt.date(2024, 3, 4))
    assert errors["end_date"] == ["Ngày kết thúc không được trước ngày bắt đầu (05/03/2024)."]
    updated = services.course_update(course=course, version=1, data={"title": "Quản lý trường hợp"})
    with pytest.raises(ConcurrentEditError) as caught:
        services.course_update(course=course, version=1, data={"note": "muộn"})
    assert [change.field for change in caught.value.changes] == ["title"]
    assert updated.version == 2


def test_the_same_worker_twice_in_one_session_is_refused(session):
    worker = make_worker("Nguyễn Thị Hoa")
    services.attendance_add(session=session, entry=AttendanceEntry(worker=worker, completed=True))
    errors = errors_of(services.attendance_add, session=session, entry=AttendanceEntry(worker=worker))
    assert errors["worker"] == ["Nguyễn Thị Hoa đã có trong danh sách dự lớp này."]
    assert Attendance.objects.count() == 1


def test_the_same_external_person_twice_is_refused_but_a_namesake_elsewhere_is_not(session, small_geo):
    school = make_org(small_geo.x1, kind=OrgKind.SCHOOL)
    entry = AttendanceEntry(person_name="Lý Văn Sáng", sex=Sex.MALE, organization=school)
    services.attendance_add(session=session, entry=entry)
    same = AttendanceEntry(person_name="ly van  SANG", sex=Sex.MALE, organization=school)
    errors = errors_of(services.attendance_add, session=session, entry=same)
    assert "đã có trong danh sách" in errors["person_name"][0]
    elsewhere = AttendanceEntry(person_name="Lý Văn Sáng", sex=Sex.MALE, organization_name="Hội Nông dân xã")
    services.attendance_add(session=session, entry=elsewhere)
    assert Attendance.objects.count() == 2


def test_an_attendance_entry_needs_a_person_a_sex_and_completion_for_a_certificate(session):
    assert "worker" in errors_of(services.attendance_add, session=session, entry=AttendanceEntry())
    nameless_sex = AttendanceEntry(person_name="Lò Thị Mai")
    errors = errors_of(services.attendance_add, session=session, entry=nameless_sex)
    assert errors["sex"] == ["Hãy chọn giới tính của người dự."]
    entry = AttendanceEntry(worker=make_worker(), certificate_number="CN-01")
    errors = errors_of(services.attendance_add, session=session, entry=entry)
    assert errors["certificate_number"] == ["Chỉ ghi số chứng chỉ khi người dự đã hoàn thành lớp."]
    assert not Attendance.objects.exists()


def test_an_attendance_list_is_saved_whole_or_not_at_all(session):
    hoa, nam = make_worker("Nguyễn Thị Hoa"), make_worker("Trần Văn Nam", Sex.MALE)
    services.attendance_add(session=session, entry=AttendanceEntry(worker=hoa))
    entries = [AttendanceEntry(worker=nam, completed=True), AttendanceEntry(worker=hoa),
               AttendanceEntry(person_name="Lò Thị Mai", sex=Sex.FEMALE), AttendanceEntry(worker=nam)]
    with pytest.raises(services.AttendanceListError) as caught:
        services.attendance_add_list(session=session, entries=entries)
    assert caught.value.rows == {2: {"worker": "Nguyễn Thị Hoa đã có trong danh sách dự lớp này."},
                                 4: {"worker": "Trần Văn Nam đã có ở dòng 1."}}
    assert caught.value.messages[0] == "Dòng 2: Nguyễn Thị Hoa đã có trong danh sách dự lớp này."
    assert Attendance.objects.count() == 1
    saved = services.attendance_add_list(session=session, entries=entries[:1] + entries[2:3])
    assert len(saved) == 2 and Attendance.objects.count() == 3


def test_completion_and_certificate_are_recorded(session):
    attendance = services.attendance_add(session=session, entry=AttendanceEntry(worker=make_worker()))
    done = services.attendance_set_result(attendance=attendance, completed=True, certificate_number=" CN-7 ")
    assert done.completed and done.certificate_number == "CN-7"


def test_counted_attendance_is_set_per_unit_kind_and_sex(session, small_geo):
    row = services.counted_attendance_set(session=session, unit=small_geo.x2, count="12", sex=Sex.FEMALE,
                                          org_kind=OrgKind.HEALTH)
    services.counted_attendance_set(session=session, unit=small_geo.x2, count=15, sex=Sex.FEMALE,
                                    org_kind=OrgKind.HEALTH)
    row.refresh_from_db()
    assert row.count == 15 and CountedAttendance.objects.count() == 1
    errors = errors_of(services.counted_attendance_set, session=session, unit=small_geo.x2, count=-3)
    assert errors["count"] == ["Số lượt người phải là một số nguyên không âm."]
    errors = errors_of(services.counted_attendance_set, session=session, unit=small_geo.n1, count=3)
    assert "không tồn tại vào ngày khai giảng 01/03/2024" in errors["unit"][0]
    services.counted_attendance_set(session=session, unit=small_geo.x2, count=0, sex=Sex.FEMALE,
                                    org_kind=OrgKind.HEALTH)
    assert not CountedAttendance.objects.exists()
