"""The database refuses UPDATE and DELETE on the access log (and TRUNCATE on PostgreSQL), whatever the SQL.

PostgreSQL: a PL/pgSQL function raising SQLSTATE 23001 (restrict_violation, an integrity error), called by a
row trigger BEFORE UPDATE OR DELETE and a statement trigger BEFORE TRUNCATE.
SQLite: two triggers BEFORE UPDATE and BEFORE DELETE that RAISE(ABORT) (also an integrity error); SQLite has no
TRUNCATE (a DELETE without WHERE fires the trigger). Other database engines are not supported by ctxh.

Test databases are reset with `manage.py flush`, which ctxh.audit overrides to lift these triggers for the
duration of the flush (ctxh/audit/management/commands/flush.py).
"""

from django.db import migrations


class RunSQLOn(migrations.RunSQL):
    """RunSQL for one database engine (connection.vendor); a no-op on the others."""

    def __init__(self, vendor, sql, reverse_sql, **kwargs):
        self.vendor = vendor
        super().__init__(sql, reverse_sql, **kwargs)

    def deconstruct(self):
        name, args, kwargs = super().deconstruct()
        return name, args, {"vendor": self.vendor, **kwargs}

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f"Append-only triggers on the access log ({self.vendor})"


POSTGRESQL = [
    """
    CREATE FUNCTION audit_accesslog_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_accesslog is append-only: % refused', TG_OP
            USING ERRCODE = 'restrict_violation',
                  HINT = 'The access log cannot be changed or deleted (docs/privacy.md, retention).';
    END;
    $$
    """,
    """
    CREATE TRIGGER audit_accesslog_append_only BEFORE UPDATE OR DELETE ON audit_accesslog
        FOR EACH ROW EXECUTE FUNCTION audit_accesslog_refuse_change()
    """,
    """
    CREATE TRIGGER audit_accesslog_no_truncate BEFORE TRUNCATE ON audit_accesslog
        FOR EACH STATEMENT EXECUTE FUNCTION audit_accesslog_refuse_change()
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_accesslog_no_truncate ON audit_accesslog",
    "DROP TRIGGER IF EXISTS audit_accesslog_append_only ON audit_accesslog",
    "DROP FUNCTION IF EXISTS audit_accesslog_refuse_change()",
]

SQLITE = [
    """
    CREATE TRIGGER audit_accesslog_no_update BEFORE UPDATE ON audit_accesslog
    BEGIN
        SELECT RAISE(ABORT, 'audit_accesslog is append-only: UPDATE refused');
    END
    """,
    """
    CREATE TRIGGER audit_accesslog_no_delete BEFORE DELETE ON audit_accesslog
    BEGIN
        SELECT RAISE(ABORT, 'audit_accesslog is append-only: DELETE refused');
    END
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_accesslog_no_delete",
    "DROP TRIGGER IF EXISTS audit_accesslog_no_update",
]


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        RunSQLOn("postgresql", POSTGRESQL, POSTGRESQL_REVERSE),
        RunSQLOn("sqlite", SQLITE, SQLITE_REVERSE),
    ]
