"""Device tokens: scoped, revocable, last use recorded; gates post visits; kiosks check out over HTTP."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from thuvien.api.devices import token_create, token_revoke, visits_import_csv
from thuvien.api.models import DeviceToken
from thuvien.circulation.models import Loan
from thuvien.core.models import ActivityEvent, AuditEntry, LoginEvent
from thuvien.patrons.services import patron_set_pin


def post(client: Client, url: str, key: str, body: dict) -> tuple[int, dict]:
    r = client.post(url, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    return r.status_code, r.json()


def test_gate_posts_visits_as_activity_events(net, admin_user) -> None:  # type: ignore[no-untyped-def]
    token, key = token_create(actor=admin_user, name="Cổng chính", library=net.a, scopes=["visits"])
    assert key.startswith("tvd_") and token.key_hash != key and key not in str(DeviceToken.objects.values())
    client = Client()
    status, body = post(client, "/api/v1/devices/visits", key, {"count": 37, "at": "2026-12-01T17:00:00+07:00"})
    assert status == 200 and body["library"] == "A" and body["count"] == 37
    event = ActivityEvent.objects.get(kind="visit")
    assert event.unit == net.a and event.attributes == {"count": 37, "source": "gate", "device": "Cổng chính"}
    assert event.at == dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert post(client, "/api/v1/devices/visits", key, {"count": -1})[0] == 400
    assert post(client, "/api/v1/devices/visits", "tvd_nope", {"count": 1})[0] == 401
    # the visits scope does not open circulation
    assert post(client, "/api/v1/circ/checkin", key, {"item_barcode": "X", "desk": "A"})[0] == 401
    token_revoke(actor=admin_user, token=token)
    assert post(client, "/api/v1/devices/visits", key, {"count": 1})[0] == 401
    assert ActivityEvent.objects.filter(kind="visit").count() == 1


def test_kiosk_checks_out_over_http_within_its_library(net, admin_user, base_rule, patron_factory,  # type: ignore[no-untyped-def]
                                                       item_factory) -> None:
    _, key = token_create(actor=admin_user, name="Kiosk HTTP", library=net.a, scopes=["circulation"])
    patron_set_pin(actor=admin_user, patron=patron_factory("K1", net.a), pin="4821")
    item_factory("VN-H1", net.a)
    client = Client()
    status, body = post(client, "/api/v1/circ/checkout", key, {"item_barcode": "VN-H1", "card_number": "K1", "desk": "A",
                                                               "pin": "4821"})
    assert status == 200 and body["card_number"] == "K1"
    loan = Loan.objects.get(item__barcode="VN-H1")
    assert loan.staff.username.startswith("device-")
    assert AuditEntry.objects.get(action="loan.checkout").actor == loan.staff
    status, body = post(client, "/api/v1/circ/checkin", key, {"item_barcode": "VN-H1", "desk": "B"})
    assert status == 403  # scoped to library A
    assert post(client, "/api/v1/circ/checkin", key, {"item_barcode": "VN-H1", "desk": "A"})[0] == 200


def test_tokens_need_staff_management_and_valid_scopes(net, desk_a, admin_user) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        token_create(actor=desk_a, name="x", library=net.a, scopes=["visits"])
    with pytest.raises(ValidationError):
        token_create(actor=admin_user, name="x", library=net.a, scopes=["everything"])


def test_gate_counts_csv_import(net, admin_user, tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = "ngay,luot,cong\n2026-11-30,120,Cổng A\n01/12/2026 17:30,45,Cổng B\n\n"
    assert visits_import_csv(actor=admin_user, library=net.a, text=text) == 165
    events = list(ActivityEvent.objects.filter(kind="visit").order_by("at"))
    assert [(e.attributes["count"], e.attributes["device"]) for e in events] == [(120, "Cổng A"), (45, "Cổng B")]
    assert timezone.localtime(events[0].at).hour == 12
    with pytest.raises(ValidationError):
        visits_import_csv(actor=admin_user, library=net.a, text="2026-11-30,12\nhôm qua,3\n")
    assert ActivityEvent.objects.filter(kind="visit").count() == 2  # nothing written from a bad file
    csv_file = tmp_path / "gate.csv"
    csv_file.write_text("2026-11-29,7\n", encoding="utf-8")
    call_command("device_token", "import-visits", str(csv_file), "--library", "A")
    assert ActivityEvent.objects.filter(kind="visit").count() == 3


@override_settings(THUVIEN_LOGIN_MAX_FAILURES=3, THUVIEN_LOGIN_MAX_FAILURES_PER_IP=100)
def test_wrong_token_secret_locks_the_device_out(net, admin_user) -> None:  # type: ignore[no-untyped-def]
    token, key = token_create(actor=admin_user, name="Cổng", library=net.a, scopes=["visits"])
    wrong = f"tvd_{token.prefix}_{'x' * 43}"
    client = Client(REMOTE_ADDR="10.0.0.5")
    for _ in range(3):
        assert post(client, "/api/v1/devices/visits", wrong, {"count": 1})[0] == 401
    failed = LoginEvent.objects.filter(kind="failed", door="api")
    assert failed.count() == 3 and failed.first().username == f"device-{token.prefix}"  # type: ignore[union-attr]
    assert failed.first().user == token.account and failed.first().ip == "10.0.0.5"  # type: ignore[union-attr]
    # locked: the right key is refused too, from any address, until the window passes
    assert post(Client(REMOTE_ADDR="10.0.0.6"), "/api/v1/devices/visits", key, {"count": 1})[0] == 401
    assert LoginEvent.objects.filter(kind="locked", door="api", username=f"device-{token.prefix}").count() == 1
    assert not ActivityEvent.objects.filter(kind="visit").exists()
    LoginEvent.objects.update(at=timezone.now() - dt.timedelta(hours=1))
    assert post(Client(REMOTE_ADDR="10.0.0.6"), "/api/v1/devices/visits", key, {"count": 1})[0] == 200


@override_settings(THUVIEN_LOGIN_MAX_FAILURES=100, THUVIEN_LOGIN_MAX_FAILURES_PER_IP=5)
def test_guessed_tokens_lock_out_the_address(net, admin_user) -> None:  # type: ignore[no-untyped-def]
    _, key = token_create(actor=admin_user, name="Cổng", library=net.a, scopes=["visits"])
    guesser = Client(REMOTE_ADDR="10.0.0.9")
    for n in range(5):
        assert post(guesser, "/api/v1/devices/visits", f"tvd_{n:08x}_guess", {"count": 1})[0] == 401
    assert post(guesser, "/api/v1/devices/visits", key, {"count": 1})[0] == 401
    assert LoginEvent.objects.filter(kind="locked", ip="10.0.0.9").count() == 1
    assert post(Client(REMOTE_ADDR="10.0.0.10"), "/api/v1/devices/visits", key, {"count": 1})[0] == 200
    # a right key with the wrong scope is refused but is not a failed login
    assert post(Client(REMOTE_ADDR="10.0.0.10"), "/api/v1/circ/checkin", key, {"item_barcode": "X", "desk": "A"})[0] == 401
    assert LoginEvent.objects.filter(kind="failed", ip="10.0.0.10").count() == 0
