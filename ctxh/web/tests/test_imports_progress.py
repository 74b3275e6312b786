"""Import pages: upload, progress (HTMX polling), near-match decisions, confirm; a job is its owner's."""

import datetime as dt
import io
from functools import partial

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from ctxh.accounts.roles import Role
from ctxh.imports import jobs
from ctxh.imports.jobs import job_start
from ctxh.imports.models import ImportJob, JobStatus
from ctxh.imports.testing import ATTENDANCE_HEADERS, WORKER_HEADERS
from ctxh.imports.testing import xlsx as workbook
from ctxh.testing import make_org, make_user
from ctxh.training.models import Attendance
from ctxh.training.testing import make_course, make_session
from ctxh.workforce import spreadsheets
from ctxh.workforce.models import Position, Worker
from ctxh.workforce.testing import make_position, make_worker

D = dt.date
HEADERS = WORKER_HEADERS


xlsx = partial(workbook, headers=HEADERS)


def upload(data: bytes, name: str = "nhan-su.xlsx"):
    file = io.BytesIO(data)
    file.name = name
    return file


def worker_row(number: int, org: str = "UBND-NT", name: str | None = None, born: str = "17/05/1990"):
    return [
        name or f"Người thử {number:05d}",
        "Nữ",
        born,
        None,
        None,
        None,
        None,
        None,
        org,
        "Cộng tác viên",
        "Cộng tác viên",
        None,
        "01/08/2025",
        None,
        2_530_000,
        None,
    ]


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def net(small_geo):
    committee = make_org(
        small_geo.n2, "Ủy ban nhân dân xã Nông Tiến", code="UBND-NT", valid_from=D(2025, 7, 1)
    )
    ward = make_org(
        small_geo.n1, "Ủy ban nhân dân phường Minh Xuân", code="UBND-MX", valid_from=D(2025, 7, 1)
    )
    return committee, ward


@pytest.fixture
def people(small_geo):
    return {
        "manager": make_user("quanly", Role.PROGRAMME_MANAGER, units=[small_geo.new08]),
        "officer": make_user("canboxa", Role.ORG_OFFICER, units=[small_geo.n2]),
        "leader": make_user("lanhdao", Role.LEADER, units=[small_geo.new08]),
    }


def test_a_large_file_reports_its_progress_and_ends_at_100_percent(net, people, monkeypatch):
    written = []
    original = jobs.Progress._write

    def recording(self):
        written.append((self.done, self.total))
        original(self)

    monkeypatch.setattr(jobs.Progress, "_write", recording)
    rows = 1500
    job = job_start(
        owner=people["manager"],
        kind=spreadsheets.KIND,
        handler=spreadsheets.HANDLER,
        filename="lon.xlsx",
        data=xlsx([worker_row(n) for n in range(rows)]),
    )
    assert job.status == JobStatus.VALIDATED, job.report["errors"][:3]
    assert (job.total_rows, job.processed_rows, job.percent) == (rows, rows, 100)
    assert job.report["summary"]["workers_create"] == rows
    done = [d for d, _total in written]
    assert done == sorted(done) and done[-1] == rows
    assert 10 <= len([d for d in done if 0 < d < rows]) <= 200  # steps along the way, throttled


