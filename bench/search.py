"""Search benchmark: a generated catalogue, a fixed mix of 1,000 queries, service and HTTP latency,
index build time and size, peak RSS, and SQLite FTS5 over the same titles as a baseline.

    uv run python bench/search.py [--records 1000000] [--home /tmp/thuvien-bench-search] [--queries 1000]
                                  [--http-workers 1] [--no-facet-cache] [--clients 1] [--port 0]

The catalogue is built once into --home (reused when it already holds --records records). Records are
bulk-inserted straight into the tables (the catalogue import has its own benchmark), with a small MARC
record each (001/008/020/082/100/245/264/650) so bench/oai.py can serve them over SRU; the index is
then built with the same code as `thuvien reindex` (rebuilt when its schema changed). HTTP goes to the
JSON API served by granian (`--http-workers` processes, as `thuvien serve` runs it) in a separate
process that opens the same index slot. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

parser = argparse.ArgumentParser()
parser.add_argument("--records", type=int, default=1_000_000)
parser.add_argument("--queries", type=int, default=1000)
parser.add_argument("--home", default="/tmp/thuvien-bench-search")
parser.add_argument("--seed", type=int, default=2026)
parser.add_argument("--rebuild", action="store_true", help="rebuild the index even if it is up to date")
parser.add_argument("--http-workers", type=int, default=1, help="granian worker processes for the HTTP part")
parser.add_argument("--no-facet-cache", action="store_true", help="count facets afresh for every query")
parser.add_argument("--clients", type=int, default=1,
                    help="concurrent HTTP clients, each with its own connection, sharing the query mix")
parser.add_argument("--port", type=int, default=0, help="port for the HTTP part (default: any free port)")
args = parser.parse_args()

os.environ["THUVIEN_HOME"] = args.home
os.environ.pop("DATABASE_URL", None)
os.environ["DJANGO_SETTINGS_MODULE"] = "thuvien.config.base"
os.environ.setdefault("THUVIEN_DEBUG", "0")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from thuvien.catalog.models import BibRecord, Item, ItemStatus, ItemType  # noqa: E402
from thuvien.core.models import OrgUnit, UnitKind  # noqa: E402
from thuvien.core.text import collation_key, fold  # noqa: E402
from thuvien.search.engine import SCHEMA_VERSION, get_index  # noqa: E402
from thuvien.search.selectors import parse_user_query, record_search  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "vi" / "tiki_books.csv"
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Xuân", "Quang", "Nhật"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hoa", "Hùng", "Khoa", "Lan", "Linh", "Long",
         "Mai", "Nam", "Nga", "Phong", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vy", "Yến", "Ánh"]
SUBJECTS = ["Văn học Việt Nam", "Văn học thiếu nhi", "Lịch sử Việt Nam", "Kinh tế", "Giáo dục", "Tâm lý học",
            "Nông nghiệp", "Y học", "Tin học", "Địa lý", "Âm nhạc", "Triết học", "Luật", "Ngôn ngữ"]
DDC = ["895.9223", "895.9221", "959.7", "330", "370", "150", "630", "610", "004", "915.97", "780", "100", "340",
       "495.922"]
FALLBACK_WORDS = ("truyện kiều đất rừng phương nam mắt biếc mặt trời mọc lịch sử việt nam kinh tế giáo dục "
                  "tâm lý học trẻ em nông nghiệp y học tin học địa lý âm nhạc triết học luật ngôn ngữ bài học "
                  "cuộc sống tình yêu gia đình thành phố làng quê chiến tranh hòa bình sông núi biển cả").split()


def title_words() -> list[str]:
    words: list[str] = []
    if DATA.exists():
        import csv

        with DATA.open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                t = row.get("title") or row.get("name") or ""
                words.extend(w for w in t.split() if w.isalpha())
    return words or FALLBACK_WORDS


def small_marc(*, control: str, title: str, author: str, isbn: str, ddc: str, subject: str, year: int,
               publisher: str) -> dict:
    def df(tag: str, ind: str, *subfields: tuple[str, str]) -> dict:
        return {tag: {"ind1": ind[0], "ind2": ind[1], "subfields": [{c: v} for c, v in subfields]}}

    return {"leader": "00000nam a2200000 a 4500", "fields": [
        {"001": control}, {"008": f"260101s{year}    vm            000 0 vie d"}, df("020", "  ", ("a", isbn)),
        df("082", "04", ("a", ddc)), df("100", "1 ", ("a", author)), df("245", "10", ("a", title), ("c", author)),
        df("264", " 1", ("a", "Hà Nội :"), ("b", publisher + ","), ("c", str(year))), df("650", " 7", ("a", subject))]}


MARC_UPGRADE_SQL = """
UPDATE catalog_bibrecord SET marc = json_object('leader', leader, 'fields', json_array(
  json_object('001', control_number),
  json_object('008', '260101s' || coalesce(year, '    ') || '    vm            000 0 vie d'),
  json_object('020', json_object('ind1', ' ', 'ind2', ' ', 'subfields', json_array(
    json_object('a', json_extract(isbns, '$[0]'))))),
  json_object('082', json_object('ind1', '0', 'ind2', '4', 'subfields', json_array(json_object('a', ddc)))),
  json_object('100', json_object('ind1', '1', 'ind2', ' ', 'subfields', json_array(json_object('a', main_author)))),
  json_object('245', json_object('ind1', '1', 'ind2', '0', 'subfields', json_array(
    json_object('a', title), json_object('c', main_author)))),
  json_object('264', json_object('ind1', ' ', 'ind2', '1', 'subfields', json_array(
    json_object('a', 'Hà Nội :'), json_object('b', publisher || ','), json_object('c', cast(year as text))))),
  json_object('650', json_object('ind1', ' ', 'ind2', '7', 'subfields', json_array(
    json_object('a', json_extract(subjects, '$[0]')))))))
