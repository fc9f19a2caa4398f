"""Two-factor login for staff (TOTP apps such as Google Authenticator, plus one-time recovery codes),
on django-otp's devices. Required for network administrators and library managers when
THUVIEN_REQUIRE_2FA is on (production's default; off in development so the demo logs in easily)."""

from __future__ import annotations

import base64
import urllib.parse
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from thuvien.core.audit import audit
from thuvien.core.models import Role

if TYPE_CHECKING:
    from thuvien.core.models import User

RECOVERY_CODES = 10
PENDING_2FA = "_thuvien_2fa_pending"  # session: password checked, second factor still to come
SECOND_FACTOR_OK = "_thuvien_2fa_ok"  # session: nothing more to ask for
ROLES_REQUIRING_2FA = (Role.NETWORK_ADMIN, Role.LIBRARY_MANAGER)


def has_second_factor(user: User) -> bool:
    """True when the user has a confirmed authenticator app."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def must_use_second_factor(user: User) -> bool:
    """True when policy requires the user to set up a second factor before using the staff pages."""
    return bool(settings.THUVIEN_REQUIRE_2FA) and user.grants.filter(role__in=ROLES_REQUIRING_2FA).exists()


def second_factor_verify(user: User, code: str) -> bool:
    """Check a 6-digit app code or a recovery code (each recovery code works once); throttled by device."""
    code = "".join((code or "").split())
    if not code:
        return False
    if code.isdigit():  # an app's code; recovery codes are letters and digits (each device throttles its own)
        for device in TOTPDevice.objects.filter(user=user, confirmed=True):
            allowed, _info = device.verify_is_allowed()
            if allowed and device.verify_token(code):
                return True
        return False
    for static in StaticDevice.objects.filter(user=user, confirmed=True):
        allowed, _info = static.verify_is_allowed()
        if allowed and static.verify_token(code.lower()):
            return True
    return False


def totp_pending(user: User) -> TOTPDevice:
    """The user's authenticator being set up (created once, unconfirmed until a code is entered)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="thuvien", confirmed=False)


def totp_secret(device: TOTPDevice) -> str:
    """The key as base32, for typing into the app by hand."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def totp_uri(device: TOTPDevice, user: User) -> str:
    """otpauth:// URI (what a QR code would hold)."""
    label = urllib.parse.quote(f"thuvien:{user.get_username()}")
    return f"otpauth://totp/{label}?secret={totp_secret(device)}&issuer=thuvien&digits=6&period=30"


@transaction.atomic
def totp_confirm(*, user: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the app with a code it shows; returns fresh recovery codes (shown once), or None if the
    code is wrong. Other authenticators and old recovery codes of the user are replaced."""
    if device.user_id != user.pk or not device.verify_token("".join((code or "").split())):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    audit(actor=user, action="staff.2fa_enabled", obj=user, unit=user.home_unit)
    return codes
