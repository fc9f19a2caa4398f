"""Soak test over HTTP against `thuvien serve` with the demo loaded: N simulated users (OPAC searches,
reader logins, and --desks of them circulation desks checking items out and back in) for a while, then
a lockout storm (many wrong logins) while the same users go on; prints p95 per kind in both phases,
the error count and the ratio of search p95 storm/quiet, and "ok" when there were no errors and the
storm kept the search p95 within 3x its quiet value.

Either let the bench start its own server (a fresh THUVIEN_HOME under /tmp, migrate, demo, `thuvien
serve`, stopped at the end):

    uv run python bench/soak.py --start --port 8181 --users 50 --seconds 300

or point it at a running one started with THUVIEN_TRUST_X_FORWARDED_FOR=1 (so each simulated user has
its own address: on loopback they all come from 127.0.0.1, and the per-address lockout would stop the
readers too) and the same THUVIEN_HOME / DATABASE_URL in the environment (the desks' items and readers
are read from its database):

    THUVIEN_TRUST_X_FORWARDED_FOR=1 uv run thuvien serve --port 8181 &
    uv run python bench/soak.py --base http://127.0.0.1:8181 --users 50 --seconds 300

The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import http.cookiejar
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

QUERIES = ["lịch sử", "truyen kieu", "Tô Hoài", "văn học thiếu nhi", "kinh tế", "Hồ Chí Minh", "toán", "dế mèn",
           "khoa học", "Cao Bằng", "tiếng Anh", "địa lý"]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class User:
    def __init__(self, base: str, ip: str) -> None:
        self.base, self.ip = base, ip
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, headers={"X-Forwarded-For": self.ip,  # noqa: S310
                                                                          "Referer": self.base + path})
        try:
            with self.opener.open(req, timeout=60) as resp:
                return resp.status, resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, ""

    def login(self, card: str, password: str, path: str = "/account/login/") -> tuple[int, str]:
        _status, page = self.request(path)
        token = CSRF.search(page)
        return self.request(path, {"csrfmiddlewaretoken": token.group(1) if token else "",
                                   "username": card, "password": password})

    def post_form(self, path: str, data: dict[str, str]) -> tuple[int, str]:
        """GET the page for its CSRF token, then POST `data` to it."""
        status, page = self.request(path)
        token = CSRF.search(page)
        if status != 200 or token is None:
            return status or 599, ""
        return self.request(path, {"csrfmiddlewaretoken": token.group(1), **data})


ROOT = Path(__file__).resolve().parents[1]
DESK_DATA = """
import datetime as dt, json
from django.utils import timezone
from thuvien.catalog.models import Item, ItemStatus
from thuvien.core.models import User
from thuvien.patrons.conf import CONSENT_VERSION, CONSENT_WORDING
from thuvien.patrons.models import Consent, Patron, PatronCategory
desk = User.objects.get(username="{desk}").home_unit
items = list(Item.objects.filter(library=desk, status=ItemStatus.AVAILABLE, item_type__loanable=True)
             .order_by("pk").values_list("barcode", flat=True)[:400])
cards = []
for n in range({readers}):  # the bench's own readers: no loans, fines or blocks that would refuse a checkout
    card = f"SOAK{{n:04d}}"
    patron, made = Patron.objects.get_or_create(card_number=card, defaults=dict(
        full_name=f"Bạn đọc thử tải {{n}}", home_library=desk, category=PatronCategory.objects.get(code="adult"),
        expires_on=timezone.localdate() + dt.timedelta(days=365)))
    if made:
        Consent.objects.create(patron=patron, purpose="service", wording=str(CONSENT_WORDING["service"]),
                               wording_version=CONSENT_VERSION, given_at=timezone.now())
    cards.append(card)
