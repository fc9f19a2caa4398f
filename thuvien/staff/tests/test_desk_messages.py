"""The desk speaks clearly: large messages naming the title and the reader, and a warning (with "lend anyway")
when the copy belongs to another library or the reader already has a copy of the same title."""

import re

import pytest
from django.test import Client

from thuvien.circulation.models import Loan

RID = "6f1c1d5e-8a42-4c1b-9a57-1d2f4e6b7c22"


@pytest.fixture
def desk(desk_a):
    client = Client()
    client.force_login(desk_a)
    return client


def _msg(page: str) -> str:
    m = re.search(r'<div class="desk-msg ?([a-z]*)"[^>]*id="desk-msg">(.*?)</div>', page, re.S)
    assert m, "no desk message"
    return m.group(1) + ": " + " ".join(re.sub(r"<[^>]+>", " ", m.group(2)).split())


def test_checkout_and_checkin_messages_name_title_and_reader(desk, net, base_rule, patron_factory, item_factory,
                                                             record_factory):
    patron_factory("M1", net.a, full_name="Vi Thị Mai")
    item_factory("K1", net.a, record=record_factory("Số đỏ"))
    r = desk.post("/staff/circ/patrons/M1/", {"action": "checkout", "barcode": "K1"}, follow=True)
    assert re.fullmatch(r"ok: Đã cho Vi Thị Mai mượn “Số đỏ” \(K1\)\. Hạn trả \d\d/\d\d/\d{4}\.",
                        _msg(r.content.decode()))
    assert "desk-msg" not in desk.get("/staff/circ/patrons/M1/").content.decode()  # shown once
    r = desk.post("/staff/circ/checkin/", {"barcode": "K1"}, follow=True)
    assert _msg(r.content.decode()) == ": Đã nhận trả “Số đỏ” (K1) của Vi Thị Mai. Xếp lên giá."


def test_refusal_names_title_and_reader(desk, net, base_rule, patron_factory, item_factory, record_factory):
    import datetime as dt
    patron_factory("M3", net.a, full_name="Lục Văn Sơn", expires_on=dt.date(2020, 1, 1))
    item_factory("K3", net.a, record=record_factory("Vợ nhặt"))
    r = desk.post("/staff/circ/patrons/M3/", {"action": "checkout", "barcode": "K3"}, follow=True)
    assert _msg(r.content.decode()) == "bad: Không cho mượn “Vợ nhặt” cho Lục Văn Sơn: Thẻ đã hết hạn ngày 01/01/2020."


def test_warns_for_another_librarys_copy_and_a_title_already_on_loan(desk, net, base_rule, patron_factory,
                                                                       item_factory, record_factory):
    reader = patron_factory("M2", net.a, full_name="Hoàng Văn Phúc")
    record = record_factory("Truyện Kiều")
    item_factory("K21", net.a, record=record)
    item_factory("K22", net.b, record=record)
    desk.post("/staff/circ/patrons/M2/", {"action": "checkout", "barcode": "K21"})
    r = desk.post("/staff/circ/patrons/M2/", {"action": "checkout", "barcode": "K22", "request_id": RID},
                  follow=True)
    page = r.content.decode()
    assert _msg(page) == ("warn: Kiểm tra trước khi cho mượn “Truyện Kiều” (K22) cho Hoàng Văn Phúc: "
                          "Bản này thuộc Thư viện huyện B, không phải Thư viện huyện A. "
                          "Bạn đọc đang mượn một bản khác của nhan đề này (K21). Vẫn cho mượn Không cho mượn")
    assert Loan.objects.filter(patron=reader, returned_at__isnull=True).count() == 1
    assert f'name="request_id" value="{RID}"' in page
    r = desk.post("/staff/circ/patrons/M2/", {"action": "checkout", "barcode": "K22", "request_id": RID,
                                              "confirm": "1"}, follow=True)
    assert _msg(r.content.decode()).startswith("ok: Đã cho Hoàng Văn Phúc mượn “Truyện Kiều” (K22).")
    assert Loan.objects.filter(patron=reader, returned_at__isnull=True).count() == 2
