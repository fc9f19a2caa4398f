"""Every setting that comes from the environment is read here, and only here."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_SECRET_KEY = "thuvien-insecure-development-key-do-not-use-in-production"  # noqa: S105
REPO_ROOT = Path(__file__).resolve().parents[2]


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Env:
    home: Path
    database_url: str | None
    secret_key: str
    debug: bool
    allowed_hosts: list[str]
    email_backend: str | None
    default_from_email: str
    base_url: str
    index_build_memory_mb: int
    index_writer: str
    search_concurrency: int
    search_yield_ms: int
    thread_switch_ms: int
    outbound_allowed_hosts: list[str]
    trust_x_forwarded_for: bool
    smtp_host: str
    smtp_port: int
    smtp_user: str
    smtp_password: str
    smtp_security: str
    proxy_ssl_header: str
    csrf_trusted_origins: list[str]
    hsts_seconds: int
    ssl_redirect: bool
    require_2fa: bool
    id_hash_key: str
    backup_key: str
    backup_keep_daily: int
    backup_keep_monthly: int
    reader_idle_minutes: int
    ocfl_root: str = ""
    ocfl_s3_endpoint: str = ""
    ocfl_s3_region: str = ""
    ocfl_s3_access_key: str = ""
    ocfl_s3_secret_key: str = ""
    ocfl_s3_addressing: str = "path"
    fixity_min_slice: int = 20
    sip2_enabled: bool = False
    sip2_host: str = "127.0.0.1"
    sip2_port: int = 6001


def _int(value: str | None, default: int, name: str) -> int:
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None


def read_env(*, debug_default: bool) -> Env:
    """Read the THUVIEN_* and DATABASE_URL variables once, with their documented defaults."""
    home = Path(os.environ.get("THUVIEN_HOME") or REPO_ROOT / "var").resolve()
    hosts = os.environ.get("THUVIEN_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
    return Env(
        home=home,
        database_url=os.environ.get("DATABASE_URL") or None,
        secret_key=os.environ.get("THUVIEN_SECRET_KEY") or DEFAULT_SECRET_KEY,
        debug=_bool(os.environ.get("THUVIEN_DEBUG"), debug_default),
        allowed_hosts=[h.strip() for h in hosts.split(",") if h.strip()],
        email_backend=os.environ.get("THUVIEN_EMAIL_BACKEND") or None,
        default_from_email=os.environ.get("THUVIEN_FROM_EMAIL", "thuvien@localhost"),
        base_url=os.environ.get("THUVIEN_BASE_URL", "http://127.0.0.1:8000"),
        # Development may harvest itself (the demo's source is this server); production allows nothing
        # internal unless the network administrator lists it.
        outbound_allowed_hosts=[h.strip() for h in os.environ.get(
            "THUVIEN_OUTBOUND_ALLOWED_HOSTS", "127.0.0.1,localhost" if debug_default else "").split(",") if h.strip()],
        smtp_host=os.environ.get("THUVIEN_SMTP_HOST", ""),
        smtp_port=_int(os.environ.get("THUVIEN_SMTP_PORT"), 587, "THUVIEN_SMTP_PORT"),
        smtp_user=os.environ.get("THUVIEN_SMTP_USER", ""),
        smtp_password=os.environ.get("THUVIEN_SMTP_PASSWORD", ""),
        smtp_security=os.environ.get("THUVIEN_SMTP_SECURITY", "starttls").strip().lower(),
        proxy_ssl_header=os.environ.get("THUVIEN_PROXY_SSL_HEADER", "").strip(),
        csrf_trusted_origins=[o.strip() for o in os.environ.get("THUVIEN_CSRF_TRUSTED_ORIGINS", "").split(",")
                              if o.strip()],
        hsts_seconds=_int(os.environ.get("THUVIEN_HSTS_SECONDS"), 31536000, "THUVIEN_HSTS_SECONDS"),
        ssl_redirect=_bool(os.environ.get("THUVIEN_SSL_REDIRECT"), False),
        id_hash_key=os.environ.get("THUVIEN_ID_HASH_KEY", ""),
        backup_key=os.environ.get("THUVIEN_BACKUP_KEY", ""),
        backup_keep_daily=_int(os.environ.get("THUVIEN_BACKUP_KEEP_DAILY"), 7, "THUVIEN_BACKUP_KEEP_DAILY"),
        backup_keep_monthly=_int(os.environ.get("THUVIEN_BACKUP_KEEP_MONTHLY"), 12, "THUVIEN_BACKUP_KEEP_MONTHLY"),
        require_2fa=_bool(os.environ.get("THUVIEN_REQUIRE_2FA"), not debug_default),
        trust_x_forwarded_for=_bool(os.environ.get("THUVIEN_TRUST_X_FORWARDED_FOR"), False),
        reader_idle_minutes=_int(os.environ.get("THUVIEN_READER_IDLE_MINUTES"), 60, "THUVIEN_READER_IDLE_MINUTES"),
        index_build_memory_mb=_int(os.environ.get("THUVIEN_INDEX_BUILD_MEMORY_MB"), 400,
                                   "THUVIEN_INDEX_BUILD_MEMORY_MB"),
        index_writer=os.environ.get("THUVIEN_INDEX_WRITER") or "auto",
        search_concurrency=_int(os.environ.get("THUVIEN_SEARCH_CONCURRENCY"), 1, "THUVIEN_SEARCH_CONCURRENCY"),
        # Preservation copies of digital masters (OCFL 1.1); empty = THUVIEN_HOME/ocfl.
        ocfl_root=os.environ.get("THUVIEN_OCFL_ROOT", "").strip(),
        # ... or s3://bucket/prefix on an S3-compatible server: its endpoint (empty = AWS), region and
        # keys (empty = boto3's usual chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, ~/.aws, instance role).
        ocfl_s3_endpoint=os.environ.get("THUVIEN_OCFL_S3_ENDPOINT", "").strip(),
        ocfl_s3_region=os.environ.get("THUVIEN_OCFL_S3_REGION", "").strip(),
        ocfl_s3_access_key=os.environ.get("THUVIEN_OCFL_S3_ACCESS_KEY", "").strip(),
        ocfl_s3_secret_key=os.environ.get("THUVIEN_OCFL_S3_SECRET_KEY", "").strip(),
        ocfl_s3_addressing=os.environ.get("THUVIEN_OCFL_S3_ADDRESSING", "").strip().lower() or "path",
        fixity_min_slice=_int(os.environ.get("THUVIEN_FIXITY_MIN_SLICE"), 20, "THUVIEN_FIXITY_MIN_SLICE"),
        search_yield_ms=_int(os.environ.get("THUVIEN_SEARCH_YIELD_MS"), 0, "THUVIEN_SEARCH_YIELD_MS"),
        thread_switch_ms=_int(os.environ.get("THUVIEN_THREAD_SWITCH_MS"), 5, "THUVIEN_THREAD_SWITCH_MS"),
        sip2_enabled=_bool(os.environ.get("THUVIEN_SIP2_ENABLED"), False),
        sip2_host=os.environ.get("THUVIEN_SIP2_HOST") or "127.0.0.1",
        sip2_port=_int(os.environ.get("THUVIEN_SIP2_PORT"), 6001, "THUVIEN_SIP2_PORT"),
    )
