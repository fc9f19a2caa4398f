"""OAI-PMH and SRU benchmark: a full ListRecords marc21 harvest of N records over HTTP (granian,
one worker), the server's peak RSS, and SRU searchRetrieve latency for 10 records.

    uv run python bench/oai.py [--records 100000] [--sru-queries 200] [--page-size 500]
    uv run python bench/oai.py --catalogue-home /tmp/thuvien-bench-search --sru-queries 200

Records are written straight to the table (MARC-in-JSON plus the extracted columns), then indexed
with `thuvien reindex`. With --catalogue-home, only the SRU part runs, against the catalogue and index
that bench/search.py built there (1,000,000 records by default; nothing is generated or re-indexed,
the words of the queries come from that catalogue's titles and authors). The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORDS = ("truyện kiều đất rừng phương nam số đỏ dế mèn phiêu lưu ký lịch sử cao bằng văn học thiếu nhi "
         "tiểu thuyết thơ ca dân gian núi sông biển làng quê chiến tranh hòa bình tuổi thơ mùa xuân "
         "người mẹ con đường ánh sáng bóng tối hà nội sài gòn huế hội an tây nguyên").split()
AUTHORS = ["Nguyễn Du", "Tô Hoài", "Nam Cao", "Vũ Trọng Phụng", "Đoàn Giỏi", "Nguyễn Nhật Ánh", "Xuân Quỳnh",
           "Hồ Xuân Hương", "Bảo Ninh", "Ma Văn Kháng", "Lê Minh Khuê", "Nguyễn Huy Thiệp"]
PUBLISHERS = ["Văn học", "Kim Đồng", "Trẻ", "Hội Nhà văn", "Chính trị Quốc gia", "Giáo dục"]


def marc_for(n: int, rng: random.Random) -> tuple[dict, dict]:
    title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 6))).capitalize()
    author = rng.choice(AUTHORS)
    year = rng.randint(1930, 2025)
    isbn = f"978604{n:07d}"[:13]
    subjects = [rng.choice(["Văn học Việt Nam", "Lịch sử", "Thiếu nhi", "Địa lý", "Kinh tế"])]
    publisher = rng.choice(PUBLISHERS)
    fields = [
        {"001": f"BENCH{n:07d}"}, {"003": "VN-BENCH"}, {"005": "20260101080000.0"},
        {"008": f"260101s{year}    vm            000 0 vie d"},
        {"020": {"ind1": " ", "ind2": " ", "subfields": [{"a": isbn}]}},
        {"082": {"ind1": "0", "ind2": "4", "subfields": [{"a": "895.922"}]}},
        {"100": {"ind1": "0", "ind2": " ", "subfields": [{"a": author}]}},
        {"245": {"ind1": "1", "ind2": "0", "subfields": [{"a": title}, {"c": author}]}},
        {"264": {"ind1": " ", "ind2": "1", "subfields": [{"a": "Hà Nội :"}, {"b": publisher + ","}, {"c": str(year)}]}},
        {"300": {"ind1": " ", "ind2": " ", "subfields": [{"a": f"{rng.randint(50, 600)} tr. ;"}, {"c": "21 cm"}]}},
        {"520": {"ind1": " ", "ind2": " ", "subfields": [{"a": " ".join(rng.choice(WORDS) for _ in range(25))}]}},
        {"650": {"ind1": " ", "ind2": "7", "subfields": [{"a": subjects[0]}]}},
    ]
    columns = dict(control_number=f"BENCH{n:07d}", control_number_source="VN-BENCH", title=title,
                   main_author=author, authors=[author], subjects=subjects, isbns=[isbn], year=year,
                   publisher=publisher, material_type="book", language="vie", ddc="895.922")
    return {"leader": "00000nam a2200000 a 4500", "fields": fields}, columns


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tree_rss_peak_mb(pid: int) -> float:
    """Largest VmHWM among the process and its children (granian runs the app in a child)."""
    pids = {pid}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(stat[1]) in pids or int(stat[1]) == pid:
                    pids.add(int(entry.name))
            except OSError:
                continue
    peak = 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except OSError:
            continue
    return peak / 1024


def tree_rss_now_mb(pid: int) -> float:
    total = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(entry.name) == pid or int(stat[1]) == pid:
                    for line in (entry / "status").read_text().splitlines():
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1])
            except OSError:
                continue
    return total / 1024


def write_records(count: int) -> None:
    from thuvien.catalog.models import BibRecord
    from thuvien.core.demo import system_user
    from thuvien.core.models import UnitKind
    from thuvien.core.services import unit_create
    from thuvien.core.text import collation_key

    actor = system_user()
    kinds = {k.code: k for k in UnitKind.objects.all()}
    root = unit_create(actor=actor, code="CB", name="Mạng lưới", kind=kinds["network"], parent=None)
    lib = unit_create(actor=actor, code="CB-TVT", name="TV tỉnh", kind=kinds["provincial_library"], parent=root)
    rng = random.Random(2026)
    started = time.monotonic()
    batch = []
    for n in range(1, count + 1):
        marc, cols = marc_for(n, rng)
        batch.append(BibRecord(marc=marc, leader=marc["leader"], title_sort=collation_key(cols["title"]), owner=lib,
                               **cols))
        if len(batch) == 5000:
            BibRecord.objects.bulk_create(batch)
            batch = []
    BibRecord.objects.bulk_create(batch)
    print(f"wrote {count} records in {time.monotonic() - started:.1f} s")


def sru_queries(count: int, reuse: bool) -> list[str]:
    """CQL queries in a fixed order: a title word; a title word and an author; two words anywhere and a
    date range. Words and authors come from the generator's lists, or from the reused catalogue."""
    qrng = random.Random(7)
    words, authors = list(WORDS), list(AUTHORS)
    if reuse:
        from thuvien.catalog.models import BibRecord

        top = BibRecord.objects.order_by("-id").values_list("id", flat=True).first() or 1
        rows = BibRecord.objects.filter(id__in=[qrng.randint(1, top) for _ in range(300)])
        sample = list(rows.values_list("title", "main_author"))
        words = sorted({w.lower() for t, _ in sample for w in t.split() if w.isalpha()})
        authors = sorted({a for _, a in sample if a})
    out = []
    for i in range(count):
        w = qrng.sample(words, 2)
        out.append(f'dc.title = "{w[0]}"' if i % 3 == 0 else (
            f"dc.title = {w[0]} and dc.creator = \"{qrng.choice(authors)}\"" if i % 3 == 1 else
            f"cql.anywhere = {w[0]} {w[1]} and dc.date >= 1990"))
    return out


