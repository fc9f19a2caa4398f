"""Masters kept as OCFL 1.1 objects (https://ocfl.io/1.1/spec/): the preservation copy.

Pure file work, no database. One storage root (`conf.ocfl_root()`, THUVIEN_HOME/ocfl by default)
holds one OCFL object per digital object, id `urn:uuid:<object uuid>`, placed by the
0003-hash-and-id-n-tuple-storage-layout extension (sha256 of the id, three tuples of three
characters, then the id percent-encoded).

Each object has its namaste file, `inventory.json` (digestAlgorithm sha512; sha256 in `fixity`)
with its `inventory.json.sha512` sidecar, and version directories v1, v2, ... that each keep a copy
of the inventory as it was. A new version never touches the files of earlier versions: it only adds
content whose sha512 the object does not hold yet (a reorder adds no content at all, just a new
state mapping the same digests to new logical paths). Writes go to a temporary directory beside the
object and are moved into place, the root inventory last, so a crash leaves the previous version
intact.

Logical paths are the page files in reading order: `00001.tif`, `00002.jpg`, ...
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SPEC = "1.1"
INVENTORY_TYPE = "https://ocfl.io/1.1/spec/#inventory"
LAYOUT = "0003-hash-and-id-n-tuple-storage-layout"
BLOCK = 4 << 20  # bytes read at a time while hashing


class OcflError(RuntimeError):
    """The storage root or an object is not what OCFL requires (never silently repaired)."""


def object_id(obj_uuid: object) -> str:
    return f"urn:uuid:{obj_uuid}"


# --- hashing ------------------------------------------------------------------------------------

def digests(path: Path) -> tuple[str, str, int]:
    """(sha512, sha256, size) of a file in ONE read pass, large blocks; hashlib releases the GIL on
    big buffers, so several files hash in parallel threads."""
    h512, h256 = hashlib.sha512(), hashlib.sha256()
    size = 0
    with path.open("rb", buffering=0) as fh:
        buf = bytearray(BLOCK)
        view = memoryview(buf)
        while n := fh.readinto(buf):
            chunk = view[:n]
            h512.update(chunk)
            h256.update(chunk)
            size += n
    return h512.hexdigest(), h256.hexdigest(), size


def _sha512_bytes(data: bytes) -> str:
    return hashlib.sha512(data).hexdigest()


# --- the storage root ---------------------------------------------------------------------------

def root_init(root: Path) -> Path:
    """Create the storage root (namaste, layout description and extension config) if missing."""
    root.mkdir(parents=True, exist_ok=True)
    namaste = root / f"0=ocfl_{SPEC}"
    if not namaste.exists():
        namaste.write_text(f"ocfl_{SPEC}\n")
        (root / "ocfl_layout.json").write_text(json.dumps({
            "extension": LAYOUT,
            "description": "Hashed (sha256) n-tuple layout: 3 tuples of 3 characters, then the encoded id"},
            indent=2))
        ext = root / "extensions" / LAYOUT
        ext.mkdir(parents=True, exist_ok=True)
        (ext / "config.json").write_text(json.dumps({
            "extensionName": LAYOUT, "digestAlgorithm": "sha256", "tupleSize": 3, "numberOfTuples": 3},
            indent=2))
    return root


def object_path(root: Path, obj_uuid: object) -> Path:
    ident = object_id(obj_uuid)
    digest = hashlib.sha256(ident.encode()).hexdigest()
    encoded = "".join(c if re.fullmatch(r"[A-Za-z0-9_-]", c) else "".join(f"%{b:02x}" for b in c.encode())
                      for c in ident)
    if len(encoded) > 100:
        encoded = f"{encoded[:100]}-{digest}"
    return root / digest[0:3] / digest[3:6] / digest[6:9] / encoded


# --- inventories --------------------------------------------------------------------------------

def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _write_inventory(directory: Path, inventory: Mapping[str, Any]) -> None:
    data = json.dumps(inventory, indent=2, ensure_ascii=False).encode("utf-8")
    (directory / "inventory.json").write_bytes(data)
    (directory / "inventory.json.sha512").write_text(f"{_sha512_bytes(data)} inventory.json\n")


def inventory_read(path: Path) -> dict[str, Any]:
    """The object's root inventory, after checking its sidecar digest."""
    data = (path / "inventory.json").read_bytes()
    sidecar = (path / "inventory.json.sha512").read_text().split()
    if not sidecar or sidecar[0] != _sha512_bytes(data):
        raise OcflError(f"inventory.json of {path.name} does not match its sidecar")
    return json.loads(data)


