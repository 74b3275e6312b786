"""`manage.py flush`, able to empty the append-only access log too.

Django's flush empties every table: with TRUNCATE on PostgreSQL and DELETE on SQLite, both of which the
access log's triggers refuse (migration audit 0002). Test databases are reset with flush after every
transactional test (browser tests), and a developer may flush a demo database. This command lifts the
access log's triggers for the duration of the flush, in the same transaction, and puts them back: if anything
fails, nothing is emptied and the triggers stay.

This is an operator's command on the whole database, not a way for the application to edit the log: whoever
can run it can also drop the database. See docs/privacy.md.
"""

from django.core.management.commands import flush
from django.db import connections, transaction

from ctxh.audit.models import AccessLog


def _sqlite_triggers(cursor, table: str) -> list[tuple[str, str]]:
    cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
    return list(cursor.fetchall())


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        table = AccessLog._meta.db_table
        if table not in connection.introspection.table_names():
            return super().handle(**options)
        quoted = connection.ops.quote_name(table)
        with transaction.atomic(using=options["database"]):
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute(f"ALTER TABLE {quoted} DISABLE TRIGGER USER")
                    saved = []
                elif connection.vendor == "sqlite":
                    saved = _sqlite_triggers(cursor, table)
                    for name, _sql in saved:
                        cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")
            super().handle(**options)
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute(f"ALTER TABLE {quoted} ENABLE TRIGGER USER")
                for _name, sql in saved:
                    cursor.execute(sql)
