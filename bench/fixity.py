"""Fixity-check throughput: our OCFL checker (thuvien.digital.ocfl.fixity_check: sha512 AND sha256 of
every content file in one read pass, 4 MiB blocks, files hashed in parallel threads) against bare
`sha256sum` (one digest, one process) over the same files.

    uv run python bench/fixity.py [--pages 300] [--per-object 20] [--min-mb 2] [--max-mb 5] [--rounds 3]
                                  [--threads 2] [--dir /tmp/thuvien-bench-fixity]

--pages generated page files of realistic size (uniformly --min-mb..--max-mb, incompressible bytes,
as scanned JPEG/JPEG 2000 masters are) are written as OCFL objects of --per-object pages. Both
checkers run --rounds times in alternating order over the warm page cache (the same bytes for both:
this measures the hashing, which is what the checker controls; on a cold cache the disk is the limit
for both). Reported: MB/s of each (median), the ratio, and the time to check a 10,000-page collection
of the same average page size at our measured rate (extrapolated from the measured run: the check
is linear in bytes). Everything generated is removed at the end.
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

from thuvien.digital import ocfl  # noqa: E402  (pure file code, no Django needed)

parser = argparse.ArgumentParser()
parser.add_argument("--pages", type=int, default=300)
parser.add_argument("--per-object", type=int, default=20)
parser.add_argument("--min-mb", type=float, default=2.0)
parser.add_argument("--max-mb", type=float, default=5.0)
parser.add_argument("--rounds", type=int, default=3)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--dir", default="/tmp/thuvien-bench-fixity")
args = parser.parse_args()

COLLECTION_PAGES = 10_000


def generate(root: Path, src: Path) -> list[Path]:
    """OCFL objects holding --pages files of random size; returns the object directories."""
    rng = random.Random(14)
    pool = os.urandom(8 << 20)  # 8 MiB of random bytes, sliced: every file differs (own prefix, offset)
    objects: list[Path] = []
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
        written = ocfl.version_write(root, f"00000000-0000-4000-8000-{n_obj:012d}", files,
                                     message="bench", user_name="bench")
        objects.append(written.path)
    shutil.rmtree(src, ignore_errors=True)
    return objects


def content_files(objects: list[Path]) -> list[Path]:
    return sorted(f for o in objects for f in o.glob("v*/content/*") if f.is_file())


def run_ours(objects: list[Path]) -> tuple[float, int]:
    t = time.perf_counter()
    total = 0
    for path in objects:
        report = ocfl.fixity_check(path, threads=args.threads)
        assert report.ok, report.problems
        total += report.bytes
    return time.perf_counter() - t, total


def run_sha256sum(files: list[Path]) -> float:
    t = time.perf_counter()
    for i in range(0, len(files), 500):
        subprocess.run(["sha256sum", *map(str, files[i:i + 500])], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def main() -> None:
    base = Path(args.dir)
    shutil.rmtree(base, ignore_errors=True)
    root = base / "ocfl"
    try:
        t = time.perf_counter()
        objects = generate(root, base / "src")
        generate_s = time.perf_counter() - t
        files = content_files(objects)
        total_bytes = sum(f.stat().st_size for f in files)
        run_sha256sum(files)  # warm the page cache once for both
        ours_s: list[float] = []
        bare_s: list[float] = []
        for r in range(args.rounds):
            order = (0, 1) if r % 2 == 0 else (1, 0)
            for which in order:
                if which == 0:
                    seconds, checked = run_ours(objects)
                    assert checked == total_bytes
                    ours_s.append(seconds)
                else:
                    bare_s.append(run_sha256sum(files))
        ours = total_bytes / statistics.median(ours_s) / 1e6
        bare = total_bytes / statistics.median(bare_s) / 1e6
        avg_page = total_bytes / len(files)
        collection_s = COLLECTION_PAGES * avg_page / (ours * 1e6)
        result = {
            "pages": len(files), "objects": len(objects), "bytes_total": total_bytes,
            "mb_per_page_avg": round(avg_page / 1e6, 2), "generate_s": round(generate_s, 1),
            "threads": args.threads, "rounds": args.rounds, "cpus": os.cpu_count(),
            "load_avg_1min": round(os.getloadavg()[0], 2),
            "ours_sha512_sha256_mb_per_s": round(ours, 1), "sha256sum_mb_per_s": round(bare, 1),
            "ratio_ours_to_sha256sum": round(ours / bare, 2),
            "ours_runs_s": [round(x, 2) for x in ours_s], "sha256sum_runs_s": [round(x, 2) for x in bare_s],
            "collection_10000_pages_gb": round(COLLECTION_PAGES * avg_page / 1e9, 1),
            "collection_10000_pages_check_s": round(collection_s, 1),
            "collection_10000_pages_check_min": round(collection_s / 60, 1),
        }
        for key, value in result.items():
            print(f"{key:36} {value}")
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
