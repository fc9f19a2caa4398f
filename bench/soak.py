"""Soak test over HTTP against a running `thuvien serve` with the demo loaded: N simulated users (OPAC
searches, reader logins/logouts) for a while, then a lockout storm (many wrong logins) while the same
users go on; prints p95 per kind in both phases and the ratio of search p95 storm/quiet.

Start the server with THUVIEN_TRUST_X_FORWARDED_FOR=1 so each simulated user has its own address
(on loopback they all come from 127.0.0.1, and the per-address lockout would stop the readers too):

    THUVIEN_TRUST_X_FORWARDED_FOR=1 uv run thuvien serve --port 8181 &
    uv run python bench/soak.py --base http://127.0.0.1:8181 --users 50 --seconds 300

Desk checkouts and returns are not simulated here (bench/circulation.py measures them over HTTP).
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import random
import re
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict

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

    def login(self, card: str, password: str) -> tuple[int, str]:
        _status, page = self.request("/account/login/")
        token = CSRF.search(page)
        return self.request("/account/login/", {"csrfmiddlewaretoken": token.group(1) if token else "",
                                                "username": card, "password": password})


def run(base: str, users: int, seconds: float, storm_users: int, card: str, password: str) -> dict[str, object]:
    timings: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    phase = {"name": "quiet"}
    stop = threading.Event()

    def record(kind: str, started: float, ok: bool) -> None:
        with lock:
            timings[f"{phase['name']}_{kind}"].append(time.perf_counter() - started)
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

    def attacker(n: int) -> None:
        user = User(base, f"172.16.{n}.1")
        while not stop.is_set():
            started = time.perf_counter()
            status, page = user.login(f"nobody{n}@example.vn", "wrong-password")
            record("storm_login", started, status == 200)

    threads = [threading.Thread(target=reader, args=(n,), daemon=True) for n in range(users)]
    for t in threads:
        t.start()
    time.sleep(seconds / 2)
    phase["name"] = "storm"
    attackers = [threading.Thread(target=attacker, args=(n,), daemon=True) for n in range(storm_users)]
    for t in attackers:
        t.start()
    time.sleep(seconds / 2)
    stop.set()
    for t in threads + attackers:
        t.join(timeout=70)

    def p95(values: list[float]) -> float:
        return round(statistics.quantiles(values, n=20)[-1] * 1000, 1) if len(values) >= 20 else float("nan")
    result: dict[str, object] = {f"{k}_p95_ms": p95(v) for k, v in sorted(timings.items())}
    result.update({f"{k}_count": len(v) for k, v in sorted(timings.items())})
    result["errors"] = sum(errors.values())
    result["users"], result["storm_users"], result["seconds"] = users, storm_users, seconds
    quiet, storm = timings.get("quiet_search", []), timings.get("storm_search", [])
    if len(quiet) >= 20 and len(storm) >= 20:
        result["search_p95_storm_over_quiet"] = round(p95(storm) / p95(quiet), 2)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default="http://127.0.0.1:8181")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--storm-users", type=int, default=24)
    parser.add_argument("--card", default="CB000001")
    parser.add_argument("--password", default="thuvien2026")
    args = parser.parse_args()
    print(json.dumps(run(args.base, args.users, args.seconds, args.storm_users, args.card, args.password)))


if __name__ == "__main__":
    main()