def harvest(base: str, pid: int) -> tuple[float, int, float]:
    """A full ListRecords marc21 harvest: records/s, pages, peak RSS of the server."""
    rss_before = tree_rss_now_mb(pid)
    token_re = re.compile(rb"<resumptionToken[^>]*>([^<]+)</resumptionToken>")
    started = time.monotonic()
    params = {"verb": "ListRecords", "metadataPrefix": "marc21"}
    harvested, pages, rss_samples = 0, 0, []
    while True:
        body = urllib.request.urlopen(f"{base}/oai?{urllib.parse.urlencode(params)}", timeout=120).read()
        harvested += body.count(b"<record>")
        pages += 1
        if pages % 20 == 0:
            rss_samples.append(tree_rss_now_mb(pid))
        m = token_re.search(body)
        if not m:
            break
        params = {"verb": "ListRecords", "resumptionToken": m.group(1).decode()}
    elapsed = time.monotonic() - started
    rate = harvested / elapsed
    peak = max([tree_rss_peak_mb(pid), *rss_samples])  # one process's high-water mark or the tree's sum
    print(f"ListRecords marc21: {harvested} records in {pages} pages, {elapsed:.1f} s, {rate:,.0f} records/s")
    print(f"server RSS: before {rss_before:.0f} MB, samples {[round(s) for s in rss_samples[:3]]}..."
          f"{[round(s) for s in rss_samples[-3:]]} MB, peak {peak:.0f} MB")
    return rate, pages, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100000)
    parser.add_argument("--sru-queries", type=int, default=200)
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--catalogue-home", help="THUVIEN_HOME of a catalogue built by bench/search.py: SRU only")
    args = parser.parse_args()
    reuse = bool(args.catalogue_home)
    home = args.catalogue_home or tempfile.mkdtemp(prefix="thuvien-bench-oai-")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(THUVIEN_HOME=home, THUVIEN_DEBUG="0", DJANGO_SETTINGS_MODULE="thuvien.config.base")
    os.environ.update(env)
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from thuvien.catalog.models import BibRecord

    if reuse:
        args.records = BibRecord.objects.count()
        print(f"reusing {args.records:,} records in {home}")
    else:
        write_records(args.records)
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "thuvien", "reindex"], env=env, cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        print(f"indexed in {time.monotonic() - started:.1f} s")
    sru_mix = sru_queries(args.sru_queries, reuse)

    port = free_port()
    settings_dir = Path(home) / "benchsettings"
    settings_dir.mkdir(exist_ok=True)
    (settings_dir / "bench_settings.py").write_text(
        f"from thuvien.config.base import *  # noqa\nTHUVIEN_OAI_PAGE_SIZE = {args.page_size}\n")
    env_server = dict(env, DJANGO_SETTINGS_MODULE="bench_settings",
                      PYTHONPATH=f"{settings_dir}:{ROOT}")
    server = subprocess.Popen([sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1",
                               "--port", str(port), "--workers", "1", "--blocking-threads", "1",
                               "--log-level", "warning", "thuvien.config.wsgi:application"],
                              env=env_server, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{base}/oai?verb=Identify", timeout=2).read()
            break
        except OSError:
            time.sleep(0.2)
    try:
        rate, pages, peak = None, 0, 0.0
        if not reuse:
            rate, pages, peak = harvest(base, server.pid)
        latencies, found = [], 0
        urllib.request.urlopen(f"{base}/sru?query=warm&maximumRecords=1", timeout=600).read()  # opens the index
        for query in sru_mix:
            url = f"{base}/sru?" + urllib.parse.urlencode({"version": "1.2", "operation": "searchRetrieve",
                                                           "query": query, "maximumRecords": "10",
                                                           "recordSchema": "marcxml"})
            t = time.monotonic()
            body = urllib.request.urlopen(url, timeout=30).read()
            latencies.append((time.monotonic() - t) * 1000)
            m = re.search(rb"numberOfRecords>(\d+)<", body)
            assert m, body[:300]
            found += int(m.group(1)) > 0
        peak = max(peak, tree_rss_peak_mb(server.pid))
        latencies.sort()
        p50 = latencies[len(latencies) // 2]
        p95 = latencies[int(len(latencies) * 0.95) - 1]
        print(f"SRU searchRetrieve (10 marcxml records) on {args.records} records: p50 {p50:.1f} ms, p95 {p95:.1f} ms"
              f", {found}/{len(sru_mix)} queries found records (load average"
              f" {' '.join(f'{x:.2f}' for x in os.getloadavg())})")
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(json.dumps({"records": args.records, "records_per_s": round(rate) if rate else None, "pages": pages,
                      "peak_rss_mb": round(peak), "sru_p95_ms": round(p95, 1), "sru_p50_ms": round(p50, 1),
                      "sru_corpus_records": args.records}))


if __name__ == "__main__":
    main()
