import datetime as dt
import json
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from thuvien.circulation.models import Hold
from thuvien.circulation.services import loan_checkout
from thuvien.core.tests.fixtures import CountingHasher
from thuvien.patrons.models import Patron, PatronCategory
from thuvien.patrons.services import patron_set_password


@pytest.fixture
def reader(net, patron_factory):
    p = patron_factory("P100", net.a, full_name="Hà Thị Thu", email="thu@example.vn")
    patron_set_password(actor=None, patron=p, password="doc-sach-2026")
    return p


def _login(username):
    client = Client()
    r = client.post("/account/login/", {"username": username, "password": "doc-sach-2026"})
    assert r.status_code == 302, r.content
    return client


def test_login_by_card_or_email_and_account_page(reader, net, desk_a, base_rule, item_factory):
    loan_checkout(actor=desk_a, item=item_factory("W1", net.a), patron=reader, desk=net.a)
    client = _login("p100")
    page = client.get("/account/").content.decode()
    assert "Hà Thị Thu" in page and "Dế Mèn phiêu lưu ký" in page
    assert "Thư viện không lưu lịch sử đọc" in client.get("/account/?tab=history").content.decode()
    assert _login("THU@example.vn").get("/account/").status_code == 200
    assert Client().get("/account/").url.startswith("/account/login/")


def test_renew_hold_consent_and_export_from_portal(reader, net, desk_a, base_rule, item_factory, record_factory):
    ten_days_ago = timezone.now() - dt.timedelta(days=10)  # a renewal today moves the due date on
    loan = loan_checkout(actor=desk_a, item=item_factory("W2", net.a), patron=reader, desk=net.a, now=ten_days_ago)
    client = _login("P100")
    client.post("/account/", {"action": "renew", "loan": loan.pk})
    loan.refresh_from_db()
    assert loan.renewals_count == 1
    record = record_factory("Nhật ký trong tù")
    item_factory("W3", net.b, record=record)
    client.post(f"/account/hold/{record.pk}/", {"pickup": net.a.pk})
    hold = Hold.objects.get(patron=reader)
    assert hold.pickup_library == net.a and hold.target_item.barcode == "W3"
    client.post("/account/", {"action": "cancel_hold", "hold": hold.pk})
    hold.refresh_from_db()
    assert hold.state == "cancelled"
    client.post("/account/", {"action": "consent", "purpose": "reading_history", "give": "1"})
    reader.refresh_from_db()
    assert reader.keep_history
    data = json.loads(client.post("/account/export/").content)
    assert data["card_number"] == "P100" and [c["purpose"] for c in data["consents"]] == ["service", "reading_history"]
    client.post("/account/", {"action": "delete", "details": "Tôi chuyển đi nơi khác"})
    assert reader.data_requests.filter(kind="delete").count() == 1


def test_self_registration_and_password_reset(net, desk_a):
    adult = PatronCategory.objects.get(code="adult")
    form = {"full_name": "Lâm Văn Tài", "birth_date": "1995-03-04", "category": adult.pk, "home_library": net.a.pk,
            "email": "tai@example.vn", "password": "mat-khau-moi-1"}
    r = Client().post("/account/register/", form)
    assert "Cần có sự đồng ý" in r.content.decode() and Patron.objects.count() == 0
    client = Client()
    r = client.post("/account/register/", {**form, "consents": ["service"]})
    p = Patron.objects.get()
    assert r.url == "/account/" and p.status == "pending"
    assert "Đang chờ thư viện duyệt" in client.get("/account/").content.decode()
    Client().post("/account/password/reset/", {"email": "tai@example.vn"})
    assert len(mail.outbox) == 1
    link = re.search(r"(/account/password/reset/[^/\s]+/[^/\s]+/)", mail.outbox[0].body).group(1)
    anon = Client()
    r = anon.get(link, follow=True)
    assert r.status_code == 200
    r = anon.post(r.redirect_chain[-1][0], {"new_password1": "Sach-hay-2027!", "new_password2": "Sach-hay-2027!"})
    assert r.status_code == 302
    assert anon.post("/account/login/", {"username": p.card_number, "password": "Sach-hay-2027!"}).status_code == 302



def test_every_login_attempt_costs_exactly_one_password_hash(reader, desk_a, settings):
    """One backend for both doors: a staff username, a reader's card or e-mail, right or wrong, or nobody
    at all: one hash each (Django's ModelBackend beside a reader backend used to hash twice)."""
    settings.PASSWORD_HASHERS = ["thuvien.core.tests.fixtures.CountingHasher"]
    patron_set_password(actor=None, patron=reader, password="doc-sach-2026")  # stored by this hasher
    desk_a.set_password("pw-desk")
    desk_a.save(update_fields=["password"])
    attempts = [("/account/login/", "P100", "doc-sach-2026", 302), ("/account/login/", "thu@example.vn", "sai", 200),
                ("/account/login/", "nobody", "sai", 200), ("/staff/login/", desk_a.username, "pw-desk", 302),
                ("/staff/login/", desk_a.username, "sai", 200), ("/staff/login/", "khong-co-ai", "sai", 200)]
    for path, username, password, status in attempts:
        CountingHasher.checks = 0
        r = Client().post(path, {"username": username, "password": password})
        assert (r.status_code, CountingHasher.checks) == (status, 1), username
