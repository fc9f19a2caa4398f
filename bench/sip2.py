"""SIP2 over TCP, as kiosks and gates use it: a real `thuvien sip2_server` process and N kiosk
connections at once, each logged in and looping checkout (11) -> item information (17) ->
check-in (09) on its own items, while also asking 17 for a random item (a gate reading tags).

    uv run python bench/sip2.py [--kiosks 20] [--rounds 30] [--items 3000] [--threads 4] [--think-ms 300]
    DATABASE_URL=postgres://... uv run python bench/sip2.py   (a bench PostgreSQL instead of SQLite)

Fresh database in a temporary THUVIEN_HOME (migrated and seeded first, not timed); settings are the
development ones with DEBUG off (no query log). Latency is measured at the kiosk: from sending the
frame to reading the whole reply. Goals: checkout p95 <= 20 ms, 17/18 p95 <= 5 ms.
Last line: JSON with p50/p95 in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from thuvien.protocols.sip2.tests.server_process import Sip2Process  # noqa: E402
from thuvien.protocols.sip2.tests.test_server import Raw  # noqa: E402

NOW = "20261202    101500"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2)


def kiosk(port: int, n: int, rounds: int, items: int, out: dict[str, list[float]], errors: list[str],
          start: threading.Barrier, think: float) -> None:
    try:
        _kiosk(port, n, rounds, items, out, errors, start, think)
    except Exception as exc:  # reported, and the other kiosks go on
        errors.append(f"kiosk {n}: {exc!r}")
        start.abort()


def _kiosk(port: int, n: int, rounds: int, items: int, out: dict[str, list[float]], errors: list[str],
           start: threading.Barrier, think: float) -> None:
    k = Raw(port)
    k.sock.settimeout(120)  # 20 logins at once wait for Argon2
    k.ask("9300CNkiosk1|COsecret|")
    reader = f"R{n + 1:04d}"
    k.ask(f"63000{NOW}          AOTV01|AA{reader}|AD1234|")  # the reader shows the card, types the PIN
    rng = random.Random(n)
    try:
        start.wait(timeout=120)
    except threading.BrokenBarrierError:
        pass
    for r in range(rounds):
        time.sleep(think * rng.uniform(0.5, 1.5))
        barcode = f"VN{n * rounds + r + 1:04d}"
        t0 = time.perf_counter()
        reply = k.ask(f"11NN{NOW}{' ' * 18}AOTV01|AA{reader}|AB{barcode}|AD1234|", seq=str(r % 10))
        out["checkout"].append(time.perf_counter() - t0)
        if not reply.startswith(b"121"):
            errors.append(reply.decode(errors="replace")[:200])
        time.sleep(think * rng.uniform(0.5, 1.5))
        for code in (barcode, f"VN{rng.randrange(1, items + 1):04d}"):
            t0 = time.perf_counter()
            reply = k.ask(f"17{NOW}AOTV01|AB{code}|", seq=str(r % 10))
            out["item_information"].append(time.perf_counter() - t0)
            if not reply.startswith(b"18"):
                errors.append(reply.decode(errors="replace")[:200])
        time.sleep(think * rng.uniform(0.5, 1.5))
        t0 = time.perf_counter()
        reply = k.ask(f"09N{NOW}{NOW}APTV01|AOTV01|AB{barcode}|", seq=str(r % 10))
        out["checkin"].append(time.perf_counter() - t0)
        if not reply.startswith(b"101"):
            errors.append(reply.decode(errors="replace")[:200])
    k.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kiosks", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--items", type=int, default=3000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=6171)
    parser.add_argument("--think-ms", type=float, default=300,
                        help="pause between a kiosk's requests (a reader placing the next book), 0.5-1.5x at random")
    args = parser.parse_args()
    assert args.kiosks * args.rounds <= args.items, "each checkout needs its own item"
    home = Path(tempfile.mkdtemp(prefix="thuvien-bench-sip2-"))
    os.environ["THUVIEN_DEBUG"] = "0"
    server = Sip2Process(home, port=args.port, settings="thuvien.config.base", keep_database_url=True)
    t0 = time.perf_counter()
    server.prepare(items=args.items, readers=args.kiosks)
    print(f"database ready in {time.perf_counter() - t0:.1f} s ({'PostgreSQL' if os.environ.get('DATABASE_URL') else 'SQLite'})")
    server.start("--threads", str(args.threads))
    out: dict[str, list[float]] = {"checkout": [], "item_information": [], "checkin": []}
    errors: list[str] = []
    try:
        warm = Raw(server.port)  # untimed: imports, statement cache, the first connection of each thread
        warm.ask("9300CNgate1|COsecret|")
        for _ in range(20):
            warm.ask(f"17{NOW}AOTV01|ABVN0001|")
        warm.close()
        start = threading.Barrier(args.kiosks)
        threads = [threading.Thread(target=kiosk, args=(server.port, n, args.rounds, args.items, out, errors, start,
                                                        args.think_ms / 1000))
                   for n in range(args.kiosks)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
    finally:
        stderr = server.stop()
    if errors:
        print("errors:", len(errors), errors[:3])
    if "Traceback" in stderr:
        print(stderr[-2000:])
    slow = [line for line in stderr.splitlines() if " slow: " in line and " 93 slow" not in line]
    if slow:
        print(f"server logged {len(slow)} slow requests, e.g.:", *slow[:8], sep="\n  ")
    ops = sum(len(v) for v in out.values())
    for name, values in out.items():
        print(f"{name:17} n={len(values):5} p50={pct(values, 0.5):6.2f} ms  p95={pct(values, 0.95):6.2f} ms  "
              f"max={max(values) * 1000:6.1f} ms  mean={statistics.mean(values) * 1000:6.2f} ms")
    print(f"{args.kiosks} kiosks, {ops} requests in {wall:.1f} s ({ops / wall:.0f}/s); load average {os.getloadavg()[0]:.2f}")
    print(json.dumps({
        "kiosks": args.kiosks, "requests": ops, "errors": len(errors), "requests_per_s": round(ops / wall, 1),
        "checkout_p50_ms": pct(out["checkout"], 0.5), "checkout_p95_ms": pct(out["checkout"], 0.95),
        "item_information_p50_ms": pct(out["item_information"], 0.5),
        "item_information_p95_ms": pct(out["item_information"], 0.95),
        "checkin_p50_ms": pct(out["checkin"], 0.5), "checkin_p95_ms": pct(out["checkin"], 0.95),
        "database": "postgresql" if os.environ.get("DATABASE_URL") else "sqlite",
    }))


if __name__ == "__main__":
    main()
