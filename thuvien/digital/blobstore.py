"""Where the OCFL storage root lives: a local directory or an S3-compatible bucket (pure code, no Django).

`ocfl.py` works on a `Store` through keys: '/'-separated paths relative to the storage root
(`abc/def/ghi/urn%3auuid%3a.../v1/content/00001.tif`). Two kinds:

- `LocalStore(root)`: a POSIX directory (the default, `THUVIEN_HOME/ocfl`); writes go to a temporary
  file beside the target and are renamed into place.
- `S3Store(bucket, prefix, client)`: any S3-compatible server (AWS S3, MinIO, Ceph RGW, Scality...)
  through boto3. There are no directories and no rename: a PUT replaces an object whole or not at all.
  Files go up streamed from disk (one PUT each; S3 takes up to 5 GB in one PUT, a master is far less)
  with their SHA-256 as `ChecksumSHA256`, which AWS, MinIO and Ceph verify before storing; files come
  down streamed in `BLOCK`-sized pieces, never whole in memory.

Both raise FileNotFoundError for a key that is not there, and OSError for any other failure (on S3:
`StoreError`, an OSError, for a refused request, a timeout or an unreachable server), so callers
handle a dead disk and a dead server the same way.
"""

from __future__ import annotations

import base64
import contextlib
import os
import shutil
import urllib.parse
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

BLOCK = 4 << 20  # bytes read at a time while hashing or copying


class StoreError(OSError):
    """The S3 server refused a request or could not be reached (not: the key is missing)."""


@contextlib.contextmanager
def _s3_errors(what: str) -> Iterator[None]:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        if str(error.get("Code", "")) in ("404", "NoSuchKey", "NotFound"):
            raise FileNotFoundError(what) from exc
        raise StoreError(f"{what}: {error.get('Code', '')} {error.get('Message', '')}".strip()) from exc
    except BotoCoreError as exc:
        raise StoreError(f"{what}: {exc}") from exc


class Store(Protocol):
    def describe(self) -> str: ...
    def exists(self, key: str) -> bool: ...
    def size(self, key: str) -> int: ...
    def read_bytes(self, key: str) -> bytes: ...
    def write_bytes(self, key: str, data: bytes) -> None: ...
    def put_file(self, key: str, source: Path, *, sha256: str = "") -> None: ...
    def blocks(self, key: str) -> Iterator[bytes | memoryview]: ...
    def get_file(self, key: str, target: Path) -> None: ...
    def listing(self, prefix: str) -> dict[str, int]: ...
    def delete(self, keys: Iterable[str]) -> None: ...


def _join(*parts: str) -> str:
    return "/".join(p.strip("/") for p in parts if p.strip("/"))


@dataclass
class LocalStore:
    root: Path

    def path(self, key: str) -> Path:
        return self.root / key if key else self.root

    def describe(self) -> str:
        return str(self.root)

    def exists(self, key: str) -> bool:
        return self.path(key).exists()

    def size(self, key: str) -> int:
        return self.path(key).stat().st_size

    def read_bytes(self, key: str) -> bytes:
        return self.path(key).read_bytes()

    def _replace_from(self, key: str, fill: Any) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}")
        try:
            fill(tmp)
            tmp.replace(target)
        finally:
            tmp.unlink(missing_ok=True)

    def write_bytes(self, key: str, data: bytes) -> None:
        self._replace_from(key, lambda tmp: tmp.write_bytes(data))

    def put_file(self, key: str, source: Path, *, sha256: str = "") -> None:
        self._replace_from(key, lambda tmp: shutil.copyfile(source, tmp))

    def blocks(self, key: str) -> Iterator[memoryview]:
        """The file in BLOCK pieces, read into one reused buffer (each piece is valid until the next)."""
        with self.path(key).open("rb", buffering=0) as fh:
            buf = bytearray(BLOCK)
            view = memoryview(buf)
            while n := fh.readinto(buf):
                yield view[:n]

    def get_file(self, key: str, target: Path) -> None:
        shutil.copyfile(self.path(key), target)

    def listing(self, prefix: str) -> dict[str, int]:
        """{key relative to prefix: size} of every file under `prefix`."""
        base = self.path(prefix)
        out: dict[str, int] = {}
        if not base.is_dir():
            return out
        for dirpath, _dirs, files in os.walk(base):
            for name in files:
                full = Path(dirpath) / name
                out[full.relative_to(base).as_posix()] = full.stat().st_size
        return out

    def delete(self, keys: Iterable[str]) -> None:
        for key in keys:
            self.path(key).unlink(missing_ok=True)


@dataclass(frozen=True)
class S3Settings:
    """How to reach the bucket: from THUVIEN_OCFL_ROOT=s3://bucket/prefix and THUVIEN_OCFL_S3_*."""

    bucket: str
    prefix: str = ""
    endpoint: str = ""  # empty: AWS's own endpoint for the region
    region: str = ""
    access_key: str = ""  # empty: boto3's usual chain (AWS_ACCESS_KEY_ID, ~/.aws, instance role)
    secret_key: str = ""
    addressing: str = "path"  # "path" (MinIO, Ceph, most local servers) or "virtual" / "auto"
    attempts: int = 5  # per request, with backoff (botocore's "standard" retries)


