"""Quality control: the automatic page checks on generated images (resolution, blank, duplicate,
skew), the reviewer's page with image and OCR text, rescan marks sending the object back."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from thuvien.digital.models import Page
from thuvien.digital.services import object_ingest, object_process
from thuvien.digital.synthetic import render_page
from thuvien.digitisation import checks
from thuvien.digitisation.models import CheckKind, PlanItem, RescanMark, State
from thuvien.digitisation.services import item_checks_run, item_transition, plan_add

pytestmark = pytest.mark.django_db
TEXT = "Địa chí Cao Bằng\nCao Bằng là tỉnh miền núi biên giới\nở phía đông bắc Tổ quốc, có đường biên giới\n" \
       "dài với nước bạn. Người Tày, người Nùng, người Dao"


def _page(path: Path, *, dpi: int | None = 300, turn: float = 0.0, blank: bool = False, seed: int = 1) -> Path:
    render_page(f"{TEXT}\nTrang {seed}", path, width=1000, height=700, font_size=28, seed=seed, noise=False)
    img = Image.new("L", (1000, 700), 255) if blank else Image.open(path).convert("L")
    if turn:
        img = img.rotate(turn, fillcolor=255)
    img.save(path, **({"dpi": (dpi, dpi)} if dpi else {}))
    return path


def test_page_facts_of_generated_images(tmp_path):
    level = checks.page_facts(_page(tmp_path / "a.png"))
    assert (level.ppi, level.skew) == (300.0, 0.0) and level.ink > 0.005
    turned = checks.page_facts(_page(tmp_path / "b.png", turn=3, dpi=150))
    assert turned.ppi == 150.0 and turned.skew == 3.0
    other_way = checks.page_facts(_page(tmp_path / "c.png", turn=-2, dpi=None))
    assert other_way.ppi is None and other_way.skew == -2.0
    blank = checks.page_facts(_page(tmp_path / "d.png", blank=True))
    assert blank.skew is None and blank.ink < checks.BLANK_INK


def _scanned_item(proj, tmp_path):  # type: ignore[no-untyped-def]
    """A planned record whose scan has: 1 good, 2 at 150 ppi, 3 blank, 4 turned 3°, 5 also in another object."""
    folder = tmp_path / "scan"
    folder.mkdir()
    _page(folder / "Trang 1.png", seed=1)
    _page(folder / "Trang 2.png", dpi=150, seed=2)
    _page(folder / "Trang 3.png", blank=True)
    _page(folder / "Trang 4.png", turn=3, seed=4)
    _page(folder / "Trang 5.png", seed=5)
    elsewhere = tmp_path / "other"
    elsewhere.mkdir()
    (elsewhere / "Trang 1.png").write_bytes((folder / "Trang 5.png").read_bytes())
    object_ingest(actor=proj.sohoa, source=elsewhere, collection=proj.collection, title="Bản khác", process=False)
    obj = object_ingest(actor=proj.sohoa, source=folder, collection=proj.collection, record=proj.records[0],
                        process=False).obj
    item = plan_add(actor=proj.sohoa, project=proj.project, records=[proj.records[0]]).added[0]
    for step in (State.PREPARED, State.SCANNED, State.QC):
        item = item_transition(actor=proj.sohoa, item=item, to=step, obj=obj)
    return item, obj


def test_automatic_checks_list_each_fault(proj, tmp_path):
    item, obj = _scanned_item(proj, tmp_path)
    # a sixth page row repeating page 1's file (as a re-ordered or re-uploaded page would)
    first = obj.pages.get(order=1)
    Page.objects.create(obj=obj, order=6, label="6", source_name="Trang 1 (lại).png", sha256=first.sha256,
                        mime=first.mime)
    found = item_checks_run(item=item)
    got = sorted((c.page_order, c.kind, c.detail) for c in found)
    assert got == [
        (2, CheckKind.LOW_PPI, "150 ppi, tối thiểu 300 ppi"),
        (3, CheckKind.BLANK, "Trang không có chữ"),
        (4, CheckKind.SKEW, "Lệch khoảng +3°"),
        (5, CheckKind.DUPLICATE, "Trùng với một trang của “Bản khác”"),
        (6, CheckKind.DUPLICATE, "Trùng với trang 1"),
        (6, CheckKind.UNREADABLE, "Không tìm thấy tệp ảnh gốc"),
    ]
    # a second run replaces the findings, it does not add to them
    item_checks_run(item=item)
    assert item.checks.count() == 6
    assert PlanItem.objects.get(pk=item.pk).checks_at is not None


def test_entering_qc_runs_the_checks_in_the_background(proj, tmp_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        item, _obj = _scanned_item(proj, tmp_path)
    assert sorted(item.checks.values_list("kind", flat=True)) == ["blank", "duplicate", "low_ppi", "skew"]


def test_reviewer_page_marks_pages_and_sends_the_object_back(proj, tmp_path, client):
    item, obj = _scanned_item(proj, tmp_path)
    object_process(obj=obj, pdf=False)  # tiles (and OCR text) for the reviewer's page
    item_checks_run(item=item)
    client.force_login(proj.reviewer)
    html = client.get(f"/staff/digitisation/item/{item.pk}/qc/").content.decode()
    page2 = obj.pages.get(order=2)
    assert f"/iiif/3/{page2.uuid}/full/400,/0/default.jpg" in html  # the image through the IIIF service
    assert "Độ phân giải thấp" in html and "Lệch khoảng +3°" in html and "Cao Bằng là tỉnh" in html
    assert client.get(f"/iiif/3/{page2.uuid}/full/400,/0/default.jpg").status_code == 200  # staff see it
    # a bad reason is refused with the form, no 500
    resp = client.post(f"/staff/digitisation/item/{item.pk}/qc/", {"mark": "1", "page": page2.pk, "reason": "x"})
    assert resp.status_code == 200 and RescanMark.objects.count() == 0
    # passing is refused while a page is marked
    client.post(f"/staff/digitisation/item/{item.pk}/qc/", {"mark": "1", "page": page2.pk, "reason": "blurred",
                                                            "note": "chữ nhoè"})
    client.post(f"/staff/digitisation/item/{item.pk}/qc/", {"mark": "1", "page": obj.pages.get(order=4).pk,
                                                            "reason": "skewed"})
    resp = client.post(f"/staff/digitisation/item/{item.pk}/qc/", {"pass": "1"}, follow=True)
    assert "Còn trang được đánh dấu quét lại" in resp.content.decode()
    assert PlanItem.objects.get(pk=item.pk).state == State.QC
    client.post(f"/staff/digitisation/item/{item.pk}/qc/", {"send_back": "1"})
    item.refresh_from_db()
    assert item.state == State.REWORK
    assert item.transitions.last().reason == "trang 2: Mờ (chữ nhoè); trang 4: Lệch"  # type: ignore[union-attr]
    assert item.transitions.last().actor == proj.reviewer  # type: ignore[union-attr]
