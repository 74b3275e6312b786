"""Settings for `make bench`: ctxh's own settings (DEBUG off, cached templates, the same database options)
on a database of its own.

BENCH_DATABASE_URL selects it (default: the SQLite file var/bench.sqlite3), so the bench never touches the
development database; it is handed to ctxh.settings as DATABASE_URL, so that the bench measures the database
configuration production runs with. Plain HTTP and the test client's host name, because requests come from
Django's test client in the same process.
"""

import os
from pathlib import Path

_var = Path(os.environ.get("CTXH_VAR_DIR", Path(__file__).resolve().parent.parent.parent / "var"))
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{_var / 'bench.sqlite3'}"
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-use-0123456789abcdef")
os.environ["DEBUG"] = "false"

from ctxh.settings import *  # noqa: E402,F403

ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
HTTPS = False
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
# Pages render without `collectstatic` (the manifest storage needs it).
STORAGES = {**STORAGES, "staticfiles": {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
# The table is the output: no per-task or per-rebuild log lines in between.
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"},  # noqa: F405
           "loggers": {"axes": {"level": "WARNING"}, "django.tasks": {"level": "WARNING"}}}
