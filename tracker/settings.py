"""Settings for the Sichuan–Chongqing ecological restoration tracker.

Everything an operator can change comes from environment variables (see README).
With none set, the tracker runs on the embedded defaults under ``var/``: a SpatiaLite
file and kombu's filesystem transport. Production differs only by environment.
"""

import sqlite3
import sys
from decimal import Decimal
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from tracker.env import env_bool, env_choice, env_int, env_list, env_str

if not hasattr(sqlite3.Connection, "enable_load_extension"):
    # This Python cannot load SpatiaLite; bin/make-venv then installs pysqlite3 instead.
    try:
        import pysqlite3

        sys.modules["sqlite3"] = pysqlite3
    except ImportError:
        pass

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "rest_framework",
    "rest_framework_gis",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_results",
    "projects.core",
    "projects.restoration",
    "projects.conference",
    "projects.compensation",
    "projects.workspace",
    "api",
    "tracker",  # project-wide system checks (tracker/checks.py)
]

MIDDLEWARE = [
    "tracker.db.ReplicaReadsMiddleware",  # GET and HEAD read from the replica, when there is one
    "django.middleware.security.SecurityMiddleware",
    "projects.core.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "projects.core.middleware.LanguageMiddleware",
    "api.guards.InputGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "api.representations.RecordWritesMiddleware",  # the figures a user reads next hold their writes
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "projects.core.middleware.ContentSecurityPolicyMiddleware",
    "projects.core.middleware.RequestIdMiddleware",
    "api.idempotency.IdempotencyMiddleware",
    "api.memory.ReleaseAnswerMiddleware",  # innermost: cuts the rendered answer's reference cycles
]

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "tracker.templates.DjangoTemplates",  # frees each context once rendered
        "NAME": "django",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# DATABASE_URL picks the backend: postgres://, postgis:// (both served by PostGIS) or
# spatialite://. The default is a SpatiaLite file under var/ for the embedded demo.
DATABASE_URL = env_str("DATABASE_URL", f"spatialite:///{VAR_DIR / 'tracker.sqlite3'}")
if DATABASE_URL.startswith(("postgres://", "postgresql://")):
    DATABASE_URL = "postgis://" + DATABASE_URL.split("://", 1)[1]
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"].endswith("spatialite"):
    # Several processes (web, worker, beat) share the file: wait for locks instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file, not memory: parallel test workers each get their own (pytest-xdist suffix).
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-tracker.sqlite3")}
else:
    # PostGIS whose health check of a reused connection looks at its socket before asking the
    # server (tracker/postgis/base.py).
    DATABASES["default"]["ENGINE"] = "tracker.postgis"
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # PostgreSQL's JIT compiles the plan of any query it thinks costly: 326 ms to compile a 10 ms
    # aggregate here (docs/benchmarks.md). The tracker's queries are short; it never pays off.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    # The test database must get PostGIS too; a template that already has it avoids
    # needing a superuser for CREATE EXTENSION when one exists.
    if env_str("DATABASE_TEST_TEMPLATE", ""):
        DATABASES["default"]["TEST"] = {"TEMPLATE": env_str("DATABASE_TEST_TEMPLATE", "")}