print(json.dumps({{"items": items, "cards": cards}}))
"""


def desk_data(desk_user: str, readers: int) -> dict[str, list[str]]:
    """Available items at the desk user's library and the bench's own readers there (made once), from
    the server's database."""
    done = subprocess.run([sys.executable, "-m", "thuvien", "shell", "-c",  # noqa: S603
                           DESK_DATA.format(desk=desk_user, readers=readers)],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@contextlib.contextmanager
def own_server(port: int) -> Iterator[str]:
    """A fresh THUVIEN_HOME with the demo, served by `thuvien serve` on `port` until the block ends."""
    with tempfile.TemporaryDirectory(prefix="thuvien-soak-") as home:
        os.environ["THUVIEN_HOME"] = home
        os.environ["THUVIEN_TRUST_X_FORWARDED_FOR"] = "1"
        for args in (["migrate", "--no-input", "-v", "0"], ["demo", "-v", "0"]):
            subprocess.run([sys.executable, "-m", "thuvien", *args], cwd=ROOT, check=True)  # noqa: S603
        server = subprocess.Popen([sys.executable, "-m", "thuvien", "serve", "--port", str(port)], cwd=ROOT,  # noqa: S603
                                  start_new_session=True)  # its own process group: the web workers stop with it
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(240):
                with contextlib.suppress(OSError):
                    urllib.request.urlopen(base + "/", timeout=5).close()  # noqa: S310 - loopback
                    break
                time.sleep(0.5)
            yield base
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)


def run(base: str, users: int, seconds: float, storm_users: int, card: str, password: str, desks: int = 0,
        desk_user: str = "luuthong", stock: dict[str, list[str]] | None = None, warmup: float = 15,
        timeline: str = "") -> dict[str, object]:
    timings: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    phase = {"name": "quiet"}
    stop = threading.Event()
    events: list[tuple[float, str, float]] = []  # (seconds since the quiet phase began, kind, seconds taken)
    origin = {"t": 0.0}

    def record(kind: str, started: float, ok: bool) -> None:
        if phase["name"] == "warmup":
            return
        now = time.perf_counter()
        with lock:
            timings[f"{phase['name']}_{kind}"].append(now - started)
            events.append((now - origin["t"], kind, now - started))
            if not ok:
                errors[kind] += 1

    def reader(n: int) -> None:
        rnd = random.Random(n)  # noqa: S311 - a load pattern, not a secret
        user = User(base, f"10.{n // 250}.{n % 250}.1")
        while not stop.is_set():
            started = time.perf_counter()
            if rnd.random() < 0.85:
                status, _ = user.request("/search/?" + urllib.parse.urlencode({"q": rnd.choice(QUERIES)}))
                record("search", started, status == 200)
            else:
                status, _ = user.login(card, password)
                record("login", started, status in (200, 302))
                user.request("/account/")
            time.sleep(rnd.uniform(0.2, 1.0))  # think time

    barcodes = list((stock or {}).get("items", []))
    cards = list((stock or {}).get("cards", [])) or [card]

    def desk(n: int) -> None:
        """A circulation desk: check an item out to a reader, then return it (its own share of the items)."""
        rnd = random.Random(1000 + n)  # noqa: S311
        user = User(base, f"10.200.{n}.1")
        started = time.perf_counter()
        status, _ = user.login(desk_user, password, "/staff/login/")
        record("desk_login", started, status in (200, 302))
        mine = barcodes[n::desks]
        while mine and not stop.is_set():
            barcode = rnd.choice(mine)
            reader_card = rnd.choice(cards[n::desks] or cards)  # a desk's own readers: no loan limit reached
            started = time.perf_counter()
            status, page = user.post_form(f"/staff/circ/patrons/{reader_card}/",
                                          {"action": "checkout", "barcode": barcode, "confirm": "1"})
            record("checkout", started, status == 200 and "desk-msg ok" in page)
            time.sleep(rnd.uniform(0.2, 1.0))
            started = time.perf_counter()
            status, page = user.post_form("/staff/circ/checkin/", {"barcode": barcode})
            record("checkin", started, status == 200 and barcode in page)
            time.sleep(rnd.uniform(0.2, 1.0))

    def attacker(n: int) -> None:
        user = User(base, f"172.16.{n}.1")
        while not stop.is_set():
            started = time.perf_counter()
            status, page = user.login(f"nobody{n}@example.vn", "wrong-password")
            record("wrong_login", started, status in (200, 429))  # 429: refused at once, the address is locked

    threads = [threading.Thread(target=reader, args=(n,), daemon=True) for n in range(users - desks)]
    threads += [threading.Thread(target=desk, args=(n,), daemon=True) for n in range(desks)]
    phase["name"] = "warmup"  # logins, first searches and caches: not counted
    for t in threads:
        t.start()
    time.sleep(warmup)
    origin["t"] = time.perf_counter()
    phase["name"] = "quiet"
    time.sleep(seconds / 2)
    phase["name"] = "storm"
    attackers = [threading.Thread(target=attacker, args=(n,), daemon=True) for n in range(storm_users)]
    for t in attackers:
        t.start()
    time.sleep(seconds / 2)
    stop.set()
    for t in threads + attackers:
        t.join(timeout=70)

    def p95(values: list[float]) -> float | None:
        return round(statistics.quantiles(values, n=20)[-1] * 1000, 1) if len(values) >= 20 else None
    result: dict[str, object] = {f"{k}_p95_ms": p95(v) for k, v in sorted(timings.items())}
    result.update({f"{k}_count": len(v) for k, v in sorted(timings.items())})
    result["errors"] = sum(errors.values())
    result["errors_by_kind"] = dict(errors)
    result["users"], result["desks"], result["storm_users"], result["seconds"] = users, desks, storm_users, seconds
    result["warmup_seconds"] = warmup
    quiet, storm = timings.get("quiet_search", []), timings.get("storm_search", [])
    if len(quiet) >= 20 and len(storm) >= 20:
        result["search_p95_storm_over_quiet"] = round((p95(storm) or 0) / (p95(quiet) or 1), 2)
    if timeline:
        write_timeline(timeline, events, seconds / 2)
    result["ok"] = result["errors"] == 0 and float(result.get("search_p95_storm_over_quiet", 99)) <= 3.0  # type: ignore[arg-type]
    return result


