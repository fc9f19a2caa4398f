"""Digital-library settings: inherited unit settings and where files live."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from thuvien.core.unit_settings import register
from thuvien.digital.blobstore import LocalStore, S3Settings, S3Store, parse_s3_url

register("digital.library_ip_ranges", [],
         _("Dải địa chỉ IP trong thư viện (CIDR, ví dụ 203.0.113.0/24) cho tài liệu số chỉ đọc tại thư viện"))
register("digital.daily_downloads", 20, _("Số lượt tải PDF tài liệu số mỗi bạn đọc mỗi ngày"))


def digital_root() -> Path:
    """Directory holding masters, pyramidal TIFFs, OCR files and PDFs (THUVIEN_HOME/digital)."""
    root = Path(getattr(settings, "THUVIEN_DIGITAL_ROOT", "") or Path(settings.THUVIEN_HOME) / "digital")
    root.mkdir(parents=True, exist_ok=True)
    return root


def ocr_jobs() -> int:
    """How many OCR processes may run at once on this machine (default: one per core)."""
    configured = getattr(settings, "THUVIEN_DIGITAL_OCR_JOBS", 0) or int(os.environ.get("THUVIEN_OCR_JOBS", "0"))
    return max(1, configured or (os.cpu_count() or 1))


def ocfl_root() -> Path | str:
    """The OCFL 1.1 storage root of the masters (THUVIEN_OCFL_ROOT, default THUVIEN_HOME/ocfl): a local
    directory, or `s3://bucket/prefix` for an S3-compatible bucket (see `ocfl_store`)."""
    configured = getattr(settings, "THUVIEN_OCFL_ROOT", "")
    if isinstance(configured, str) and configured.startswith("s3://"):
        return configured
    return Path(configured) if configured else Path(settings.THUVIEN_HOME) / "ocfl"


def ocfl_s3_settings() -> S3Settings | None:
    """Endpoint, region and keys of the S3 storage root (THUVIEN_OCFL_S3_*), None for a local root."""
    root = ocfl_root()
    if not isinstance(root, str):
        return None
    bucket, prefix = parse_s3_url(root)
    return S3Settings(bucket=bucket, prefix=prefix,
                      endpoint=getattr(settings, "THUVIEN_OCFL_S3_ENDPOINT", ""),
                      region=getattr(settings, "THUVIEN_OCFL_S3_REGION", ""),
                      access_key=getattr(settings, "THUVIEN_OCFL_S3_ACCESS_KEY", ""),
                      secret_key=getattr(settings, "THUVIEN_OCFL_S3_SECRET_KEY", ""),
                      addressing=getattr(settings, "THUVIEN_OCFL_S3_ADDRESSING", "") or "path",
                      attempts=int(getattr(settings, "THUVIEN_OCFL_S3_ATTEMPTS", 5) or 5))


_stores: dict[S3Settings, S3Store] = {}
_stores_lock = threading.Lock()


def ocfl_store() -> LocalStore | S3Store:
    """The store of the OCFL storage root. An S3 client is made once per process and settings (it is
    thread-safe); its endpoint is the operator's explicit choice and passes the outbound check as such
    (`core.outbound.configured_endpoint`: loopback and private addresses allowed, nothing else changes)."""
    s3 = ocfl_s3_settings()
    if s3 is None:
        return LocalStore(Path(ocfl_root()))
    with _stores_lock:
        store = _stores.get(s3)
        if store is None:
            from thuvien.core.outbound import configured_endpoint

            if s3.endpoint:
                configured_endpoint(s3.endpoint, purpose="THUVIEN_OCFL_S3_ENDPOINT")
            store = _stores[s3] = S3Store(s3)
    return store


def fixity_min_slice() -> int:
    return max(1, int(getattr(settings, "THUVIEN_FIXITY_MIN_SLICE", 20) or 20))
