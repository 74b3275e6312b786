"""The engine's small SQL seam: portable raw SQL through `django.db.connection`.

Everything the engine writes is plain SQL that SQLite and PostgreSQL read the same way: dates are passed as
`datetime.date` parameters (Django sends ISO strings to SQLite, typed dates to PostgreSQL), no dialect-only
functions, CTEs with column lists, `VALUES` tables, window functions, temporary tables. The only vendor
branch is `ANALYZE` of temporary tables on PostgreSQL (its planner does not see fresh temporary tables).
"""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from django.db import DatabaseError, connection, transaction
from django.db.models import Model


def q(name: str) -> str:
    return connection.ops.quote_name(name)


def table(model: type[Model]) -> str:
    return q(model._meta.db_table)


def placeholders(values: Sequence) -> str:
    return ", ".join(["%s"] * len(values))


def values_cte(name: str, columns: Sequence[str], rows: Iterable[Sequence]) -> tuple[str, list]:
    """`name(col, ...) AS (VALUES (%s, ...), ...)` and its parameters (rows must not be empty)."""
    rows = list(rows)
    if not rows:
        raise ValueError(f"values_cte({name}): no rows")
    row_sql = "(" + placeholders(columns) + ")"
    params = [value for row in rows for value in row]
    return f"{name}({', '.join(columns)}) AS (VALUES {', '.join([row_sql] * len(rows))})", params


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


class TempTables:
    """Temporary tables of one engine run (per connection), dropped at the end."""

    def __init__(self, cursor):
        self.cursor = cursor
        self.names: list[str] = []

    def create(self, name: str, columns: str, indexes: Sequence[str] = ()) -> str:
        quoted = q(name)
        if name not in self.names:
            self.cursor.execute(f"DROP TABLE IF EXISTS {quoted}")
            self.cursor.execute(f"CREATE TEMPORARY TABLE {quoted} ({columns})")
            for number, index_columns in enumerate(indexes):
                self.cursor.execute(f"CREATE INDEX {q(f'{name}_{number}')} ON {quoted} ({index_columns})")
            self.names.append(name)
        else:
            self.cursor.execute(f"DELETE FROM {quoted}")
        return quoted

    def analyze(self, name: str) -> None:
        if is_postgresql():
            self.cursor.execute(f"ANALYZE {q(name)}")

    def drop_all(self) -> None:
        for name in reversed(self.names):
            self.cursor.execute(f"DROP TABLE IF EXISTS {q(name)}")
        self.names.clear()


@contextmanager
def tuned(cursor) -> Iterator[None]:
    """Memory for a run. SQLite: a larger page cache (of the database and of the temporary tables): its
    default of 2 MB makes the scans read the same pages again and again; restored afterwards. PostgreSQL: more
    memory for sorts and hashes in this transaction (`work_mem`), and for this session's temporary tables
    (`temp_buffers`, default 8 MB, which can only be raised before the session's first temporary table)."""
    if connection.vendor == "postgresql":
        if connection.in_atomic_block:
            cursor.execute("SET LOCAL work_mem = '256MB'")
        try:
            with transaction.atomic():
                cursor.execute("SET temp_buffers = '256MB'")
        except DatabaseError:
            pass  # the session already used temporary tables: it keeps its setting
        yield
        return
    if connection.vendor != "sqlite":
        yield
        return
    saved = []
    for schema in ("main", "temp"):
        cursor.execute(f"PRAGMA {schema}.cache_size")
        saved.append((schema, int(cursor.fetchone()[0])))
        cursor.execute(f"PRAGMA {schema}.cache_size = -262144")  # 256 MB at most, taken as pages are read
    try:
        yield
    finally:
        for schema, size in saved:
            cursor.execute(f"PRAGMA {schema}.cache_size = {size}")
