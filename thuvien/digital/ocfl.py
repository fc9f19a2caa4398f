"""Masters kept as OCFL 1.1 objects (https://ocfl.io/1.1/spec/): the preservation copy.

Pure storage work, no database. One storage root (`conf.ocfl_store()`: THUVIEN_HOME/ocfl by default, a
directory or an S3-compatible bucket, see `blobstore.py`) holds one OCFL object per digital object, id
`urn:uuid:<object uuid>`, placed by the 0003-hash-and-id-n-tuple-storage-layout extension (sha256 of
the id, three tuples of three characters, then the id percent-encoded). Functions take the store and
the object's key (`object_key(uuid)`, '/'-separated, relative to the root).

Each object has its namaste file, `inventory.json` (digestAlgorithm sha512; sha256 in `fixity`)
with its `inventory.json.sha512` sidecar, and version directories v1, v2, ... that each keep a copy
of the inventory as it was. A new version never touches the files of earlier versions: it only adds
content whose sha512 the object does not hold yet (a reorder adds no content at all, just a new
state mapping the same digests to new logical paths). On a local root the writes go to a temporary
directory beside the object and are moved into place, the root inventory last, so a crash leaves the
previous version intact. On S3 (no rename) the new content is uploaded first, then the version's
inventory, then the root inventory and its sidecar: until that last PUT the object's head is the
previous version; a write that fails deletes what it uploaded.

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

from thuvien.digital.blobstore import LocalStore, Store

SPEC = "1.1"
INVENTORY_TYPE = "https://ocfl.io/1.1/spec/#inventory"
LAYOUT = "0003-hash-and-id-n-tuple-storage-layout"
CONTENT = re.compile(r"v\d+/content/.+")


class OcflError(RuntimeError):
    """The storage root or an object is not what OCFL requires (never silently repaired)."""


def object_id(obj_uuid: object) -> str:
    return f"urn:uuid:{obj_uuid}"


# --- hashing ------------------------------------------------------------------------------------

def digests_of(blocks: Iterable[bytes | memoryview]) -> tuple[str, str, int]:
    """(sha512, sha256, size) of a stream of blocks in ONE pass; hashlib releases the GIL on big
    buffers, so several files hash in parallel threads."""
    h512, h256 = hashlib.sha512(), hashlib.sha256()
    size = 0
    for chunk in blocks:
        h512.update(chunk)
        h256.update(chunk)
        size += len(chunk)
    return h512.hexdigest(), h256.hexdigest(), size


def digests(path: Path) -> tuple[str, str, int]:
    """(sha512, sha256, size) of a local file in one read pass, large blocks."""
    return digests_of(LocalStore(path.parent).blocks(path.name))


def _sha512_bytes(data: bytes) -> str:
    return hashlib.sha512(data).hexdigest()


# --- the storage root ---------------------------------------------------------------------------

def root_init(store: Store) -> Store:
    """Create the storage root (namaste, layout description and extension config) if missing."""
    if isinstance(store, LocalStore):
        store.root.mkdir(parents=True, exist_ok=True)
    namaste = f"0=ocfl_{SPEC}"
    if not store.exists(namaste):
        store.write_bytes(f"extensions/{LAYOUT}/config.json", json.dumps({
            "extensionName": LAYOUT, "digestAlgorithm": "sha256", "tupleSize": 3, "numberOfTuples": 3},
            indent=2).encode())
        store.write_bytes("ocfl_layout.json", json.dumps({
            "extension": LAYOUT,
            "description": "Hashed (sha256) n-tuple layout: 3 tuples of 3 characters, then the encoded id"},
            indent=2).encode())
        store.write_bytes(namaste, f"ocfl_{SPEC}\n".encode())
    return store


def object_key(obj_uuid: object) -> str:
    """The object's place under the storage root ('/'-separated)."""
    ident = object_id(obj_uuid)
    digest = hashlib.sha256(ident.encode()).hexdigest()
    encoded = "".join(c if re.fullmatch(r"[A-Za-z0-9_-]", c) else "".join(f"%{b:02x}" for b in c.encode())
                      for c in ident)
    if len(encoded) > 100:
        encoded = f"{encoded[:100]}-{digest}"
    return f"{digest[0:3]}/{digest[3:6]}/{digest[6:9]}/{encoded}"


def object_path(root: Path, obj_uuid: object) -> Path:
    """The object's directory under a LOCAL storage root."""
    return root / object_key(obj_uuid)


# --- inventories --------------------------------------------------------------------------------