WHERE json_array_length(marc, '$.fields') = 0
"""


def upgrade_marc() -> None:
    """Catalogues generated before records carried MARC get it in one statement (SQLite)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cur:
        cur.execute("SELECT 1 FROM catalog_bibrecord WHERE json_array_length(marc, '$.fields') = 0 LIMIT 1")
        if cur.fetchone() is None:
            return
        t = time.monotonic()
        cur.execute(MARC_UPGRADE_SQL)
    print(f"MARC added to the generated records in {time.monotonic() - t:.0f} s")


def build_catalogue(n: int, seed: int) -> None:
    rng = random.Random(seed)
    words = title_words()
    # Zipf-like: a few very common words, a long tail of rare ones.
    vocab = list(dict.fromkeys(words))
    weights = [1.0 / (i + 1) ** 0.9 for i in range(len(vocab))]
    network = UnitKind.objects.get(code="network")
    district = UnitKind.objects.get(code="district_library")
    from thuvien.core.models import User
    from thuvien.core.services import unit_create

    actor, _ = User.objects.get_or_create(username="bench", defaults={"is_superuser": True})
    root = OrgUnit.objects.filter(code="BN").first() or unit_create(actor=actor, code="BN", name="Mạng lưới bench",
                                                                    kind=network, parent=None)
    libs = list(OrgUnit.objects.filter(parent=root)) or [
        unit_create(actor=actor, code=f"BN-{i:02d}", name=f"Thư viện huyện {i}", kind=district, parent=root)
        for i in range(1, 21)]
    book, _ = ItemType.objects.get_or_create(code="book", defaults={"name": "Sách"})
    have = BibRecord.objects.count()
    batch = 5000
    started = time.monotonic()
    barcode = Item.objects.count()
    statuses = [ItemStatus.AVAILABLE] * 7 + [ItemStatus.ON_LOAN] * 3
    while have < n:
        k = min(batch, n - have)
        recs = []
        for _ in range(k):
            title = " ".join(rng.choices(vocab, weights, k=rng.randint(2, 7))).capitalize()
            author = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            s = rng.randrange(len(SUBJECTS))
            year = rng.randint(1950, 2025)
            num = have + len(recs)
            core = f"978604{num % 1000000:06d}"
            check = (10 - sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(core)) % 10) % 10
            publisher = rng.choice(["Kim Đồng", "Trẻ", "Văn học", "Giáo dục"])
            recs.append(BibRecord(
                control_number=f"BN{num:08d}",
                marc=small_marc(control=f"BN{num:08d}", title=title, author=author, isbn=core + str(check),
                                ddc=DDC[s], subject=SUBJECTS[s], year=year, publisher=publisher),
                leader="00000nam a2200000 a 4500", title=title, title_sort=collation_key(title),
                main_author=author, authors=[author], subjects=[SUBJECTS[s]], ddc=DDC[s], call_number=DDC[s],
                isbns=[core + str(check)], language="vie" if rng.random() < 0.8 else "eng",
                languages=[], year=year, publisher=publisher,
                material_type="book" if rng.random() < 0.9 else "serial", owner=root))
        with transaction.atomic():
            created = BibRecord.objects.bulk_create(recs, batch_size=1000)
            items = []
            for r in created:
                for _ in range(rng.randint(1, 2)):
                    barcode += 1
                    items.append(Item(record_id=r.pk, library=rng.choice(libs), barcode=f"B{barcode:09d}",
                                      item_type=book, status=rng.choice(statuses)))
            Item.objects.bulk_create(items, batch_size=2000)
        have += k
        print(f"\rcatalogue {have}/{n} ({have / (time.monotonic() - started):,.0f} records/s)", end="", flush=True)
    print()


