"""Production settings: refuses to start without a real secret key."""

from django.core.exceptions import ImproperlyConfigured

from thuvien.config.base import *  # noqa: F403
from thuvien.config.env import DEFAULT_SECRET_KEY, read_env

ENV = read_env(debug_default=False)
DEBUG = ENV.debug
if ENV.secret_key == DEFAULT_SECRET_KEY or len(ENV.secret_key) < 32:
    raise ImproperlyConfigured(
        "THUVIEN_SECRET_KEY must be set to a random string of at least 32 characters in production."
    )
SECRET_KEY = ENV.secret_key
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