def write_timeline(path: str, events: list[tuple[float, str, float]], storm_at: float, step: float = 5) -> None:
    """Per `step` seconds of the run (finished requests, by when they finished): count and p95 in ms of each
    kind, as tab-separated lines; the storm begins at `storm_at` seconds."""
    buckets: dict[tuple[int, str], list[float]] = defaultdict(list)
    for at, kind, took in events:
        buckets[int(at // step), kind].append(took)
    kinds = sorted({kind for _at, kind, _took in events})
    with open(path, "w", encoding="utf-8") as out:
        out.write("t_s\tphase\t" + "\t".join(f"{k}_n\t{k}_p95_ms" for k in kinds) + "\n")
        for slot in range(max((b for b, _k in buckets), default=-1) + 1):
            cells = []
            for kind in kinds:
                took = sorted(buckets.get((slot, kind), []))
                p95 = took[min(len(took) - 1, int(len(took) * 0.95))] * 1000 if took else 0
                cells.append(f"{len(took)}\t{p95:.0f}")
            phase = "storm" if slot * step >= storm_at else "quiet"
            out.write(f"{slot * step:.0f}\t{phase}\t" + "\t".join(cells) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default="http://127.0.0.1:8181")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--storm-users", type=int, default=24)
    parser.add_argument("--card", default="CB000001")
    parser.add_argument("--password", default="thuvien2026")
    parser.add_argument("--desks", type=int, default=5, help="how many of the users are circulation desks")
    parser.add_argument("--desk-user", default="luuthong")
    parser.add_argument("--warmup", type=float, default=15, help="seconds of load before measuring")
    parser.add_argument("--start", action="store_true", help="start a fresh demo server of its own on --port")
    parser.add_argument("--port", type=int, default=8181)
    parser.add_argument("--timeline", default="", help="write count and p95 per kind for every 5 s to this file")
    args = parser.parse_args()
    with own_server(args.port) if args.start else contextlib.nullcontext(args.base) as base:
        stock = desk_data(args.desk_user, readers=2 * args.desks) if args.desks else None
        result = run(base, args.users, args.seconds, args.storm_users, args.card, args.password, desks=args.desks,
                     desk_user=args.desk_user, stock=stock, warmup=args.warmup, timeline=args.timeline)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
