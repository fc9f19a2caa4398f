"""Devices and outside systems on the API: bearer tokens scoped to a library and to operations
(`visits` for gate counters, `circulation` for kiosks that prefer HTTP to SIP2), revocable, with the
last use shown; gate counts posted or imported from CSV become anonymised "visit" ActivityEvents
(attributes {"count": n, "source": "gate", "device": name}) that the statistics read.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import secrets
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.security import HttpBearer

from thuvien.api.models import DeviceToken
from thuvien.core.audit import audit
from thuvien.core.authn import door_locked, login_record
from thuvien.core.models import ActivityEvent, LoginEvent, OrgUnit, User
from thuvien.core.permissions import Perm, require_perm
from thuvien.core.services import device_account_create

TOKEN_PREFIX = "tvd_"  # noqa: S105 - the visible start of every token, not a secret
TOUCH_EVERY = dt.timedelta(minutes=1)  # last_used_at is written at most this often per token
MAX_VISITS = 100_000  # one report from one gate


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def token_create(*, actor: User | None, name: str, library: OrgUnit, scopes: Iterable[str]) -> tuple[DeviceToken, str]:
    """A new token (and its account); the secret is returned once and only its hash is kept."""
    require_perm(actor, Perm.STAFF_MANAGE, library)
    scopes = sorted(set(scopes))
    if not scopes or set(scopes) - set(DeviceToken.Scope.values):
        raise ValidationError(_("Quyền không hợp lệ: %(s)s") % {"s": ", ".join(scopes)})
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationError(_("Cần có tên thiết bị (tối đa 100 ký tự)."))
    prefix = secrets.token_hex(4)
    key = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    account = device_account_create(actor=actor, username=f"device-{prefix}", library=library,
                                    display_name=_("Thiết bị %(n)s") % {"n": name})
    token = DeviceToken.objects.create(name=name, library=library, scopes=scopes, prefix=prefix, key_hash=_hash(key),
                                       account=account, created_by=actor if actor is not None and actor.pk else None)
    audit(actor=actor, action="device_token.create", obj=token, unit=library,
          changes={"name": [None, name], "scopes": [None, ",".join(scopes)]})
    return token, key


@transaction.atomic
def token_revoke(*, actor: User | None, token: DeviceToken) -> DeviceToken:
    """Revoke a token at once (its account is switched off too)."""
    require_perm(actor, Perm.STAFF_MANAGE, token.library)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        token.account.is_active = False
        token.account.save(update_fields=["is_active", "updated_at"])
        audit(actor=actor, action="device_token.revoke", obj=token, unit=token.library)
    return token


def token_authenticate(key: str, scope: str) -> DeviceToken | None:
    """The live token for `key` when it carries `scope`; its last use is recorded (at most once a minute)."""
    if not key.startswith(TOKEN_PREFIX):
        return None
    token = (DeviceToken.objects.select_related("library", "account")
             .filter(key_hash=_hash(key), revoked_at__isnull=True).first())
    if token is None or scope not in token.scopes or not token.account.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        DeviceToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def _token_username(key: str) -> str:
    """The device account a presented key claims to be ("device-<prefix>"), "" for a malformed key."""
    prefix = key[len(TOKEN_PREFIX):].split("_", 1)[0] if key.startswith(TOKEN_PREFIX) else ""
    return f"device-{prefix}" if re.fullmatch(r"[0-9a-f]{8}", prefix) else ""


def token_login(*, request: HttpRequest, key: str, scope: str) -> DeviceToken | None:
    """token_authenticate behind the login lockout: a key whose secret matches no live token counts as a
    failed login of the device account it names and of the client address (the managers' login page
    lists them); once either is locked out every key is refused before it is even hashed."""
    username = _token_username(key)
    claimed = User.objects.filter(username=username).first() if username else None
    if door_locked(door="api", username=username, ip=None, user=claimed, request=request):
        return None
    device = token_authenticate(key, scope)
    if device is None and not DeviceToken.objects.filter(key_hash=_hash(key), revoked_at__isnull=True,
                                                         account__is_active=True).exists():
        login_record(kind=LoginEvent.Kind.FAILED, door="api", username=username, request=request, user=claimed)
    return device


@transaction.atomic
def visits_record(*, token: DeviceToken | None, library: OrgUnit, count: int, at: dt.datetime | None = None,
                  actor: User | None = None, source: str = "gate") -> ActivityEvent | None:
    """Append `count` visits at `library` (a gate's report for the period ending `at`, default now)."""
    if actor is not None:
        require_perm(actor, Perm.REPORT_VIEW, library)
    if not 0 <= count <= MAX_VISITS:
        raise ValidationError(_("Số lượt phải từ 0 đến %(n)s.") % {"n": MAX_VISITS})
    now = timezone.now()
    if at is not None and at > now + dt.timedelta(minutes=5):
        raise ValidationError(_("Không nhận số lượt cho thời điểm trong tương lai."))
    if count == 0:
        return None
    attributes: dict[str, Any] = {"count": count, "source": source}
    if token is not None:
        attributes["device"] = token.name
    event = ActivityEvent.objects.create(kind="visit", unit=library, attributes=attributes)
    if at is not None:
        ActivityEvent.objects.filter(pk=event.pk).update(at=at)
        event.at = at
    return event


def visits_import_csv(*, actor: User | None, library: OrgUnit, text: str) -> int:
    """Import gate counts, one `date or date-time,count[,gate]` row per line (a header line is skipped);
    every row is checked before anything is written. Returns the number of visits recorded."""
    rows: list[tuple[dt.datetime, int, str]] = []
    tz = timezone.get_current_timezone()
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not "".join(row).strip():
            continue
        when, count_text = row[0].strip(), row[1].strip() if len(row) > 1 else ""
        gate = row[2].strip() if len(row) > 2 else ""
        try:
            moment = _parse_when(when, tz)
            count = int(count_text)
        except ValueError:
            if number == 1:
                continue  # a header
            raise ValidationError(_("Dòng %(n)s: cần “ngày hoặc ngày giờ, số lượt”.") % {"n": number}) from None
        rows.append((moment, count, gate))
    total = 0
    with transaction.atomic():
        for moment, count, gate in rows:
            event = visits_record(token=None, library=library, count=count, at=moment, actor=actor, source="gate")
            if event is not None and gate:
                event.attributes["device"] = gate
                event.save(update_fields=["attributes"])
            total += count
    return total


def _parse_when(text: str, tz: dt.tzinfo) -> dt.datetime:
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            parsed = dt.datetime.strptime(text, fmt)  # noqa: DTZ007 - local time of the library
        except ValueError:
            continue
        if len(text) <= 10:
            parsed = parsed.replace(hour=12)  # a whole day's count: at noon, as the reports app does
        return parsed.replace(tzinfo=tz)
    raise ValueError(text)


# -- HTTP ------------------------------------------------------------------------------------------

class DeviceAuth(HttpBearer):
    """`Authorization: Bearer tvd_...` for one scope; the request then acts as the device's account."""

    def __init__(self, scope: str) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> DeviceToken | None:
        device = token_login(request=request, key=token, scope=self.scope)
        if device is not None:
            request.user = device.account
            request.device = device  # type: ignore[attr-defined]
        return device


router = Router(tags=["devices"])


class VisitsIn(Schema):
    count: int
    at: dt.datetime | None = None


class VisitsOut(Schema):
    library: str
    count: int
    at: dt.datetime


class DeviceErrorOut(Schema):
    detail: str


@router.post("/devices/visits", auth=DeviceAuth(DeviceToken.Scope.VISITS),
             response={200: VisitsOut, 400: DeviceErrorOut})
def post_visits(request: HttpRequest, payload: VisitsIn):  # type: ignore[no-untyped-def]
    """A gate counter reports the visits it counted (for the period ending `at`, default now)."""
    device: DeviceToken = request.auth  # type: ignore[attr-defined]
    try:
        event = visits_record(token=device, library=device.library, count=payload.count, at=payload.at)
    except ValidationError as exc:
        return Status(400, DeviceErrorOut(detail=" ".join(exc.messages)))
    return VisitsOut(library=device.library.code, count=payload.count,
                     at=timezone.localtime(event.at if event else timezone.now()))
