"""The CCCD (citizen identity) number is never stored: only a keyed hash, to find duplicates, and its
last four digits, to show staff which card was seen (Law 91/2025/QH15: collect no more than needed)."""

from __future__ import annotations

import re

from django.conf import settings
from django.utils.crypto import salted_hmac

_NOT_DIGIT = re.compile(r"\D")


def id_number_parts(value: str | None) -> tuple[str | None, str]:
    """(keyed hash, last 4 digits) of a CCCD number as typed (spaces and dots ignored); (None, "")
    for an empty one. The key is THUVIEN_ID_HASH_KEY (else the secret key): keep it with the backups."""
    digits = _NOT_DIGIT.sub("", value or "") if any(c.isdigit() for c in value or "") else (value or "").strip()
    if not digits:
        return None, ""
    secret = getattr(settings, "THUVIEN_ID_HASH_KEY", "") or settings.SECRET_KEY
    return salted_hmac("thuvien.patrons.id_number", digits.upper(), secret=secret, algorithm="sha256").hexdigest(), \
        digits[-4:]
