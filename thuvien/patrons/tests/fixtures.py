"""Fixtures for patrons tests (registered in the root conftest.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from thuvien.patrons.conf import CONSENT_VERSION, CONSENT_WORDING
from thuvien.patrons.models import Consent, Patron, PatronCategory, PatronStatus


def make_patron(card: str, library, category: str = "adult", *, consents=("service",), **fields) -> Patron:  # type: ignore[no-untyped-def]
    fields.setdefault("full_name", f"Bạn đọc {card}")
    fields.setdefault("expires_on", timezone.localdate() + dt.timedelta(days=365))
    fields.setdefault("status", PatronStatus.ACTIVE)
    patron = Patron.objects.create(card_number=card, home_library=library,
                                   category=PatronCategory.objects.get(code=category), **fields)
    for purpose in consents:
        Consent.objects.create(patron=patron, purpose=purpose, wording=str(CONSENT_WORDING[purpose]),
                               wording_version=CONSENT_VERSION, given_at=timezone.now())
    if "reading_history" in consents:
        patron.keep_history = True
        patron.save(update_fields=["keep_history"])
    return patron


@pytest.fixture
def patron_factory(net):  # type: ignore[no-untyped-def]
    """make(card, library, category="adult", consents=("service",), **fields) -> Patron."""
    return make_patron
