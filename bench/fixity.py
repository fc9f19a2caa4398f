"""Fixity-check throughput: our OCFL checker (thuvien.digital.ocfl.fixity_check: sha512 AND sha256 of
every content file in one read pass, 4 MiB blocks, files hashed in parallel threads) against bare
`sha256sum` (one digest, one process) over the same files.

    uv run python bench/fixity.py [--pages 300] [--per-object 20] [--min-mb 2] [--max-mb 5] [--rounds 3]
                                  [--threads 2] [--dir /tmp/thuvien-bench-fixity]
                                  [--cold [--data-dir /work/bench-data/fixity]] [--s3 [--s3-port 8650]]

--pages generated page files of realistic size (uniformly --min-mb..--max-mb, incompressible bytes,
as scanned JPEG/JPEG 2000 masters are) are written as OCFL objects of --per-object pages. Both
checkers run --rounds times in alternating order over the warm page cache (the same bytes for both:
this measures the hashing, which is what the checker controls; on a cold cache the disk is the limit
for both). Reported: MB/s of each (median), the ratio, and the time to check a 10,000-page collection
of the same average page size at our measured rate (extrapolated from the measured run: the check
is linear in bytes). Everything generated is removed at the end.

--cold: the disk-bound run. The pages are generated ONCE into --data-dir (kept and reused by the next
--cold run with the same --pages/--per-object/--min-mb/--max-mb; delete it by hand), and the page
cache is dropped (`sync; echo 3 > /proc/sys/vm/drop_caches`, needs root; the output says when it was
refused) before EACH timed pass of ours and of sha256sum. Reported times are measured, not
extrapolated, for the --pages given (10,000 for the issue's collection).

--s3: also the fixity check over an S3-compatible server: s3rver (npm dev dependency, the server the
tests use) is started on --s3-port on 127.0.0.1 with its data under --dir, the same objects are
written to a bucket through our S3 store (version_write), and fixity_check streams every object back
over HTTP through both hashes (--rounds passes, 4 GETs at a time); the figure is MB/s of the check.

Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from thuvien.digital import blobstore, ocfl  # noqa: E402  (pure storage code, no Django needed)

parser = argparse.ArgumentParser()
parser.add_argument("--pages", type=int, default=300)
parser.add_argument("--per-object", type=int, default=20)
parser.add_argument("--min-mb", type=float, default=2.0)
parser.add_argument("--max-mb", type=float, default=5.0)
parser.add_argument("--rounds", type=int, default=3)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--dir", default="/tmp/thuvien-bench-fixity")
parser.add_argument("--cold", action="store_true", help="disk-bound: reusable data, page cache dropped per pass")
parser.add_argument("--data-dir", default="/work/bench-data/fixity")
parser.add_argument("--generate-only", action="store_true", help="with --cold: write --data-dir and stop")
parser.add_argument("--s3", action="store_true", help="also time the check over a local S3 server (s3rver)")
parser.add_argument("--s3-port", type=int, default=8650)
args = parser.parse_args()
REPO = Path(__file__).resolve().parents[1]

COLLECTION_PAGES = 10_000


def generate(store: blobstore.Store, src: Path) -> list[str]:
    """OCFL objects holding --pages files of random size; returns the object keys."""
    rng = random.Random(14)
    pool = os.urandom(8 << 20)  # 8 MiB of random bytes, sliced: every file differs (own prefix, offset)
    objects: list[str] = []
    page = 0
    n_obj = 0
    while page < args.pages:
        n_obj += 1
        shutil.rmtree(src, ignore_errors=True)
        src.mkdir(parents=True)
        files = {}
        for _ in range(min(args.per_object, args.pages - page)):
            page += 1
            size = int(rng.uniform(args.min_mb, args.max_mb) * 1e6)
            start = rng.randrange(0, len(pool) - size) if size < len(pool) else 0
            body = f"page {page} ".encode() + (pool * (1 + size // len(pool)))[start:start + size]
            path = src / f"{page:05d}.jp2"
            path.write_bytes(body)
            files[path.name] = path
        written = ocfl.version_write(store, f"00000000-0000-4000-8000-{n_obj:012d}", files,
                                     message="bench", user_name="bench")
        objects.append(written.key)
    shutil.rmtree(src, ignore_errors=True)
    return objects


def scratch(name: str) -> Path:
    """Where the source pages of one object are written before version_write copies them (RAM if any)."""
    shm = Path("/dev/shm")
    return (shm if shm.is_dir() and os.access(shm, os.W_OK) else Path(args.dir)) / f"thuvien-bench-{name}-{os.getpid()}"


def content_files(root: Path, objects: list[str]) -> list[Path]:
    return sorted(f for o in objects for f in (root / o).glob("v*/content/*") if f.is_file())


def run_ours(store: blobstore.Store, objects: list[str], threads: int | None = None) -> tuple[float, int]:
    t = time.perf_counter()
    total = 0
    for key in objects:
        report = ocfl.fixity_check(store, key, threads=threads or args.threads)
        assert report.ok, report.problems
        total += report.bytes
    return time.perf_counter() - t, total


def drop_caches() -> str:
    """Empty the page cache so the next pass reads from disk; '' when done, else why not."""
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError as exc:
        return f"refused: {exc}"
    return ""


def run_sha256sum(files: list[Path]) -> float:
    t = time.perf_counter()
    for i in range(0, len(files), 500):
        subprocess.run(["sha256sum", *map(str, files[i:i + 500])], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def timed_rounds(store: blobstore.Store, objects: list[str], files: list[Path], total_bytes: int,
                 rounds: int, cold: bool) -> tuple[list[float], list[float], list[str]]:
    ours_s: list[float] = []
    bare_s: list[float] = []
    refused: list[str] = []
    for r in range(rounds):
        order = (0, 1) if r % 2 == 0 else (1, 0)
        for which in order:
            if cold and (why := drop_caches()):
                refused.append(why)
            if which == 0:
                seconds, checked = run_ours(store, objects)
                assert checked == total_bytes
                ours_s.append(seconds)
            else:
                bare_s.append(run_sha256sum(files))
    return ours_s, bare_s, refused


def cold_data() -> tuple[Path, list[str], float]:
    """The reusable --data-dir: generated when missing or made with other parameters."""
    base = Path(args.data_dir)
    wanted = {"pages": args.pages, "per_object": args.per_object, "min_mb": args.min_mb, "max_mb": args.max_mb}
    marker = base / "bench.json"
    if marker.exists() and json.loads(marker.read_text()).get("params") == wanted:
        return base / "ocfl", json.loads(marker.read_text())["objects"], 0.0
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    t = time.perf_counter()
    objects = generate(blobstore.LocalStore(base / "ocfl"), scratch("cold"))
    os.sync()
    generate_s = time.perf_counter() - t
    marker.write_text(json.dumps({"params": wanted, "objects": objects}))
    return base / "ocfl", objects, generate_s


def s3_run(base: Path, root: Path, objects: list[str]) -> dict[str, object]:
    """The same objects written to a bucket on a local s3rver and checked over HTTP."""
    data = base / "s3rver"
    data.mkdir(parents=True, exist_ok=True)
    server = subprocess.Popen(["node", str(REPO / "node_modules/s3rver/bin/s3rver.js"), "-d", str(data), "-a",
                               "127.0.0.1", "-p", str(args.s3_port), "-s", "--configure-bucket", "bench"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        conf = blobstore.S3Settings(bucket="bench", prefix="ocfl", endpoint=f"http://127.0.0.1:{args.s3_port}",
                                    access_key="S3RVER", secret_key="S3RVER")
        store = blobstore.S3Store(conf)
        for _ in range(100):
            try:
                store.client.head_bucket(Bucket="bench")
                break
            except Exception:  # noqa: BLE001 - not listening yet
                time.sleep(0.1)
        local = blobstore.LocalStore(root)
        t = time.perf_counter()
        for key in objects:  # upload the same objects (version_write reads and uploads each page)
            files = {Path(rel).name: local.path(f"{key}/{rel}") for rel in local.listing(key)
                     if ocfl.CONTENT.fullmatch(rel)}
            uuid = ocfl.inventory_read(local, key)["id"].removeprefix("urn:uuid:")
            ocfl.version_write(store, uuid, files, message="bench", user_name="bench")
        upload_s = time.perf_counter() - t
        runs = []
        total = 0
        for _ in range(args.rounds):
            seconds, total = run_ours(store, objects, threads=4)
            runs.append(seconds)
        return {"s3_server": "s3rver 3.7.1 (node, 127.0.0.1)", "s3_upload_s": round(upload_s, 1),
                "s3_ours_sha512_sha256_mb_per_s": round(total / statistics.median(runs) / 1e6, 1),
                "s3_ours_runs_s": [round(x, 2) for x in runs]}
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)


def main() -> None:
    base = Path(args.dir)
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    try:
        if args.cold:
            root, objects, generate_s = cold_data()
            if args.generate_only:
                print(json.dumps({"data_dir": args.data_dir, "objects": len(objects), "generate_s": round(generate_s, 1)}))
                return
        else:
            root = base / "ocfl"
            t = time.perf_counter()
            objects = generate(blobstore.LocalStore(root), scratch("warm"))
            generate_s = time.perf_counter() - t
        store = blobstore.LocalStore(root)
        files = content_files(root, objects)
        total_bytes = sum(f.stat().st_size for f in files)
        if not args.cold:
            run_sha256sum(files)  # warm the page cache once for both
        ours_s, bare_s, refused = timed_rounds(store, objects, files, total_bytes, args.rounds, args.cold)
        ours = total_bytes / statistics.median(ours_s) / 1e6
        bare = total_bytes / statistics.median(bare_s) / 1e6
        avg_page = total_bytes / len(files)
        collection_s = COLLECTION_PAGES * avg_page / (ours * 1e6)
        result: dict[str, object] = {
            "mode": "cold (page cache dropped before each pass)" if args.cold else "warm page cache",
            "pages": len(files), "objects": len(objects), "bytes_total": total_bytes,
            "mb_per_page_avg": round(avg_page / 1e6, 2), "generate_s": round(generate_s, 1),
            "threads": args.threads, "rounds": args.rounds, "cpus": os.cpu_count(),
            "load_avg_1min": round(os.getloadavg()[0], 2),
            "ours_sha512_sha256_mb_per_s": round(ours, 1), "sha256sum_mb_per_s": round(bare, 1),
            "ratio_ours_to_sha256sum": round(ours / bare, 2),
            "ours_runs_s": [round(x, 2) for x in ours_s], "sha256sum_runs_s": [round(x, 2) for x in bare_s],
            "ours_check_s_median": round(statistics.median(ours_s), 1),
            "sha256sum_s_median": round(statistics.median(bare_s), 1),
            # at the measured rate (with --cold --pages 10000 it is the measured run itself)
            "collection_10000_pages_gb": round(COLLECTION_PAGES * avg_page / 1e9, 1),
            "collection_10000_pages_check_s": round(collection_s, 1),
            "collection_10000_pages_check_min": round(collection_s / 60, 1),
        }
        if args.cold:
            result["drop_caches"] = refused[0] if refused else "done before each pass"
            result["data_dir_kept"] = str(Path(args.data_dir))
        if args.s3:
            result.update(s3_run(base, root, objects))
        for key, value in result.items():
            print(f"{key:36} {value}")
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