def parse_s3_url(url: str) -> tuple[str, str]:
    """('bucket', 'prefix') of `s3://bucket/prefix`; ValueError when it is not one."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"not an s3://bucket/prefix URL: {url!r}")
    return parts.netloc, parts.path.strip("/")


def s3_client(conf: S3Settings) -> Any:
    """A boto3 S3 client for `conf` (thread-safe; one per process is enough)."""
    import boto3
    from botocore.config import Config

    config = Config(
        # checksums only when asked for (we send ChecksumSHA256 ourselves): the default trailing CRC32 of
        # recent boto3 is "aws-chunked" streaming that several S3-compatible servers do not understand
        request_checksum_calculation="when_required", response_checksum_validation="when_required",
        s3={"addressing_style": conf.addressing or "path"}, retries={"max_attempts": max(1, conf.attempts), "mode": "standard"},
        connect_timeout=10, read_timeout=120, max_pool_connections=16)
    kwargs: dict[str, Any] = {"config": config, "region_name": conf.region or "us-east-1"}
    if conf.endpoint:
        kwargs["endpoint_url"] = conf.endpoint
    if conf.access_key:
        kwargs["aws_access_key_id"] = conf.access_key
        kwargs["aws_secret_access_key"] = conf.secret_key
    return boto3.session.Session().client("s3", **kwargs)


class S3Store:
    def __init__(self, conf: S3Settings, client: Any = None) -> None:
        self.conf = conf
        self.bucket = conf.bucket
        self.prefix = conf.prefix.strip("/")
        self.client = client if client is not None else s3_client(conf)

    def _key(self, key: str) -> str:
        return _join(self.prefix, key)

    def describe(self) -> str:
        where = f" at {self.conf.endpoint}" if self.conf.endpoint else ""
        return f"s3://{_join(self.bucket, self.prefix)}{where}"

    def _where(self, key: str) -> str:
        return f"{self.describe()}/{key}"

    def _head(self, key: str) -> dict[str, Any]:
        with _s3_errors(self._where(key)):
            return dict(self.client.head_object(Bucket=self.bucket, Key=self._key(key)))

    def exists(self, key: str) -> bool:
        try:
            self._head(key)
        except FileNotFoundError:
            return False
        return True

    def size(self, key: str) -> int:
        return int(self._head(key)["ContentLength"])

    def read_bytes(self, key: str) -> bytes:
        """A small object whole (inventories, sidecars); masters go through `blocks` or `get_file`."""
        return b"".join(self.blocks(key))

    def write_bytes(self, key: str, data: bytes) -> None:
        import hashlib

        with _s3_errors(self._where(key)):
            self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data,
                                   ChecksumSHA256=base64.b64encode(hashlib.sha256(data).digest()).decode())

    def put_file(self, key: str, source: Path, *, sha256: str = "") -> None:
        """Upload `source` streamed from disk in one PUT; with its sha256 (hex) the server checks it."""
        extra: dict[str, str] = {}
        if sha256:
            extra["ChecksumSHA256"] = base64.b64encode(bytes.fromhex(sha256)).decode()
        with source.open("rb") as fh, _s3_errors(self._where(key)):
            self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=fh,
                                   ContentLength=source.stat().st_size, **extra)

    def blocks(self, key: str) -> Iterator[bytes]:
        """The object streamed in BLOCK pieces (one GET; at most one piece in memory)."""
        with _s3_errors(self._where(key)):
            body = self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
            try:
                yield from body.iter_chunks(BLOCK)
            finally:
                body.close()

    def get_file(self, key: str, target: Path) -> None:
        tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}")
        try:
            with tmp.open("wb") as out:
                for block in self.blocks(key):
                    out.write(block)
            tmp.replace(target)
        finally:
            tmp.unlink(missing_ok=True)

    def listing(self, prefix: str) -> dict[str, int]:
        """{key relative to prefix: size} of every object under `prefix/` (paginated LIST)."""
        base = self._key(prefix)
        base = f"{base}/" if base else ""
        out: dict[str, int] = {}
        with _s3_errors(self._where(prefix)):
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=base):
                for item in page.get("Contents", []):
                    out[item["Key"][len(base):]] = int(item["Size"])
        return out

    def delete(self, keys: Iterable[str]) -> None:
        todo = [{"Key": self._key(k)} for k in keys]
        for i in range(0, len(todo), 1000):
            with _s3_errors(self.describe()):
                self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": todo[i:i + 1000], "Quiet": True})


def open_store(root: str | Path, s3: S3Settings | None = None) -> LocalStore | S3Store:
    """The store for a storage root: `s3://bucket/prefix` (with `s3` for endpoint and keys) or a path."""
    text = str(root)
    if text.startswith("s3://"):
        bucket, prefix = parse_s3_url(text)
        base = s3 or S3Settings(bucket=bucket)
        return S3Store(S3Settings(bucket=bucket, prefix=prefix, endpoint=base.endpoint, region=base.region,
                                  access_key=base.access_key, secret_key=base.secret_key,
                                  addressing=base.addressing, attempts=base.attempts))
    return LocalStore(Path(text))