IS_SPATIALITE = DATABASES["default"]["ENGINE"].endswith("spatialite")
# Seconds a client is asked to wait (Retry-After of the 503) while the database is unreachable.
DATABASE_RETRY_AFTER = env_int("DATABASE_RETRY_AFTER", 30)
# A PostgreSQL read replica (streaming replication) for the reads of GET requests: tracker/db.py.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    if IS_SPATIALITE:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs PostgreSQL as the primary (DATABASE_URL).")
    replica = dj_database_url.parse(
        "postgis://" + DATABASE_REPLICA_URL.split("://", 1)[1], conn_max_age=env_int("DB_CONN_MAX_AGE", 60)
    )
    replica.update(
        ENGINE="tracker.postgis",
        CONN_HEALTH_CHECKS=True,
        OPTIONS={**replica.get("OPTIONS", {}), "options": "-c jit=off"},
        # Tests: the same test database as the primary, not one of its own.
        TEST={"MIRROR": "default"},
    )
    DATABASES["replica"] = replica
    DATABASE_ROUTERS = ["tracker.db.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
# Passwords and sessions from Django; permissions from the tracker's rules (projects.permissions).
AUTHENTICATION_BACKENDS = [
    # Django's ModelBackend, refusing an account locked after failed sign-ins before any password check.
    "projects.core.signin.LockoutBackend",
    "projects.permissions.RuleBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The workspace's sign-in page; the admin keeps its own.
LOGIN_URL = "workspace:login"
LOGIN_REDIRECT_URL = "workspace:my-work"
# Sign-in lockout (projects/core/signin.py): this many wrong passwords for one account from one
# address within the window lock that pair out for SIGN_IN_LOCKOUT seconds (API: 429 with
# Retry-After; admin: a message), whatever the password.
SIGN_IN_MAX_FAILURES = env_int("SIGN_IN_MAX_FAILURES", 5)
SIGN_IN_FAILURE_WINDOW = env_int("SIGN_IN_FAILURE_WINDOW", 900)
SIGN_IN_LOCKOUT = env_int("SIGN_IN_LOCKOUT", 900)

# --- Language: Chinese first, English available ------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
# The project catalogue: templates/, tracker/ and projects/permissions.py. Each app keeps its own
# strings in its locale/ folder. `make messages` refreshes both (docs/translations.md).
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files (served locally; no CDN) ---------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Hashed file names (collectstatic) in production; plain finders for development and tests.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if not STATIC_MANIFEST
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
# Uploads on S3-compatible object storage (MinIO, Ceph, OSS, COS …) for several web nodes:
# needs django-storages[s3] installed on every host (docs/deploy.md); the default keeps MEDIA_ROOT.
MEDIA_STORAGE = env_choice("MEDIA_STORAGE", "filesystem", ["filesystem", "s3"])
if MEDIA_STORAGE == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET", ""),
            "endpoint_url": env_str("S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("S3_REGION", "") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID", ""),
            "secret_key": env_str("S3_SECRET_ACCESS_KEY", ""),  # or S3_SECRET_ACCESS_KEY_FILE
            "default_acl": None,  # private objects: served through signed, expiring links
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
    if not STORAGES["default"]["OPTIONS"]["bucket_name"]:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs S3_BUCKET.")
# Uploads larger than this go to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
# The largest request body apart from uploaded files (JSON, forms); larger is a 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 20 * 1024 * 1024)
# The longest free text (descriptions, narratives, minutes …) the API accepts, in characters.
TEXT_MAX_LENGTH = env_int("TEXT_MAX_LENGTH", 20_000)
# The history keeps the earlier version of a text this long or longer as a difference from the
# later one (projects/core/text_diff.py), not as a second copy.
HISTORY_DIFF_MIN_LENGTH = env_int("HISTORY_DIFF_MIN_LENGTH", 1000)
# The largest accepted attachment or import file (the web server's body limit must allow it).
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
# Uploaded files and review packs are served at MEDIA_URL only to signed-in users who may see
# their record (api/files.py). With MEDIA_ACCEL_REDIRECT set (e.g. /protected-media/), the tracker
# answers with an X-Accel-Redirect to that internal nginx location instead of sending the bytes
# itself (docs/production.md).
MEDIA_ACCEL_REDIRECT = env_str("MEDIA_ACCEL_REDIRECT", "")
# Files no record names, older than this (seconds), are removed by a beat task.
ORPHAN_FILE_AGE = env_int("ORPHAN_FILE_AGE", 86400)

# --- Cache: rate limits and short-lived state. Local memory per process by default; give
# CACHE_URL=redis://… so every web process (and host) counts requests together.
CACHE_URL = env_str("CACHE_URL", "")
# Webhooks may point to private or local addresses only when allowed (development, tests).
WEBHOOK_ALLOW_PRIVATE = env_bool("WEBHOOK_ALLOW_PRIVATE", DEBUG)
# How long the first answer to an Idempotency-Key is kept and replayed (seconds).
IDEMPOTENCY_TTL = env_int("IDEMPOTENCY_TTL", 86400)
# Representations keyed by record version (api/representations.py); 0 turns the cache off.
REPRESENTATION_CACHE_SECONDS = env_int("REPRESENTATION_CACHE_SECONDS", 86400)
# Figures over all records (totals, plan execution, the overview) answer for up to this long after
# later changes, except to whoever made them (api/representations.py); 0: always every change.
FIGURES_MAX_AGE_SECONDS = env_int("FIGURES_MAX_AGE_SECONDS", 60)
# An API token just read is kept in the shared cache (CACHE_URL) for up to this long; any change of
# a token, user or organization stales every kept one at once (api/authentication.py). 0: never kept.
TOKEN_CACHE_SECONDS = env_int("TOKEN_CACHE_SECONDS", 60)
CACHES = {
    "default": (
        {"BACKEND": "tracker.cache.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tracker"}
    ),
    "representations": (
        {"BACKEND": "tracker.cache.RedisCache", "LOCATION": CACHE_URL, "KEY_PREFIX": "repr"}
        if CACHE_URL
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "representations",
            "OPTIONS": {"MAX_ENTRIES": env_int("REPRESENTATION_CACHE_ENTRIES", 20_000)},
        }
    ),
}

# --- Mail (console by default) -----------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "tracker@localhost")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL exclude each other: set one.")
# A mail server that does not answer must not hold a Celery worker until its time limit.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
# Who gets a mail on a server error (comma-separated addresses; none by default).
ADMINS = [(address, address) for address in env_list("ADMINS", [])]

# --- Generated documents ----------------------------------------------------------------
# The review pack's PDF embeds this CJK font (TrueType/OpenType, or a collection with the
# face at PDF_FONT_INDEX). The default comes with Debian's fonts-wqy-zenhei.
PDF_FONT_PATH = env_str("PDF_FONT_PATH", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
PDF_FONT_INDEX = env_int("PDF_FONT_INDEX", 0)

# Reporting reminders (docs/closeout.md): days before the due date, days after it to escalate to the
# province's lead and to the joint office, and the age beyond which a late report is not reminded.
REMINDER_DAYS_BEFORE = env_int("REMINDER_DAYS_BEFORE", 5)
REMINDER_ESCALATE_PROVINCE_DAYS = env_int("REMINDER_ESCALATE_PROVINCE_DAYS", 7)
REMINDER_ESCALATE_OFFICE_DAYS = env_int("REMINDER_ESCALATE_OFFICE_DAYS", 14)
REMINDER_MAX_AGE_DAYS = env_int("REMINDER_MAX_AGE_DAYS", 92)
if not 0 < REMINDER_ESCALATE_PROVINCE_DAYS < REMINDER_ESCALATE_OFFICE_DAYS <= REMINDER_MAX_AGE_DAYS:
    raise ImproperlyConfigured(
        "Reminders escalate in order: 0 < REMINDER_ESCALATE_PROVINCE_DAYS < REMINDER_ESCALATE_OFFICE_DAYS "
        "<= REMINDER_MAX_AGE_DAYS."
    )

# Acceptance (验收): achieving less than this share of a performance target needs a stated reason.
try:
    ACCEPTANCE_MIN_SHARE = Decimal(env_str("ACCEPTANCE_MIN_SHARE", "0.8"))
except ArithmeticError as exc:
    raise ImproperlyConfigured("ACCEPTANCE_MIN_SHARE must be a number between 0 and 1, e.g. 0.8.") from exc
if not Decimal("0") <= ACCEPTANCE_MIN_SHARE <= Decimal("1"):
    raise ImproperlyConfigured("ACCEPTANCE_MIN_SHARE must be a number between 0 and 1, e.g. 0.8.")

# --- REST framework ---------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes anonymous requests a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.TrackerPermission", "api.authentication.TokenScopePermission"],
    # DRF's JSON, with kept representations spliced in as encoded (api/renderers.py).
    "DEFAULT_RENDERER_CLASSES": ["api.renderers.JSONRenderer", "rest_framework.renderers.BrowsableAPIRenderer"],
    # Uploads too large are refused from their Content-Length, before anything is read.
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.TrackerJSONParser",
        "rest_framework.parsers.FormParser",
        "api.parsers.UploadParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["api.authentication.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "api": env_str("API_RATE_LIMIT", "1200/min"),
        "sign_in": env_str("SIGN_IN_RATE_LIMIT", "10/min"),
    },
    "DEFAULT_FILTER_BACKENDS": [
        "api.filters.UpdatedSinceFilter",
        "api.filters.TrackerFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "api.schema.TrackerAutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    # ASCII: generated clients name their package after the title.
    "TITLE": "Sichuan-Chongqing Restoration Tracker API",
    "DESCRIPTION": (
        "川渝国土空间生态修复协同平台 API. The shared restoration data of Sichuan, Chongqing and Guizhou: "
        "projects and progress reports, the joint conference, compensation, the fund, standards and "
        "products. Sign in for a token at /api/v1/auth/token/ and send `Authorization: Token trk_…`. "
        "Every error has `detail`, `code` and `errors` (the Error schema); see docs/api.md and docs/partners.md."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Bodies are documented as JSON (uploads declare multipart themselves); the browsable API's
    # form posts still work, they are just not part of the contract.
    "PARSER_WHITELIST": ["rest_framework.parsers.JSONParser"],
    # Every 4xx of every operation answers the one error shape (api/exceptions.py).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.schema.declare_errors"],
    # One schema name per choice set (several models share field names like "status").
    "ENUM_NAME_OVERRIDES": {
        "OrganizationKindEnum": "projects.core.choices.OrganizationKind",
        "KeyAreaKindEnum": "projects.core.choices.KeyAreaKind",
        "DivisionLevelEnum": "projects.core.choices.DivisionLevel",
        "ProjectStatusEnum": "projects.restoration.choices.ProjectStatus",
        "ReportStatusEnum": "projects.restoration.choices.ReportStatus",
        "ReportingPeriodEnum": "projects.restoration.choices.ReportingPeriod",
        "AttachmentKindEnum": "projects.restoration.choices.AttachmentKind",
        "ParticipationKindEnum": "projects.restoration.choices.ParticipationKind",
        "ParticipationStatusEnum": "projects.restoration.choices.ParticipationStatus",
        "AcceptanceStatusEnum": "projects.restoration.choices.AcceptanceStatus",
        "RectificationStatusEnum": "projects.restoration.choices.RectificationStatus",
        "AgreementStatusEnum": "projects.compensation.choices.AgreementStatus",
        "SettlementStatusEnum": "projects.compensation.choices.SettlementStatus",
        "StandardStatusEnum": "projects.compensation.choices.StandardStatus",
        "ListingStatusEnum": "projects.compensation.choices.ListingStatus",
        "TradeStatusEnum": "projects.compensation.choices.TradeStatus",
        "SideEnum": "projects.compensation.choices.Side",
        "RuleKindEnum": "projects.compensation.choices.RuleKind",
        "StandardKindEnum": "projects.compensation.choices.StandardKind",
    },
}

# --- Celery ---------------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://localhost//")
CELERY_FILESYSTEM_DIR = VAR_DIR / "celery"
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The embedded demo broker: kombu's filesystem transport with atomic writes.
    CELERY_BROKER_URL = "tracker-fs://localhost//"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FILESYSTEM_DIR / "queue"),
        "data_folder_out": str(CELERY_FILESYSTEM_DIR / "queue"),
        "processed_folder": str(CELERY_FILESYSTEM_DIR / "processed"),
        "control_folder": str(CELERY_FILESYSTEM_DIR / "control"),
        "store_processed": True,
        "polling_interval": 0.1,
    }
