"""Services of the online services: fees, each transition table, refusals that change nothing,
permissions at the owning library, the loan that starts at hand-over and ends with a real check-in."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from thuvien.catalog.models import ItemStatus
from thuvien.circulation.models import Loan, LoanState
from thuvien.core.models import ActivityEvent, AuditEntry, Role
from thuvien.core.services import unit_setting_set
from thuvien.online import fees, selectors
from thuvien.online import services as svc
from thuvien.online.models import (
    CopyRequest,
    CopyState,
    DeliveryFormat,
    Fee,
    FeeService,
    PostalState,
    Question,
    QuestionState,
    SuggestionState,
)
from thuvien.online.states import COPY_TRANSITIONS, POSTAL_TRANSITIONS, QUESTION_TRANSITIONS, TransitionError
from thuvien.online.tests.fixtures import book, fee_table
from thuvien.patrons.models import PatronCategory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(net, staff_factory, patron_factory, item_factory, base_rule):  # type: ignore[no-untyped-def]
    manager = staff_factory("mgr_p", net.province, Role.LIBRARY_MANAGER)
    fee_table(manager, net.province)
    desk = staff_factory("desk_a", net.a, Role.CIRCULATION)
    desk_b = staff_factory("desk_b", net.b, Role.CIRCULATION)
    reader = patron_factory("R1", net.a, email="r1@example.vn")
    record = book()
    item = item_factory("A0001", net.a, record=record)
    return net, manager, desk, desk_b, reader, record, item


def test_fees_inherit_down_the_tree_and_free_services_are_refused(setup) -> None:  # type: ignore[no-untyped-def]
    net, manager, *_ = setup
    adult, child = PatronCategory.objects.get(code="adult"), PatronCategory.objects.get(code="child")
    assert fees.card_fee(unit=net.c, category=adult) == Decimal(30000)  # from the province
    assert fees.card_fee(unit=net.c, category=child) == Decimal(10000)
    svc.fee_set(actor=manager, unit=net.a, service=FeeService.CARD, amount=Decimal(20000))
    assert fees.card_fee(unit=net.c, category=adult) == Decimal(20000)  # A's own table now
    assert fees.card_fee(unit=net.c, category=child) == Decimal(20000)  # A's table replaces P's whole service
    assert fees.card_fee(unit=net.b, category=adult) == Decimal(30000)
    count = Fee.objects.count()
    for service in ("onsite_reading", "lending", "catalogue_search", "guidance"):
        with pytest.raises(ValidationError, match="Điều 42"):
            svc.fee_set(actor=manager, unit=net.a, service=service, amount=Decimal(1000))
    assert Fee.objects.count() == count
    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses it too
        Fee.objects.create(unit=net.a, service="lending", amount=Decimal(1))


def test_only_a_manager_of_the_unit_edits_its_fees(setup) -> None:  # type: ignore[no-untyped-def]
    net, _m, desk, *_ = setup
    with pytest.raises(PermissionDenied):
        svc.fee_set(actor=desk, unit=net.a, service=FeeService.CARD, amount=Decimal(1))


def test_postage_bands_and_copy_quote(setup) -> None:  # type: ignore[no-untyped-def]
    net, *_ = setup
    assert fees.postage_for(unit=net.a, zone="in_province", weight_g=400) == Decimal(16000)
    assert fees.postage_for(unit=net.a, zone="in_province", weight_g=501) == Decimal(24000)
    q = fees.copy_quote(unit=net.a, page_count=20, delivery=DeliveryFormat.POST, copy_format="a4_bw",
                        zone="in_province", category=None)
    assert q.amount == Decimal(20 * 500 + 16000)  # 100 g + 20 × 5 g = 200 g: first band
    q = fees.copy_quote(unit=net.a, page_count=20, delivery=DeliveryFormat.PDF_EMAIL, copy_format="a4_bw",
                        zone="", category=None)
    assert q.amount == Decimal(20000)
    assert fees.count_pages("12-30, 45") == 20
    assert fees.count_pages("chương 3") is None
    assert fees.extent_pages("245 tr. : ảnh ; 21 cm") == 245


def test_question_lifecycle_forward_and_publish(setup, django_capture_on_commit_callbacks, mailoutbox) -> None:  # type: ignore[no-untyped-def]
    net, _m, desk, desk_b, reader, *_ = setup
    with pytest.raises(ValidationError) as err:
        svc.question_ask(library=net.a, category="find", text="Có sách về dân ca Tày?", consent=False)
    assert set(err.value.message_dict) == {"consent", "email"}
    assert Question.objects.count() == 0
    q = svc.question_ask(library=net.a, category="find", text="Có sách về hát then? Gọi 0912 345 678",
                         email="hoi@example.vn", consent=True, patron=reader)
    with pytest.raises(PermissionDenied):
        svc.question_assign(actor=desk_b, question=q, assignee=desk_b)
    q = svc.question_assign(actor=desk, question=q, assignee=desk)
    assert q.state == QuestionState.ASSIGNED
    q = svc.question_forward(actor=desk, question=q, library=net.b)
    assert (q.state, q.library_id, q.assigned_to_id) == (QuestionState.NEW, net.b.pk, None)
    assert AuditEntry.objects.filter(action="online.question_forward").count() == 2
    with pytest.raises(PermissionDenied):  # now owned by B
        svc.question_answer(actor=desk, question=q, answer="x")
    with django_capture_on_commit_callbacks(execute=True):
        q = svc.question_answer(actor=desk_b, question=q, answer="Có, mời bạn xem kho địa chí.")
    assert q.state == QuestionState.ANSWERED
    from thuvien.online.mail import question_answer_send
    assert len(mailoutbox) == 1  # sent by the background task after commit
    assert mailoutbox[0].to == ["hoi@example.vn"] and "kho địa chí" in mailoutbox[0].body
    assert question_answer_send(q.pk) is False  # sent once
    with pytest.raises(TransitionError):
        svc.question_forward(actor=desk_b, question=q, library=net.a)
    assert Question.objects.get(pk=q.pk).library_id == net.b.pk
    q = svc.question_publish(actor=desk_b, question=q, public_question=q.text, public_answer=q.answer)
    assert q.public_question == "Có sách về hát then? Gọi …"
    assert list(selectors.faq(q="hat then")) == [q]
    assert list(selectors.faq(q="cải lương")) == []
    assert ActivityEvent.objects.filter(kind="question_answered", unit=net.b).count() == 1
    rows = selectors.response_times(unit=net.province, start=timezone.now() - dt.timedelta(days=1),
                                    end=timezone.now() + dt.timedelta(days=1))
    assert [(r["unit"], r["answered"]) for r in rows] == [(net.b.name, 1)]


def test_every_transition_table_allows_exactly_what_it_declares() -> None:
    from thuvien.online.states import TABLES, check_transition

    for name, (table, labels) in TABLES.items():
        assert set(table) == set(labels.values), name  # every state has a row
        for current in labels.values:
            for new in labels.values:
                if new in table[current]:
                    check_transition(name, current, new)
                else:
                    with pytest.raises(TransitionError):
                        check_transition(name, current, new)
    assert QUESTION_TRANSITIONS[QuestionState.ANSWERED] == {QuestionState.PUBLISHED}
    assert COPY_TRANSITIONS[CopyState.PAID] == {CopyState.DONE}  # paid requests are not cancelled
    assert POSTAL_TRANSITIONS[PostalState.SHIPPED] == {PostalState.RETURN_SENT, PostalState.RETURNED}
    assert all(not COPY_TRANSITIONS[s] for s in (CopyState.DELIVERED, CopyState.CANCELLED, CopyState.REFUSED))


def test_copy_request_through_quote_payment_and_delivery(setup, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    net, _m, desk, desk_b, reader, record, _item = setup
    actor = reader.user or _reader_user(reader)
    r = svc.copy_request_create(actor=actor, patron=reader, record=record, library=net.a, pages="1-50",
                                delivery=DeliveryFormat.PDF_EMAIL)
    assert (r.page_count, r.estimate) == (50, Decimal(50000))
    assert "vượt quá 20%" in r.copyright_note  # 50 of 200 pages = 25 %
    with pytest.raises(TransitionError):  # not quoted yet
        svc.copy_accept(actor=actor, request=r)
    assert CopyRequest.objects.get(pk=r.pk).state == CopyState.RECEIVED
    with pytest.raises(PermissionDenied):
        svc.copy_quote_send(actor=desk_b, request=r)
    r = svc.copy_quote_send(actor=desk, request=r, amount=Decimal(40000))
    r = svc.copy_accept(actor=actor, request=r)
    with pytest.raises(ValidationError) as err:
        svc.copy_pay(actor=desk, request=r, way="transfer")
    assert "reference" in err.value.message_dict
    assert CopyRequest.objects.get(pk=r.pk).state == CopyState.ACCEPTED
    r = svc.copy_pay(actor=desk, request=r, way="transfer", reference="FT2612", amount=Decimal(40000))
    with pytest.raises(ValidationError):
        svc.copy_attach_scan(actor=desk, request=r, upload=SimpleUploadedFile("x.pdf", b"GIF89a"))
    r = svc.copy_attach_scan(actor=desk, request=r, upload=SimpleUploadedFile("x.pdf", b"%PDF-1.4 test"))
    r = svc.copy_deliver(actor=desk, request=r)
    assert r.state == CopyState.DELIVERED and r.scan.read() == b"%PDF-1.4 test"
    assert list(AuditEntry.objects.filter(object_id=str(r.pk), action__startswith="online.copy")
                .values_list("action", flat=True).order_by("pk")) == [
        "online.copy_create", "online.copy_quote", "online.copy_accept", "online.copy_pay", "online.copy_done",
        "online.copy_deliver"]


def _reader_user(patron):  # type: ignore[no-untyped-def]
    from thuvien.core.models import User

    user = User.objects.create_user(username=f"reader-{patron.card_number}", password="x")
    patron.user = user
    patron.save(update_fields=["user"])
    return user


def test_postal_loan_from_request_to_return(setup) -> None:  # type: ignore[no-untyped-def]
    net, _m, desk, desk_b, reader, record, item = setup
    actor = _reader_user(reader)
    unit_setting_set(actor=_m, unit=net.province, key="online.postal_days", value=4)
    p = svc.postal_request(actor=actor, patron=reader, record=record, library=net.a, address="Số 5, xã Dân Chủ")
    with pytest.raises(TransitionError):
        svc.postal_ship(actor=desk, postal=p, tracking_number="EB123456789VN")
    assert Loan.objects.count() == 0
    with pytest.raises(PermissionDenied):
        svc.postal_pack(actor=desk_b, postal=p, item=item, weight_g=400)
    p = svc.postal_pack(actor=desk, postal=p, item=item, weight_g=400)
    assert (p.state, p.postage, p.exempt) == (PostalState.PACKED, Decimal(16000), False)
    p = svc.postal_ship(actor=desk, postal=p, tracking_number="eb 123456789 vn")
    loan = Loan.objects.get(item=item, state=LoanState.ON_LOAN)
    assert p.loan == loan and p.tracking_number == "EB123456789VN"
    item.refresh_from_db()
    assert item.status == ItemStatus.ON_LOAN
    assert (loan.due_at - loan.checked_out_at).days >= 14 + 4
    p = svc.postal_return_sent(actor=actor, postal=p, tracking_number="EB987")
    p = svc.postal_receive(actor=desk, postal=p)
    loan.refresh_from_db()
    item.refresh_from_db()
    assert (p.state, loan.state, item.status) == (PostalState.RETURNED, LoanState.RETURNED, ItemStatus.AVAILABLE)
    assert list(AuditEntry.objects.filter(action__startswith="online.postal").values_list("action", flat=True)
                .order_by("pk")) == ["online.postal_request", "online.postal_pack", "online.postal_ship",
                                     "online.postal_return_sent", "online.postal_return"]


def test_postal_ship_refused_by_circulation_changes_nothing(setup, patron_factory) -> None:  # type: ignore[no-untyped-def]
    net, _m, desk, _b, _reader, record, item = setup
    other = patron_factory("R2", net.a, category="disabled", address="x")
    p = svc.postal_request(actor=desk, patron=other, record=record, library=net.a, address="Xóm Nà Vài")
    p = svc.postal_pack(actor=desk, postal=p, item=item, weight_g=900)
    assert (p.postage, p.exempt) == (Decimal(0), True)  # disabled readers are exempt from postage
    from thuvien.circulation import services as circ
    circ.loan_checkout(actor=desk, item=item, patron=other, desk=net.a)  # lent at the desk meanwhile
    with pytest.raises(ValidationError):
        svc.postal_ship(actor=desk, postal=p, tracking_number="EB123456789VN")
    p.refresh_from_db()
    assert (p.state, p.loan_id, p.tracking_number) == (PostalState.PACKED, None, "")


def test_suggestions(setup) -> None:  # type: ignore[no-untyped-def]
    net, _m, desk, desk_b, reader, *_ = setup
    actor = _reader_user(reader)
    with pytest.raises(ValidationError) as err:
        svc.suggestion_create(actor=actor, patron=reader, library=net.a, title="", isbn="123")
    assert set(err.value.message_dict) == {"title", "isbn"}
    s = svc.suggestion_create(actor=actor, patron=reader, library=net.a, title="Truyện Kiều",
                              isbn="978-604-2-00000-0".replace("-", "")[:13])
    with pytest.raises(PermissionDenied):
        svc.suggestion_decide(actor=desk_b, suggestion=s, accept=True)
    with pytest.raises(ValidationError):
        svc.suggestion_decide(actor=desk, suggestion=s, accept=False)
    s = svc.suggestion_decide(actor=desk, suggestion=s, accept=False, reason="Thư viện đã có 3 bản")
    assert (s.state, s.decline_reason) == (SuggestionState.DECLINED, "Thư viện đã có 3 bản")
    with pytest.raises(TransitionError):
        svc.suggestion_decide(actor=desk, suggestion=s, accept=True)
    assert [x.state for x in selectors.for_patron(patron=reader)["suggestions"]] == [SuggestionState.DECLINED]
