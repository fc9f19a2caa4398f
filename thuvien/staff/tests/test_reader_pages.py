"""Staff pages for readers' personal data (issue 12, item 5): edit a reader within the home library's
subtree (every opening of the full record logged), consent given at the desk with the exact wording and
its version stored, and the queue of online registrations to approve or reject."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from thuvien.core.models import AuditEntry, Role, User
from thuvien.core.tests.fixtures import make_staff
from thuvien.patrons.conf import CONSENT_VERSION, CONSENT_WORDING
from thuvien.patrons.models import Consent, Patron, PatronStatus
from thuvien.patrons.personal import id_number_parts
from thuvien.patrons.tests.fixtures import make_patron


def _edit_data(reader: Patron, **changes: str) -> dict[str, str]:
    data = {"full_name": reader.full_name, "birth_date": "", "gender": "", "ethnicity": "",
            "category": str(reader.category_id), "home_library": str(reader.home_library_id), "id_number": "",
            "address": reader.address, "phone": reader.phone, "email": reader.email,
            "expires_on": reader.expires_on.isoformat(), "guardian_name": "", "guardian_phone": "", "notes": ""}
    data.update(changes)
    return data


def test_edit_reader_in_home_subtree_logged_and_refused_elsewhere(client, net, desk_a):
    reader = make_patron("A100", net.c, full_name="Lê Văn Cũ", phone="0911000111")  # a commune under A
    reader.user = User.objects.create_user(username="reader-a100", email="cu@example.vn")
    reader.save(update_fields=["user"])
    client.force_login(desk_a)
    page = client.get("/staff/circ/patrons/A100/edit/")
    assert page.status_code == 200 and 'value="Lê Văn Cũ"' in page.content.decode()
    assert AuditEntry.objects.filter(action="patron.view", object_repr="A100", unit=net.c, actor=desk_a).count() == 1
    r = client.post("/staff/circ/patrons/A100/edit/",
                    _edit_data(reader, full_name="Lê Văn Mới", birth_date="1990-02-03", email="moi@example.vn",
                               id_number="001090001234", address="12 <b>Đường</b> Hai"))
    assert r.status_code == 302 and r["Location"] == "/staff/circ/patrons/A100/"
    reader.refresh_from_db()
    assert (reader.full_name, reader.birth_date, reader.email, reader.id_last4) == \
        ("Lê Văn Mới", dt.date(1990, 2, 3), "moi@example.vn", "1234")
    assert reader.id_hash == id_number_parts("001090001234")[0]
    assert reader.user.email == "moi@example.vn"  # type: ignore[union-attr]  # password resets follow
    entry = AuditEntry.objects.get(action="patron.update")
    assert entry.unit == net.c and entry.changes["full_name"] == ["Lê Văn Cũ", "Lê Văn Mới"]
    assert entry.changes["id_number"] == ["***", "***"] and "001090001234" not in str(entry.changes)
    # bad input: the form comes back with every error, nothing saved
    bad = client.post("/staff/circ/patrons/A100/edit/",
                      _edit_data(reader, full_name="", birth_date="31/02/1990", email="not-an-email",
                                 expires_on="NaN"))
    assert bad.status_code == 200
    form = bad.context["form"]
    assert set(form.errors) == {"full_name", "birth_date", "email", "expires_on"}
    reader.refresh_from_db()
    assert reader.full_name == "Lê Văn Mới" and AuditEntry.objects.filter(action="patron.update").count() == 1
    # another library's desk: refused, no change, nothing logged as viewed by it
    desk_b = make_staff("desk_b", net.b, Role.CIRCULATION)
    client.force_login(desk_b)
    assert client.get("/staff/circ/patrons/A100/edit/").status_code == 403
    assert client.post("/staff/circ/patrons/A100/edit/", _edit_data(reader, full_name="X")).status_code == 403
    reader.refresh_from_db()
    assert reader.full_name == "Lê Văn Mới" and not AuditEntry.objects.filter(actor=desk_b).exists()
    # the reader's page links to the edit page for the home library only
    client.force_login(desk_a)
    assert 'id="edit-reader"' in client.get("/staff/circ/patrons/A100/").content.decode()
    client.force_login(desk_b)
    assert 'id="edit-reader"' not in client.get("/staff/circ/patrons/A100/").content.decode()


def test_edit_cannot_move_a_reader_outside_the_staff_subtree(client, net, desk_a):
    reader = make_patron("A101", net.a)
    client.force_login(desk_a)
    r = client.post("/staff/circ/patrons/A101/edit/", _edit_data(reader, home_library=str(net.b.pk)))
    assert r.status_code == 200 and "home_library" in r.context["form"].errors
    r = client.post("/staff/circ/patrons/A101/edit/", _edit_data(reader, home_library=str(net.c.pk)))
    assert r.status_code == 302
    reader.refresh_from_db()
    assert reader.home_library == net.c


def test_consent_at_the_desk_stores_the_wording_shown_and_its_version(client, net, desk_a):
    reader = make_patron("A200", net.a)
    client.force_login(desk_a)
    page = client.get("/staff/circ/patrons/A200/consent/").content.decode()
    wording = str(CONSENT_WORDING["reading_history"])
    assert wording in page and CONSENT_VERSION in page
    # without confirming the wording was read out: refused
    r = client.post("/staff/circ/patrons/A200/consent/",
                    {"purpose": "reading_history", "given_by": "self", "wording_version": CONSENT_VERSION})
    assert r.status_code == 200 and "read_out" in r.context["form"].errors
    assert not reader.consents.filter(purpose="reading_history").exists()
    # a page shown before the wording changed: refused with a message
    r = client.post("/staff/circ/patrons/A200/consent/", {"purpose": "reading_history", "given_by": "self",
                                                                 "wording_version": "2020-01", "read_out": "on"})
    assert r.status_code == 200 and "Nội dung đồng ý đã thay đổi" in r.content.decode()
    r = client.post("/staff/circ/patrons/A200/consent/", {"purpose": "reading_history", "given_by": "self",
                                                                 "wording_version": CONSENT_VERSION, "read_out": "on"})
    assert r.status_code == 302
    consent = reader.consents.get(purpose="reading_history", withdrawn_at__isnull=True)
    assert (consent.wording, consent.wording_version, consent.channel) == (wording, CONSENT_VERSION, "desk")
    reader.refresh_from_db()
    assert reader.keep_history is True
    assert AuditEntry.objects.get(action="consent.grant").changes == {"reading_history": [None, CONSENT_VERSION]}
    # withdraw at the desk
    client.post("/staff/circ/patrons/A200/consent/", {"withdraw": "reading_history"})
    consent.refresh_from_db()
    reader.refresh_from_db()
    assert consent.withdrawn_at is not None and reader.keep_history is False
    # a child needs a guardian
    child = make_patron("A201", net.a, birth_date=timezone.localdate() - dt.timedelta(days=365 * 10), consents=())
    r = client.post("/staff/circ/patrons/A201/consent/", {"purpose": "service", "given_by": "self",
                                                                 "wording_version": CONSENT_VERSION, "read_out": "on"})
    assert r.status_code == 200 and not Consent.objects.filter(patron=child).exists()
    # another library's desk cannot record consents
    client.force_login(make_staff("desk_b", net.b, Role.CIRCULATION))
    assert client.get("/staff/circ/patrons/A200/consent/").status_code == 403


def test_pending_registrations_queue_approve_and_reject(client, net, desk_a):
    older = make_patron("W1", net.a, full_name="Người Chờ Một", status=PatronStatus.PENDING, email="w1@example.vn")
    newer = make_patron("W2", net.c, full_name="Người Chờ Hai", status=PatronStatus.PENDING, phone="0909")
    Patron.objects.filter(pk=older.pk).update(created_at=older.created_at - dt.timedelta(days=3))
    make_patron("W3", net.b, full_name="Chờ Ở B", status=PatronStatus.PENDING)
    make_patron("W4", net.a, full_name="Đã Có Thẻ")
    client.force_login(desk_a)
    page = client.get("/staff/circ/registrations/")
    assert [p.card_number for p in page.context["page"]] == ["W1", "W2"]  # oldest first, own subtree only
    html = page.content.decode()
    assert "Chờ Ở B" not in html and "chờ 3 ngày" in html
    assert client.post("/staff/circ/registrations/", {"card": "W1", "action": "approve"}).status_code == 302
    older.refresh_from_db()
    assert older.status == PatronStatus.ACTIVE and AuditEntry.objects.filter(action="patron.approve").count() == 1
    # rejecting needs a reason; then the applicant's data is erased
    client.post("/staff/circ/registrations/", {"card": "W2", "action": "reject", "reason": " "})
    newer.refresh_from_db()
    assert newer.status == PatronStatus.PENDING
    client.post("/staff/circ/registrations/", {"card": "W2", "action": "reject", "reason": "Địa chỉ ngoài tỉnh"})
    newer.refresh_from_db()
    assert newer.status == PatronStatus.ERASED and newer.phone == "" and newer.full_name != "Người Chờ Hai"
    reject = AuditEntry.objects.get(action="patron.reject")
    assert reject.unit == net.c and reject.changes["reason"] == [None, "Địa chỉ ngoài tỉnh"]
    # another library's pending reader cannot be approved from here
    client.post("/staff/circ/registrations/", {"card": "W3", "action": "approve"})
    assert Patron.objects.get(card_number="W3").status == PatronStatus.PENDING
    assert client.post("/staff/circ/registrations/", {"card": "nope", "action": "approve"}).status_code == 302
    assert client.post("/staff/circ/registrations/", {"card": "nope\x00", "action": "approve"}).status_code == 400
    assert [p.card_number for p in client.get("/staff/circ/registrations/").context["page"]] == []
    # staff without reader rights
    client.force_login(make_staff("cat", net.a, Role.CATALOGUER))
    assert client.get("/staff/circ/registrations/").status_code == 403


def _image(fmt: str, size: tuple[int, int]) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 120, 40))
    if fmt == "JPEG":  # a camera's metadata, GPS position included, must not survive
        exif = Image.Exif()
        exif[0x010F] = "Máy ảnh"
        exif[0x8825] = {1: "N", 2: (21.0, 0.0, 0.0)}
        image.save(out, fmt, exif=exif)
    else:
        image.save(out, fmt)
    return out.getvalue()


def test_reader_portrait_upload_replace_remove_and_refusals(client, net, desk_a, settings, tmp_path,
                                                            django_capture_on_commit_callbacks):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = str(tmp_path)
    reader = make_patron("A200", net.c, full_name="Nông Thị Ảnh")
    client.force_login(desk_a)
    url = "/staff/circ/patrons/A200/photo/"
    r = client.post(url, {"photo": SimpleUploadedFile("chan-dung.jpg", _image("JPEG", (1200, 1600)))})
    assert r.status_code == 302 and r["Location"] == "/staff/circ/patrons/A200/edit/"
    reader.refresh_from_db()
    first = reader.photo.name
    with Image.open(reader.photo.path) as stored:
        assert (stored.format, stored.size) == ("JPEG", (450, 600))  # scaled to 600 px on the longer side
        assert not stored.getexif()  # no camera data, no GPS position
    entry = AuditEntry.objects.get(action="patron.photo_set", object_repr="A200")
    assert entry.unit == net.c and entry.changes == {"photo": [False, True]}
    # refused files leave the stored portrait alone, with the reason shown
    for name, data, reason in [("x.gif", b"GIF89a" + b"\0" * 64, "không phải ảnh PNG hoặc JPEG"),
                               ("tiny.png", _image("PNG", (40, 40)), "từ 80 đến 8000 điểm ảnh"),
                               ("not.png", b"%PDF-1.4 not an image", "không phải ảnh PNG hoặc JPEG")]:
        page = client.post(url, {"photo": SimpleUploadedFile(name, data)}, follow=True).content.decode()
        assert reason in page, name
    reader.refresh_from_db()
    assert reader.photo.name == first
    # replacing removes the old file once committed; removing clears it
    with io.BytesIO(_image("PNG", (300, 300))) as png, django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"photo": SimpleUploadedFile("moi.png", png.getvalue())})
    reader.refresh_from_db()
    assert reader.photo.name != first and not (tmp_path / first).exists()
    second = reader.photo.name
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"remove": "1"})
    reader.refresh_from_db()
    assert not (tmp_path / second).exists()
    assert not reader.photo and AuditEntry.objects.filter(action="patron.photo_remove", object_repr="A200").exists()
    # a desk of another library may not touch this reader's portrait
    other = make_staff("desk_b_photo", net.b, Role.CIRCULATION)
    client.force_login(other)
    client.post(url, {"photo": SimpleUploadedFile("x.jpg", _image("JPEG", (200, 200)))})
    reader.refresh_from_db()
    assert not reader.photo
