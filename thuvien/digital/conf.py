"""Digital-library settings: inherited unit settings and where files live."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from thuvien.core.unit_settings import register

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


def ocfl_root() -> Path:
    """The OCFL 1.1 storage root of the masters (THUVIEN_OCFL_ROOT, default THUVIEN_HOME/ocfl)."""
    configured = getattr(settings, "THUVIEN_OCFL_ROOT", "")
    return Path(configured) if configured else Path(settings.THUVIEN_HOME) / "ocfl"


def fixity_min_slice() -> int:
    return max(1, int(getattr(settings, "THUVIEN_FIXITY_MIN_SLICE", 20) or 20))
