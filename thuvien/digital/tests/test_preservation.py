"""Preservation: masters as OCFL 1.1 objects that ocfl-py's validator reports VALID, new versions for
reordered and replaced pages, fixity checks that find one corrupted byte, a damaged object that is
never served as good, and its audited repair."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import ocfl
import pytest
from django.core.management import call_command

from thuvien.core.models import AuditEntry
from thuvien.digital import ocfl as our_ocfl
from thuvien.digital import preservation
from thuvien.digital.models import DigitalObject, FixityCheck
from thuvien.digital.services import page_replace, pages_reorder
from thuvien.digital.synthetic import render_page


@pytest.fixture
def ocfl_root(settings, tmp_path) -> Path:
    settings.THUVIEN_OCFL_ROOT = tmp_path / "ocfl"
    return settings.THUVIEN_OCFL_ROOT


def _validate(root: Path) -> tuple[int, str]:
    """Run ocfl-py's own `ocfl-validate.py` over the storage root, as an operator would."""
    script = Path(sys.executable).parent / "ocfl-validate.py"
    run = subprocess.run([sys.executable, str(script), str(root)], capture_output=True, text=True, timeout=120)
    return run.returncode, run.stdout + run.stderr


def _where(obj: DigitalObject) -> tuple[our_ocfl.Store, str]:
    from thuvien.digital.conf import ocfl_store

    return ocfl_store(), preservation.object_key(obj)


def _actor(obj: DigitalObject):  # type: ignore[no-untyped-def]
    from thuvien.core.models import User

    return User.objects.filter(grants__unit=obj.unit).first()


def test_ingested_pages_are_valid_ocfl_and_edits_make_new_versions(ocfl_root, digital_object_factory, tmp_path,
                                                                   django_capture_on_commit_callbacks):
    obj = digital_object_factory(texts=["Cao Bằng trang một", "Trang hai Nguyên Bình", "Trang ba Bảo Lạc"],
                                 ocr="none")
    other = digital_object_factory(texts=["Địa chí Hà Quảng"], ocr="none")
    obj.refresh_from_db()
    assert obj.ocfl_version == 1 and other.ocfl_version == 1
    path = preservation.object_path(obj)
    inventory = json.loads((path / "inventory.json").read_text())
    pages = list(obj.pages.order_by("order"))
    assert inventory["id"] == f"urn:uuid:{obj.uuid}"
    assert inventory["digestAlgorithm"] == "sha512" and inventory["head"] == "v1"
    assert (path / "0=ocfl_object_1.1").read_text() == "ocfl_object_1.1\n"
    assert (ocfl_root / "0=ocfl_1.1").exists()
    # sha256 fixity is the ingest checksum of each page
    assert {p: d for d, ps in inventory["fixity"]["sha256"].items() for p in ps} == {
        f"v1/content/{p.order:05d}.png": p.sha256 for p in pages}
    assert obj.master_bytes == sum((path / f"v1/content/{p.order:05d}.png").stat().st_size for p in pages)

    # reorder: a new version with the same content under new names, nothing copied or overwritten
    v1_files = sorted(f.relative_to(path).as_posix() for f in path.rglob("*") if f.is_file())
    pages_reorder(actor=_actor(obj), obj=obj, page_ids=[pages[2].pk, pages[0].pk, pages[1].pk])
    obj.refresh_from_db()
    assert obj.ocfl_version == 2
    inventory = our_ocfl.inventory_read(*_where(obj))
    head = our_ocfl.head_state(inventory)
    first = our_ocfl.head_state({**inventory, "head": "v1"})
    assert [head[f"{n:05d}.png"] for n in (1, 2, 3)] == [first["00003.png"], first["00001.png"], first["00002.png"]]
    assert not (path / "v2" / "content").exists()
    assert set(v1_files) <= {f.relative_to(path).as_posix() for f in path.rglob("*") if f.is_file()}
    # the page files moved with their pages: the working master of page 1 is the old page 3
    assert preservation.working_master(obj, obj.pages.get(order=1)).read_bytes() == (
        path / "v1/content/00003.png").read_bytes()

    # a rescanned page: v3 holds only the new file; v1 still has the old one
    rescan = tmp_path / "rescan.png"
    render_page("Trang hai quét lại", rescan, width=700, height=400, font_size=24, seed=9, noise=False)
    with django_capture_on_commit_callbacks(execute=True):
        page_replace(actor=_actor(obj), page=obj.pages.get(order=2), source=rescan)
    obj.refresh_from_db()
    assert obj.ocfl_version == 3
    inventory = our_ocfl.inventory_read(*_where(obj))
    assert [f.relative_to(path).as_posix() for f in (path / "v3" / "content").rglob("*")] == ["v3/content/00002.png"]
    assert (path / "v1/content/00001.png").exists()
    assert obj.pages.get(order=2).processed is True  # reprocessed by the (immediate) task queue

    # ocfl-py's validator: the storage root and every object in it VALID
    code, out = _validate(ocfl_root)
    assert code == 0, out
    store = ocfl.StorageRoot(root=str(ocfl_root))
    assert store.validate(check_digests=True)
    assert (store.num_objects, store.good_objects) == (2, 2)
    for o in (obj, other):
        assert ocfl.Object().validate(str(preservation.object_path(o)), check_digests=True)
    assert list(AuditEntry.objects.filter(action__in=["digital.reorder", "digital.page_replace"])
                .order_by("pk").values_list("action", flat=True)) == ["digital.reorder", "digital.page_replace"]


