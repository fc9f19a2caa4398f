"""Demo online services: a fees table for the province (with exemptions), answered questions (one in the
FAQ) and open ones, copy requests in several states, a postal loan in transit and one returned, and
purchase suggestions accepted and declined. Deterministic; skipped when already loaded."""

from __future__ import annotations

from decimal import Decimal
from typing import TextIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from thuvien.catalog.models import BibRecord, Item, ItemStatus
from thuvien.core.demo import system_user
from thuvien.core.models import OrgUnit
from thuvien.online import services as svc
from thuvien.online.models import CopyFormat, DeliveryFormat, Fee, FeeService, PostalZone
from thuvien.patrons.models import Patron, PatronCategory

TINY_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def _fees(actor, province: OrgUnit) -> None:  # type: ignore[no-untyped-def]
    cats = {c.code: c for c in PatronCategory.objects.all()}
    add = svc.fee_set
    add(actor=actor, unit=province, service=FeeService.CARD, amount=Decimal(30000))
    for code, amount in (("child", 10000), ("pupil", 15000), ("student", 20000)):
        if code in cats:
            add(actor=actor, unit=province, service=FeeService.CARD, amount=Decimal(amount), category=cats[code])
    add(actor=actor, unit=province, service=FeeService.COPY_PAGE, amount=Decimal(500), copy_format=CopyFormat.A4_BW)
    add(actor=actor, unit=province, service=FeeService.COPY_PAGE, amount=Decimal(2000),
        copy_format=CopyFormat.A4_COLOR)
    add(actor=actor, unit=province, service=FeeService.SCAN_PAGE, amount=Decimal(1000), copy_format=CopyFormat.PDF)
    for zone, bands in ((PostalZone.IN_PROVINCE, ((500, 16000), (1000, 20000), (2000, 26000))),
                        (PostalZone.OUT_PROVINCE, ((500, 22000), (1000, 30000), (2000, 38000)))):
        for weight, amount in bands:
            add(actor=actor, unit=province, service=FeeService.POSTAGE, amount=Decimal(amount), zone=zone,
                weight_max_g=weight)
    for code, note in (("disabled", "Người khuyết tật (Luật Người khuyết tật, Điều 43)"),
                       ("elderly", "Người cao tuổi"), ("child", "Trẻ em")):
        if code in cats:
            svc.exemption_set(actor=actor, unit=province, service=FeeService.CARD, category=cats[code], note=note)
    if "disabled" in cats:
        svc.exemption_set(actor=actor, unit=province, service=FeeService.POSTAGE, category=cats["disabled"],
                          note="Người khuyết tật")


