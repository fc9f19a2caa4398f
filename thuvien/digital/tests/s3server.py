"""A real S3 server for the tests: s3rver (npm dev dependency, installed by `npm ci` in
scripts/bootstrap.sh), started on a free port on 127.0.0.1 with its data in a temporary directory.

Why s3rver (docs/architecture.md, Preservation): MinIO is in neither Debian nor PyPI; Scality's Zenko
CloudServer is on npm only as 8.0.0-beta whose dependencies are GitHub repositories (not the registry)
and a native module; s3rver installs from the npm registry alone and speaks the S3 REST API over HTTP
with SigV4 signatures checked, so our boto3 client talks to it exactly as to MinIO. moto's server
would be the last resort (an in-process mock of AWS)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[3]
S3RVER = REPO / "node_modules" / "s3rver" / "bin" / "s3rver.js"
KEY = SECRET = "S3RVER"  # s3rver's built-in account; it checks SigV4 signatures made with it


@dataclass
class S3Server:
    endpoint: str
    bucket: str
    client: Any

    def get(self, key: str) -> bytes:
        return bytes(self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read())

    def put(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data)

    def keys(self, prefix: str) -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        return sorted(o["Key"] for page in pages for o in page.get("Contents", []))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """s3rver on 127.0.0.1:<free port> with the bucket `thuvien-test`, for the whole session."""
    from thuvien.digital.blobstore import S3Settings, s3_client

    node = shutil.which("node")
    if node is None or not S3RVER.exists():
        pytest.fail("s3rver is missing: run scripts/bootstrap.sh (npm ci installs it from package-lock.json)")
    data = tmp_path_factory.mktemp("s3rver")
    port = _free_port()
    bucket = "thuvien-test"
    proc = subprocess.Popen([node, str(S3RVER), "-d", str(data), "-a", "127.0.0.1", "-p", str(port), "-s",
                             "--configure-bucket", bucket], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    endpoint = f"http://127.0.0.1:{port}"
    client = s3_client(S3Settings(bucket=bucket, endpoint=endpoint, access_key=KEY, secret_key=SECRET))
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                client.head_bucket(Bucket=bucket)
                break
            except Exception:  # noqa: BLE001 - not listening yet
                if proc.poll() is not None or time.monotonic() > deadline:
                    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                    pytest.fail(f"s3rver did not start on port {port}: {err[-2000:]}")
                time.sleep(0.1)
        yield S3Server(endpoint=endpoint, bucket=bucket, client=client)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