def query_mix(n: int, seed: int) -> list[tuple[str, str, bool]]:
    """(kind, box text, with facets) in a fixed order."""
    rng = random.Random(seed + 1)
    rows = list(BibRecord.objects.order_by("?").values_list("title", "main_author", "isbns")[:2000]) \
        if connection.vendor != "sqlite" else []
    if not rows:
        top = BibRecord.objects.order_by("-id").values_list("id", flat=True).first() or 1
        ids = [rng.randint(1, top) for _ in range(2000)]
        rows = list(BibRecord.objects.filter(id__in=ids).values_list("title", "main_author", "isbns"))
    word_freq: dict[str, int] = {}
    for t, _, _ in rows:
        for w in t.lower().split():
            word_freq[w] = word_freq.get(w, 0) + 1
    common = sorted(word_freq, key=lambda w: -word_freq[w])[:30]
    rare = [w for w, c in word_freq.items() if c == 1 and len(w) > 3] or common
    out: list[tuple[str, str, bool]] = []
    kinds = ["common", "rare", "phrase", "author", "prefix", "isbn", "unaccented"]
    for i in range(n):
        kind = kinds[i % len(kinds)]
        title, author, isbns = rng.choice(rows)
        tw = title.split()
        if kind == "common":
            q = rng.choice(common)
        elif kind == "rare":
            q = rng.choice(rare)
        elif kind == "phrase":
            j = rng.randrange(max(1, len(tw) - 1))
            q = f'"{" ".join(tw[j:j + 2])}"'
        elif kind == "author":
            q = f'tác giả:"{author}"'
        elif kind == "prefix":
            w = rng.choice(tw)
            q = (w[: max(2, len(w) - 1)]) + "*"
        elif kind == "isbn":
            q = isbns[0][:3] + "-" + isbns[0][3:6] + "-" + isbns[0][6:] if isbns else "9786040000000"
        else:
            q = fold(" ".join(tw[:2]))
        out.append((kind, q, i % 2 == 0))
    return out


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def summary(name: str, ms: list[float]) -> dict[str, float]:
    s = {"p50": pct(ms, 50), "p95": pct(ms, 95), "p99": pct(ms, 99), "mean": statistics.fmean(ms)}
    print(f"{name:28} p50 {s['p50']:7.2f} ms  p95 {s['p95']:7.2f} ms  p99 {s['p99']:7.2f} ms  mean {s['mean']:6.2f} ms")
    return s


