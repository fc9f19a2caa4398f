"""Preservation on an S3-compatible bucket (THUVIEN_OCFL_ROOT=s3://...), against a REAL S3 server
started by the tests (s3rver, see s3server.py): every OCFL operation we do goes over the S3 API —
create, new versions on reorder and rescan, fixity (sha512 + sha256 streamed), damage found after a
byte is flipped through the S3 API, the object withheld (503), repair, a lost working master fetched
back — and ocfl-py's validator reads the bucket itself (s3fs) and reports it VALID."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from lxml import etree

from thuvien.core.models import AuditEntry
from thuvien.digital import ocfl as our_ocfl
from thuvien.digital import preservation
from thuvien.digital.blobstore import S3Store
from thuvien.digital.conf import ocfl_store
from thuvien.digital.models import FixityCheck
from thuvien.digital.services import page_replace, pages_reorder
from thuvien.digital.synthetic import render_page
from thuvien.digital.tests.s3server import KEY, SECRET

pytestmark = pytest.mark.slow  # starts a node server and round-trips every master over HTTP


@pytest.fixture
def s3_root(settings, s3_server, tmp_path):  # type: ignore[no-untyped-def]
    """The OCFL root in its own prefix of the test bucket; the local default must stay untouched."""
    prefix = f"ocfl-{uuid.uuid4().hex[:8]}"
    settings.THUVIEN_OCFL_ROOT = f"s3://{s3_server.bucket}/{prefix}"
    settings.THUVIEN_OCFL_S3_ENDPOINT = s3_server.endpoint
    settings.THUVIEN_OCFL_S3_ACCESS_KEY, settings.THUVIEN_OCFL_S3_SECRET_KEY = KEY, SECRET
    settings.THUVIEN_OCFL_S3_REGION = "us-east-1"
    settings.THUVIEN_OUTBOUND_ALLOWED_HOSTS = []  # the configured endpoint needs no allow-list entry
    return prefix


def _validate_s3(server, url: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """ocfl-py's own `ocfl-validate.py` over an s3:// URL (it reads S3 through s3fs), as an operator would.

    It is given the OBJECT, not the storage root: s3rver reports common prefixes only one level below
    the listed prefix, so s3fs sees no directories under `0003-hash` paths three levels deep and a
    root validation would find 0 objects (VALID, proving nothing). The root's own files are checked
    by listing them through the S3 API instead."""
    script = Path(sys.executable).parent / "ocfl-validate.py"
    env = {**os.environ, "AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET,
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": server.endpoint}
    run = subprocess.run([sys.executable, str(script), url], capture_output=True, text=True, timeout=180, env=env)
    return run.returncode, run.stdout + run.stderr


def test_preservation_on_s3_versions_fixity_damage_repair_and_validation(
        s3_root, s3_server, digital_object_factory, client, admin_user, tmp_path, settings,
        django_capture_on_commit_callbacks):
    store = ocfl_store()
    assert isinstance(store, S3Store) and store.describe() == f"s3://thuvien-test/{s3_root} at {s3_server.endpoint}"
    obj = digital_object_factory(texts=["Cao Bằng trang một", "Trang hai Nguyên Bình", "Trang ba Bảo Lạc"],
                                 ocr="none")
    obj.refresh_from_db()
    pages = list(obj.pages.order_by("order"))
    key = preservation.object_key(obj)
    base = f"{s3_root}/{key}"
    assert obj.ocfl_version == 1
    assert not (Path(settings.THUVIEN_HOME) / "ocfl" / key).exists()  # nothing went to the local default
    # the object as OCFL lays it out, read back through the S3 API
    assert s3_server.keys(f"{s3_root}/") == sorted([
        f"{s3_root}/0=ocfl_1.1", f"{s3_root}/ocfl_layout.json",
        f"{s3_root}/extensions/0003-hash-and-id-n-tuple-storage-layout/config.json",
        f"{base}/0=ocfl_object_1.1", f"{base}/inventory.json", f"{base}/inventory.json.sha512",
        f"{base}/v1/inventory.json", f"{base}/v1/inventory.json.sha512",
        *[f"{base}/v1/content/{p.order:05d}.png" for p in pages]])
    inventory = json.loads(s3_server.get(f"{base}/inventory.json"))
    assert inventory["id"] == f"urn:uuid:{obj.uuid}" and inventory["head"] == "v1"
    assert s3_server.get(f"{base}/inventory.json.sha512").decode() == (
        f"{hashlib.sha512(s3_server.get(f'{base}/inventory.json')).hexdigest()} inventory.json\n")
    assert {p: d for d, ps in inventory["fixity"]["sha256"].items() for p in ps} == {
        f"v1/content/{p.order:05d}.png": p.sha256 for p in pages}
    for p in pages:
        assert hashlib.sha256(s3_server.get(f"{base}/v1/content/{p.order:05d}.png")).hexdigest() == p.sha256
    assert obj.master_bytes == sum(len(s3_server.get(f"{base}/v1/content/{p.order:05d}.png")) for p in pages)

    # reorder: v2 maps the same content to new names; nothing uploaded under v2/content
    pages_reorder(actor=admin_user, obj=obj, page_ids=[pages[2].pk, pages[0].pk, pages[1].pk])
    obj.refresh_from_db()
    assert obj.ocfl_version == 2
    inventory = our_ocfl.inventory_read(store, key)
    head, first = our_ocfl.head_state(inventory), our_ocfl.head_state({**inventory, "head": "v1"})
    assert [head[f"{n:05d}.png"] for n in (1, 2, 3)] == [first["00003.png"], first["00001.png"], first["00002.png"]]
    assert [k for k in s3_server.keys(f"{base}/v2/")] == [f"{base}/v2/inventory.json", f"{base}/v2/inventory.json.sha512"]

    # a rescanned page: v3 uploads only the new file
    rescan = tmp_path / "rescan.png"
    render_page("Trang hai quét lại", rescan, width=700, height=400, font_size=24, seed=9, noise=False)
    with django_capture_on_commit_callbacks(execute=True):
        page_replace(actor=admin_user, page=obj.pages.get(order=2), source=rescan)
    obj.refresh_from_db()
    assert obj.ocfl_version == 3
    assert [k for k in s3_server.keys(f"{base}/v3/content/")] == [f"{base}/v3/content/00002.png"]
    assert s3_server.get(f"{base}/v3/content/00002.png") == rescan.read_bytes()

    # fixity over S3: every content file streamed through both hashes
    out = io.StringIO()
    call_command("fixity_check", "--all", stdout=out)
    assert f"OK      {obj.pk} {obj.uuid}: 4 files, " in out.getvalue()
    assert "1 objects checked" in out.getvalue() and "0 damaged" in out.getvalue()
    object_url = f"s3://{s3_server.bucket}/{base}"
    code, text = _validate_s3(s3_server, object_url)
    assert code == 0 and f"OCFL v1.1 Object at {object_url} is VALID" in text, text

    # one bit of one byte flipped in the stored master, through the S3 API
    page = obj.pages.get(order=1)  # the old page 3, stored as v1/content/00003.png
    master = f"{base}/v1/content/00003.png"
    data = bytearray(s3_server.get(master))
    good_bytes = bytes(data)
    data[len(data) // 2] ^= 0x01
    s3_server.put(master, bytes(data))
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("fixity_check", "--all", stdout=out)
    assert exit_.value.code == 1
    assert f"DAMAGED {obj.pk} {obj.uuid}" in out.getvalue()
    assert "v1/content/00003.png: sha512 and sha256 differ from the inventory" in out.getvalue()
    obj.refresh_from_db()
    assert obj.damaged is True
    last = obj.fixity_checks.first()
    assert (last.result, last.details, last.files) == (
        "damaged", ["v1/content/00003.png: sha512 and sha256 differ from the inventory"], 4)
    assert AuditEntry.objects.filter(action="digital.fixity_damage", object_id=str(obj.pk)).count() == 1
    # never served as good
    assert client.get(f"/iiif/{obj.uuid}/manifest").status_code == 503
    assert client.get(f"/iiif/3/{page.uuid}/full/max/0/default.jpg").status_code == 503
    assert client.get(f"/digital/{obj.uuid}/").status_code == 503
    code, text = _validate_s3(s3_server, object_url)  # ocfl-py reads the flipped byte too
    assert code == 1 and "is INVALID" in text and "v1/content/00003.png" in text, text
    # the damaged copy is never handed out as a master either
    with pytest.raises(our_ocfl.OcflError, match="sha512 differs"):
        our_ocfl.master_get(store, key, "00001.png", tmp_path / "fetched.png")
    assert not (tmp_path / "fetched.png").exists()

    # repair from the working copy: the good bytes are back in the bucket, served again, VALID
    result = preservation.object_repair(actor=admin_user, obj=obj)
    assert result.ok and result.check.result == FixityCheck.Result.REPAIRED
    assert result.check.details == ["restored v1/content/00003.png"]
    assert s3_server.get(master) == good_bytes
    obj.refresh_from_db()
    assert obj.damaged is False
    assert client.get(f"/iiif/{obj.uuid}/manifest").status_code == 200
    code, text = _validate_s3(s3_server, object_url)
    assert code == 0 and f"OCFL v1.1 Object at {object_url} is VALID" in text, text

    # METS (staff: MASTER group) names the masters by their place in the bucket, with sha256 and size
    client.force_login(admin_user)
    doc = etree.fromstring(client.get(f"/api/v1/digital/objects/{obj.uuid}/mets").content)
    ns = {"mets": "http://www.loc.gov/METS/", "xlink": "http://www.w3.org/1999/xlink"}
    master_el = doc.xpath("//mets:file[@ID='FILE_0001_MASTER']", namespaces=ns)[0]
    assert (master_el[0].get("{http://www.w3.org/1999/xlink}href"), master_el.get("CHECKSUM"),
            master_el.get("SIZE")) == (f"{key}/v1/content/00003.png", page.sha256, str(len(good_bytes)))
    # the storage figures count every version's bytes in the bucket (one listing of the root)
    from thuvien.digital.storage import storage_by_collection

    row = next(r for r in storage_by_collection() if r.collection.pk == obj.collection_id)
    assert row.bytes.masters == sum(s3_server.client.head_object(Bucket=s3_server.bucket, Key=k)["ContentLength"]
                                    for k in s3_server.keys(f"{base}/"))

    # a lost working master comes back from the bucket (streamed, sha512 checked)
    lost = preservation.working_master(obj, page)
    lost.unlink()
    assert preservation.working_master_fetch(obj=obj, page=page) == lost
    assert hashlib.sha256(lost.read_bytes()).hexdigest() == page.sha256

    # a missing content file is damage too
    s3_server.client.delete_object(Bucket=s3_server.bucket, Key=f"{base}/v3/content/00002.png")
    outcome = preservation.check_object(obj=obj)
    assert not outcome.ok and outcome.check.details == ["v3/content/00002.png: missing"]


def test_a_failed_version_write_on_s3_leaves_the_previous_head_and_no_stray_files(s3_root, s3_server, tmp_path,
                                                                                   monkeypatch):
    store = ocfl_store()
    obj_uuid = uuid.uuid4()
    pages = {}
    for n in (1, 2):
        pages[f"{n:05d}.tif"] = tmp_path / f"{n}.tif"
        pages[f"{n:05d}.tif"].write_bytes(f"trang {n} ".encode() * 1000)
    written = our_ocfl.version_write(store, obj_uuid, pages, message="v1", user_name="test")
    assert (written.version, written.added_files) == (1, 2)
    base = f"{s3_root}/{written.key}"
    before = s3_server.keys(f"{base}/")
    rescan = tmp_path / "rescan.tif"
    rescan.write_bytes(b"quet lai " * 1000)
    real = store.write_bytes

    def failing(key, data):  # type: ignore[no-untyped-def]
        if key.endswith("v2/inventory.json.sha512"):
            raise OSError("connection reset")
        real(key, data)

    monkeypatch.setattr(store, "write_bytes", failing)
    with pytest.raises(OSError, match="connection reset"):
        our_ocfl.version_write(store, obj_uuid, {**pages, "00002.tif": rescan}, message="v2", user_name="test")
    assert s3_server.keys(f"{base}/") == before  # the uploaded master and v2/inventory.json deleted again
    assert our_ocfl.inventory_read(store, written.key)["head"] == "v1"
    assert our_ocfl.fixity_check(store, written.key).ok
    monkeypatch.setattr(store, "write_bytes", real)
    again = our_ocfl.version_write(store, obj_uuid, {**pages, "00002.tif": rescan}, message="v2", user_name="test")
    assert (again.version, again.added_files, again.added_bytes) == (2, 1, len(rescan.read_bytes()))
    assert s3_server.keys(f"{base}/v2/") == [f"{base}/v2/content/00002.tif", f"{base}/v2/inventory.json",
                                            f"{base}/v2/inventory.json.sha512"]