def head_state(inventory: Mapping[str, Any]) -> dict[str, str]:
    """{logical path: sha512} of the head version."""
    state = inventory["versions"][inventory["head"]]["state"]
    return {logical: digest for digest, paths in state.items() for logical in paths}


def content_paths(inventory: Mapping[str, Any]) -> dict[str, str]:
    """{sha512: first content path} of every content file the object holds."""
    return {digest: paths[0] for digest, paths in inventory["manifest"].items()}


def head_content(inventory: Mapping[str, Any]) -> dict[str, str]:
    """{logical path: content path} of the head version (where each current master sits)."""
    where = content_paths(inventory)
    return {logical: where[digest] for logical, digest in head_state(inventory).items()}


@dataclass
class Written:
    path: Path
    version: int
    added_files: int
    added_bytes: int
    sha256: dict[str, str] = field(default_factory=dict)  # logical path -> sha256


def version_write(root: Path, obj_uuid: object, files: Mapping[str, Path], *, message: str,
                  user_name: str, user_address: str = "", known: Mapping[str, str] | None = None) -> Written:
    """Make the next version of the object with exactly `files` ({logical path: source file}).

    The first call creates the object (v1). Content already held (same sha512) is not copied again.
    `known` ({logical path: sha256}) names files whose sha256 the object already holds in its fixity
    block: they are not read at all (a reorder of a 1,000-page book reads no master), the version just
    maps them to the content already stored."""
    root_init(root)
    path = object_path(root, obj_uuid)
    if path.exists():
        inventory = inventory_read(path)
        number = int(inventory["head"][1:]) + 1
    else:
        inventory = {"id": object_id(obj_uuid), "type": INVENTORY_TYPE, "digestAlgorithm": "sha512",
                     "head": "", "contentDirectory": "content", "manifest": {}, "fixity": {"sha256": {}},
                     "versions": {}}
        number = 1
    version = f"v{number}"
    manifest: dict[str, list[str]] = inventory["manifest"]
    fixity: dict[str, list[str]] = inventory.setdefault("fixity", {}).setdefault("sha256", {})
    sha512_of = {p: d for d, ps in manifest.items() for p in ps}
    hashed: dict[str, tuple[str, str, int]] = {}
    for logical, sha256 in (known or {}).items():
        stored = fixity.get(sha256)
        if logical in files and stored and stored[0] in sha512_of:
            hashed[logical] = (sha512_of[stored[0]], sha256, (path / stored[0]).stat().st_size)
    todo = [logical for logical in files if logical not in hashed]
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        hashed.update(zip(todo, pool.map(digests, [files[t] for t in todo]), strict=True))
    staging = path.parent / f".{path.name}.{uuid.uuid4().hex}"
    staging.mkdir(parents=True)
    added_files = added_bytes = 0
    state: dict[str, list[str]] = {}
    try:
        for logical, source in files.items():
            sha512, sha256, size = hashed[logical]
            state.setdefault(sha512, []).append(logical)
            if sha512 not in manifest:
                content = f"{version}/content/{logical}"
                target = staging / content
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
                manifest[sha512] = [content]
                fixity.setdefault(sha256, []).append(content)
                added_files += 1
                added_bytes += size
        inventory["head"] = version
        inventory["versions"][version] = {
            "created": _now(), "message": message, "state": state,
            "user": {"name": user_name, **({"address": user_address} if user_address else {})}}
        (staging / version).mkdir(exist_ok=True)
        _write_inventory(staging / version, inventory)
        if number == 1:
            (staging / f"0=ocfl_object_{SPEC}").write_text(f"ocfl_object_{SPEC}\n")
            _write_inventory(staging, inventory)
            staging.replace(path)
        else:
            (staging / version).replace(path / version)
            tmp = path / f".inventory.{uuid.uuid4().hex}"
            tmp.mkdir()
            _write_inventory(tmp, inventory)
            # the sidecar first would not match the old inventory: replace the inventory, then the sidecar
            (tmp / "inventory.json").replace(path / "inventory.json")
            (tmp / "inventory.json.sha512").replace(path / "inventory.json.sha512")
            tmp.rmdir()
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Written(path=path, version=number, added_files=added_files, added_bytes=added_bytes,
                   sha256={logical: hashed[logical][1] for logical in files})


