"""Logging in safely at both doors: lockout and throttling counted BEFORE any password is hashed (so a
storm of wrong passwords costs one indexed count each, not an Argon2 run), every login, failure,
lockout, logout and idle timeout recorded as a LoginEvent, and the staff door closed to readers."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thuvien.core.models import LoginEvent
from thuvien.core.permissions import is_staff_member

if TYPE_CHECKING:
    from django.http import HttpRequest

    from thuvien.core.models import User


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address: REMOTE_ADDR, or the first X-Forwarded-For hop when the deployment
    says a trusted proxy sets it (THUVIEN_TRUST_X_FORWARDED_FOR)."""
    if request is None:
        return None
    if getattr(settings, "THUVIEN_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[0].strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR") or None


def login_record(*, kind: str, door: str, username: str, request: HttpRequest | None = None,
                 user: User | None = None, ip: str | None = None, agent: str = "") -> LoginEvent:
    """Record one login event (the managers' page lists them); `ip`/`agent` for doors without an HTTP
    request (a SIP2 terminal's address and name)."""
    if request is not None:
        agent = request.META.get("HTTP_USER_AGENT", "")
        ip = client_ip(request)
    return LoginEvent.objects.create(kind=kind, door=door, username=username.strip().lower()[:255],
                                     user=user if user is not None and user.pk else None, ip=ip or None,
                                     user_agent=agent[:255])


LOCKED_IP_KEY = "thuvien:login-locked-ip:{ip}"
LOCKED_USER_KEY = "thuvien:login-locked-user:{digest}"


def _digest(username: str) -> str:
    return hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]


def _user_key(username: str) -> str:
    return LOCKED_USER_KEY.format(digest=_digest(username))


def address_locked_cached(ip: str | None) -> bool:
    """Whether this process already knows the address is locked out (no database work): the early door
    of `LockedAddressMiddleware`, so a storm of wrong logins costs a cache lookup, not a page."""
    return bool(ip) and cache.get(LOCKED_IP_KEY.format(ip=ip)) is not None


def refused_here(ip: str | None) -> None:
    """Count, in the process cache, a login refused at once from this address (an account already locked);
    an address that goes on past the per-address limit within the window is locked itself."""
    if not ip:
        return
    key = f"thuvien:login-refused-ip:{ip}"
    window = settings.THUVIEN_LOGIN_WINDOW_MINUTES * 60
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        return
    if count >= settings.THUVIEN_LOGIN_MAX_FAILURES_PER_IP:
        cache.set(LOCKED_IP_KEY.format(ip=ip), 1, timeout=window)


SUSPECT_IP_KEY = "thuvien:login-failed-ip:{ip}"
SUSPECT_USER_KEY = "thuvien:login-failed-user:{digest}"
CHECKS_KEY = "thuvien:login-suspect-checks:{second}"


def remember_failure(*, username: str, ip: str | None) -> None:
    """Note in the process cache that this address and this account failed a password check in the window:
    their next attempts are suspect (see `suspect_check_admitted`)."""
    timeout = settings.THUVIEN_LOGIN_WINDOW_MINUTES * 60
    keys = {SUSPECT_USER_KEY.format(digest=_digest(username)): 1} if username.strip() else {}
    if ip:
        keys[SUSPECT_IP_KEY.format(ip=ip)] = 1
    cache.set_many(keys, timeout=timeout)


def login_suspect(*, username: str, ip: str | None) -> bool:
    """Whether this process saw a failed password check from this address or for this account in the window."""
    keys = [SUSPECT_USER_KEY.format(digest=_digest(username))] if username.strip() else []
    if ip:
        keys.append(SUSPECT_IP_KEY.format(ip=ip))
    return bool(keys) and bool(cache.get_many(keys))


def suspect_check_admitted() -> bool:
    """Take one of the THUVIEN_LOGIN_SUSPECT_CHECKS_PER_S password checks a web process grants, each second,
    to login attempts from addresses or for accounts that failed recently (shared by all of them; 0: no
    limit). A password check is an Argon2 hash (~0.15 s of CPU on both cores): attempts past the budget are
    refused before it, so wrong passwords cannot take the machine from the searches and desks."""
    per_second = settings.THUVIEN_LOGIN_SUSPECT_CHECKS_PER_S
    if per_second <= 0:
        return True
    key = CHECKS_KEY.format(second=int(time.time()))
    cache.add(key, 0, timeout=5)
    try:
        return cache.incr(key) <= per_second
    except ValueError:  # culled between add and incr: count this second again
        cache.set(key, 1, timeout=5)
        return True


