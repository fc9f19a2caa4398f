"""Portal and staff pages of the online services: forms re-rendered with every error (never a 500), the
rate limit, the FAQ search, account tabs, the access-checked download, queues scoped to the subtree."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from thuvien.core.models import Role, User
from thuvien.online import services as svc
from thuvien.online.models import CopyState, Question, QuestionState
from thuvien.online.tests.fixtures import book, fee_table

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(net, staff_factory, patron_factory, item_factory, base_rule):  # type: ignore[no-untyped-def]
    cache.clear()
    manager = staff_factory("mgr_p", net.province, Role.LIBRARY_MANAGER)
    fee_table(manager, net.province)
    desk = staff_factory("desk_a", net.a, Role.CIRCULATION)
    desk_b = staff_factory("desk_b", net.b, Role.CIRCULATION)
    user = User.objects.create_user(username="r1", password="pw-r1-2026")
    reader = patron_factory("R1", net.a, email="r1@example.vn", user=user)
    record = book()
    item_factory("A0001", net.a, record=record)
    return net, manager, desk, desk_b, reader, record


def test_ask_shows_every_error_then_accepts_and_rate_limits(client, world) -> None:  # type: ignore[no-untyped-def]
    net = world[0]
    r = client.post("/ask/", {"library": net.a.pk, "category": "find", "text": "", "email": "sai"})
    assert r.status_code == 400
    assert set(r.context["form"].errors) == {"text", "consent", "email"}  # every error at once
    r = client.post("/ask/", {"library": net.a.pk, "category": "find", "text": "Có sách về then?", "email": "sai"})
    html = r.content.decode()
    assert r.status_code == 400
    assert "Địa chỉ thư điện tử không hợp lệ." in html
    assert "Cần sự đồng ý của bạn" in html
    for n in range(5):
        r = client.post("/ask/", {"library": net.a.pk, "category": "find", "text": f"Câu hỏi {n}",
                                  "phone": "0912 345 678", "consent": "on"})
        assert r.status_code == 302
    r = client.post("/ask/", {"library": net.a.pk, "category": "find", "text": "Câu thứ sáu", "phone": "0912345678",
                              "consent": "on"})
    assert r.status_code == 429 and "Hãy thử lại sau" in r.content.decode()
    assert Question.objects.count() == 5
    assert set(Question.objects.values_list("phone", flat=True)) == {"0912345678"}


def test_the_hourly_limit_is_counted_in_the_database_for_every_process(client, world) -> None:  # type: ignore[no-untyped-def]
    """Several web processes or app servers each have their own cache: the limit is read from the
    questions themselves, by a keyed hash of the address and of the session."""
    from django.core.cache import cache
    from django.test import Client

    net = world[0]
    form = {"library": net.a.pk, "category": "find", "phone": "0912345678", "consent": "on"}
    for n in range(5):
        cache.clear()  # another process, with nothing in its cache
        assert client.post("/ask/", {**form, "text": f"Câu {n}"}).status_code == 302
    cache.clear()
    assert client.post("/ask/", {**form, "text": "Câu thứ sáu"}).status_code == 429
    # a new session from the same address is still counted by the address
    assert Client().post("/ask/", {**form, "text": "Phiên mới"}).status_code == 429
    # another address with a new session is not
    assert Client(REMOTE_ADDR="10.1.2.3").post("/ask/", {**form, "text": "Máy khác"}).status_code == 302
    keys = set(Question.objects.values_list("sender_address_key", flat=True))
    assert len(keys) == 2 and all(len(k) == 32 and "127.0.0.1" not in k and "10.1.2.3" not in k for k in keys)
    assert Question.objects.count() == 6


def test_faq_shows_only_published_anonymised_text(client, world) -> None:  # type: ignore[no-untyped-def]
    net, _m, desk, *_ = world
    q = svc.question_ask(library=net.a, category="find", text="Giờ mở cửa thứ Bảy? thư cho an@example.vn",
                         email="an@example.vn", consent=True)
    q = svc.question_answer(actor=desk, question=q, answer="Thứ Bảy mở cửa 7 giờ 30.")
    hidden = svc.question_ask(library=net.a, category="find", text="Câu chưa đăng", phone="0912345678",
                              consent=True)
    svc.question_publish(actor=desk, question=q, public_question=q.text, public_answer=q.answer)
    html = client.get("/faq/", {"q": "thu bay"}).content.decode()
    assert "Giờ mở cửa thứ Bảy? thư cho …" in html and "an@example.vn" not in html
    assert hidden.text not in client.get("/faq/").content.decode()
    assert "Không có câu hỏi nào phù hợp." in client.get("/faq/", {"q": "bơi lội"}).content.decode()


def test_account_tabs_and_copy_download_is_access_checked(client, world, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    net, _m, desk, desk_b, reader, record = world
    client.login(username="r1", password="pw-r1-2026")
    r = client.post(f"/record/{record.pk}/copy/", {"library": net.a.pk, "pages": "", "delivery": "post"})
    assert r.status_code == 400
    assert set(r.context["form"].errors) == {"pages"}
    r = client.post(f"/record/{record.pk}/copy/", {"library": net.a.pk, "pages": "3-12", "delivery": "pdf_email",
                                                   "copy_format": "a4_bw", "zone": "in_province"})
    assert r.status_code == 302
    req = reader.copy_requests.get()
    assert (req.page_count, req.estimate, req.state) == (10, Decimal(10000), CopyState.RECEIVED)
    req = svc.copy_quote_send(actor=desk, request=req)
    html = client.get("/account/?tab=copies").content.decode()
    assert "Đã báo phí" in html and "10.000 đ" in html and "copy-accept" in html
    assert client.post("/account/online/", {"action": "copy_accept", "id": req.pk}).status_code == 302
    req.refresh_from_db()
    assert req.state == CopyState.ACCEPTED
    req = svc.copy_pay(actor=desk, request=req, way="cash")
    req = svc.copy_attach_scan(actor=desk, request=req, upload=SimpleUploadedFile("s.pdf", b"%PDF-1.4 ok"))
    url = f"/account/copies/{req.uuid}/pdf"
    assert client.get(url).status_code == 404  # not delivered yet
    svc.copy_deliver(actor=desk, request=req)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 ok"
    client.force_login(desk_b)
    assert client.get(url).status_code == 403  # staff of another library


def test_registration_shows_the_card_fee(client, world) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/account/register/").content.decode()
    assert 'id="card-fees"' in html and "30.000 đ" in html and "10.000 đ" in html


def test_staff_queue_is_scoped_and_actions_need_the_owning_library(client, world) -> None:  # type: ignore[no-untyped-def]
    net, _m, desk, desk_b, *_ = world
    qa = svc.question_ask(library=net.a, category="find", text="Câu hỏi ở A", email="a@example.vn", consent=True)
    svc.question_ask(library=net.b, category="find", text="Câu hỏi ở B", email="b@example.vn", consent=True)
    client.force_login(desk)
    html = client.get("/staff/online/queue/questions/").content.decode()
    assert "Câu hỏi ở A" in html and "Câu hỏi ở B" not in html
    client.force_login(desk_b)
    assert client.get(f"/staff/online/question/{qa.pk}/").status_code == 403
    assert client.post(f"/staff/online/question/{qa.pk}/", {"action": "answer", "answer": "x"}).status_code == 403
    client.force_login(desk)
    r = client.post(f"/staff/online/question/{qa.pk}/", {"action": "answer", "answer": "Có ạ."})
    assert r.status_code == 302
    assert Question.objects.get(pk=qa.pk).state == QuestionState.ANSWERED
    for path in ("/staff/online/", "/staff/online/fees/", "/staff/online/queue/copies/", "/staff/online/queue/postal/",
                 "/staff/online/queue/suggestions/", f"/staff/online/question/{qa.pk}/"):
        assert client.get(path).status_code == 200, path


def test_fees_page_refuses_a_fee_on_a_free_service(client, world) -> None:  # type: ignore[no-untyped-def]
    net, manager, desk, *_ = world
    client.force_login(manager)
    r = client.post("/staff/online/fees/", {"unit": net.province.code, "action": "add", "service": "lending",
                                            "amount": "5.000"}, follow=True)
    assert "Điều 42 Luật Thư viện, không được thu phí" in r.content.decode()
    client.force_login(desk)  # a desk librarian sees the table but cannot edit it
    r = client.post("/staff/online/fees/", {"unit": net.a.code, "action": "add", "service": "card", "amount": "1"})
    assert r.status_code == 403


def test_a_public_digital_copy_replaces_the_copy_request(client, world) -> None:  # type: ignore[no-untyped-def]
    from thuvien.digital.models import AccessLevel, Collection, DigitalObject, ObjectStatus

    net, _m, _desk, _b, _reader, record = world
    collection = Collection.objects.create(code="dc", name="Địa chí", unit=net.a)
    obj = DigitalObject.objects.create(record=record, collection=collection, unit=net.a, title=record.title,
                                       access=AccessLevel.PUBLIC, status=ObjectStatus.READY)
    client.login(username="r1", password="pw-r1-2026")
    html = client.get(f"/record/{record.pk}/copy/").content.decode()
    assert 'id="digital-instead"' in html and f"/digital/{obj.uuid}/" in html and 'id="copy-form"' not in html
    client.post(f"/record/{record.pk}/copy/", {"library": net.a.pk, "pages": "1-5", "delivery": "pdf_email"})
    from thuvien.online.models import CopyRequest

    assert not CopyRequest.objects.filter(record=record).exists()


def test_statistics_count_each_service(world) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from django.utils import timezone

    from thuvien.online import selectors

    net, _m, desk, _b, reader, record = world
    svc.question_ask(library=net.a, category="find", text="?", email="x@example.vn", consent=True)
    svc.copy_request_create(actor=desk, patron=reader, record=record, library=net.a, pages="1-2",
                            delivery="pickup")
    svc.postal_request(actor=desk, patron=reader, record=record, library=net.a, address="Xã Dân Chủ")
    svc.suggestion_create(actor=desk, patron=reader, library=net.a, title="Sách mới")
    now = timezone.now()
    counts = selectors.service_counts(unit=net.province, start=now - dt.timedelta(hours=1),
                                      end=now + dt.timedelta(hours=1))
    assert counts == {"question": 1, "question_answered": 0, "copy_request": 1, "postal_request": 1, "suggestion": 1}
    assert selectors.service_counts(unit=net.b, start=now - dt.timedelta(hours=1),
                                    end=now + dt.timedelta(hours=1))["question"] == 0