def fts5_baseline(db: Path, mix: list[tuple[str, str, bool]]) -> list[float]:
    fts = db.parent / "fts5.sqlite3"
    con = sqlite3.connect(str(fts))
    have = con.execute("select count(*) from sqlite_master where name='t'").fetchone()[0]
    if not have:
        started = time.monotonic()
        con.execute("create virtual table t using fts5(title, author, isbn, tokenize='unicode61 remove_diacritics 2')")
        src = sqlite3.connect(str(db))
        cur = src.execute("select id, title, main_author, isbns from catalog_bibrecord")
        while True:
            rows = cur.fetchmany(10000)
            if not rows:
                break
            con.executemany("insert into t(rowid, title, author, isbn) values (?,?,?,?)",
                            [(r[0], r[1], r[2], " ".join(json.loads(r[3]))) for r in rows])
        con.commit()
        print(f"FTS5 baseline built in {time.monotonic() - started:.1f} s")
    ms: list[float] = []
    for kind, q, _with_facets in mix:
        if kind == "isbn":
            expr = '"' + q.replace("-", "") + '"'
        elif kind == "author":
            expr = 'author:"' + q.split(":", 1)[1].strip('"') + '"'
        elif kind == "prefix":
            expr = '"' + q.rstrip("*").replace('"', "") + '"*'
        else:
            expr = " ".join('"' + w.replace('"', "") + '"' for w in q.strip('"').split()) if kind != "phrase" \
                else q
        t = time.perf_counter()
        try:
            con.execute("select rowid from t where t match ? order by rank limit 20", (expr,)).fetchall()
            con.execute("select count(*) from t where t match ?", (expr,)).fetchone()
        except sqlite3.OperationalError:
            pass
        ms.append((time.perf_counter() - t) * 1000)
    return ms


