"""Settings for development and the embedded default (SQLite in THUVIEN_HOME)."""

from __future__ import annotations

import dj_database_url
from django.utils.translation import gettext_lazy as _

from thuvien.config.env import REPO_ROOT, read_env

ENV = read_env(debug_default=True)
THUVIEN_HOME = ENV.home
THUVIEN_HOME.mkdir(parents=True, exist_ok=True)
BASE_DIR = REPO_ROOT / "thuvien"

SECRET_KEY = ENV.secret_key
DEBUG = ENV.debug
ALLOWED_HOSTS = ENV.allowed_hosts
THUVIEN_BASE_URL = ENV.base_url

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # its templates and static Swagger UI / ReDoc files: the API docs work without internet
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "thuvien.core",
    "thuvien.catalog",
    "thuvien.search",
    "thuvien.patrons",
    "thuvien.circulation",
    "thuvien.protocols",
    "thuvien.scheduler",
    "thuvien.digital",
    "thuvien.digitisation",
    "thuvien.reports",
    "thuvien.opac",
    "thuvien.staff",
    "thuvien.api",
    "thuvien.stocktake",
    "thuvien.portal",
    "thuvien.online",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "thuvien.config.middleware.CompressionMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "thuvien.config.middleware.SearchBulkheadMiddleware",
    "thuvien.core.middleware.LockedAddressMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "thuvien.core.middleware.NulByteMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "thuvien.core.middleware.IdleTimeoutMiddleware",
    "thuvien.core.middleware.StaffDoorMiddleware",
    "thuvien.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "thuvien.config.middleware.ReadYourWritesMiddleware",
    "thuvien.config.middleware.IndexUnavailableMiddleware",
    "thuvien.reports.middleware.PortalCounterMiddleware",
]

ROOT_URLCONF = "thuvien.config.urls"
WSGI_APPLICATION = "thuvien.config.wsgi.application"
ASGI_APPLICATION = "thuvien.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    }
]

