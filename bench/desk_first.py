"""The desk's share of a web process that is busy with OPAC searches, with and without `DeskFirst`
(searches yield to other requests; 1 ms thread switch), measured in ONE process so that both
variants meet the same machine: the variants alternate every `--block` desk operations.

One Django request handler (the full middleware stack) is shared by 4 threads searching the OPAC
(`/search/?q=...`, pages with facets) back to back and one desk thread doing checkout + check-in
through the JSON API, as the threads of one web process would. The search index is this process's
the machine's: a `thuvien indexer` subprocess writes it, this process reads it (as a web process
under `thuvien serve`, THUVIEN_INDEX_WRITER=indexer). It measures the in-process contention only, not the HTTP server
(see bench/circulation.py for that), which is what makes it usable on a busy machine.

    uv run --frozen python bench/desk_first.py [--rounds 200] [--records 3000] [--block 10]

Last line: JSON with p50/p95 in milliseconds per variant.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORDS = ["truyen", "lich su", "viet nam", "kinh te", "van hoc", "tieng anh", "toan", "nguyen", "ha noi", "thieu nhi"]


def pct(samples: list[float], p: float) -> float:
    s = sorted(samples)
    return round(s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))], 2) if s else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200, help="desk checkout+check-in pairs per variant")
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--searchers", type=int, default=4)
    parser.add_argument("--budget-ms", type=int, default=250, help="THUVIEN_SEARCH_YIELD_MS of the 'on' variant")
    parser.add_argument("--switch-ms", type=int, default=1, help="THUVIEN_THREAD_SWITCH_MS of the 'on' variant")
    parser.add_argument("--block", type=int, default=10, help="desk operations before switching variant")
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="thuvien-bench-deskfirst-")
    os.environ.update(THUVIEN_HOME=home, DJANGO_SETTINGS_MODULE="thuvien.config.base", THUVIEN_INDEX_WRITER="indexer")
    os.environ.setdefault("THUVIEN_DEBUG", "0")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.client import ClientHandler
    from django.utils import timezone

    from bench.desk_setup import desk_bench

    call_command("migrate", verbosity=0)
    from thuvien.catalog.models import BibRecord, Item
    from thuvien.config.middleware import SearchBulkheadMiddleware
    from thuvien.patrons.models import Patron, PatronCategory

    bench = desk_bench(home=home, records=args.records)
    lib, desk, book = bench.lib, bench.desk, bench.book
    record = BibRecord.objects.order_by("pk").first()
    Patron.objects.create(card_number="ORD", full_name="Nguyễn Văn Thường", category=PatronCategory.objects.get(
        code="adult"), home_library=lib, expires_on=timezone.localdate() + dt.timedelta(days=365))
    items = Item.objects.bulk_create([Item(record=record, library=lib, barcode=f"B{i:05}", item_type=book)
                                      for i in range(2 * args.rounds + 20)])

    from django.conf import settings

    from thuvien.search.outbox import outbox_last_id

    env = {k: v for k, v in os.environ.items() if k != "THUVIEN_INDEX_WRITER"}
    indexer = subprocess.Popen([sys.executable, "-m", "thuvien", "indexer"], env=env, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    state, top, started = Path(settings.THUVIEN_INDEX_DIR) / "slot-indexer" / "state.json", outbox_last_id(), time.time()
    while True:
        try:
            if json.loads(state.read_text())["cursor"] >= top:
                break
        except (OSError, ValueError, KeyError):
            pass
        if time.time() - started > 600 or indexer.poll() is not None:
            raise SystemExit("the indexer did not build the index")
        time.sleep(0.2)

    handler = ClientHandler(enforce_csrf_checks=False)  # one request handler (one middleware chain) for every thread, as in a web process

    def client() -> Client:
        c = Client(HTTP_HOST="127.0.0.1")
        c.handler = handler
        return c

    warm = client()
    for w in WORDS:  # opens the index, applies the outbox, builds the middleware chain
        assert warm.get(f"/search/?q={w}").status_code == 200
    [bulkhead] = [o for o in gc.get_objects() if isinstance(o, SearchBulkheadMiddleware)]
    variants = {"off": (0.0, 0.005), "on": (args.budget_ms / 1000, args.switch_ms / 1000)}  # (yield budget, switch)

    stop = threading.Event()
    searches: dict[str, list[float]] = {"off": [], "on": []}
    current = ["off"]

    def searcher(seed: int) -> None:
        rng, c = random.Random(seed), client()
        while not stop.is_set():
            t = time.perf_counter()
            r = c.get(f"/search/?q={rng.choice(WORDS)}")
            searches[current[0]].append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200

    threads = [threading.Thread(target=searcher, args=(i,), daemon=True) for i in range(args.searchers)]
    for t in threads:
        t.start()
    d = client()
    d.force_login(desk)
    out: dict[str, list[float]] = {"off": [], "on": []}
    back: dict[str, list[float]] = {"off": [], "on": []}

    def post(path: str, body: dict) -> float:  # type: ignore[type-arg]
        t = time.perf_counter()
        r = d.post(path, json.dumps(body), content_type="application/json")
        assert r.status_code == 200, r.content
        return (time.perf_counter() - t) * 1000

    order = iter(items)
    for n in range(2 * args.rounds + 20):
        name = "off" if (n // args.block) % 2 == 0 else "on"
        bulkhead.first.budget_s, switch = variants[name]
        sys.setswitchinterval(switch)
        current[0] = name
        item = next(order)
        a = post("/api/v1/circ/checkout", {"item_barcode": item.barcode, "card_number": "ORD", "desk": "BN-A",
                                           "request_id": str(uuid.uuid4())})
        b = post("/api/v1/circ/checkin", {"item_barcode": item.barcode, "desk": "BN-A",
                                          "request_id": str(uuid.uuid4())})
        if n >= 20:  # the first 20 warm up
            out[name].append(a)
            back[name].append(b)
    stop.set()
    for t in threads:
        t.join(30)
    os.killpg(indexer.pid, signal.SIGINT)
    try:
        indexer.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(indexer.pid, signal.SIGKILL)
    result: dict[str, float | int | str] = {"records": args.records, "searchers": args.searchers}
    for name in ("off", "on"):
        print(f"DeskFirst {name:3}: checkout p50 {pct(out[name], 50):7.2f} p95 {pct(out[name], 95):7.2f} ms; "
              f"check-in p50 {pct(back[name], 50):7.2f} p95 {pct(back[name], 95):7.2f} ms; "
              f"searches meanwhile {len(searches[name])}, p50 {pct(searches[name], 50):.1f} "
              f"p95 {pct(searches[name], 95):.1f} ms (n={len(out[name])}, mean {statistics.mean(out[name]):.1f})")
        result.update({f"checkout_p50_ms_{name}": pct(out[name], 50), f"checkout_p95_ms_{name}": pct(out[name], 95),
                       f"checkin_p50_ms_{name}": pct(back[name], 50), f"checkin_p95_ms_{name}": pct(back[name], 95),
                       f"search_p95_ms_{name}": pct(searches[name], 95), f"searches_{name}": len(searches[name])})
    result["load_average_1min"] = round(os.getloadavg()[0], 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
