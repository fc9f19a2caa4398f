"""Backups that are proven to restore (issue 12).

A backup is one file, `thuvien-YYYYMMDD-HHMMSS.tar.gz` (`.tar.gz.enc` when THUVIEN_BACKUP_KEY is set):
a gzip-compressed tar holding
  manifest.json   the database engine, row count and checksum of every table, the files taken
  db/thuvien.sqlite3  (SQLite: an online copy through the backup API, consistent while the site runs)
  db/thuvien.pgdump   (PostgreSQL: `pg_dump -Fc` of the same snapshot the checksums were read from)
  home/media/...      uploaded and digitised files under THUVIEN_HOME (the index, static files, temp
                      files and backups themselves are left out: they are rebuilt or not needed)
Encryption is AES-256-GCM over 1 MiB chunks (streaming, each chunk authenticated, truncation
detected); the key is 32 bytes, base64, from THUVIEN_BACKUP_KEY. `verify` restores the database
into a scratch place, recomputes counts and checksums and compares them with the manifest.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import timezone

FORMAT_VERSION = 1
MAGIC = b"THUVIEN-BACKUP-AESGCM1\n"
CHUNK = 1 << 20
SKIP_DIRS = {"index", "static", "tmp", "backups"}
DB_FILES = ("thuvien.sqlite3", "thuvien.sqlite3-wal", "thuvien.sqlite3-shm")


class BackupError(Exception):
    """The backup cannot be made, read, decrypted or restored; the message says why."""


@dataclass
class VerifyReport:
    ok: bool
    tables: int
    rows: int
    mismatches: list[str] = field(default_factory=list)
    seconds: float = 0.0


# --- what to check -------------------------------------------------------------------------

def tables() -> list[tuple[str, str]]:
    """(table, primary key column) of every table Django manages, sorted."""
    found: dict[str, str] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.managed and not meta.proxy and not meta.swapped:
            found[meta.db_table] = str(meta.pk.column)
    return sorted(found.items())


def _sqlite_checksums(path: Path, wanted: list[tuple[str, str]]) -> dict[str, dict[str, Any]]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        present = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        out: dict[str, dict[str, Any]] = {}
        for table, pk in wanted:
            if table not in present:
                continue
            digest, rows = hashlib.sha256(), 0
            for row in db.execute(f'SELECT * FROM "{table}" ORDER BY "{pk}"'):  # noqa: S608 - names from the model graph
                digest.update(repr(row).encode())
                rows += 1
            out[table] = {"rows": rows, "sha256": digest.hexdigest()}
        return out
    finally:
        db.close()


def _pg_checksums(cursor: Any, wanted: list[tuple[str, str]]) -> dict[str, dict[str, Any]]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    present = {r[0] for r in cursor.fetchall()}
    out: dict[str, dict[str, Any]] = {}
    for table, pk in wanted:
        if table not in present:
            continue
        digest, rows = hashlib.sha256(), 0
        cursor.execute(f'SELECT md5(t::text) FROM "{table}" t ORDER BY t."{pk}"')  # noqa: S608 - names from the model graph
        while batch := cursor.fetchmany(5000):
            for (h,) in batch:
                digest.update(h.encode())
            rows += len(batch)
        out[table] = {"rows": rows, "sha256": digest.hexdigest()}
    return out


# --- encryption ------------------------------------------------------------------------------

def backup_key() -> bytes | None:
    """The 32-byte key from THUVIEN_BACKUP_KEY (base64), or None when backups are not encrypted."""
    text = getattr(settings, "THUVIEN_BACKUP_KEY", "")
    if not text:
        return None
    try:
        key = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError as exc:
        raise BackupError("THUVIEN_BACKUP_KEY is not base64") from exc
    if len(key) != 32:
        raise BackupError("THUVIEN_BACKUP_KEY must be 32 bytes (base64): "
                          "python3 -c 'import secrets,base64; print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())'")
    return key


def _encrypt(src: IO[bytes], dst: IO[bytes], key: bytes) -> None:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    aead, prefix = AESGCM(key), os.urandom(8)
    dst.write(MAGIC + prefix)
    index = 0
    chunk = src.read(CHUNK)
    while True:
        following = src.read(CHUNK)
        last = not following
        nonce = prefix + struct.pack(">I", index)
        sealed = aead.encrypt(nonce, chunk, struct.pack(">I?", index, last))
        dst.write(struct.pack(">I", len(sealed)) + sealed)
        if last:
            return
        chunk, index = following, index + 1


def _decrypt(src: IO[bytes], dst: IO[bytes], key: bytes) -> None:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if src.read(len(MAGIC)) != MAGIC:
        raise BackupError("not an encrypted thuvien backup")
    aead, prefix, index = AESGCM(key), src.read(8), 0
    while True:
        head = src.read(4)
        if len(head) < 4:
            raise BackupError("the encrypted backup is truncated")
        sealed = src.read(struct.unpack(">I", head)[0])
        nonce = prefix + struct.pack(">I", index)
        for last in (False, True):
            try:
                dst.write(aead.decrypt(nonce, sealed, struct.pack(">I?", index, last)))
                break
            except InvalidTag:
                continue
        else:
            raise BackupError("cannot decrypt the backup: wrong THUVIEN_BACKUP_KEY or damaged file")
        if last:
            return
        index += 1


@contextlib.contextmanager
def _plain_archive(path: Path) -> Iterator[Path]:
    """The backup as a plain .tar.gz path (decrypted into a temporary file when needed)."""
    with open(path, "rb") as fh:
        encrypted = fh.read(len(MAGIC)) == MAGIC
    if not encrypted:
        yield path
        return
    key = backup_key()
    if key is None:
        raise BackupError("this backup is encrypted: set THUVIEN_BACKUP_KEY")
    with tempfile.TemporaryDirectory(dir=_scratch_root()) as tmp:
        plain = Path(tmp) / "backup.tar.gz"
        with open(path, "rb") as src, open(plain, "wb") as dst:
            _decrypt(src, dst, key)
        yield plain


def _scratch_root() -> Path:
    root = Path(settings.THUVIEN_HOME) / "tmp"
    root.mkdir(parents=True, exist_ok=True)
    return root


# --- making a backup -------------------------------------------------------------------------

def _home_files(home: Path) -> Iterator[Path]:
    for entry in sorted(home.iterdir()):
        if entry.name in SKIP_DIRS or entry.name in DB_FILES or entry.name.startswith("."):
            continue
        if entry.is_dir():
            yield from (p for p in sorted(entry.rglob("*")) if p.is_file())
        elif entry.is_file() and not entry.name.endswith((".sqlite3", ".lock")):
            yield entry


def _pg_dsn_args() -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES["default"]
    args = ["-h", str(db.get("HOST") or "127.0.0.1"), "-p", str(db.get("PORT") or 5432), "-U", str(db.get("USER") or "")]
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}
    return args, env


def backup_create(*, to: Path | None = None, now: dt.datetime | None = None) -> tuple[Path, dict[str, Any]]:
    """Write a backup of the database and THUVIEN_HOME's files into `to` (default THUVIEN_HOME/backups);
    returns its path and manifest."""
    home = Path(settings.THUVIEN_HOME)
    target = Path(to or home / "backups")
    target.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime(now or timezone.now()).strftime("%Y%m%d-%H%M%S")
    key = backup_key()
    final = target / (f"thuvien-{stamp}.tar.gz" + (".enc" if key else ""))
    started = time.monotonic()
    with tempfile.TemporaryDirectory(dir=_scratch_root()) as tmp:
        work = Path(tmp)
        manifest: dict[str, Any] = {"format": FORMAT_VERSION, "created_at": timezone.now().isoformat(),
                                    "engine": connection.vendor, "tables": {}, "files": 0}
        if connection.vendor == "sqlite":
            db_file = work / "thuvien.sqlite3"
            name = str(settings.DATABASES["default"]["NAME"])
            in_memory = connection.is_in_memory_db() if hasattr(connection, "is_in_memory_db") else ":memory:" in name
            dest = sqlite3.connect(str(db_file))
            try:
                if in_memory:  # the test suite's database, seen only by this connection inside its transaction
                    connection.ensure_connection()
                    dest.executescript("\n".join(connection.connection.iterdump()))
                else:  # SQLite's online backup: a consistent copy while the site keeps running
                    source = sqlite3.connect(name, timeout=60)
                    try:
                        source.backup(dest, pages=4096)
                    finally:
                        source.close()
            finally:
                dest.close()
            manifest["tables"] = _sqlite_checksums(db_file, tables())
        elif connection.vendor == "postgresql":
            db_file = work / "thuvien.pgdump"
            args, env = _pg_dsn_args()
            with connection.cursor() as cursor:  # checksums and dump read the same snapshot
                cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                try:
                    cursor.execute("SELECT pg_export_snapshot()")
                    snapshot = cursor.fetchone()[0]
                    dump = subprocess.run(["pg_dump", "-Fc", "-Z", "6", f"--snapshot={snapshot}", *args,  # noqa: S603, S607
                                           "-f", str(db_file), str(settings.DATABASES["default"]["NAME"])],
                                          env=env, capture_output=True, text=True, check=False)
                    if dump.returncode:
                        raise BackupError(f"pg_dump failed: {dump.stderr.strip()}")
                    manifest["tables"] = _pg_checksums(cursor, tables())
                finally:
                    cursor.execute("COMMIT")
        else:
            raise BackupError(f"backups support SQLite and PostgreSQL, not {connection.vendor}")
        files = list(_home_files(home))
        manifest["files"] = len(files)
        plain = work / "backup.tar.gz"
        with tarfile.open(plain, "w:gz", compresslevel=6) as tar:
            data = json.dumps(manifest, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(data), int(time.time())
            tar.addfile(info, io.BytesIO(data))
            tar.add(db_file, arcname=f"db/{db_file.name}")
            for path in files:
                tar.add(path, arcname=f"home/{path.relative_to(home).as_posix()}")
        partial = final.with_name(final.name + ".part")
        if key:
            with open(plain, "rb") as src, open(partial, "wb") as dst:
                _encrypt(src, dst, key)
        else:
            shutil.move(plain, partial)
        partial.rename(final)
    manifest["seconds"] = round(time.monotonic() - started, 2)
    manifest["bytes"] = final.stat().st_size
    return final, manifest


def backup_prune(directory: Path, *, daily: int, monthly: int) -> list[Path]:
    """Keep the newest backup of each of the last `daily` days and of the last `monthly` months;
    delete the others. Returns what was deleted."""
    found = sorted((p for p in directory.glob("thuvien-*-*.tar.gz*") if not p.name.endswith(".part")),
                   key=lambda p: p.name, reverse=True)
    keep: set[Path] = set()
    days: list[str] = []
    months: list[str] = []
    for path in found:
        day = path.name.split("-")[1]
        if day not in days:
            days.append(day)
            if len(days) <= daily:
                keep.add(path)
        if day[:6] not in months:
            months.append(day[:6])
            if len(months) <= monthly:
                keep.add(path)
    removed = [p for p in found if p not in keep]
    for path in removed:
        path.unlink()
    return removed


# --- reading a backup ------------------------------------------------------------------------

def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for m in tar.getmembers():
        name = Path(m.name)
        if name.is_absolute() or ".." in name.parts or not (m.isfile() or m.isdir()):
            raise BackupError(f"unsafe path in backup: {m.name}")
        members.append(m)
    return members


def read_manifest(path: Path) -> dict[str, Any]:
    with _plain_archive(path) as plain, tarfile.open(plain, "r:gz") as tar:
        member = tar.extractfile("manifest.json")
        if member is None:
            raise BackupError("no manifest in the backup")
        manifest: dict[str, Any] = json.load(member)
        return manifest


def _compare(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    problems = []
    for table, want in sorted(expected.items()):
        got = actual.get(table)
        if got is None:
            problems.append(f"{table}: missing")
        elif got != want:
            problems.append(f"{table}: {got['rows']} rows (expected {want['rows']})"
                            + ("" if got["rows"] != want["rows"] else ", checksum differs"))
    return problems


def backup_verify(path: Path) -> VerifyReport:
    """Restore the backup's database into a scratch place and compare every table's row count and
    checksum with the manifest; the live database is not touched."""
    started = time.monotonic()
    with _plain_archive(Path(path)) as plain, tempfile.TemporaryDirectory(dir=_scratch_root()) as tmp, \
            tarfile.open(plain, "r:gz") as tar:
        members = {m.name: m for m in _safe_members(tar)}
        if "manifest.json" not in members:
            raise BackupError("no manifest in the backup")
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
        expected = manifest["tables"]
        wanted = [(t, pk) for t, pk in tables() if t in expected] + [(t, "id") for t in expected
                                                                     if t not in dict(tables())]
        if manifest["engine"] == "sqlite":
            tar.extract(members["db/thuvien.sqlite3"], tmp, filter="data")
            actual = _sqlite_checksums(Path(tmp) / "db" / "thuvien.sqlite3", wanted)
        else:
            tar.extract(members["db/thuvien.pgdump"], tmp, filter="data")
            actual = _pg_scratch_checksums(Path(tmp) / "db" / "thuvien.pgdump", wanted)
        for name, member in members.items():  # every file must read back whole
            if name.startswith("home/") and member.isfile():
                fh = tar.extractfile(member)
                while fh is not None and fh.read(CHUNK):
                    pass
    problems = _compare(expected, actual)
    return VerifyReport(ok=not problems, tables=len(expected), rows=sum(t["rows"] for t in expected.values()),
                        mismatches=problems, seconds=round(time.monotonic() - started, 2))


def _pg_scratch_checksums(dump: Path, wanted: list[tuple[str, str]]) -> dict[str, dict[str, Any]]:
    import psycopg

    args, env = _pg_dsn_args()
    db = settings.DATABASES["default"]
    scratch = f"thuvien_verify_{os.getpid()}_{int(time.time())}"
    dsn = psycopg.conninfo.make_conninfo(host=str(db.get("HOST") or "127.0.0.1"), port=str(db.get("PORT") or 5432),
                                         user=str(db.get("USER") or ""), password=str(db.get("PASSWORD") or ""))
    with psycopg.connect(dsn, dbname=str(db["NAME"]), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{scratch}"')  # type: ignore[arg-type]
    try:
        run = subprocess.run(["pg_restore", "--no-owner", "--no-acl", *args, "-d", scratch, str(dump)],  # noqa: S603, S607
                             env=env, capture_output=True, text=True, check=False)
        if run.returncode:
            raise BackupError(f"pg_restore into a scratch database failed: {run.stderr.strip()[-2000:]}")
        with psycopg.connect(dsn, dbname=scratch) as conn, conn.cursor() as cursor:
            return _pg_checksums(cursor, wanted)
    finally:
        with psycopg.connect(dsn, dbname=str(db["NAME"]), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{scratch}"')  # type: ignore[arg-type]


# --- restoring -------------------------------------------------------------------------------

def _database_is_empty() -> bool:
    from thuvien.core.models import OrgUnit

    try:
        return not OrgUnit.objects.exists()
    except Exception:  # noqa: BLE001 - no tables yet counts as empty
        return True


def backup_restore(path: Path, *, force: bool = False) -> dict[str, Any]:
    """Restore a backup into this installation's (empty) database and THUVIEN_HOME; refuses to
    overwrite a database that holds data unless `force`. Rebuild the index afterwards (`thuvien reindex`)."""
    report = backup_verify(path)
    if not report.ok:
        raise BackupError("the backup does not verify: " + "; ".join(report.mismatches[:5]))
    if not force and not _database_is_empty():
        raise BackupError("the database already holds data; restore into an empty installation "
                          "(a new THUVIEN_HOME / an empty database) or use --force")
    home = Path(settings.THUVIEN_HOME)
    with _plain_archive(Path(path)) as plain, tarfile.open(plain, "r:gz") as tar, \
            tempfile.TemporaryDirectory(dir=_scratch_root()) as tmp:
        members = _safe_members(tar)
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
        if manifest["engine"] != connection.vendor:
            raise BackupError(f"this backup is of a {manifest['engine']} database; this installation uses "
                              f"{connection.vendor}")
        connection.close()
        if manifest["engine"] == "sqlite":
            tar.extract("db/thuvien.sqlite3", tmp, filter="data")
            target = Path(settings.DATABASES["default"]["NAME"])
            for name in DB_FILES:
                (target.parent / name).unlink(missing_ok=True)
            shutil.move(Path(tmp) / "db" / "thuvien.sqlite3", target)
        else:
            tar.extract("db/thuvien.pgdump", tmp, filter="data")
            args, env = _pg_dsn_args()
            run = subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-acl", *args,  # noqa: S603, S607
                                  "-d", str(settings.DATABASES["default"]["NAME"]), str(Path(tmp) / "db/thuvien.pgdump")],
                                 env=env, capture_output=True, text=True, check=False)
            if run.returncode:
                raise BackupError(f"pg_restore failed: {run.stderr.strip()[-2000:]}")
        files = [m for m in members if m.name.startswith("home/") and m.isfile()]
        for member in files:
            relative = Path(member.name).relative_to("home")
            dest = home / relative
            dest.parent.mkdir(parents=True, exist_ok=True)
            src = tar.extractfile(member)
            if src is not None:
                with open(dest, "wb") as out:
                    shutil.copyfileobj(src, out, CHUNK)
    return {"tables": report.tables, "rows": report.rows, "files": len(files)}


def scheduled_backup() -> dict[str, Any]:
    """The daily backup (declared in core/schedule.py): back up, then prune to the retention."""
    path, manifest = backup_create()
    removed = backup_prune(path.parent, daily=settings.THUVIEN_BACKUP_KEEP_DAILY,
                           monthly=settings.THUVIEN_BACKUP_KEEP_MONTHLY)
    return {"file": path.name, "bytes": manifest["bytes"], "seconds": manifest["seconds"], "pruned": len(removed)}
