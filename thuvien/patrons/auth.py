"""Portal login for readers: card number or e-mail address plus password; and the self-check PIN."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import check_password, make_password
from django.http import HttpRequest

from thuvien.core.models import User
from thuvien.patrons.models import Patron, PatronStatus


class PatronBackend(ModelBackend):
    """Authenticates a reader's portal account by card number or e-mail (staff use ModelBackend)."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None,
                     **kwargs: Any) -> User | None:
        if not username or not password:
            return None
        ident = username.strip()
        patrons = Patron.objects.select_related("user").exclude(status=PatronStatus.ERASED).filter(
            user__isnull=False)
        patron = patrons.filter(card_number__iexact=ident).first()
        if patron is None and "@" in ident:
            matches = list(patrons.filter(email__iexact=ident)[:2])
            patron = matches[0] if len(matches) == 1 else None  # an e-mail shared by a family: use the card
        if patron is None or patron.user is None:
            User().set_password(password)  # same work as a real check, against timing attacks
            return None
        user = patron.user
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


_DUMMY_PIN_HASH: list[str] = []


def patron_pin_check(*, patron: Patron, pin: str | None) -> bool:
    """True when `pin` is the reader's self-check PIN (never the portal password). A reader with no PIN,
    an erased reader or a PIN that is not 4-6 digits fails, after the same hashing work as a real check.
    The one place SIP2 and the kiosk API check a PIN, so a lockout helper can wrap it."""
    pin = (pin or "").strip()
    encoded = patron.pin_hash if patron.status != PatronStatus.ERASED else ""
    if not encoded or not (pin.isascii() and pin.isdigit() and 4 <= len(pin) <= 6):
        if not _DUMMY_PIN_HASH:
            _DUMMY_PIN_HASH.append(make_password("000000"))
        check_password(pin or "x", _DUMMY_PIN_HASH[0])  # same work as a real check, against timing attacks
        return False
    return check_password(pin, encoded)