def http_server(workers: int) -> tuple[subprocess.Popen[bytes], int]:
    """granian serving the WSGI app, as `thuvien serve` does; waits until a search answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", args.port))
        port = int(sock.getsockname()[1])
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if args.no_facet_cache:
        conf = Path(args.home) / "benchsettings"
        conf.mkdir(exist_ok=True)
        (conf / "bench_search_settings.py").write_text(
            "from thuvien.config.base import *  # noqa\nTHUVIEN_SEARCH_FACET_CACHE = 0\n")
        env.update(DJANGO_SETTINGS_MODULE="bench_search_settings",
                   PYTHONPATH=f"{conf}:{Path(__file__).resolve().parents[1]}")
    proc = subprocess.Popen([sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1",  # noqa: S603
                             "--port", str(port), "--workers", str(workers), "--blocking-threads", "1",
                             "--log-level", "warning", "thuvien.config.wsgi:application"],
                            env=env, cwd=str(Path(__file__).resolve().parents[1]))
    import urllib.request

    for _ in range(600):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/search?q=a&facets=false", timeout=60).read()  # noqa: S310
            return proc, port
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise RuntimeError("granian did not answer")


def load_avg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def index_is_current() -> bool:
    state = Path(args.home) / "index" / "slot-0" / "state.json"
    try:
        return json.loads(state.read_text()).get("schema") == SCHEMA_VERSION
    except (OSError, ValueError):
        return False


def main() -> None:
    call_command("migrate", verbosity=0)
    t0 = time.monotonic()
    build_catalogue(args.records, args.seed)
    print(f"catalogue ready: {BibRecord.objects.count():,} records, {Item.objects.count():,} items "
          f"({time.monotonic() - t0:.0f} s)")
    upgrade_marc()
    print(f"load average at start: {load_avg()}")
    if args.no_facet_cache:
        settings.THUVIEN_SEARCH_FACET_CACHE = 0
    fresh = not index_is_current()
    t = time.monotonic()
    index = get_index()  # builds the index if missing
    build_s = time.monotonic() - t if fresh else None
    build_file = Path(args.home) / "bench-index-build.json"
    if build_s is not None:
        print(f"index build: {build_s:.1f} s")
        build_file.write_text(json.dumps({"index_build_s": build_s}))
    elif build_file.exists():
        build_s = json.loads(build_file.read_text())["index_build_s"]
        print(f"index reused (built earlier in {build_s:.1f} s)")
    if args.rebuild or index.index is None or index.index.searcher().num_docs != BibRecord.objects.count():
        t = time.monotonic()
        last = [0.0]

        def progress(done: int, total: int) -> None:
            if time.monotonic() - last[0] > 2 or done == total:
                last[0] = time.monotonic()
                print(f"\rindexing {done:,}/{total:,}", end="", flush=True)

        index.rebuild(progress=progress, memory_mb=settings.THUVIEN_INDEX_BUILD_MEMORY_MB)  # as `thuvien reindex`
        build_s = time.monotonic() - t
        print(f"\nindex build: {build_s:.1f} s")
        build_file.write_text(json.dumps({"index_build_s": build_s}))
    size_mb = index.size_bytes() / 1e6
    print(f"index: {index.index.searcher().num_docs:,} documents, {size_mb:.0f} MB")

    mix = query_mix(args.queries, args.seed)
    for _kind, q, f in mix[:3]:  # warm up
        record_search(query=parse_user_query(q), facets=f)
    service_ms: list[float] = []
    by_kind: dict[str, list[float]] = {}
    hits = 0
    for kind, q, with_facets in mix:
        t = time.perf_counter()
        r = record_search(query=parse_user_query(q), limit=20, facets=with_facets)
        dt = (time.perf_counter() - t) * 1000
        service_ms.append(dt)
        by_kind.setdefault(kind + (" +facets" if with_facets else ""), []).append(dt)
        hits += r.total > 0
    print(f"{hits}/{len(mix)} queries found something")
    for k in sorted(by_kind):
        summary("  service " + k, by_kind[k])
    service = summary("service (all)", service_ms)

    import http.client
    from urllib.parse import urlencode

    load_service = load_avg()
    print(f"load average after the service part: {load_service}")
    index.release()  # hand the index slot to the server process
    srv, port = http_server(args.http_workers)
    conn = http.client.HTTPConnection("127.0.0.1", port)
    for _kind, q, with_facets in mix[:3]:  # warm up
        conn.request("GET", "/api/v1/search?" + urlencode({"q": q, "facets": "true" if with_facets else "false"}))
        conn.getresponse().read()
    conn.close()
    http_ms: list[float] = [0.0] * len(mix)

    def client(n: int) -> None:
        """One reader's browser: its own connection, every `clients`-th query of the mix in turn."""
        c = http.client.HTTPConnection("127.0.0.1", port)
        for i in range(n, len(mix), args.clients):
            _kind, q, with_facets = mix[i]
            path = "/api/v1/search?" + urlencode({"q": q, "size": 20, "facets": "true" if with_facets else "false"})
            t = time.perf_counter()
            c.request("GET", path)
            resp = c.getresponse()
            body = resp.read()
            http_ms[i] = (time.perf_counter() - t) * 1000
            if resp.status != 200:
                print("HTTP", resp.status, q, body[:200])
        c.close()

    import threading

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(max(1, args.clients))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    http_rps = len(mix) / (time.perf_counter() - started)
    print(f"HTTP: {max(1, args.clients)} concurrent client(s), {http_rps:.0f} requests/s")
    http_f = [m for m, (_, _, f) in zip(http_ms, mix, strict=True) if f]
    http_s = summary("HTTP API (all)", http_ms)
    http_facets = summary("HTTP API with facets", http_f)
    srv.terminate()
    srv.wait(timeout=30)
    load_http = load_avg()
    print(f"load average after the HTTP part: {load_http}")

    db = Path(args.home) / "thuvien.sqlite3"
    fts_ms = fts5_baseline(db, mix)
    fts = summary("SQLite FTS5 baseline", fts_ms)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss_mb:.0f} MB")
    print(json.dumps({
        "records": BibRecord.objects.count(), "queries": len(mix),
        "service_p50_ms": round(service["p50"], 2), "service_p95_ms": round(service["p95"], 2),
        "service_p99_ms": round(service["p99"], 2),
        "http_p50_ms": round(http_s["p50"], 2), "http_p95_ms": round(http_facets["p95"], 2),
        "http_all_p95_ms": round(http_s["p95"], 2), "http_p99_ms": round(http_s["p99"], 2),
        "index_build_s": round(build_s, 1) if build_s is not None else None, "index_size_mb": round(size_mb, 1),
        "fts5_service_p95_ms": round(fts["p95"], 2), "fts5_service_p50_ms": round(fts["p50"], 2),
        "fts5_over_service_p95_ratio": round(fts["p95"] / service["p95"], 2) if service["p95"] else None,
        "peak_rss_mb": round(rss_mb, 0), "http_workers": args.http_workers,
        "http_clients": max(1, args.clients), "http_requests_per_s": round(http_rps, 1),
        "facet_cache": not args.no_facet_cache, "load_avg_service": load_service, "load_avg_http": load_http,
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
