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
    "thuvien.core",
    "thuvien.catalog",
    "thuvien.search",
    "thuvien.patrons",
    "thuvien.circulation",
    "thuvien.protocols",
    "thuvien.reports",
    "thuvien.opac",
    "thuvien.staff",
    "thuvien.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
LOGIN_URL = "staff:login"
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

EMAIL_BACKEND = ENV.email_backend or "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = ENV.default_from_email

# Search index (tantivy) lives beside the database; each app server keeps its own copy.
THUVIEN_INDEX_DIR = THUVIEN_HOME / "index"
# Memory for the index writer when `thuvien reindex` builds an index from scratch (split over up to
# 4 threads); a process that finds its index missing and rebuilds it itself uses a quarter of it.
THUVIEN_INDEX_BUILD_MEMORY_MB = ENV.index_build_memory_mb

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"thuvien": {"level": "INFO", "propagate": True}},
}

STATICFILES_DIRS = [BASE_DIR / "static", REPO_ROOT / "node_modules" / "htmx.org" / "dist",
                    REPO_ROOT / "node_modules" / "chart.js" / "dist"]
WHITENOISE_USE_FINDERS = True
SILENCED_SYSTEM_CHECKS = ["staticfiles.W004"]

# Staff log in with their username; readers log in to the portal with card number or e-mail.
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend", "thuvien.patrons.auth.PatronBackend"]
