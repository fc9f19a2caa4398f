"""Checkout and check-in latency through the service and through real HTTP (the JSON API served by
Django's WSGI app on a local socket), for an ordinary reader and for a reader with 500 current loans.

    uv run python bench/circulation.py [--rounds 200] [--loans 500] [--warmup 10]
    bash scripts/with-postgres.sh uv run python bench/circulation.py --rounds 200

Fresh SQLite database in a temporary THUVIEN_HOME (set DATABASE_URL to bench PostgreSQL instead).
Settings as in production: DEBUG off (no query log) and CONN_MAX_AGE 60 s, so the benchmark process
and the server thread each keep one database connection (the figures print how many connections
were opened during the timed runs: 0 means every operation reused one). Each measured operation is
its own transaction, as at a desk. `--warmup` untimed operations per path first (imports, URL
resolver, the API schema, the statement cache). Also printed: database calls per operation, as
Django sends them (a batch of statements counts once), and the load average of the machine.
Last line: JSON with p50/p95 in milliseconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


class _QuietHandler(WSGIRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # noqa: ANN002
        pass


def pct(samples: list[float], p: float) -> float:
    s = sorted(samples)
    return round(s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))], 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--loans", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=10)
    args = parser.parse_args()
    os.environ["THUVIEN_HOME"] = tempfile.mkdtemp(prefix="thuvien-bench-circ-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "thuvien.config.base"
    os.environ.setdefault("THUVIEN_DEBUG", "0")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from django.db import connection
    from django.db.backends.signals import connection_created
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    settings.ALLOWED_HOSTS = ["*"]
    from thuvien.catalog.models import BibRecord, Item, ItemType
    from thuvien.circulation.models import CirculationRule, Loan
    from thuvien.circulation.services import loan_checkin, loan_checkout
    from thuvien.core.models import OrgUnit, Role, UnitKind, User
    from thuvien.core.services import role_grant, unit_create
    from thuvien.patrons.models import Patron, PatronCategory

    root = User.objects.create(username="bench-root", is_superuser=True)
    net = unit_create(actor=root, code="BN", name="Bench", kind=UnitKind.objects.get(code="network"), parent=None)
    lib = unit_create(actor=root, code="BN-A", name="Thư viện A", kind=UnitKind.objects.get(code="district_library"),
                      parent=net)
    desk = User.objects.create_user(username="desk", password="x", home_unit=lib)
    role_grant(actor=root, user=desk, unit=lib, role=Role.CIRCULATION)
    CirculationRule.objects.create(unit=net, loan_days=14, renewals=2, max_loans=10000, fine_per_day=1000,
                                   fine_cap=20000)
    book = ItemType.objects.get_or_create(code="book", defaults={"name": "Sách"})[0]
    leader = "00000nam a2200000 a 4500"
    record = BibRecord.objects.create(marc={"leader": leader, "fields": []}, leader=leader, title="Bench")
    adult = PatronCategory.objects.get(code="adult")
    expires = timezone.localdate() + dt.timedelta(days=365)
    ordinary = Patron.objects.create(card_number="ORD", full_name="Nguyễn Văn Thường", category=adult,
                                     home_library=lib, expires_on=expires)
    heavy = Patron.objects.create(card_number="HEAVY", full_name="Trần Thị Nhiều", category=adult,
                                  home_library=lib, expires_on=expires)
    now = timezone.now()
    held = Item.objects.bulk_create([Item(record=record, library=lib, barcode=f"H{i:05}", item_type=book,
                                          status="on_loan") for i in range(args.loans)])
    Loan.objects.bulk_create([Loan(item=it, patron=heavy, library=lib, checked_out_at=now,
                                   due_at=now + dt.timedelta(days=14), patron_category="adult", item_type="book")
                              for it in held])
    n, w = args.rounds, args.warmup
    items = Item.objects.bulk_create([Item(record=record, library=lib, barcode=f"B{i:05}", item_type=book)
                                      for i in range(4 * (n + w) + 1)])
    opened = {"count": 0}
    connection_created.connect(lambda **kw: opened.__setitem__("count", opened["count"] + 1), weak=False)
    lib = OrgUnit.objects.get(pk=lib.pk)
    results: dict[str, float] = {}

    def run_service(patron: Patron, batch: list[Item], label: str) -> None:
        for item in batch[:w]:
            actor = User.objects.get(pk=desk.pk)
            loan_checkout(actor=actor, item=item, patron=patron, desk=lib, request_id=uuid.uuid4())
            loan_checkin(actor=actor, item=item, desk=lib, request_id=uuid.uuid4())
        out, back = [], []
        for item in batch[w:]:
            actor = User.objects.get(pk=desk.pk)  # a fresh request each time: no warm permission cache
            t = time.perf_counter()
            loan_checkout(actor=actor, item=item, patron=patron, desk=lib, request_id=uuid.uuid4())
            out.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            loan_checkin(actor=actor, item=item, desk=lib, request_id=uuid.uuid4())
            back.append((time.perf_counter() - t) * 1000)
        report(label, "service", out, back)

    def report(label: str, via: str, out: list[float], back: list[float]) -> None:
        suffix = "" if label == "ordinary" else f"_{args.loans}_loans"
        results[f"checkout_{via}_p50_ms{suffix}"] = pct(out, 50)
        results[f"checkout_{via}_p95_ms{suffix}"] = pct(out, 95)
        results[f"checkin_{via}_p50_ms{suffix}"] = pct(back, 50)
        results[f"checkin_{via}_p95_ms{suffix}"] = pct(back, 95)
        print(f"{via:8} {label:22} checkout p50 {pct(out, 50):7.2f} ms  p95 {pct(out, 95):7.2f} ms   "
              f"check-in p50 {pct(back, 50):7.2f} ms  p95 {pct(back, 95):7.2f} ms  (n={len(out)}, "
              f"mean {statistics.mean(out):.2f}/{statistics.mean(back):.2f})")

    size = n + w
    probe = items[-1]
    actor = User.objects.get(pk=desk.pk)
    with CaptureQueriesContext(connection) as q_out:
        loan_checkout(actor=actor, item=probe, patron=heavy, desk=lib, request_id=uuid.uuid4())
    actor = User.objects.get(pk=desk.pk)
    with CaptureQueriesContext(connection) as q_in:
        loan_checkin(actor=actor, item=probe, desk=lib, request_id=uuid.uuid4())
    calls = {"checkout": len(q_out.captured_queries), "checkin": len(q_in.captured_queries)}
    print(f"database calls per operation as Django logs them (a batch counts once): checkout {calls['checkout']}, "
          f"check-in {calls['checkin']}")
    opened["count"] = 0
    run_service(ordinary, items[:size], "ordinary")
    run_service(heavy, items[size:2 * size], f"{args.loans} current loans")
    opened_service = opened["count"]

    server = make_server("127.0.0.1", 0, get_wsgi_application(), server_class=WSGIServer, handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    client = Client()
    client.force_login(desk)
    cookie = f"sessionid={client.cookies['sessionid'].value}; csrftoken={'c' * 32}"
    headers = {"Content-Type": "application/json", "Cookie": cookie, "X-CSRFToken": "c" * 32,
               "Host": "127.0.0.1"}
    conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=30)

    def call(path: str, body: dict) -> float:
        t = time.perf_counter()
        conn.request("POST", path, json.dumps(body), headers)
        resp = conn.getresponse()
        payload = resp.read()
        if resp.status != 200:
            raise SystemExit(f"{path}: HTTP {resp.status} {payload[:300]!r}")
        return (time.perf_counter() - t) * 1000

    def run_http(card: str, batch: list[Item], label: str) -> None:
        for item in batch[:w]:
            call("/api/v1/circ/checkout", {"item_barcode": item.barcode, "card_number": card, "desk": "BN-A",
                                           "request_id": str(uuid.uuid4())})
            call("/api/v1/circ/checkin", {"item_barcode": item.barcode, "desk": "BN-A", "request_id": str(uuid.uuid4())})
        if batch is http_first:
            opened["count"] = 0  # the server thread's first connection is opened during the warm-up
        out, back = [], []
        for item in batch[w:]:
            out.append(call("/api/v1/circ/checkout", {"item_barcode": item.barcode, "card_number": card,
                                                      "desk": "BN-A", "request_id": str(uuid.uuid4())}))
            back.append(call("/api/v1/circ/checkin", {"item_barcode": item.barcode, "desk": "BN-A",
                                                      "request_id": str(uuid.uuid4())}))
        report(label, "http", out, back)

    http_first = items[2 * size:3 * size]
    run_http("ORD", http_first, "ordinary")
    run_http("HEAVY", items[3 * size:4 * size], f"{args.loans} current loans")
    server.shutdown()
    assert Loan.objects.filter(patron=heavy, returned_at__isnull=True).count() == args.loans
    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    load = [round(x, 2) for x in os.getloadavg()]
    max_age = settings.DATABASES["default"].get("CONN_MAX_AGE", 0)
    print(f"database {db}, CONN_MAX_AGE {max_age}, connections opened during the timed runs: service "
          f"{opened_service}, HTTP {opened['count']}; load average {load[0]} {load[1]} {load[2]}")
    print(json.dumps({"database": db, "rounds": n, "warmup": w, "loans_of_heavy_reader": args.loans,
                      "conn_max_age_s": max_age, "connections_opened_timed": opened_service + opened["count"],
                      "db_calls_per_checkout": calls["checkout"], "db_calls_per_checkin": calls["checkin"],
                      "load_average_1min": load[0], **results}))


if __name__ == "__main__":
    main()