def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _inventory_files(inventory: Mapping[str, Any]) -> tuple[bytes, bytes]:
    data = json.dumps(inventory, indent=2, ensure_ascii=False).encode("utf-8")
    return data, f"{_sha512_bytes(data)} inventory.json\n".encode()


def _write_inventory(directory: Path, inventory: Mapping[str, Any]) -> None:
    data, sidecar = _inventory_files(inventory)
    (directory / "inventory.json").write_bytes(data)
    (directory / "inventory.json.sha512").write_bytes(sidecar)


def inventory_read(store: Store, key: str) -> dict[str, Any]:
    """The object's root inventory, after checking its sidecar digest."""
    data = store.read_bytes(f"{key}/inventory.json")
    sidecar = store.read_bytes(f"{key}/inventory.json.sha512").decode().split()
    if not sidecar or sidecar[0] != _sha512_bytes(data):
        raise OcflError(f"inventory.json of {key.rsplit('/', 1)[-1]} does not match its sidecar")
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
    key: str
    version: int
    added_files: int
    added_bytes: int
    sha256: dict[str, str] = field(default_factory=dict)  # logical path -> sha256


def version_write(store: Store, obj_uuid: object, files: Mapping[str, Path], *, message: str,
                  user_name: str, user_address: str = "", known: Mapping[str, str] | None = None) -> Written:
    """Make the next version of the object with exactly `files` ({logical path: source file}).

    The first call creates the object (v1). Content already held (same sha512) is not copied again.
    `known` ({logical path: sha256}) names files whose sha256 the object already holds in its fixity
    block: they are not read at all (a reorder of a 1,000-page book reads no master), the version just
    maps them to the content already stored."""
    root_init(store)
    key = object_key(obj_uuid)
    if store.exists(f"{key}/inventory.json"):
        inventory = inventory_read(store, key)
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
            hashed[logical] = (sha512_of[stored[0]], sha256, 0)  # held content: never added, size unused
    todo = [logical for logical in files if logical not in hashed]
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        hashed.update(zip(todo, pool.map(digests, [files[t] for t in todo]), strict=True))
    added: dict[str, tuple[Path, str]] = {}  # content path -> (source, sha256)
    added_bytes = 0
    state: dict[str, list[str]] = {}
    for logical, source in files.items():
        sha512, sha256, size = hashed[logical]
        state.setdefault(sha512, []).append(logical)
        if sha512 not in manifest:
            content = f"{version}/content/{logical}"
            manifest[sha512] = [content]
            fixity.setdefault(sha256, []).append(content)
            added[content] = (source, sha256)
            added_bytes += size
    inventory["head"] = version
    inventory["versions"][version] = {
        "created": _now(), "message": message, "state": state,
        "user": {"name": user_name, **({"address": user_address} if user_address else {})}}
    if isinstance(store, LocalStore):
        _commit_local(store.path(key), number, added, inventory)
    else:
        _commit_remote(store, key, number, added, inventory)
    return Written(key=key, version=number, added_files=len(added), added_bytes=added_bytes,
                   sha256={logical: hashed[logical][1] for logical in files})


def _commit_local(path: Path, number: int, added: Mapping[str, tuple[Path, str]],
                  inventory: Mapping[str, Any]) -> None:
    """Staged in a directory beside the object, moved into place, the root inventory last."""
    version = f"v{number}"
    staging = path.parent / f".{path.name}.{uuid.uuid4().hex}"
    staging.mkdir(parents=True)
    try:
        for content, (source, _sha256) in added.items():
            target = staging / content
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
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


def _commit_remote(store: Store, key: str, number: int, added: Mapping[str, tuple[Path, str]],
                   inventory: Mapping[str, Any]) -> None:
    """No rename on S3: content first, then the version's inventory, the root inventory last (until
    then readers see the previous head); on failure what this call uploaded is deleted again."""
    version = f"v{number}"
    data, sidecar = _inventory_files(inventory)
    uploaded: list[str] = []
    try:
        for content, (source, sha256) in added.items():
            uploaded.append(f"{key}/{content}")
            store.put_file(f"{key}/{content}", source, sha256=sha256)
        for name, body in (("inventory.json", data), ("inventory.json.sha512", sidecar)):
            uploaded.append(f"{key}/{version}/{name}")
            store.write_bytes(f"{key}/{version}/{name}", body)
        if number == 1:
            uploaded.append(f"{key}/0=ocfl_object_{SPEC}")
            store.write_bytes(f"{key}/0=ocfl_object_{SPEC}", f"ocfl_object_{SPEC}\n".encode())
    except BaseException:
        store.delete(uploaded)
        raise
    store.write_bytes(f"{key}/inventory.json", data)
    store.write_bytes(f"{key}/inventory.json.sha512", sidecar)


