"""The training pages: courses, sessions, and the attendance entry of a session (named and counted)."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ctxh.accounts.roles import Role
from ctxh.core.reference import Sex
from ctxh.orgs.models import OrgKind
from ctxh.testing import make_org, make_user
from ctxh.training.models import Attendance, CountedAttendance, Course, FundingSource, Session, Topic
from ctxh.training.testing import attend, make_course, make_session
from ctxh.workforce.testing import make_position, make_worker

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
SEPT = dt.date(2025, 9, 10)


@pytest.fixture
def world(small_geo):
    """Two courses in the new province: one of the provincial department with Tân Trào University, one of the
    commune of Nông Tiến; registered workers in both communes, two of them namesakes."""
    department = make_org(small_geo.n1, "Sở Y tế tỉnh Tuyên Quang", OrgKind.DEPARTMENT, code="SYT")
    university = make_org(small_geo.n1, "Trường Đại học Tân Trào", OrgKind.UNIVERSITY, code="DHTT")
    minh_xuan = make_org(small_geo.n1, "UBND phường Minh Xuân", code="UB-MX")
    nong_tien = make_org(small_geo.n2, "UBND xã Nông Tiến", code="UB-NT")
    school = make_org(small_geo.n2, "Trường THCS Nông Tiến", OrgKind.SCHOOL, code="THCS-NT")

    case_management = make_course(department, "CASE_MANAGEMENT", title="Quản lý trường hợp với trẻ em",
                                  partner=university, funding_source=FundingSource.ODA)
    rural = make_course(nong_tien, title="Tập huấn công tác xã hội nông thôn")
    session_a = make_session(case_management, SEPT, dt.date(2025, 9, 12), place="Hội trường Sở")
    session_b = make_session(rural, dt.date(2024, 10, 1))

    hoa_mx = make_worker("Nguyễn Thị Hoa", date_of_birth=dt.date(1985, 2, 1))
    make_position(hoa_mx, minh_xuan)
    hoa_nt = make_worker("Nguyễn Thị Hòa", date_of_birth=dt.date(1992, 8, 9))
    make_position(hoa_nt, nong_tien)
    binh = make_worker("Trần Văn Bình", Sex.MALE)
    make_position(binh, nong_tien)

    people = SimpleNamespace(
        province_trainer=make_user("gv.tinh", Role.TRAINER, units=[small_geo.new08]),
        university_trainer=make_user("gv.dhtt", Role.TRAINER, organizations=[university]),
        leader=make_user("lanhdao", Role.LEADER, units=[small_geo.new08]),
        nong_tien_officer=make_user("canbo.nt", Role.ORG_OFFICER, units=[small_geo.n2]),
    )
    return SimpleNamespace(
        geo=small_geo, department=department, university=university, minh_xuan=minh_xuan, nong_tien=nong_tien,
        school=school, case_management=case_management, rural=rural, session_a=session_a, session_b=session_b,
        hoa_mx=hoa_mx, hoa_nt=hoa_nt, binh=binh, people=people,
    )


def signed_in(client, user):
    client.force_login(user)
    return client


def text_of(response) -> str:
    return " ".join(response.content.decode().split())


def session_url(name: str, session: Session) -> str:
    return reverse(f"web:training_{name}", args=[session.pk])


# --- courses ---


def test_the_course_list_searches_without_diacritics_and_filters(client, world):
    client = signed_in(client, world.people.province_trainer)
    url = reverse("web:training_course_list")
    page = text_of(client.get(url, {"q": "quan ly truong hop"}))
    assert "Quản lý trường hợp với trẻ em" in page and "Tập huấn công tác xã hội nông thôn" not in page

    def titles(**query) -> list[str]:
        return [course.title for course, _stats in client.get(url, query).context["rows"]]

    case, rural = "Quản lý trường hợp với trẻ em", "Tập huấn công tác xã hội nông thôn"
    assert titles(topic=Topic.objects.get(code="CASE_MANAGEMENT").pk) == [case]
    assert titles(organizer=world.nong_tien.pk) == [rural]
    assert titles(year=2024) == [rural]
    assert titles(funding_source=FundingSource.ODA) == [case]
    assert titles() == [case, rural]  # the newest session first

    results = client.get(url, {"q": "nong thon"}, headers=HTMX | {"HX-Target": "course-results"})
    assert "<html" not in results.content.decode() and "1 khóa đào tạo" in text_of(results)


def test_the_course_page_shows_topics_partner_funding_and_sessions_with_counts(client, world):
    attend(world.session_a, world.hoa_mx, completed=True)
    attend(world.session_a, world.binh, completed=False)
    CountedAttendance.objects.create(session=world.session_a, unit=world.geo.n2, count=7)
    page = text_of(signed_in(client, world.people.province_trainer).get(
        reverse("web:training_course_detail", args=[world.case_management.pk])))
    for expected in ("Quản lý trường hợp", "Trường Đại học Tân Trào", "Sở Y tế tỉnh Tuyên Quang",
                     "Vốn ODA, viện trợ", "10/09/2025 – 12/09/2025", "Hội trường Sở"):
        assert expected in page
    # Two named participants and seven counted; one named and the seven counted completed.
    assert "1 lớp · 9 lượt người dự · 8 hoàn thành" in page


def test_a_trainer_creates_a_course_and_a_session(client, world):
    client = signed_in(client, world.people.university_trainer)
    response = client.post(reverse("web:training_course_create"), {
        "title": " Kỹ năng tham vấn ", "organizer": world.university.pk, "level": "basic",
        "funding_source": "state_budget", "topics": [Topic.objects.get(code="CASE_MANAGEMENT").pk],
    })
    course = Course.objects.get(title="Kỹ năng tham vấn")
    assert response.status_code == 302 and response["Location"] == reverse(
        "web:training_course_detail", args=[course.pk])

    # An organizer outside the trainer's scope is not a choice.
    refused = client.post(reverse("web:training_course_create"), {
        "title": "Khóa khác", "organizer": world.nong_tien.pk, "level": "basic", "funding_source": "oda"})
    assert refused.status_code == 200 and not Course.objects.filter(title="Khóa khác").exists()
    assert refused.context["form"].errors["organizer"]

    create_session = reverse("web:training_session_create", args=[course.pk])
    bad = client.post(create_session, {"start_date": "2025-10-05", "end_date": "2025-10-03"})
    assert "Ngày kết thúc không được trước ngày bắt đầu (05/10/2025)." in text_of(bad)
    assert not course.sessions.exists()
    done = client.post(create_session, {"start_date": "2025-10-05", "place": "Giảng đường A"})
    session = course.sessions.get()
    assert done["Location"] == session_url("session_detail", session)
    assert session.end_date == session.start_date


def test_editing_a_course_that_changed_meanwhile_is_refused(client, world):
    client = signed_in(client, world.people.university_trainer)
    url = reverse("web:training_course_edit", args=[world.case_management.pk])
    form = client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    Course.objects.filter(pk=world.case_management.pk).update(version=2)
    response = client.post(url, data | {"title": "Tên mới"})
    assert "Bản ghi đã được người khác sửa" in text_of(response)
    assert Course.objects.get(pk=world.case_management.pk).title == "Quản lý trường hợp với trẻ em"


# --- scope and permissions ---


def test_a_trainer_of_one_organization_sees_the_courses_the_selectors_give_it(client, world):
    client = signed_in(client, world.people.university_trainer)
    page = text_of(client.get(reverse("web:training_course_list")))
    assert "Quản lý trường hợp với trẻ em" in page  # the university is its partner
    assert "Tập huấn công tác xã hội nông thôn" not in page
    # A guessed URL of another's course or session answers 404, for reading and for writing.
    assert client.get(reverse("web:training_course_detail", args=[world.rural.pk])).status_code == 404
    assert client.get(session_url("session_detail", world.session_b)).status_code == 404
    response = client.post(session_url("attendance_add_worker", world.session_b), {"q": "hoa"})
    assert response.status_code == 404 and not Attendance.objects.exists()

    # Once a worker of the university attends the commune's course, the trainer sees that session and
    # only that worker on its list, and may not change it.
    lecturer = make_worker("Đặng Văn Giảng", Sex.MALE)
    make_position(lecturer, world.university)
    attend(world.session_b, lecturer)
    attend(world.session_b, world.binh)
    session_page = client.get(session_url("session_detail", world.session_b))
    assert session_page.status_code == 200
    page = text_of(session_page)
    assert "Đặng Văn Giảng" in page and "Trần Văn Bình" not in page and "worker-entry" not in page
    refused = client.post(session_url("attendance_add_worker", world.session_b), {"q": "binh"})
    assert refused.status_code == 403


def test_a_leader_reads_the_session_but_cannot_add_attendance(client, world):
    attend(world.session_a, world.hoa_mx)
    client = signed_in(client, world.people.leader)
    page = client.get(session_url("session_detail", world.session_a))
    assert page.status_code == 200 and "Nguyễn Thị Hoa" in text_of(page)
    assert "worker-entry" not in page.content.decode()
    assert client.post(session_url("attendance_add_worker", world.session_a),
                       {"worker": world.binh.pk}).status_code == 403
    assert client.post(session_url("attendance_complete_all", world.session_a)).status_code == 403
    assert client.get(reverse("web:training_course_create")).status_code == 403
    assert Attendance.objects.count() == 1


# --- the attendance entry ---


def test_suggestions_tell_namesakes_apart_by_organization_and_birth_year(client, world):
    client = signed_in(client, world.people.province_trainer)
    response = client.get(session_url("worker_suggestions", world.session_a), {"q": "nguyen thi hoa"},
                          headers=HTMX)
    page = text_of(response)
    assert "UBND phường Minh Xuân · sinh năm 1985" in page and "UBND xã Nông Tiến · sinh năm 1992" in page


def test_typing_a_name_and_enter_adds_the_one_worker_it_matches(client, world):
    client = signed_in(client, world.people.province_trainer)
    url = session_url("attendance_add_worker", world.session_a)
    several = client.post(url, {"q": "nguyen hoa"}, headers=HTMX)
    assert "Có nhiều người khớp với “nguyen hoa”" in text_of(several)
    assert 'id="worker-option-' in several.content.decode() and not Attendance.objects.exists()

    added = client.post(url, {"q": "van binh"}, headers=HTMX)
    assert "Đã thêm Trần Văn Bình." in text_of(added) and added["HX-Trigger"] == "attendanceAdded"
    assert "1 người dự, 0 hoàn thành" in text_of(added)
    picked = client.post(url, {"q": "nguyen hoa", "worker": world.hoa_nt.pk}, headers=HTMX)
    assert "Đã thêm Nguyễn Thị Hòa." in text_of(picked)
    assert set(Attendance.objects.values_list("worker__full_name", flat=True)) == {
        "Trần Văn Bình", "Nguyễn Thị Hòa"}


def test_adding_a_person_already_in_the_session_gives_the_duplicate_message(client, world):
    client = signed_in(client, world.people.province_trainer)
    url = session_url("attendance_add_worker", world.session_a)
    client.post(url, {"worker": world.hoa_mx.pk}, headers=HTMX)
    again = client.post(url, {"q": "hoa", "worker": world.hoa_mx.pk}, headers=HTMX)
    assert "Nguyễn Thị Hoa đã có trong danh sách dự lớp này." in text_of(again)
    assert "HX-Trigger" not in again and Attendance.objects.count() == 1

    external = session_url("attendance_add_external", world.session_a)
    line = {"person_name": "Lý Văn Sáng", "organization": "Hội Nông dân xã", "sex": Sex.MALE}
    client.post(external, line, headers=HTMX)
    twice = client.post(external, line | {"person_name": "ly van sang"}, headers=HTMX)
    assert "ly van sang đã có trong danh sách dự lớp này." in text_of(twice)
    assert Attendance.objects.count() == 2

    # Without JavaScript the message comes back on the session page.
    plain = client.post(url, {"worker": world.hoa_mx.pk}, follow=True)
    assert "Nguyễn Thị Hoa đã có trong danh sách dự lớp này." in text_of(plain)


def test_an_external_person_is_added_from_one_line(client, world):
    client = signed_in(client, world.people.province_trainer)
    url = session_url("attendance_add_external", world.session_a)
    suggestions = client.get(session_url("organization_suggestions", world.session_a),
                             {"organization": "thcs nong"}, headers=HTMX)
    assert '<option value="Trường THCS Nông Tiến (THCS-NT)">' in suggestions.content.decode()

    client.post(url, {"person_name": "Hà Thị Lan", "organization": "Trường THCS Nông Tiến (THCS-NT)",
                      "position_title": "Giáo viên", "sex": Sex.FEMALE}, headers=HTMX)
    client.post(url, {"person_name": "Vàng A Páo", "organization": "Đồn Biên phòng", "sex": Sex.MALE},
                headers=HTMX)
    lan, pao = Attendance.objects.order_by("pk")
    assert lan.organization == world.school and lan.position_title == "Giáo viên" and lan.sex == Sex.FEMALE
    assert pao.organization is None and pao.organization_name == "Đồn Biên phòng"

    missing_sex = client.post(url, {"person_name": "Lò Văn Mạnh"}, headers=HTMX)
    assert "Giới tính" in text_of(missing_sex) and Attendance.objects.count() == 2


def test_results_are_saved_per_row_and_all_can_be_marked_completed(client, world):
    hoa, binh = attend(world.session_a, world.hoa_mx, completed=False), attend(world.session_a, world.binh,
                                                                                  completed=False)
    client = signed_in(client, world.people.province_trainer)
    url = session_url("attendance_results", world.session_a)
    rows = {"rows": [hoa.pk, binh.pk]}
    ticked = client.post(url, rows | {"only": hoa.pk, f"completed-{hoa.pk}": "on",
                                      f"certificate-{hoa.pk}": "CN-001"}, headers=HTMX)
    assert "2 người dự, 1 hoàn thành" in text_of(ticked)
    hoa.refresh_from_db()
    assert hoa.completed and hoa.certificate_number == "CN-001"

    refused = client.post(url, rows | {"only": binh.pk, f"certificate-{binh.pk}": "CN-002"}, headers=HTMX)
    assert "Chỉ ghi số chứng chỉ khi người dự đã hoàn thành lớp." in text_of(refused)
    binh.refresh_from_db()
    assert binh.certificate_number == ""

    page = text_of(client.post(session_url("attendance_complete_all", world.session_a), headers=HTMX))
    assert "2 người dự, 2 hoàn thành" in page
    removed = client.post(session_url("attendance_remove", world.session_a), {"attendance": binh.pk},
                          headers=HTMX)
    assert "1 người dự, 1 hoàn thành" in text_of(removed) and Attendance.objects.count() == 1


def test_counted_attendance_is_validated_and_recorded(client, world):
    client = signed_in(client, world.people.province_trainer)
    url = session_url("counted_attendance", world.session_a)
    line = {"unit": world.geo.n2.pk, "org_kind": OrgKind.SCHOOL, "sex": Sex.FEMALE}
    for bad in ("-3", "2,5", "nhiều"):
        response = client.post(url, line | {"count": bad})
        assert "Số lượt người phải là một số nguyên không âm." in text_of(response)
    # An old commune that no longer existed on the session's first day.
    old = client.post(url, line | {"unit": world.geo.x3.pk, "count": "4"})
    assert old.context["counted_form"].errors["unit"]
    assert not CountedAttendance.objects.exists()

    done = client.post(url, line | {"count": "12"}, follow=True)
    assert "Đã ghi 12 lượt người hoàn thành của Xã Nông Tiến." in text_of(done)
    assert "0 người dự, 0 hoàn thành · thêm 12 lượt hoàn thành theo số liệu" in text_of(done)
    client.post(url, line | {"count": "0"})
    assert not CountedAttendance.objects.exists()


def test_entering_fifty_people_takes_the_same_number_of_queries_each_time(client, world):
    workers = [make_worker(f"Người Dự {number:02d}") for number in range(50)]
    for worker in workers:
        make_position(worker, world.minh_xuan)
    client = signed_in(client, world.people.province_trainer)
    url = session_url("attendance_add_worker", world.session_a)
    counts = []
    for worker in workers:
        with CaptureQueriesContext(connection) as queries:
            response = client.post(url, {"q": worker.full_name}, headers=HTMX)
        assert response.status_code == 200 and response["HX-Trigger"] == "attendanceAdded"
        counts.append(len(queries))
    assert Attendance.objects.filter(session=world.session_a).count() == 50
    assert "50 người dự, 0 hoàn thành" in text_of(response)
    assert len(set(counts[1:])) == 1, counts
