"""Request-wide security rules: the staff door, idle timeout and security headers (CSP)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from thuvien.core.authn import (
    account_locked_cached,
    address_locked_cached,
    client_ip,
    login_record,
    login_suspect,
    refused_here,
    suspect_check_admitted,
)
from thuvien.core.models import LoginEvent
from thuvien.core.permissions import is_staff_member
from thuvien.core.twofactor import SECOND_FACTOR_OK, has_second_factor, must_use_second_factor

STAFF_PREFIX = "/staff/"
STAFF_OPEN = ("/staff/login/", "/staff/logout/")
SECOND_FACTOR_PAGE = "/staff/2fa/"
LAST_SEEN = "_thuvien_last_seen"
TOUCH_EVERY = 60  # seconds: the session is written at most once a minute, not on every request


class NulByteMiddleware:
    """A NUL byte in the path, a query parameter or a form field is refused with a 400: no text the
    library keeps may hold one, and PostgreSQL cannot even compare a string that does (a lookup with one
    would fail as a server error)."""

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._has_nul(request):
            return HttpResponseBadRequest(_("Yêu cầu chứa ký tự không hợp lệ (NUL)."), content_type="text/plain")
        return self.get_response(request)

    def _has_nul(self, request: HttpRequest) -> bool:
        if "\x00" in request.path:
            return True
        if any("\x00" in k or any("\x00" in v for v in vs) for k, vs in request.GET.lists()):
            return True
        if request.method == "POST" and request.content_type in self.FORM_TYPES:
            return any("\x00" in k or any("\x00" in v for v in vs) for k, vs in request.POST.lists())
        return False


class LockedAddressMiddleware:
    """A login page or POST from an address (a POST for an account) already locked out is answered 429 at once, before
    the session, the CSRF check, the form, the database count and the page: a storm of wrong logins then
    costs the server a cache lookup each instead of a rendered login page (the first refusal was recorded
    by the form; the window's end lifts it, as the database count does). Before the lock, a login POST
    from an address or for an account that failed recently gets a password check only within the process's
    budget (`suspect_check_admitted`), else a 429 asking to retry in a few seconds: the hashes the
    attempts before a lockout cost were what slowed the searches down in a storm (docs/performance.md)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._doors: frozenset[str] | None = None

    def _login_paths(self) -> frozenset[str]:
        if self._doors is None:
            from django.urls import reverse

            self._doors = frozenset({reverse("opac:account_login"), reverse("staff:login")})
        return self._doors

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "POST") and request.path in self._login_paths():
            if address_locked_cached(client_ip(request)):
                text = _("Quá nhiều lần đăng nhập sai từ địa chỉ này; hãy thử lại sau %(m)d phút.")
            elif request.method == "POST" and account_locked_cached(request.POST.get("username", "")):
                text = _("Tài khoản tạm khoá vì nhập sai mật khẩu quá nhiều lần; hãy thử lại sau %(m)d phút.")
                refused_here(client_ip(request))  # an address that keeps trying a locked account gets locked
            elif (request.method == "POST"
                  and login_suspect(username=request.POST.get("username", ""), ip=client_ip(request))
                  and not suspect_check_admitted()):
                # a recent failure from here or for this account, and this second's password checks for such
                # attempts are spent: refused before the hash (and counted: an address that goes on is locked)
                refused_here(client_ip(request))
                return _refusal(_("Có quá nhiều lần đăng nhập sai; hãy thử lại sau ít giây."), retry_after_s=2)
            else:
                return self.get_response(request)
            minutes = settings.THUVIEN_LOGIN_WINDOW_MINUTES
            return _refusal(text % {"m": minutes}, retry_after_s=minutes * 60)
        return self.get_response(request)


def _refusal(text: str, *, retry_after_s: int) -> HttpResponse:
    """A 429 of the login doors. Not logged by Django's request logger: a storm would write a WARNING
    line per attempt (thousands a minute); the failures and locks are recorded as `LoginEvent` rows
    and shown on the managers' logins page."""
    response = HttpResponse(text, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(retry_after_s)
    response._has_been_logged = True  # type: ignore[attr-defined]  # django.utils.log.log_response skips it
    return response


class StaffDoorMiddleware:
    """/staff/ is for accounts holding a staff role at some unit: a reader who is logged in (at the
    portal) gets a refusal page there, not the staff home, tree, settings or harvest sources."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if (path.startswith(STAFF_PREFIX) and not path.startswith(STAFF_OPEN)
                and request.user.is_authenticated and not is_staff_member(request.user)):  # type: ignore[arg-type]
            return render(request, "staff/refused.html", {"reason": _(
                "Chỉ cán bộ thư viện được vào trang này. Bạn đọc dùng cổng bạn đọc.")}, status=403)
        if (path.startswith(STAFF_PREFIX) and not path.startswith((*STAFF_OPEN, SECOND_FACTOR_PAGE))
                and request.user.is_authenticated and not request.session.get(SECOND_FACTOR_OK)):
            if must_use_second_factor(request.user):  # type: ignore[arg-type]
                if not has_second_factor(request.user):  # type: ignore[arg-type]
                    return redirect(SECOND_FACTOR_PAGE)
                request.session[SECOND_FACTOR_OK] = True  # logged in before the device existed: it was used
        return self.get_response(request)


class IdleTimeoutMiddleware:
    """Log a session out after a quiet spell: staff after THUVIEN_STAFF_IDLE_MINUTES (30),
    readers after THUVIEN_READER_IDLE_MINUTES; the timeout is recorded."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_SEEN)
            staff = is_staff_member(user)  # type: ignore[arg-type]
            minutes = settings.THUVIEN_STAFF_IDLE_MINUTES if staff else settings.THUVIEN_READER_IDLE_MINUTES
            if isinstance(last, int) and minutes and now - last > minutes * 60:
                username = user.get_username()
                login_record(kind=LoginEvent.Kind.TIMEOUT, door="staff" if staff else "portal", username=username,
                             request=request, user=user)  # type: ignore[arg-type]
                request._thuvien_timeout = True  # type: ignore[attr-defined]
                logout(request)
                login = "staff:login" if request.path_info.startswith(STAFF_PREFIX) else "opac:account_login"
                return redirect(f"{redirect(login).url}?next={request.get_full_path()}")
            if not isinstance(last, int) or now - last >= TOUCH_EVERY:
                request.session[LAST_SEEN] = now
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Content-Security-Policy (no inline scripts, nothing from other sites) on every HTML answer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = settings.THUVIEN_CSP
        if policy and "Content-Security-Policy" not in response and not request.path_info.startswith(
                tuple(settings.THUVIEN_CSP_EXEMPT)):
            response["Content-Security-Policy"] = policy
        response.setdefault("Referrer-Policy", "same-origin")
        response.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
        return response