# --- fixity -------------------------------------------------------------------------------------

@dataclass
class FixityReport:
    ok: bool
    problems: list[str]
    files: int
    bytes: int
    seconds: float
    damaged: list[str] = field(default_factory=list)  # content paths that are wrong or missing


def _key_digests(store: Store, key: str) -> tuple[str, str, int] | None:
    try:
        return digests_of(store.blocks(key))
    except FileNotFoundError:
        return None


def fixity_check(store: Store, key: str, *, threads: int | None = None) -> FixityReport:
    """Re-read every content file of the object and compare sha512 and sha256 with the inventory;
    also the inventory sidecar, missing files and files the inventory does not know. Each file is
    streamed once through both hashes (on S3: one GET per file, `threads` at a time, default 4;
    locally 2 threads)."""
    start = time.perf_counter()
    problems: list[str] = []
    damaged: list[str] = []
    threads = threads or (2 if isinstance(store, LocalStore) else 4)
    listing = store.listing(key)
    if not listing:
        return FixityReport(False, [f"object missing: {store.describe()}/{key}"], 0, 0, 0.0, [])
    try:
        inventory = inventory_read(store, key)
    except (OSError, ValueError, OcflError) as exc:
        return FixityReport(False, [f"inventory: {exc}"], 0, 0, time.perf_counter() - start, [])
    sha256_of: dict[str, str] = {p: d for d, ps in inventory.get("fixity", {}).get("sha256", {}).items()
                                 for p in ps}
    expected = {p: d for d, ps in inventory["manifest"].items() for p in ps}
    present = {rel for rel in listing if CONTENT.fullmatch(rel) and not rel.rsplit("/", 1)[-1].startswith(".")}
    for extra in sorted(present - set(expected)):
        problems.append(f"{extra}: not in the inventory")
    missing = set(expected) - present
    todo = sorted(set(expected) & present)
    total = 0
    checked = 0
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        for rel, got in zip(todo, pool.map(lambda r: _key_digests(store, f"{key}/{r}"), todo), strict=True):
            if got is None:  # gone between the listing and the read
                missing.add(rel)
                continue
            sha512, sha256, size = got
            total += size
            checked += 1
            bad = []
            if sha512 != expected[rel]:
                bad.append("sha512")
            if rel in sha256_of and sha256 != sha256_of[rel]:
                bad.append("sha256")
            if bad:
                problems.append(f"{rel}: {' and '.join(bad)} differ from the inventory")
                damaged.append(rel)
    for m in sorted(missing):
        problems.append(f"{m}: missing")
        damaged.append(m)
    return FixityReport(ok=not problems, problems=problems, files=checked, bytes=total,
                        seconds=time.perf_counter() - start, damaged=damaged)


def restore_content(store: Store, key: str, content: str, candidates: Iterable[Path]) -> Path | None:
    """Put back a damaged content file from the first candidate whose sha512 is the inventory's;
    returns the candidate used, or None when none matches (nothing is written then)."""
    inventory = inventory_read(store, key)
    wanted = next((d for d, ps in inventory["manifest"].items() if content in ps), None)
    if wanted is None:
        raise OcflError(f"{content} is not in the inventory")
    sha256 = next((d for d, ps in inventory.get("fixity", {}).get("sha256", {}).items() if content in ps), "")
    for candidate in candidates:
        if candidate.is_file() and digests(candidate)[0] == wanted:
            store.put_file(f"{key}/{content}", candidate, sha256=sha256)
            return candidate
    return None


def master_get(store: Store, key: str, logical: str, target: Path) -> str:
    """Copy the head version's file for `logical` (e.g. `00003.tif`) to `target`, streamed, and check
    its sha512 on the way; returns the content path read. OcflError when it is not what the inventory
    says (the damaged copy is not left at `target`)."""
    inventory = inventory_read(store, key)
    content = head_content(inventory).get(logical)
    if content is None:
        raise OcflError(f"{logical} is not in the head version of {key}")
    wanted = head_state(inventory)[logical]
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}")
    h512 = hashlib.sha512()
    try:
        with tmp.open("wb") as out:
            for block in store.blocks(f"{key}/{content}"):
                h512.update(block)
                out.write(block)
        if h512.hexdigest() != wanted:
            raise OcflError(f"{content}: sha512 differs from the inventory")
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return content


def object_bytes(store: Store, key: str) -> int:
    return sum(store.listing(key).values())