if ENV.database_url:
    DATABASES = {"default": dj_database_url.parse(ENV.database_url, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(THUVIEN_HOME / "thuvien.sqlite3"),
            "OPTIONS": {
                # WAL lets readers run beside one writer; IMMEDIATE avoids upgrade deadlocks.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # Reuse each thread's connection instead of opening the file (and running the pragmas)
            # on every request.
            "CONN_MAX_AGE": 600,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Password rules apply on every path that sets one (staff creation, self-registration, reset, change):
# thuvien.core.services.password_check is what services call.
LOGIN_URL = "staff:login"

# Logging in (thuvien.core.authn): failures counted per account and per address over a window,
# before any password is hashed; sessions end after a quiet spell (staff 30 minutes).
THUVIEN_LOGIN_WINDOW_MINUTES = 15
THUVIEN_LOGIN_MAX_FAILURES = 10
THUVIEN_LOGIN_MAX_FAILURES_PER_IP = 50
THUVIEN_TRUST_X_FORWARDED_FOR = ENV.trust_x_forwarded_for
THUVIEN_STAFF_IDLE_MINUTES = 30
THUVIEN_READER_IDLE_MINUTES = ENV.reader_idle_minutes
SESSION_COOKIE_AGE = 12 * 3600  # an absolute limit besides the idle timeout
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy (thuvien.core.middleware): scripts only from our own static files, no
# inline scripts or handlers; the API's interactive docs are exempt (their pages inline a loader).
THUVIEN_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
               "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
               "frame-ancestors 'self'")
# Key of the CCCD numbers' hashes (patrons/personal.py); empty = the secret key. Keep it with the backups.
THUVIEN_ID_HASH_KEY = ENV.id_hash_key
# Backups (thuvien.core.backup): optional AES-256-GCM key (32 bytes, base64) and retention.
THUVIEN_BACKUP_KEY = ENV.backup_key
THUVIEN_BACKUP_KEEP_DAILY = ENV.backup_keep_daily
THUVIEN_BACKUP_KEEP_MONTHLY = ENV.backup_keep_monthly
THUVIEN_SHOW_DEMO_LOGINS = True  # `thuvien serve` prints the demo accounts (never in production)
THUVIEN_REQUIRE_2FA = ENV.require_2fa  # network admins and managers must use a second factor
THUVIEN_CSP_EXEMPT = ["/api/v1/docs", "/api/v1/redoc"]
LOGIN_REDIRECT_URL = "staff:home"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["thuvien.formats"]  # Vietnamese numbers grouped in threes
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = THUVIEN_HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = THUVIEN_HOME / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Development prints mail; production (config/production.py) demands SMTP or an explicit "console".
EMAIL_BACKEND = {"console": "django.core.mail.backends.console.EmailBackend",
                 "smtp": "django.core.mail.backends.smtp.EmailBackend"}.get(
    ENV.email_backend or "console", ENV.email_backend or "")
DEFAULT_FROM_EMAIL = ENV.default_from_email

# Search index (tantivy) lives beside the database; each app server keeps its own copy.
THUVIEN_INDEX_DIR = THUVIEN_HOME / "index"
# Digital masters as OCFL 1.1 objects (thuvien.digital.ocfl); the daily fixity job checks at least
# THUVIEN_FIXITY_MIN_SLICE objects (and count/365) so every object is re-read within a year.
# The root is a directory, or s3://bucket/prefix on an S3-compatible server (thuvien.digital.blobstore)
# reached with the THUVIEN_OCFL_S3_* settings; its endpoint is the operator's explicit choice, so a
# private or loopback address is allowed for it (core.outbound.configured_endpoint).
THUVIEN_OCFL_ROOT: object = (ENV.ocfl_root if ENV.ocfl_root.startswith("s3://") else
                             type(THUVIEN_HOME)(ENV.ocfl_root) if ENV.ocfl_root else THUVIEN_HOME / "ocfl")
THUVIEN_OCFL_S3_ENDPOINT = ENV.ocfl_s3_endpoint
THUVIEN_OCFL_S3_REGION = ENV.ocfl_s3_region
THUVIEN_OCFL_S3_ACCESS_KEY = ENV.ocfl_s3_access_key
THUVIEN_OCFL_S3_SECRET_KEY = ENV.ocfl_s3_secret_key
THUVIEN_OCFL_S3_ADDRESSING = ENV.ocfl_s3_addressing
THUVIEN_FIXITY_MIN_SLICE = ENV.fixity_min_slice
# Memory for the index writer when `thuvien reindex` builds an index from scratch (split over up to
# 4 threads); a process that finds its index missing and rebuilds it itself uses a quarter of it.
THUVIEN_INDEX_BUILD_MEMORY_MB = ENV.index_build_memory_mb
# Who writes the index: "indexer" (the machine's `thuvien indexer`; this process only reads it; set by
# `thuvien serve` for its processes), "self" (this process applies the outbox itself) or "auto" (the
# default: "indexer" when one is running on THUVIEN_INDEX_DIR, e.g. `thuvien search` beside a server).
THUVIEN_INDEX_WRITER = ENV.index_writer
# Outbox entries are pruned once every indexer seen in the last N days has applied them and they
# are older than this.
THUVIEN_OUTBOX_KEEP_HOURS = 48
# Searches computed at once per web process (the rest queue up to THUVIEN_SEARCH_QUEUE_S seconds), so
# desk requests keep their share of the process while the OPAC is busy.
THUVIEN_SEARCH_CONCURRENCY = ENV.search_concurrency
THUVIEN_SEARCH_QUEUE_S = 10.0
# ...and a search pauses (at its start and before each of its queries) while another request of the
# process is in flight, for at most this long in all (config/middleware.py `DeskFirst`); 0 = off, the
# default until a quiet machine shows it pays (docs/performance.md).
THUVIEN_SEARCH_YIELD_S = ENV.search_yield_ms / 1000
# How often a web process's threads take turns (sys.setswitchinterval; Python's default is 5 ms): a
# desk request coming back from the database waits up to this long for a search to let it run.
THUVIEN_THREAD_SWITCH_S = max(1, ENV.thread_switch_ms) / 1000
THUVIEN_OUTBOX_INDEXER_FORGET_DAYS = 7

# Lines `thuvien serve` prints after the OPAC, staff and API addresses ({base} = http://host:port).
THUVIEN_EXTRA_URLS: list[str] = ["SRU:                   {base}/sru", "OAI-PMH:               {base}/oai"]

# Host names harvests and SRU targets may reach although they resolve to internal addresses
# (thuvien.core.outbound); set by the network administrator, empty by default.
THUVIEN_OUTBOUND_ALLOWED_HOSTS = ENV.outbound_allowed_hosts

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # Django's default config gives "django" its own console handler too: every line came out twice.
    "loggers": {"thuvien": {"level": "INFO", "propagate": True},
                "django": {"level": "INFO", "handlers": [], "propagate": True}},
}

STATICFILES_DIRS = [BASE_DIR / "static", REPO_ROOT / "node_modules" / "htmx.org" / "dist",
                    REPO_ROOT / "node_modules" / "chart.js" / "dist",
                    ("openseadragon", REPO_ROOT / "node_modules" / "openseadragon" / "build" / "openseadragon"),
                    ("mirador", REPO_ROOT / "node_modules" / "mirador" / "dist"),
                    ("sortablejs", REPO_ROOT / "node_modules" / "sortablejs"),
                    ("trix", REPO_ROOT / "node_modules" / "trix" / "dist")]
WHITENOISE_USE_FINDERS = True
SILENCED_SYSTEM_CHECKS = ["staticfiles.W004"]

# Covers: an Open Library-style cover service ("{isbn}" in the URL, e.g.
# "https://covers.openlibrary.org/b/isbn/{isbn}-L.jpg?default=false"), fetched only by the background worker
# through core.outbound; empty = off (covers are then only those the staff upload).
THUVIEN_COVER_SERVICE_URL = ""

# Staff log in with their username; readers log in to the portal with card number or e-mail.
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend", "thuvien.patrons.auth.PatronBackend"]

# The SIP2 server for self-check kiosks, book drops and gates: `thuvien serve` starts it when
# THUVIEN_SIP2_ENABLED=1 (THUVIEN_SIP2_HOST / THUVIEN_SIP2_PORT, default 127.0.0.1:6001).
THUVIEN_EXTRA_SERVERS: dict[str, list[str]] = {}
if ENV.sip2_enabled:
    THUVIEN_EXTRA_SERVERS["sip2"] = ["sip2_server", "--host", ENV.sip2_host, "--port", str(ENV.sip2_port)]
    THUVIEN_EXTRA_URLS.append(f"SIP2 (máy tự phục vụ):  {ENV.sip2_host}:{ENV.sip2_port}")
