"""Production settings: refuses to start without a real secret key or a deliberate choice of how
e-mail is sent; proxy, trusted origins, HSTS and cookies come from the environment (config/env.py)."""

from urllib.parse import urlsplit

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

# E-mail carries password-reset links: production never falls back to printing them in the log.
# THUVIEN_EMAIL_BACKEND=smtp needs THUVIEN_SMTP_HOST (and usually _USER/_PASSWORD); "console" must be
# chosen explicitly (a test installation without mail).
_EMAIL_BACKENDS = {"smtp": "django.core.mail.backends.smtp.EmailBackend",
                   "console": "django.core.mail.backends.console.EmailBackend"}
if not ENV.email_backend:
    raise ImproperlyConfigured(
        "Set THUVIEN_EMAIL_BACKEND=smtp with THUVIEN_SMTP_HOST (and THUVIEN_SMTP_USER, THUVIEN_SMTP_PASSWORD, "
        "THUVIEN_SMTP_PORT, THUVIEN_SMTP_SECURITY=starttls|ssl|none), or THUVIEN_EMAIL_BACKEND=console to send "
        "no e-mail at all (password-reset links then only appear in the server log)."
    )
EMAIL_BACKEND = _EMAIL_BACKENDS.get(ENV.email_backend, ENV.email_backend)
if EMAIL_BACKEND == _EMAIL_BACKENDS["smtp"]:
    if not ENV.smtp_host:
        raise ImproperlyConfigured("THUVIEN_EMAIL_BACKEND=smtp needs THUVIEN_SMTP_HOST.")
    if ENV.smtp_security not in ("starttls", "ssl", "none"):
        raise ImproperlyConfigured("THUVIEN_SMTP_SECURITY must be starttls, ssl or none.")
    EMAIL_HOST = ENV.smtp_host
    EMAIL_PORT = ENV.smtp_port
    EMAIL_HOST_USER = ENV.smtp_user
    EMAIL_HOST_PASSWORD = ENV.smtp_password
    EMAIL_USE_TLS = ENV.smtp_security == "starttls"
    EMAIL_USE_SSL = ENV.smtp_security == "ssl"
    EMAIL_TIMEOUT = 20

# Behind an HTTPS reverse proxy (docs/operations.md): e.g. THUVIEN_PROXY_SSL_HEADER=X-Forwarded-Proto
# (only if the proxy always sets or strips it) and THUVIEN_CSRF_TRUSTED_ORIGINS=https://thuvien.example.gov.vn
if ENV.proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + ENV.proxy_ssl_header.upper().replace("-", "_"), "https")
CSRF_TRUSTED_ORIGINS = list(ENV.csrf_trusted_origins)
if not CSRF_TRUSTED_ORIGINS and ENV.base_url.startswith("https://"):
    _base = urlsplit(ENV.base_url)
    CSRF_TRUSTED_ORIGINS = [f"{_base.scheme}://{_base.netloc}"]

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = ENV.hsts_seconds
SECURE_HSTS_INCLUDE_SUBDOMAINS = False  # the province's other sites under the same domain may not be HTTPS yet
SECURE_HSTS_PRELOAD = False
SECURE_SSL_REDIRECT = ENV.ssl_redirect  # usually done by the proxy; THUVIEN_SSL_REDIRECT=1 to do it here
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "SAMEORIGIN"  # the digital viewers and print previews frame our own pages
# `thuvien check --deploy` notes kept silent on purpose (docs/operations.md, "Security settings"):
# W005/W021 HSTS for subdomains and preload are the province's domain-wide decision; W019 see above.
# W008 (SSL redirect) stays visible: set THUVIEN_SSL_REDIRECT=1 unless the proxy redirects.
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W005", "security.W019", "security.W021"]  # noqa: F405

THUVIEN_OUTBOUND_ALLOWED_HOSTS = ENV.outbound_allowed_hosts  # nothing internal unless listed
THUVIEN_SHOW_DEMO_LOGINS = False
THUVIEN_REQUIRE_2FA = ENV.require_2fa  # on unless THUVIEN_REQUIRE_2FA=0

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed files once `thuvien collectstatic` has run (the install step does it); until
    # then pages are still served, with unhashed URLs answered by WhiteNoise from the app folders.
    "staticfiles": {"BACKEND": "thuvien.core.staticfiles.ForgivingManifestStorage"},
}
