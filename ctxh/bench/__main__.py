"""`python -m ctxh.bench [--scale 1.0] [--seed 1] [--database-url URL] [--repeat 20] [--reset]`: make bench.

The database is BENCH_DATABASE_URL (or --database-url), by default the SQLite file var/bench.sqlite3: never
the development database. A PostgreSQL database is created when it does not exist.
"""

import argparse
import os
import sys


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m ctxh.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0,
                        help="1.0 = 200,000 people, 60,000 cases, 1,000,000 services (default); "
                             "0.05 for a quick run")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""),
                        help="default: BENCH_DATABASE_URL, else (or with the word `sqlite`) the SQLite file "
                             "var/bench.sqlite3")
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per page (after one warm-up)")
    parser.add_argument("--reset", action="store_true",
                        help="generate the data set again even if it is there")
    parser.add_argument("--check-postgres", metavar="URL",
                        help="only say (exit status 0) whether a PostgreSQL server answers at URL")
    return parser.parse_args(argv)


def _postgres_params(url: str) -> tuple[str, dict]:
    import dj_database_url

    db = dj_database_url.parse(url)
    return db["NAME"], {"host": db.get("HOST") or None, "port": db.get("PORT") or None,
                        "user": db.get("USER") or None, "password": db.get("PASSWORD") or None}


def postgres_reachable(url: str) -> bool:
    """Whether the server answers (its `postgres` database), within a few seconds."""
    import psycopg

    _name, params = _postgres_params(url)
    try:
        psycopg.connect(dbname="postgres", connect_timeout=3, **params).close()
    except psycopg.Error:
        return False
    return True


def create_postgres_database(url: str) -> None:
    """CREATE DATABASE when the bench database does not exist yet (connecting to `postgres`)."""
    import psycopg
    import psycopg.sql

    name, params = _postgres_params(url)
    try:
        psycopg.connect(dbname=name, **params).close()
        return
    except psycopg.OperationalError:
        pass
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name)))


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    if args.check_postgres:
        return 0 if postgres_reachable(args.check_postgres) else 1
    if args.database_url == "sqlite":
        os.environ.pop("BENCH_DATABASE_URL", None)
    elif args.database_url:
        os.environ["BENCH_DATABASE_URL"] = args.database_url
        if args.database_url.startswith(("postgres://", "postgresql://")):
            create_postgres_database(args.database_url)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ctxh.bench.settings"
    import django

    django.setup()
    from ctxh.bench.run import main as run

    run(seed=args.seed, scale=args.scale, repeat=args.repeat, reset=args.reset)
    return 0


if __name__ == "__main__":
    sys.exit(main())