@transaction.atomic
def load(*, network: OrgUnit, stdout: TextIO) -> None:
    """Load the demo (one transaction: all of it or nothing)."""
    units = {u.code: u for u in OrgUnit.objects.filter(path__startswith=network.path)}
    province = units.get("CB-TVT")
    if province is None or Fee.objects.filter(unit=province).exists():
        return
    actor = system_user()
    _fees(actor, province)
    readers = {p.card_number: p for p in Patron.objects.filter(card_number__in=["CB000001", "CB000007",
                                                                                 "CB000008"])}
    hoa_an = units.get("CB-HA", province)
    # questions: two answered (one published), one forwarded, two open
    q = svc.question_ask(library=province, category="find", consent=True, name="Nông Thị Hương",
                         email="bandoc01@example.vn", patron=readers.get("CB000001"),
                         text="Thư viện có tài liệu về lễ hội Lồng tồng của người Tày không? Tôi cần cho bài thuyết "
                              "trình ở trường, số điện thoại 0912 000 001.")
    q = svc.question_answer(actor=actor, question=q, answer="Có. Kho địa chí của Thư viện tỉnh có 6 tài liệu về lễ hội "
                        "Lồng tồng; bạn tra “Lồng tồng” trên trang tra cứu hoặc đến phòng đọc địa chí tầng 2.")
    svc.question_publish(actor=actor, question=q, public_question="Thư viện có tài liệu về lễ hội Lồng tồng của "
                         "người Tày không?", public_answer=q.answer)
    q2 = svc.question_ask(library=province, category="service", consent=True, phone="0912000099",
                          text="Làm thẻ cho con tôi 8 tuổi cần giấy tờ gì?")
    svc.question_answer(actor=actor, question=q2, answer="Cần giấy khai sinh hoặc thẻ học sinh, phụ huynh ký đồng "
                        "ý. Thẻ thiếu nhi được miễn phí.")
    q3 = svc.question_ask(library=province, category="research", consent=True, email="nghiencuu@example.vn",
                          text="Tôi tìm báo Cao Bằng những năm 1960 về hợp tác xã nông nghiệp.")
    svc.question_forward(actor=actor, question=q3, library=hoa_an, note="Thư viện huyện giữ bản lưu")
    svc.question_ask(library=province, category="find", consent=True, email="bandoc08@example.vn",
                     patron=readers.get("CB000008"), text="Có sách hướng dẫn trồng cây hồi, cây quế không?")
    # copy requests and postal loans on records that have copies at the province
    records = list(BibRecord.objects.filter(items__library=province, items__status=ItemStatus.AVAILABLE,
                                            is_deleted=False, digital_objects__isnull=True)
                   .distinct().order_by("pk")[:4])
    reader = readers.get("CB000001")
    if reader is not None and reader.user is not None and len(records) >= 3:
        user = reader.user
        mk = svc.copy_request_create
        r1 = mk(actor=user, patron=reader, record=records[0], library=province, pages="1-12",
                delivery=DeliveryFormat.PDF_EMAIL)
        r2 = mk(actor=user, patron=reader, record=records[1], library=province, pages="chương 2", page_count=18,
                delivery=DeliveryFormat.POST, address="Số 12 phố Vườn Cam, phường Hợp Giang, Cao Bằng")
        svc.copy_quote_send(actor=actor, request=r2)
        r3 = mk(actor=user, patron=reader, record=records[2], library=province, pages="5-9",
                delivery=DeliveryFormat.PDF_EMAIL)
        for step in (svc.copy_quote_send, svc.copy_accept):
            r3 = step(actor=actor if step is svc.copy_quote_send else user, request=r3)
        r3 = svc.copy_pay(actor=actor, request=r3, way="transfer", reference="FT26336001")
        r3 = svc.copy_attach_scan(actor=actor, request=r3, upload=SimpleUploadedFile("scan.pdf", TINY_PDF))
        svc.copy_deliver(actor=actor, request=r3)
        del r1
        # postal: one returned, one in transit
        for n, (record, returned) in enumerate(((records[0], True), (records[1], False))):
            item = Item.objects.filter(record=record, library=province, status=ItemStatus.AVAILABLE).order_by(
                "barcode").first()
            if item is None:
                continue
            point = units.get("CB-BD-LX") if n == 0 else None
            p = svc.postal_request(actor=user, patron=reader, record=record, library=province, culture_point=point,
                                   address="" if point else "Số 12 phố Vườn Cam, phường Hợp Giang, Cao Bằng")
            p = svc.postal_pack(actor=actor, postal=p, item=item, weight_g=450)
            p = svc.postal_ship(actor=actor, postal=p, tracking_number=f"EB00000{n}1VN")
            if returned:
                p = svc.postal_return_sent(actor=user, postal=p, tracking_number=f"EB00000{n}2VN")
                svc.postal_receive(actor=actor, postal=p)
        if len(records) > 3:
            svc.postal_request(actor=user, patron=reader, record=records[3], library=province,
                               culture_point=units.get("CB-BD-CT"))
    # suggestions
    if reader is not None and reader.user is not None:
        s1 = svc.suggestion_create(actor=reader.user, patron=reader, library=province, title="Then Tày — văn bản và "
                                   "diễn xướng", author="Nguyễn Thị Yên", publisher="Khoa học xã hội", year=2020,
                                   reason="Phục vụ câu lạc bộ hát then của phường")
        svc.suggestion_decide(actor=actor, suggestion=s1, accept=True)
        s2 = svc.suggestion_create(actor=reader.user, patron=reader, library=province, title="Truyện Kiều",
                                   author="Nguyễn Du", reason="Cho con học")
        svc.suggestion_decide(actor=actor, suggestion=s2, accept=False, reason="Thư viện đã có 12 bản; bạn có thể "
                              "đặt mượn trên trang tra cứu.")
        svc.suggestion_create(actor=reader.user, patron=reader, library=province, title="Kỹ thuật nuôi ong mật",
                              year=2023)
    stdout.write("Dịch vụ trực tuyến demo: biểu phí, câu hỏi, yêu cầu sao chụp, mượn qua bưu điện, đề nghị bổ sung.\n")