else:
    # Fail fast instead of blocking a web request for ~20 s when the broker is down (the outbox
    # drain sends the work later). A message taken by a worker that dies is handed out again after
    # the visibility timeout: longer than the longest task (600 s, the review pack) plus the wait of
    # a message reserved behind it, so a task still running is never given to a second worker.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "max_retries": 2,
        "interval_start": 0,
        "interval_step": 0.5,
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 1800),
    }
    CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", "django-db")
CELERY_RESULT_EXTENDED = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
# A message is acknowledged when its task ends, and given back to the broker when the worker
# running it dies (killed, out of memory), so work is redelivered instead of lost. Every task is
# safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Seconds a task may run: at the soft limit it is told to stop, at the hard limit it is killed.
# Tasks that declare their own limits (the review pack, settlements) keep them.
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
if not 0 < CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured("CELERY_TASK_SOFT_TIME_LIMIT must be positive and below CELERY_TASK_TIME_LIMIT.")
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The outbox (projects.core.outbox): a record waiting for its task (a pending review pack or
# settlement) whose message could not be sent, or was sent longer ago than this many seconds and
# not taken, is sent again by the drain beat task. A review pack "running" longer than its
# deadline was abandoned by a dead worker: it is built again, up to REVIEW_PACK_ATTEMPTS times,
# then marked failed with the reason.
OUTBOX_RESEND_AFTER = env_int("OUTBOX_RESEND_AFTER", 1800)
REVIEW_PACK_DEADLINE = env_int("REVIEW_PACK_DEADLINE", 900)
REVIEW_PACK_ATTEMPTS = env_int("REVIEW_PACK_ATTEMPTS", 3)
# Imports of more rows than this run as a Celery task the caller follows (``/api/v1/import-jobs/``,
# docs/reliability.md) instead of holding a web worker. The task's hard limit stays below the
# broker's visibility timeout, so a running import is never delivered twice; one left running past
# its deadline (its worker died) is retried up to IMPORT_JOB_ATTEMPTS times, then marked failed.
IMPORT_BACKGROUND_ROWS = env_int("IMPORT_BACKGROUND_ROWS", 500)
IMPORT_JOB_TIME_LIMIT = env_int("IMPORT_JOB_TIME_LIMIT", 1500)
IMPORT_JOB_DEADLINE = IMPORT_JOB_TIME_LIMIT + 120
IMPORT_JOB_ATTEMPTS = env_int("IMPORT_JOB_ATTEMPTS", 3)
_VISIBILITY_TIMEOUT = globals().get("CELERY_BROKER_TRANSPORT_OPTIONS", {}).get("visibility_timeout")
if _VISIBILITY_TIMEOUT and IMPORT_JOB_TIME_LIMIT >= _VISIBILITY_TIMEOUT:
    raise ImproperlyConfigured("IMPORT_JOB_TIME_LIMIT must be below CELERY_VISIBILITY_TIMEOUT.")
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = TIME_ZONE
# Each domain app adds its periodic tasks here (see tracker/celery.py).
CELERY_BEAT_SCHEDULE = {
    "prune-idempotency-keys": {"task": "api.tasks.prune_idempotency_keys", "schedule": 3600.0},
    # Webhooks: the history read into deliveries, and due deliveries (re)sent.
    "dispatch-webhooks": {"task": "api.tasks.dispatch_webhooks", "schedule": 10.0},
    "send-due-webhooks": {"task": "api.tasks.send_due_webhooks", "schedule": 60.0},
    "prune-processed-broker-messages": {
        "task": "projects.core.tasks.prune_processed_messages",
        "schedule": 3600.0,
    },
    # Progress reports due or late: remind the reporting organization, then escalate (docs/closeout.md).
    "restoration-send-reporting-reminders": {
        "task": "projects.restoration.tasks.send_reporting_reminders",
        "schedule": 3600.0,
    },
    # Follow-up actions past their due date: mark overdue and email the responsible organization.
    "conference-mark-overdue-action-items": {
        "task": "projects.conference.tasks.mark_overdue_action_items",
        "schedule": 3600.0,
    },
    # The outbox: work whose message was never sent (broker down) or was lost, and packs whose
    # worker died, sent again.
    "conference-recover-review-packs": {"task": "projects.conference.tasks.recover_review_packs", "schedule": 60.0},
    "compensation-send-pending-settlements": {
        "task": "projects.compensation.tasks.send_pending_settlements",
        "schedule": 60.0,
    },
    # Files left by failed attempts and killed workers.
    "remove-orphan-files": {"task": "projects.core.tasks.remove_orphan_files", "schedule": 3600.0},
    # Imports whose message was never sent or whose worker died, sent again.
    "recover-import-jobs": {"task": "api.tasks.recover_import_jobs", "schedule": 60.0},
    # Every half of the figures' age limit: readers find them younger than it (a warm-up takes
    # seconds at provincial scale).
    "warm-figures": {"task": "api.tasks.warm_figures", "schedule": float(FIGURES_MAX_AGE_SECONDS // 2 or 60)},
    # Compensation: open and compute the settlements of ended periods, once a day.
    "compensation-schedule-due-settlements": {
        "task": "projects.compensation.tasks.schedule_due_settlements",
        "schedule": 86400.0,
    },
}

# --- Security (production) ---------------------------------------------------------------
# With DEBUG off the defaults are those of HTTPS behind a proxy that sets X-Forwarded-Proto;
# with DEBUG on (make run, plain HTTP) they are off. Each can be set either way.
_SAMESITE = ("Lax", "Strict", "None")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 14 * 24 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", False)
SESSION_COOKIE_SAMESITE = env_choice("SESSION_COOKIE_SAMESITE", "Lax", _SAMESITE)
SESSION_COOKIE_DOMAIN = env_str("SESSION_COOKIE_DOMAIN", "") or None
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SAMESITE = env_choice("CSRF_COOKIE_SAMESITE", "Lax", _SAMESITE)
CSRF_COOKIE_DOMAIN = env_str("CSRF_COOKIE_DOMAIN", "") or None
X_FRAME_OPTIONS = "DENY"
# Scripts only from the tracker's own static files: the admin (its map widget included), Swagger
# UI (its setup script served as a file) and the browsable API run no inline script. Inline styles
# stay allowed (the admin and Swagger UI set some); images may be data: URIs (Swagger UI's icons).
CONTENT_SECURITY_POLICY = env_str(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'",
)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading is a promise to browsers that is slow to take back: only on request.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)

# GDAL < 3.9 (Debian 12 ships 3.6) cannot sandbox spatial references. The tracker only
# accepts GeoJSON geometries in EPSG:4326, validated by projects.core.geometry, never
# user-supplied SRS definitions or raster files, so this check does not apply.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]
if not SECURE_HSTS_PRELOAD:
    # "You have not set SECURE_HSTS_PRELOAD": off on purpose until the operator opts in.
    SILENCED_SYSTEM_CHECKS.append("security.W021")

# The debug page and error mails hide passwords inside URLs too (DATABASE_URL, CELERY_BROKER_URL …).
DEFAULT_EXCEPTION_REPORTER_FILTER = "tracker.debug.SecretsExceptionReporterFilter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

DEMO_PASSWORD = env_str("DEMO_PASSWORD", "tracker-demo")
