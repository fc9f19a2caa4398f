"""Backup and restore drill, timed: a fresh installation with the demo network (plus a generated
catalogue of N records), `thuvien backup`, `thuvien restore` into a new empty home (and, on PostgreSQL,
a new empty database), `thuvien backup --verify`, then checks that the restored installation holds
identical row counts and per-table checksums (a backup of it has the same manifest) and answers the
same searches with the same results.

    uv run python bench/backup.py --records 100000                  # SQLite
    bash scripts/with-postgres.sh uv run python bench/backup.py --records 100000   # PostgreSQL

The last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.parse
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ("truyen kieu", 'tac gia:"Nam Cao"', "lich su", "river delta")
MAX_LIMIT = 200  # thuvien.search.selectors.MAX_LIMIT: the most hits one search returns


def _run(env: dict[str, str], *args: str) -> tuple[str, float]:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "thuvien", *args], env=env, cwd=ROOT,  # noqa: S603
                          capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"thuvien {' '.join(args)} failed ({done.returncode}):\n{done.stdout[-2000:]}\n"
                           f"{done.stderr[-4000:]}")
    return done.stdout, time.monotonic() - started


def _pg_database(url: str, name: str) -> str:
    """Create an empty database `name` on the server of `url`; its URL."""
    import psycopg  # noqa: PLC0415 - only for PostgreSQL runs

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')  # the name is made here, never typed by anyone
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def _pg_drop(url: str, name: str) -> None:
    import psycopg  # noqa: PLC0415

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _env(home: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    env.update(THUVIEN_HOME=str(home), DJANGO_SETTINGS_MODULE="thuvien.config.base")
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _manifest(path: Path) -> dict[str, Any]:
    with tarfile.open(path, "r:gz") as tar:
        member = tar.extractfile("manifest.json")
        assert member is not None
        return json.load(member)


def _searches(env: dict[str, str]) -> list[tuple[str, list[str]]]:
    """Per query: the total line and the ids of its hits (up to MAX_LIMIT), sorted. Compared as sets: BM25
    scores depend on how the index's segments happen to be laid out, so records with (almost) the same
    score may come in another order after a rebuild; the records found must be the same."""
    out = []
    for q in QUERIES:
        lines = _run(env, "search", q, "--limit", str(MAX_LIMIT))[0].strip().splitlines()
        out.append((lines[0], sorted(line.split("\t")[0] for line in lines[1:])))
    return out


def _note(figures: dict[str, Any]) -> None:
    print(json.dumps(figures, ensure_ascii=False), file=sys.stderr, flush=True)  # progress, if a step fails


def drill(*, records: int, workdir: Path, catalogue: Path | None = None) -> dict[str, Any]:
    """Run the whole drill in `workdir`; the figures (raises on any difference)."""
    base_url = os.environ.get("DATABASE_URL", "")
    engine = "postgresql" if base_url.startswith("postgres") else "sqlite"
    tag = uuid.uuid4().hex[:8]
    src_url = _pg_database(base_url, f"drill_src_{tag}") if engine == "postgresql" else None
    dst_url = _pg_database(base_url, f"drill_dst_{tag}") if engine == "postgresql" else None
    try:
        src = _env(workdir / "home-src", src_url)
        dst = _env(workdir / "home-dst", dst_url)
        figures: dict[str, Any] = {"engine": engine, "records_generated": records}
        _run(src, "migrate", "--no-input", "-v", "0")
        figures["demo_s"] = round(_run(src, "demo", "-v", "0")[1], 1)
        _note(figures)
        if records:
            if catalogue is None or not catalogue.exists():
                catalogue = workdir / f"cat{records}.mrc"
                subprocess.run([sys.executable, str(ROOT / "bench" / "make_catalogue.py"), str(records),  # noqa: S603
                                "-o", str(catalogue)], cwd=ROOT, check=True, capture_output=True)
            figures["import_s"] = round(_run(src, "import_marc", str(catalogue), "--library", "CB")[1], 1)
            _note(figures)
        _run(src, "reindex")
        before = _searches(src)
        out, seconds = _run(src, "backup", "--to", str(workdir / "backups"), "--no-prune")
        made = json.loads(out.strip().splitlines()[-1])
        path = Path(made["file"])
        figures.update(backup_s=round(seconds, 1), backup_mb=round(made["bytes"] / 1e6, 1), tables=made["tables"])
        _note(figures)
        _, seconds = _run(dst, "restore", str(path))
        figures["restore_s"] = round(seconds, 1)
        _note(figures)
        out, seconds = _run(dst, "backup", "--verify", str(path))
        verified = json.loads(out.strip().splitlines()[-1])
        figures.update(verify_s=round(seconds, 1), verify_ok=verified["ok"], rows=verified["rows"])
        _note(figures)
        if not verified["ok"]:
            raise RuntimeError(f"verify failed: {verified}")
        _run(dst, "migrate", "--no-input", "-v", "0")
        _, seconds = _run(dst, "reindex")
        figures["reindex_s"] = round(seconds, 1)
        _note(figures)
        # the restored installation holds exactly the same rows: a backup of it has the same manifest
        out, _ = _run(dst, "backup", "--to", str(workdir / "backups-restored"), "--no-prune")
        again = _manifest(Path(json.loads(out.strip().splitlines()[-1])["file"]))
        original = _manifest(path)
        if again["tables"] != original["tables"] or again["files"] != original["files"]:
            different = sorted(t for t in original["tables"] if again["tables"].get(t) != original["tables"][t])
            raise RuntimeError(f"restored tables differ: {different[:10]}")
        figures["checksums_identical"] = True
        after = _searches(dst)
        # the same totals always; the same records where every hit fits on the search's one page of
        # MAX_LIMIT (beyond it, which of several equally scored records make the cut may differ)
        if [total for total, _ in after] != [total for total, _ in before] or any(
                a != b for (_, a), (_, b) in zip(after, before, strict=True) if len(b) < MAX_LIMIT):
            raise RuntimeError(f"searches differ after restore:\n{before}\n{after}")
        figures["searches_identical"] = len(QUERIES)
        figures["hit_sets_compared"] = sum(len(b) < MAX_LIMIT for _, b in before)
        figures["search_hits"] = [total for total, _ids in before]
        return figures
    finally:
        if engine == "postgresql":
            for name in (f"drill_src_{tag}", f"drill_dst_{tag}"):
                _pg_drop(base_url, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--catalogue", type=Path, help="an existing MARC file of --records records")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="thuvien-drill-") as tmp:
        started = time.monotonic()
        figures = drill(records=args.records, workdir=Path(tmp), catalogue=args.catalogue)
    figures["total_s"] = round(time.monotonic() - started, 1)
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
