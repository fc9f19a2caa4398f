"""Checkout and check-in latency as a librarian meets it: through HTTP against a running
`thuvien serve` (granian, the machine's `thuvien indexer` with the index open, the background
worker, the scheduler), for an ordinary reader and for a reader with 500 current loans, while 4
clients search the OPAC continuously; the same operations through the service in this process (a
web-like process: index read-only, THUVIEN_INDEX_WRITER=indexer) during the same load; and the
index freshness: from a checkout's commit (its HTTP answer) until an OPAC API search by another
client shows the copy as no longer available.

    uv run python bench/circulation.py [--rounds 200] [--loans 500] [--warmup 10] [--records 5000]
    bash scripts/with-postgres.sh uv run python bench/circulation.py --rounds 200

Fresh SQLite database in a temporary THUVIEN_HOME (set DATABASE_URL to bench PostgreSQL instead),
DEBUG off. A catalogue of `--records` generated records is imported first, so the searches have
something to chew on. Last line: JSON with p50/p95 in milliseconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SEARCH_WORDS = ["truyen", "lich su", "viet nam", "kinh te", "van hoc", "tieng anh", "toan", "nguyen",
                "ha noi", "thieu nhi", "khoa hoc", "dia ly", "tu dien", "ky nang", "cuoc song"]


def pct(samples: list[float], p: float) -> float:
    if not samples:
        return 0.0
    s = sorted(samples)
    return round(s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))], 2)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--loans", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--records", type=int, default=5000, help="generated catalogue size")
    parser.add_argument("--searchers", type=int, default=4, help="OPAC clients searching all the time")
    parser.add_argument("--lag-samples", type=int, default=40)
    parser.add_argument("--serve-args", default="", help="extra `thuvien serve` options, e.g. '--workers 2'")
    parser.add_argument("--port", type=int, default=0, help="the server's port (default: a free one)")
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="thuvien-bench-circ-")
    os.environ.update(THUVIEN_HOME=home, DJANGO_SETTINGS_MODULE="thuvien.config.base",
                      THUVIEN_INDEX_WRITER="indexer")  # this process is a web process: it never writes the index
    os.environ.setdefault("THUVIEN_DEBUG", "0")
    import django

    django.setup()
    import pymarc
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from bench.desk_setup import desk_bench

    call_command("migrate", verbosity=0)
    from thuvien.catalog.models import Item
    from thuvien.catalog.services import bib_create, item_create
    from thuvien.circulation.models import Loan
    from thuvien.circulation.services import loan_checkin, loan_checkout
    from thuvien.core.models import OrgUnit, User
    from thuvien.patrons.models import Patron, PatronCategory

    bench = desk_bench(home=home, records=args.records)
    root, lib, desk, book = bench.root, bench.lib, bench.desk, bench.book

    def record(title: str):  # type: ignore[no-untyped-def]
        rec = pymarc.Record(force_utf8=True)
        rec.add_field(pymarc.Field(tag="245", indicators=["1", "0"], subfields=[pymarc.Subfield("a", title)]))
        return bib_create(actor=root, record=rec, owner=lib)

    bench_record = record("Bench")
    adult = PatronCategory.objects.get(code="adult")
    expires = timezone.localdate() + dt.timedelta(days=365)
    Patron.objects.create(card_number="ORD", full_name="Nguyễn Văn Thường", category=adult, home_library=lib,
                          expires_on=expires)
    heavy = Patron.objects.create(card_number="HEAVY", full_name="Trần Thị Nhiều", category=adult,
                                  home_library=lib, expires_on=expires)
    now = timezone.now()
    held = Item.objects.bulk_create([Item(record=bench_record, library=lib, barcode=f"H{i:05}", item_type=book,
                                          status="on_loan") for i in range(args.loans)])
    Loan.objects.bulk_create([Loan(item=it, patron=heavy, library=lib, checked_out_at=now,
                                   due_at=now + dt.timedelta(days=14), patron_category="adult", item_type="book")
                              for it in held])
    n, w = args.rounds, args.warmup
    items = Item.objects.bulk_create([Item(record=bench_record, library=lib, barcode=f"B{i:05}", item_type=book)
                                      for i in range(4 * (n + w) + 1)])
    # Freshness probes: a record each with one copy; a checkout makes "available only" stop finding it.
    lag_items = [item_create(actor=root, record=record(f"Khảo sát độ trễ {i:03d} zq{i:03d}x"), library=lib,
                             barcode=f"L{i:05}", item_type=book) for i in range(args.lag_samples)]

    # ---- the server, as `make run` starts it ------------------------------------------------------
    port = args.port or free_port()
    env = {k: v for k, v in os.environ.items() if k != "THUVIEN_INDEX_WRITER"}
    server = subprocess.Popen([sys.executable, "-m", "thuvien", "serve", "--port", str(port), *args.serve_args.split()],
                              env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              start_new_session=True)
    from thuvien.search.outbox import outbox_last_id

    state = Path(settings.THUVIEN_INDEX_DIR) / "slot-indexer" / "state.json"
    top = outbox_last_id()
    started = time.monotonic()
    while True:
        if server.poll() is not None:
            raise SystemExit(f"thuvien serve stopped: {server.stderr.read() if server.stderr else ''}")
        try:
            if json.loads(state.read_text())["cursor"] >= top:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/")
                if conn.getresponse().status == 200:
                    break
        except (OSError, ValueError, KeyError):
            pass
        if time.monotonic() - started > 600:
            raise SystemExit("the server or its index did not come up in 10 minutes")
        time.sleep(0.2)
    print(f"server up with its index in {time.monotonic() - started:.1f} s ({args.records} records)")

    # ---- 4 OPAC clients searching all the time ----------------------------------------------------
    stop = threading.Event()
    search_ms: list[float] = []

    def searcher(seed: int) -> None:
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while not stop.is_set():
            q = urllib.parse.quote(rng.choice(SEARCH_WORDS))
            t = time.perf_counter()
            conn.request("GET", f"/search/?q={q}", headers={"Accept-Encoding": "gzip"})
            resp = conn.getresponse()
            resp.read()
            search_ms.append((time.perf_counter() - t) * 1000)
            if resp.status != 200:
                raise SystemExit(f"OPAC search: HTTP {resp.status}")

    threads = [threading.Thread(target=searcher, args=(i,), daemon=True) for i in range(args.searchers)]
    for t in threads:
        t.start()

    results: dict[str, float] = {}

    def report(label: str, via: str, out: list[float], back: list[float]) -> None:
        suffix = "" if label == "ordinary" else f"_{args.loans}_loans"
        results[f"checkout_{via}_p50_ms{suffix}"] = pct(out, 50)
        results[f"checkout_{via}_p95_ms{suffix}"] = pct(out, 95)
        results[f"checkin_{via}_p50_ms{suffix}"] = pct(back, 50)
        results[f"checkin_{via}_p95_ms{suffix}"] = pct(back, 95)
        print(f"{via:8} {label:22} checkout p50 {pct(out, 50):7.2f} ms  p95 {pct(out, 95):7.2f} ms   "
              f"check-in p50 {pct(back, 50):7.2f} ms  p95 {pct(back, 95):7.2f} ms  (n={len(out)}, "
              f"mean {statistics.mean(out):.2f}/{statistics.mean(back):.2f})")

    # ---- through HTTP -----------------------------------------------------------------------------
    client = Client()
    client.force_login(desk)
    cookie = f"sessionid={client.cookies['sessionid'].value}; csrftoken={'c' * 32}"
    headers = {"Content-Type": "application/json", "Cookie": cookie, "X-CSRFToken": "c" * 32,
               "Host": "127.0.0.1"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(path: str, body: dict) -> float:  # type: ignore[type-arg]
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
        out, back = [], []
        for item in batch[w:]:
            out.append(call("/api/v1/circ/checkout", {"item_barcode": item.barcode, "card_number": card,
                                                      "desk": "BN-A", "request_id": str(uuid.uuid4())}))
            back.append(call("/api/v1/circ/checkin", {"item_barcode": item.barcode, "desk": "BN-A",
                                                      "request_id": str(uuid.uuid4())}))
        report(label, "http", out, back)

    size = n + w
    run_http("ORD", items[:size], "ordinary")
    run_http("HEAVY", items[size:2 * size], f"{args.loans} current loans")

    # ---- index freshness: checkout committed -> another client's search shows it -------------------
    reader = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    lags: list[float] = []
    commit_lags: list[float] = []
    for i, item in enumerate(lag_items):
        query = f"/api/v1/search?q=zq{i:03d}x&available=true"
        reader.request("GET", query)
        resp = reader.getresponse()
        if json.loads(resp.read())["total"] != 1:
            raise SystemExit(f"freshness probe {i}: the record is not found as available before the checkout")
        call("/api/v1/circ/checkout", {"item_barcode": item.barcode, "card_number": "ORD", "desk": "BN-A",
                                       "request_id": str(uuid.uuid4())})
        committed = time.perf_counter()
        written = outbox_last_id()
        while json.loads(state.read_text())["cursor"] < written:  # the indexer's commit, seen from here
            if time.perf_counter() - committed > 30:
                raise SystemExit(f"freshness probe {i}: the indexer did not pass outbox id {written} in 30 s")
            time.sleep(0.002)
        commit_lags.append((time.perf_counter() - committed) * 1000)
        while True:
            reader.request("GET", query)
            resp = reader.getresponse()
            if json.loads(resp.read())["total"] == 0:
                break
            if time.perf_counter() - committed > 30:
                raise SystemExit(f"freshness probe {i}: not visible after 30 s")
            time.sleep(0.005)
        lags.append((time.perf_counter() - committed) * 1000)
    results["index_lag_p50_ms"] = pct(lags, 50)
    results["index_lag_p95_ms"] = pct(lags, 95)
    results["index_commit_lag_p95_ms"] = pct(commit_lags, 95)
    print(f"indexer committed past the checkout's outbox id after: p50 {pct(commit_lags, 50):.1f} ms, "
          f"p95 {pct(commit_lags, 95):.1f} ms")
    print(f"index lag (checkout answered -> another client's search shows it), n={len(lags)}: "
          f"p50 {pct(lags, 50):.1f} ms, p95 {pct(lags, 95):.1f} ms, max {max(lags):.1f} ms")

    # ---- through the service, in this web-like process, under the same search load ----------------
    lib = OrgUnit.objects.get(pk=lib.pk)
    ordinary = Patron.objects.get(card_number="ORD")

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

    probe = items[-1]
    actor = User.objects.get(pk=desk.pk)
    with CaptureQueriesContext(connection) as q_out:
        loan_checkout(actor=actor, item=probe, patron=heavy, desk=lib, request_id=uuid.uuid4())
    actor = User.objects.get(pk=desk.pk)
    with CaptureQueriesContext(connection) as q_in:
        loan_checkin(actor=actor, item=probe, desk=lib, request_id=uuid.uuid4())
    calls = {"checkout": len(q_out.captured_queries), "checkin": len(q_in.captured_queries)}
    run_service(ordinary, items[2 * size:3 * size], "ordinary")
    run_service(heavy, items[3 * size:4 * size], f"{args.loans} current loans")

    stop.set()
    for t in threads:
        t.join(30)
    os.killpg(server.pid, signal.SIGINT)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
    assert Loan.objects.filter(patron=heavy, returned_at__isnull=True).count() == args.loans
    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    load = [round(x, 2) for x in os.getloadavg()]
    print(f"OPAC searches by {args.searchers} clients meanwhile: {len(search_ms)}, p50 {pct(search_ms, 50):.1f} ms, "
          f"p95 {pct(search_ms, 95):.1f} ms")
    print(f"database {db}; database calls per checkout {calls['checkout']}, check-in {calls['checkin']}; "
          f"load average {load[0]} {load[1]} {load[2]}")
    print(json.dumps({"database": db, "rounds": n, "warmup": w, "loans_of_heavy_reader": args.loans,
                      "records": args.records, "searchers": args.searchers, "opac_searches": len(search_ms),
                      "opac_search_http_p95_ms": pct(search_ms, 95),
                      "db_calls_per_checkout": calls["checkout"], "db_calls_per_checkin": calls["checkin"],
                      "load_average_1min": load[0], **results}))


if __name__ == "__main__":
    main()