def account_locked_cached(username: str) -> bool:
    """Whether this process already knows the account is locked out (no database work)."""
    return bool(username.strip()) and cache.get(_user_key(username)) is not None


def _remember_lock(key: str, failures: Any, limit: int, window: dt.timedelta) -> None:
    """Remember a lockout in the process cache until the database count would lift it: when the
    `limit`-th newest failure leaves the window (see LockedAddressMiddleware)."""
    oldest_counted = failures.order_by("-at").values_list("at", flat=True)[limit - 1:limit].first()
    if oldest_counted is not None:
        seconds = int((oldest_counted + window - timezone.now()).total_seconds())
        if seconds > 0:
            cache.set(key, 1, timeout=seconds)


def login_refusal(*, username: str, ip: str | None) -> str:
    """Why a login attempt must be refused before checking the password ("" when it may go on):
    too many failures for this account, or from this address, in the last window."""
    window = dt.timedelta(minutes=settings.THUVIEN_LOGIN_WINDOW_MINUTES)
    since = timezone.now() - window
    recent = LoginEvent.objects.filter(kind=LoginEvent.Kind.FAILED, at__gte=since)
    if username and recent.filter(username=username.strip().lower()).count() >= settings.THUVIEN_LOGIN_MAX_FAILURES:
        _remember_lock(_user_key(username), recent.filter(username=username.strip().lower()),
                       settings.THUVIEN_LOGIN_MAX_FAILURES, window)
        return _("Tài khoản tạm khoá vì nhập sai mật khẩu quá nhiều lần; hãy thử lại sau %(m)d phút.") % {
            "m": settings.THUVIEN_LOGIN_WINDOW_MINUTES}
    # an address is judged by its failures and by the attempts it went on making while locked out
    by_ip = LoginEvent.objects.filter(kind__in=(LoginEvent.Kind.FAILED, LoginEvent.Kind.LOCKED), at__gte=since, ip=ip)
    if ip and by_ip.count() >= settings.THUVIEN_LOGIN_MAX_FAILURES_PER_IP:
        _remember_lock(LOCKED_IP_KEY.format(ip=ip), by_ip, settings.THUVIEN_LOGIN_MAX_FAILURES_PER_IP, window)
        return _("Quá nhiều lần đăng nhập sai từ địa chỉ này; hãy thử lại sau %(m)d phút.") % {
            "m": settings.THUVIEN_LOGIN_WINDOW_MINUTES}
    return ""


def door_locked(*, door: str, username: str, ip: str | None, agent: str = "", user: User | None = None,
                request: HttpRequest | None = None) -> str:
    """The lockout check for a door without a login form (API device tokens, SIP2 terminal logins and
    reader PINs): the refusal text, recorded as a lockout event, or "" when the attempt may go on."""
    if request is not None:
        ip = client_ip(request)
    refusal = login_refusal(username=username, ip=ip)
    if refusal:
        login_record(kind=LoginEvent.Kind.LOCKED, door=door, username=username, request=request, user=user, ip=ip,
                     agent=agent)
    return refusal


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form with the lockout check first and every outcome recorded."""

    door = "portal"

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        refusal = login_refusal(username=username, ip=client_ip(self.request))
        if refusal:
            login_record(kind=LoginEvent.Kind.LOCKED, door=self.door, username=username, request=self.request)
            raise forms.ValidationError(refusal, code="locked")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username and self.cleaned_data.get("password"):
                login_record(kind=LoginEvent.Kind.FAILED, door=self.door, username=username, request=self.request,
                             user=self.user_cache)
                remember_failure(username=username, ip=client_ip(self.request))
            raise
        login_record(kind=LoginEvent.Kind.LOGIN, door=self.door, username=username, request=self.request,
                     user=self.user_cache)
        cache.delete(SUSPECT_USER_KEY.format(digest=_digest(username)))  # the account's owner proved it (not the address)
        return cleaned


class StaffAuthenticationForm(ThrottledAuthenticationForm):
    """The staff door: only accounts holding a staff role at some unit get in."""

    door = "staff"
    error_messages = {
        **AuthenticationForm.error_messages,
        "not_staff": gettext_lazy("Đây là cửa đăng nhập của cán bộ thư viện. Bạn đọc hãy đăng nhập ở cổng bạn đọc."),
    }

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if not is_staff_member(user):
            raise forms.ValidationError(self.error_messages["not_staff"], code="not_staff")