# --- fixity -------------------------------------------------------------------------------------

@dataclass
class FixityReport:
    ok: bool
    problems: list[str]
    files: int
    bytes: int
    seconds: float
    damaged: list[str] = field(default_factory=list)  # content paths that are wrong or missing


def fixity_check(path: Path, *, threads: int = 2) -> FixityReport:
    """Re-read every content file of the object and compare sha512 and sha256 with the inventory;
    also the inventory sidecar, missing files and files the inventory does not know."""
    start = time.perf_counter()
    problems: list[str] = []
    damaged: list[str] = []
    if not path.is_dir():
        return FixityReport(False, [f"object directory missing: {path}"], 0, 0, 0.0, [])
    try:
        inventory = inventory_read(path)
    except (OSError, ValueError, OcflError) as exc:
        return FixityReport(False, [f"inventory: {exc}"], 0, 0, time.perf_counter() - start, [])
    sha256_of: dict[str, str] = {p: d for d, ps in inventory.get("fixity", {}).get("sha256", {}).items()
                                 for p in ps}
    expected = {p: d for d, ps in inventory["manifest"].items() for p in ps}
    present = {f.relative_to(path).as_posix() for f in path.glob("v*/content/**/*") if f.is_file()}
    for extra in sorted(present - set(expected)):
        problems.append(f"{extra}: not in the inventory")
    missing = sorted(set(expected) - present)
    for m in missing:
        problems.append(f"{m}: missing")
        damaged.append(m)
    todo = sorted(set(expected) & present)
    total = 0
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        for rel, (sha512, sha256, size) in zip(todo, pool.map(lambda r: digests(path / r), todo), strict=True):
            total += size
            bad = []
            if sha512 != expected[rel]:
                bad.append("sha512")
            if rel in sha256_of and sha256 != sha256_of[rel]:
                bad.append("sha256")
            if bad:
                problems.append(f"{rel}: {' and '.join(bad)} differ from the inventory")
                damaged.append(rel)
    return FixityReport(ok=not problems, problems=problems, files=len(todo), bytes=total,
                        seconds=time.perf_counter() - start, damaged=damaged)


def restore_content(path: Path, content: str, candidates: Iterable[Path]) -> Path | None:
    """Put back a damaged content file from the first candidate whose sha512 is the inventory's;
    returns the candidate used, or None when none matches (nothing is written then)."""
    inventory = inventory_read(path)
    wanted = next((d for d, ps in inventory["manifest"].items() if content in ps), None)
    if wanted is None:
        raise OcflError(f"{content} is not in the inventory")
    for candidate in candidates:
        if candidate.is_file() and digests(candidate)[0] == wanted:
            target = path / content
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.restore")
            shutil.copyfile(candidate, tmp)
            tmp.replace(target)
            return candidate
    return None


def object_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.is_dir() else 0
