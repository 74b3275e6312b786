"""Settings for ctxh, read from the environment (twelve-factor).

DEBUG is off unless the environment turns it on; with DEBUG off the site expects to run behind HTTPS and
`manage.py check --deploy` is clean. See README.md, "Configuration".
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CTXH_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    """SECRET_KEY from the environment; on a developer machine, one generated once and kept in var/."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (production mode); for development set DEBUG=true."
        )
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    # django.contrib.admin with ctxh's admin site: administrators only, after two-factor verification.
    "ctxh.accounts.admin_site.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "simple_history",
    "ctxh.core",
    "ctxh.accounts",
    "ctxh.audit",
    "ctxh.geo",
    "ctxh.orgs",
    "ctxh.workforce",
    "ctxh.training",
    "ctxh.cases",
    "ctxh.indicators",
    "ctxh.imports",
    "ctxh.web",
    "ctxh.api",
    "ctxh.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Vietnamese unless the user picked English with the language switch (not the browser's Accept-Language).
    "ctxh.web.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "ctxh.accounts.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ctxh.urls"
WSGI_APPLICATION = "ctxh.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "ctxh" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ctxh.web.context_processors.navigation",
            ],
        },
    },
]

# Forms render through project templates (ctxh/templates/django/forms/): Bootstrap markup, labels and errors
# next to each field.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Database: DATABASE_URL, default an SQLite file under var/ (zero set-up).
DEFAULT_SQLITE = f"sqlite:///{VAR_DIR / 'ctxh.sqlite3'}"
DATABASES = {
    "default": dj_database_url.config(default=DEFAULT_SQLITE, conn_max_age=60, conn_health_checks=True)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at the start of a
        # transaction so that two concurrent writers wait instead of failing half-way.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compilation pays off for long analytical queries only; the scoped list pages' queries are costed
    # high enough to be compiled on every request (about 0.7 s each, measured by `make bench`).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions end after 8 hours of inactivity and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 8 * 3600))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Lock-out after repeated failed logins (django-axes).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", 15)))
# Lock by user name, not by address: a commune office or a department shares one public address, and
# one person's mistakes must not lock out the whole office.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLE_ACCESS_FAILURE_LOG = True

# Two-factor authentication: roles that must use it (accounts.roles).
OTP_TOTP_ISSUER = "ctxh"

# Internationalization: Vietnamese first, English second.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "ctxh" / "locale"]
FORMAT_MODULE_PATH = ["ctxh.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
if DEBUG:
    # Development serves static files from the apps (finders); an empty root keeps whitenoise quiet.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"

# Uploads: spreadsheets are read in memory up to this size; larger files are refused with a message.
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
CTXH_IMPORT_MAX_BYTES = int(os.environ.get("CTXH_IMPORT_MAX_BYTES", 10 * 1024 * 1024))
CTXH_IMPORT_MAX_ROWS = int(os.environ.get("CTXH_IMPORT_MAX_ROWS", 50_000))

# Access log (ctxh.audit, docs/privacy.md): how many reverse proxies of ours append to X-Forwarded-For in
# front of Django (0: the client is REMOTE_ADDR), and how many days entries stay before they are exported for
# archiving.
CTXH_TRUSTED_PROXY_COUNT = int(os.environ.get("CTXH_TRUSTED_PROXY_COUNT", 0))
CTXH_AUDIT_RETENTION_DAYS = int(os.environ.get("CTXH_AUDIT_RETENTION_DAYS", 5 * 365))

# Background tasks (django.tasks): spreadsheet imports check and write files as tasks (ctxh/imports/jobs.py).
# CTXH_TASKS_BACKEND=database queues them in the database (django-tasks-db) for `manage.py db_worker`, and the
# import pages show live progress; `immediate` (the default: tests, or no worker running) runs a task inside
# the request that starts it. The worker's tables always exist, so switching needs no migration.
INSTALLED_APPS += ["django_tasks_db"]
CTXH_TASKS_BACKEND = os.environ.get("CTXH_TASKS_BACKEND", "immediate")
if CTXH_TASKS_BACKEND not in {"immediate", "database"}:
    raise ImproperlyConfigured("CTXH_TASKS_BACKEND must be 'immediate' or 'database'.")
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend"
        if CTXH_TASKS_BACKEND == "database"
        else "django.tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ctxh API",
    "DESCRIPTION": "API của ctxh: đơn vị hành chính, tổ chức, ... (Social Work Development Programme)",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No online validator badge: Swagger UI must not call a host outside the intranet.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # Several models have a field named "kind": give each choice set its own readable enum name.
    "ENUM_NAME_OVERRIDES": {
        "UnitKindEnum": "ctxh.geo.models.UnitKind",
        "SuccessionKindEnum": "ctxh.geo.models.SuccessionKind",
        "OrgKindEnum": "ctxh.orgs.models.OrgKind",
        "LevelEnum": "ctxh.geo.models.Level",
        "CourseLevelEnum": "ctxh.training.models.CourseLevel",
        "StageEnum": "ctxh.cases.models.Stage",
        "ClosureReasonEnum": "ctxh.cases.models.ClosureReason",
        "AssessmentKindEnum": "ctxh.cases.models.AssessmentKind",
        "ServiceFundingSourceEnum": "ctxh.cases.models.FundingSource",
        "TrainingFundingSourceEnum": "ctxh.training.models.FundingSource",
    },
}

# Production mode: HTTPS behind a proxy. Each setting can be relaxed from the environment.
HTTPS = env_bool("CTXH_HTTPS", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

ADMIN_SITE_TITLE = _("Quản trị ctxh")
