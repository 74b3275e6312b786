"""Old access log entries are exported to a file for archiving; the application deletes nothing."""

import datetime as dt
import gzip
import hashlib
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from ctxh.accounts.roles import Role
from ctxh.audit.models import AccessAction, AccessLog
from ctxh.audit.services import log_access
from ctxh.testing import make_user

pytestmark = pytest.mark.django_db


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 30)))


@pytest.fixture
def entries():
    reader = make_user("nguoi.doc", Role.PROGRAMME_MANAGER)
    log_access(request_or_user=reader, action=AccessAction.VIEW, obj=reader, description="hôm nay")
    days = {"2019": dt.date(2019, 3, 1), "2020": dt.date(2020, 12, 31), "2024": dt.date(2024, 5, 2)}
    return {
        name: AccessLog.objects.create(
            at=at(day), user=reader, username=reader.username, action=AccessAction.EXPORT, description=name,
            object_ids=[1, 2], count=2,
        )
        for name, day in days.items()
    }


def run(*args) -> str:
    out = io.StringIO()
    call_command("export_access_log", *args, stdout=out)
    return out.getvalue()


def test_old_entries_are_written_to_a_file_and_stay_in_the_database(entries, tmp_path):
    target = tmp_path / "nhat-ky-2021.jsonl"
    before = AccessLog.objects.count()
    message = run("--before", "2021-01-01", "--output", str(target))
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [line["description"] for line in lines] == ["2019", "2020"]
    assert lines[0]["username"] == "nguoi.doc" and lines[0]["action"] == "export"
    assert lines[0]["object_ids"] == [1, 2] and lines[0]["at"].startswith("2019-03-01T09:30:00")
    assert AccessLog.objects.count() == before  # nothing deleted
    checksum = hashlib.sha256(target.read_bytes()).hexdigest()
    assert (tmp_path / "nhat-ky-2021.jsonl.sha256").read_text().split() == [checksum, "nhat-ky-2021.jsonl"]
    assert "Đã xuất 2 dòng" in message and f"id <= {entries['2020'].pk}" in message


@override_settings(CTXH_AUDIT_RETENTION_DAYS=365 * 4)
def test_by_default_the_cutoff_is_today_minus_the_retention_period(entries, tmp_path, time_machine):
    time_machine.move_to(dt.datetime(2024, 1, 15, 8, 0, tzinfo=dt.UTC))  # cutoff: 16/01/2020
    target = tmp_path / "old.jsonl.gz"
    run("--output", str(target))
    with gzip.open(target, "rt", encoding="utf-8") as file:
        assert [json.loads(line)["description"] for line in file] == ["2019"]


def test_an_existing_file_is_never_overwritten(entries, tmp_path):
    target = tmp_path / "a.jsonl"
    target.write_text("giữ nguyên")
    with pytest.raises(CommandError, match="đã có"):
        run("--before", "2021-01-01", "--output", str(target))
    assert target.read_text() == "giữ nguyên"


def test_a_bad_date_is_refused_with_the_option_named(tmp_path):
    with pytest.raises(CommandError, match="--before"):
        run("--before", "31/12/2020", "--output", str(tmp_path / "a.jsonl"))