def test_upload_preview_confirm_through_the_pages(client, net, people):
    login(client, people["officer"])
    assert client.get(reverse("web:worker_import")).status_code == 200
    response = client.post(
        reverse("web:worker_import"), {"file": upload(xlsx([worker_row(1), worker_row(2)]))}
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("web:worker_import_job", args=[job.pk])
    page = client.get(response.url)
    assert "Sẽ thêm 2 người" in page.content.decode() and Worker.objects.count() == 0
    done = client.post(response.url, {"action": "confirm"}, follow=True)
    assert "Đã ghi 2 dòng" in done.content.decode()
    assert Worker.objects.count() == 2 and Position.objects.count() == 2


def test_the_progress_partial_shows_the_bar_then_asks_htmx_to_reload(client, net, people):
    job = ImportJob.objects.create(
        owner=people["officer"],
        kind=spreadsheets.KIND,
        handler=spreadsheets.HANDLER,
        filename="a.xlsx",
        data=b"x",
        status=JobStatus.VALIDATING,
        total_rows=2000,
        processed_rows=500,
    )
    url = reverse("web:worker_import_progress", args=[job.pk])
    response = login(client, people["officer"]).get(url, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert 'aria-valuenow="25"' in html and "500 / 2.000 dòng" in html and 'hx-trigger="every 1s"' in html
    job.status = JobStatus.APPLYING
    job.save()
    assert "đang ghi" in client.get(url).content.decode()
    job.status = JobStatus.DONE
    job.save()
    finished = client.get(url)
    assert finished.status_code == 204 and finished["HX-Refresh"] == "true"


def test_a_job_waiting_for_a_worker_can_be_run_in_the_request(client, net, people):
    job = ImportJob.objects.create(
        owner=people["officer"],
        kind=spreadsheets.KIND,
        handler=spreadsheets.HANDLER,
        filename="a.xlsx",
        data=xlsx([worker_row(1)]),
    )
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - dt.timedelta(minutes=1))
    page_url = reverse("web:worker_import_job", args=[job.pk])
    page = login(client, people["officer"]).get(page_url)
    assert "Xử lý ngay" in page.content.decode()
    client.post(page_url, {"action": "run"})
    job.refresh_from_db()
    assert job.status == JobStatus.VALIDATED and job.total_rows == 1


def test_another_users_job_is_not_found(client, net, people):
    job = job_start(
        owner=people["officer"],
        kind=spreadsheets.KIND,
        handler=spreadsheets.HANDLER,
        filename="a.xlsx",
        data=xlsx([worker_row(1)]),
    )
    login(client, people["manager"])
    assert client.get(reverse("web:worker_import_job", args=[job.pk])).status_code == 404
    assert (
        client.post(reverse("web:worker_import_job", args=[job.pk]), {"action": "confirm"}).status_code == 404
    )
    assert client.get(reverse("web:worker_import_progress", args=[job.pk])).status_code == 404
    assert Worker.objects.count() == 0


def test_a_reader_cannot_import(client, net, people):
    login(client, people["leader"])
    assert client.get(reverse("web:worker_import")).status_code == 403
    assert client.get(reverse("web:worker_export")).status_code == 200


def test_near_matches_must_be_answered_before_confirming(client, net, people):
    committee, _ward = net
    hoa = make_worker("Nguyễn Thị Hoa", date_of_birth=D(1990, 6, 17))
    make_position(hoa, committee, start=D(2025, 7, 1))
    login(client, people["officer"])
    response = client.post(
        reverse("web:worker_import"), {"file": upload(xlsx([worker_row(1, name="Nguyễn Thị Hoa")]))}
    )
    page = client.get(response.url)
    assert page.context["questions"][0]["candidates"][0]["id"] == hoa.pk
    assert "Cùng một người với Nguyễn Thị Hoa, sinh ngày 17/06/1990" in page.content.decode()
    unanswered = client.post(response.url, {"action": "confirm"})
    assert "hãy chọn “cùng một người” hoặc “người mới”" in unanswered.content.decode()
    assert ImportJob.objects.get().status == JobStatus.VALIDATED
    key = page.context["questions"][0]["key"]
    client.post(response.url, {"action": "confirm", f"decision-{key}": str(hoa.pk)})
    assert ImportJob.objects.get().status == JobStatus.DONE
    assert Worker.objects.count() == 1 and hoa.positions.count() == 2


def test_cancel_writes_nothing(client, net, people):
    login(client, people["officer"])
    response = client.post(reverse("web:worker_import"), {"file": upload(xlsx([worker_row(1)]))})
    client.post(response.url, {"action": "cancel"})
    assert ImportJob.objects.get().status == JobStatus.CANCELLED and Worker.objects.count() == 0
    assert ImportJob.objects.get().data in (b"", memoryview(b""))


def test_the_export_follows_the_list_filters(client, net, people):
    committee, ward = net
    make_position(make_worker("Nguyễn Thị Hoa"), committee, start=D(2025, 7, 1))
    make_position(make_worker("Trần Văn Nam", sex="male"), ward, start=D(2025, 7, 1))
    response = login(client, people["manager"]).get(reverse("web:worker_export"), {"q": "tran van"})
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["Trần Văn Nam"]
    template = client.get(reverse("web:worker_import_template"))
    assert template["Content-Disposition"] == 'attachment; filename="mau-nhap-nguoi-lam-ctxh.xlsx"'


def test_attendance_import_through_the_pages_and_scope(client, net, people, small_geo):
    committee, ward = net
    session = make_session(make_course(committee), D(2025, 9, 15))
    other = make_session(make_course(ward), D(2025, 9, 15))
    headers = ATTENDANCE_HEADERS
    data = xlsx([["Lò Thị Mai", "Nữ", 1992, None, "UBND-NT", None, None, "Có", "CC-1"]], headers=headers)
    login(client, people["manager"])
    response = client.post(
        reverse("web:training_attendance_import", args=[session.pk]), {"file": upload(data)}
    )
    assert response.status_code == 302
    client.post(response.url, {"action": "confirm"})
    attendance = Attendance.objects.get(session=session)
    assert (attendance.person_name, attendance.organization, attendance.completed) == (
        "Lò Thị Mai",
        committee,
        True,
    )
    exported = client.get(reverse("web:training_attendance_export", args=[session.pk]))
    rows = list(
        load_workbook(io.BytesIO(exported.content)).worksheets[0].iter_rows(min_row=2, values_only=True)
    )
    assert rows == [("Lò Thị Mai", "Nữ", None, None, "UBND-NT", committee.name, None, "Có", "CC-1")]
    # A trainer of the commune keeps only the lists of the courses their organizations run.
    trainer = make_user("giangvien", Role.TRAINER, units=[small_geo.n2])
    login(client, trainer)
    assert client.get(reverse("web:training_attendance_import", args=[session.pk])).status_code == 200
    assert client.get(reverse("web:training_attendance_import", args=[other.pk])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_with_the_database_backend_a_worker_process_runs_the_job(net, people, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    job = job_start(
        owner=people["manager"],
        kind=spreadsheets.KIND,
        handler=spreadsheets.HANDLER,
        filename="a.xlsx",
        data=xlsx([worker_row(1), worker_row(2)]),
    )
    assert job.status == JobStatus.PENDING  # queued, waiting for the worker
    call_command("db_worker", batch=True, interval=0, startup_delay=False, verbosity=0)
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.percent) == (JobStatus.VALIDATED, 2, 100)
    jobs.job_confirm(job=job, decisions={})
    assert job.status == JobStatus.CONFIRMED and Worker.objects.count() == 0
    call_command("db_worker", batch=True, interval=0, startup_delay=False, verbosity=0)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and Worker.objects.count() == 2


def test_the_report_is_written_in_the_language_of_the_person_who_uploaded(net, people):
    from django.utils import translation

    def first_error(language):
        with translation.override(language):
            job = job_start(owner=people["manager"], kind=spreadsheets.KIND, handler=spreadsheets.HANDLER,
                            filename="sai.xlsx", data=xlsx([worker_row(1, org="KHONG-CO")]))
        assert job.status == JobStatus.INVALID
        return job.report["errors"][0]["message"]

    vietnamese, english = first_error("vi"), first_error("en")
    assert vietnamese != english
    assert not any(letter in english.lower() for letter in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệ")