def test_one_corrupted_byte_is_found_the_object_is_withheld_and_repaired(
        ocfl_root, digital_object_factory, client, admin_user):
    obj = digital_object_factory(texts=["Cao Bằng", "Trùng Khánh"], ocr="none", pdf=True)
    good = digital_object_factory(texts=["Hà Quảng"], ocr="none")
    page = obj.pages.get(order=2)
    out = io.StringIO()
    call_command("fixity_check", "--all", stdout=out)
    assert "2 objects checked" in out.getvalue() and "0 damaged" in out.getvalue()

    path = preservation.object_path(obj)
    master = path / "v1" / "content" / "00002.png"
    data = bytearray(master.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit of one byte
    master.write_bytes(bytes(data))

    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("fixity_check", "--all", stdout=out)
    assert exit_.value.code == 1
    text = out.getvalue()
    assert f"DAMAGED {obj.pk} {obj.uuid}" in text
    assert "v1/content/00002.png: sha512 and sha256 differ from the inventory" in text
    assert f"OK      {good.pk}" in text and "1 damaged" in text
    obj.refresh_from_db()
    assert obj.damaged is True
    last = obj.fixity_checks.first()
    assert (last.result, last.details, last.files) == (
        "damaged", ["v1/content/00002.png: sha512 and sha256 differ from the inventory"], 2)
    assert last.bytes == sum(f.stat().st_size for f in (path / "v1" / "content").iterdir())
    assert AuditEntry.objects.filter(action="digital.fixity_damage", object_id=str(obj.pk)).count() == 1

    # never served as good: manifest, image, PDF and viewer say so, for readers and for staff
    for who in (None, admin_user):
        if who is not None:
            client.force_login(who)
        resp = client.get(f"/iiif/{obj.uuid}/manifest")
        assert resp.status_code == 503 and resp.json()["damaged"] is True
        assert "bị hỏng" in resp.json()["error"]
        resp = client.get(f"/iiif/3/{page.uuid}/full/max/0/default.jpg")
        assert resp.status_code == 503 and resp.json()["damaged"] is True
        assert client.get(f"/iiif/3/{page.uuid}/info.json").status_code == 503
        resp = client.get(f"/digital/{obj.uuid}/pdf")
        assert resp.status_code == 503 and "bị hỏng" in resp.content.decode()
        assert client.get(f"/digital/{obj.uuid}/").status_code == 503
    assert client.get(f"/iiif/{good.uuid}/manifest").status_code == 200
    collection = client.get(f"/iiif/collection/{obj.collection.code}").json()
    assert str(obj.uuid) not in json.dumps(collection)

    # repair from the good working copy: audited, checked again, served again
    result = preservation.object_repair(actor=admin_user, obj=obj)
    assert result.ok and result.check.result == FixityCheck.Result.REPAIRED
    assert result.check.details == ["restored v1/content/00002.png"]
    obj.refresh_from_db()
    assert obj.damaged is False
    assert AuditEntry.objects.filter(action="digital.repair", object_id=str(obj.pk)).count() == 1
    assert client.get(f"/iiif/{obj.uuid}/manifest").status_code == 200
    code, out_text = _validate(ocfl_root)
    assert code == 0, out_text


def test_rolling_slice_covers_every_object_within_a_year(ocfl_root, settings, digital_object_factory):
    settings.THUVIEN_FIXITY_MIN_SLICE = 2
    assert preservation.daily_slice_size(0) == 0
    assert preservation.daily_slice_size(5) == 2
    assert preservation.daily_slice_size(10_000) == 28  # ceil(10,000 / 365)
    assert preservation.daily_slice_size(10_000) * 365 >= 10_000
    objs = [digital_object_factory(texts=[f"Trang {n}"], ocr="none") for n in range(3)]
    for _day in (1, 2):
        summary = preservation.fixity_scheduled()
        assert (summary["objects_checked"], summary["objects_total"], summary["damaged"]) == (2, 3, 0)
    checked = {o.pk: o.fixity_checks.count() for o in objs}
    assert sorted(checked.values()) == [1, 1, 2]  # the never-checked one went first on day two
    assert all(DigitalObject.objects.get(pk=o.pk).fixity_checked_at is not None for o in objs)


def test_existing_objects_get_a_preservation_copy_by_command(ocfl_root, digital_object_factory):
    obj = digital_object_factory(texts=["Cao Bằng"], ocr="none")
    DigitalObject.objects.filter(pk=obj.pk).update(ocfl_version=0)  # not a change: simulate an old object
    import shutil

    shutil.rmtree(ocfl_root)
    out = io.StringIO()
    call_command("digital_preserve", stdout=out)
    assert f"{obj.pk} {obj.uuid}: v1, 1 files added" in out.getvalue()
    assert DigitalObject.objects.get(pk=obj.pk).ocfl_version == 1
    assert _validate(ocfl_root)[0] == 0


def test_the_opac_record_page_lists_a_damaged_copy_without_a_link(ocfl_root, client, net, admin_user,
                                                                  digital_object_factory):
    from thuvien.catalog.services import bib_create
    from thuvien.catalog.tests.fixtures import make_book

    bib = bib_create(actor=admin_user, record=make_book("Địa chí Cao Bằng"), owner=net.a)
    obj = digital_object_factory(texts=["Một"], ocr="none", record=bib)
    master = preservation.object_path(obj) / "v1" / "content" / "00001.png"
    master.write_bytes(master.read_bytes()[:-1])  # truncated
    outcome = preservation.check_object(obj=obj)
    assert not outcome.ok and outcome.check.details == ["v1/content/00001.png: sha512 and sha256 differ from the inventory"]
    html = client.get(f"/record/{bib.pk}/").content.decode()
    assert f'href="/digital/{obj.uuid}/"' not in html
    assert "Bản số đang được khôi phục, tạm thời chưa xem được." in html


def test_a_failed_preservation_write_leaves_pages_and_files_as_they_were(ocfl_root, digital_object_factory,
                                                                         monkeypatch):
    obj = digital_object_factory(texts=["Một", "Hai"], ocr="none")
    pages = list(obj.pages.order_by("order"))
    before = [preservation.working_master(obj, p).read_bytes() for p in pages]

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("disk full")

    monkeypatch.setattr(our_ocfl, "version_write", broken)
    with pytest.raises(OSError):
        pages_reorder(actor=_actor(obj), obj=obj, page_ids=[pages[1].pk, pages[0].pk])
    assert list(obj.pages.order_by("order").values_list("pk", flat=True)) == [pages[0].pk, pages[1].pk]
    assert [preservation.working_master(obj, p).read_bytes() for p in obj.pages.order_by("order")] == before
    assert DigitalObject.objects.get(pk=obj.pk).ocfl_version == 1


def test_a_reorder_reads_no_master_and_copies_nothing(ocfl_root, digital_object_factory, monkeypatch):
    obj = digital_object_factory(texts=["Một", "Hai", "Ba"], ocr="none")
    pages = list(obj.pages.order_by("order"))
    reads: list[str] = []
    real = our_ocfl.digests
    monkeypatch.setattr(our_ocfl, "digests", lambda path: reads.append(str(path)) or real(path))
    pages_reorder(actor=_actor(obj), obj=obj, page_ids=[pages[2].pk, pages[1].pk, pages[0].pk])
    assert reads == []
    path = preservation.object_path(obj)
    assert our_ocfl.inventory_read(*_where(obj))["head"] == "v2" and not (path / "v2" / "content").exists()
    assert our_ocfl.fixity_check(*_where(obj)).ok
