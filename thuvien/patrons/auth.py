"""Portal login for readers: card number or e-mail address plus password; and the self-check PIN."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import check_password, make_password
from django.http import HttpRequest

from thuvien.core.models import User
from thuvien.patrons.models import Patron, PatronStatus


class PatronBackend(ModelBackend):
    """The one login backend of both doors: a staff account by its username, a reader's portal account by
    card number or e-mail; exactly one password hash per attempt (a real check, or the same work on a
    dummy when nobody matches, against timing attacks), where Django's ModelBackend beside a second
    backend hashed twice for every reader login and every wrong password (docs/performance.md, soak)."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None,
                     **kwargs: Any) -> User | None:
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if not username or not password:
            return None
        candidates = [user for user in (User.objects.filter(username=username).first(), self._reader(username))
                      if user is not None]
        if not candidates:
            User().set_password(password)  # same work as a real check, against timing attacks
            return None
        for user in dict.fromkeys(candidates):  # a username that is also someone's card: both, in that order
            if user.check_password(password) and self.user_can_authenticate(user):
                return user
        return None

    @staticmethod
    def _reader(ident: str) -> User | None:
        """The portal account of the reader with this card number, or this e-mail when only one has it."""
        ident = ident.strip()
        patrons = Patron.objects.select_related("user").exclude(status=PatronStatus.ERASED).filter(
            user__isnull=False)
        patron = patrons.filter(card_number__iexact=ident).first()
        if patron is None and "@" in ident:
            matches = list(patrons.filter(email__iexact=ident)[:2])
            patron = matches[0] if len(matches) == 1 else None  # an e-mail shared by a family: use the card
        return patron.user if patron is not None else None


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
