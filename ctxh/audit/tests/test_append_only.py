"""Nobody edits or deletes the access log: not the model, not a queryset, not raw SQL (database triggers)."""

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from ctxh.accounts.roles import Role
from ctxh.audit.models import AccessAction, AccessLog, AccessLogIsAppendOnly
from ctxh.audit.services import log_access
from ctxh.testing import make_user

TABLE = AccessLog._meta.db_table


@pytest.fixture
def entry(db):
    reader = make_user("nguoi.doc", Role.PROGRAMME_MANAGER)
    return log_access(request_or_user=reader, action=AccessAction.VIEW, obj=reader, description="hồ sơ")


def stored(entry) -> tuple:
    return AccessLog.objects.filter(pk=entry.pk).values_list("description", "username").get()


def test_a_new_entry_is_written(entry):
    assert stored(entry) == ("hồ sơ", "nguoi.doc")


def test_the_model_refuses_to_save_an_existing_entry(entry):
    entry.description = "đã sửa"
    with pytest.raises(AccessLogIsAppendOnly):
        entry.save()
    fresh = AccessLog(pk=entry.pk, action=AccessAction.VIEW, description="ghi đè")  # same id, "new" object
    with pytest.raises(AccessLogIsAppendOnly), transaction.atomic():
        fresh.save()
    assert stored(entry) == ("hồ sơ", "nguoi.doc")


def test_the_model_and_its_querysets_refuse_to_delete_or_update(entry):
    with pytest.raises(AccessLogIsAppendOnly):
        entry.delete()
    with pytest.raises(AccessLogIsAppendOnly):
        AccessLog.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AccessLogIsAppendOnly):
        AccessLog.objects.filter(pk=entry.pk).update(description="đã sửa")
    entry.description = "đã sửa"
    with pytest.raises(AccessLogIsAppendOnly), transaction.atomic():
        AccessLog.objects.bulk_update([entry], ["description"])
    assert stored(entry) == ("hồ sơ", "nguoi.doc")


def test_a_reader_named_in_the_log_cannot_be_deleted(entry):
    with pytest.raises(ProtectedError):
        entry.user.delete()


def raw(sql: str, params=()) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_database_refuses_a_raw_update(entry):
    with pytest.raises(IntegrityError, match="append-only"):
        raw(f"UPDATE {TABLE} SET description = 'đã sửa' WHERE id = %s", [entry.pk])
    with pytest.raises(IntegrityError, match="append-only"):
        raw(f"UPDATE {TABLE} SET username = ''")
    assert stored(entry) == ("hồ sơ", "nguoi.doc")


def test_the_database_refuses_a_raw_delete(entry):
    with pytest.raises(IntegrityError, match="append-only"):
        raw(f"DELETE FROM {TABLE} WHERE id = %s", [entry.pk])
    with pytest.raises(IntegrityError, match="append-only"):
        raw(f"DELETE FROM {TABLE}")
    assert AccessLog.objects.filter(pk=entry.pk).exists()


def test_the_database_still_accepts_new_entries_by_raw_insert(entry):
    raw(f"INSERT INTO {TABLE} (at, username, action, object_id, object_label, object_ids, "
        "object_ids_truncated, description, purpose, user_agent, method, path) "
        "VALUES (CURRENT_TIMESTAMP, 'tac.vu', 'view', '', '', '[]', %s, '', '', '', '', '')", [False])
    assert AccessLog.objects.filter(username="tac.vu").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no TRUNCATE")
def test_postgresql_refuses_truncate(entry):
    raw("SET CONSTRAINTS ALL IMMEDIATE")  # the test's open transaction holds deferred foreign-key checks
    with pytest.raises(IntegrityError, match="append-only"):
        raw(f"TRUNCATE {TABLE}")
    assert AccessLog.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_log_and_puts_the_guard_back():
    """`manage.py flush` (how tests reset a database) lifts the triggers for itself only."""
    reader = make_user("nguoi.doc", Role.PROGRAMME_MANAGER)
    log_access(request_or_user=reader, action=AccessAction.VIEW, obj=reader)
    call_command("flush", interactive=False, verbosity=0)
    assert not AccessLog.objects.exists()
    reader = make_user("nguoi.doc", Role.PROGRAMME_MANAGER)
    again = log_access(request_or_user=reader, action=AccessAction.VIEW, obj=reader)
    with pytest.raises(IntegrityError, match="append-only"):
        raw(f"DELETE FROM {TABLE} WHERE id = %s", [again.pk])
