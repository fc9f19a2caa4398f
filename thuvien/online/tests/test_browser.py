"""End to end in Chromium, on a 390 px phone and on a desktop: a question answered and read in the account;
a remote copy through quote, payment and delivery; a postal loan from request to return. The reader and
the librarian each use their own browser context."""

from __future__ import annotations

import pytest
from django.core import mail

from thuvien.catalog.models import ItemStatus
from thuvien.circulation.models import Loan, LoanState
from thuvien.core.models import Role, UnitKind, User
from thuvien.core.services import unit_create
from thuvien.core.tests.fixtures import _root_actor, login_staff, page_width
from thuvien.online.models import CopyRequest, CopyState, PostalLoan, PostalState, Question
from thuvien.online.tests.fixtures import book, fee_table

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture(params=list(SIZES))
def size(request):  # type: ignore[no-untyped-def]
    return SIZES[request.param]


@pytest.fixture
def world(net, staff_factory, patron_factory, item_factory, base_rule):  # type: ignore[no-untyped-def]
    manager = staff_factory("mgr_p", net.province, Role.LIBRARY_MANAGER)
    fee_table(manager, net.province)
    desk = staff_factory("desk_a", net.a, Role.CIRCULATION)
    user = User.objects.create_user(username="reader-r1", password="mat-khau-ban-doc-2026")
    reader = patron_factory("R000001", net.a, full_name="Nông Thị Hương", email="huong@example.vn", user=user,
                            address="Số 3 phố Kim Đồng, Cao Bằng")
    record = book("Lịch sử Cao Bằng", physical="200 tr. ; 21 cm")
    item = item_factory("A-000042", net.a, record=record)
    return net, desk, reader, record, item


def _open(chromium, live_server, size):  # type: ignore[no-untyped-def]
    context = chromium.new_context(locale="vi-VN", base_url=live_server.url, viewport=size)
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def _reader_login(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/account/login/")
    page.fill("#id_username", "R000001")
    page.fill("#id_password", "mat-khau-ban-doc-2026")
    page.click("main button[type=submit]")
    page.wait_for_url("**/account/")


def _fits(page, size) -> None:  # type: ignore[no-untyped-def]
    assert page_width(page) <= size["width"], page.url


def test_question_answered_and_read_in_the_account(world, chromium, live_server, size) -> None:  # type: ignore[no-untyped-def]
    net, desk, *_ = world
    rctx, reader = _open(chromium, live_server, size)
    sctx, staff = _open(chromium, live_server, size)
    try:
        _reader_login(reader)
        reader.goto("/ask/")
        _fits(reader, size)
        reader.select_option("#id_category", "research")
        reader.fill("#id_text", "Thư viện có báo Cao Bằng năm 1960 không?")
        reader.click("#ask-form button[type=submit]")
        assert "Cần sự đồng ý của bạn" in reader.locator("#error-summary").inner_text()  # consent not ticked
        reader.check("#id_consent")
        reader.click("#ask-form button[type=submit]")
        reader.wait_for_url("**/account/?tab=questions")
        assert reader.locator("#questions .t strong").all_inner_texts() == ["Thư viện có báo Cao Bằng năm 1960 không?"]

        login_staff(staff, "desk_a", "pw-desk_a")
        staff.goto("/staff/online/queue/questions/")
        staff.click("#queue a")
        staff.fill("#answer", "Có, kho địa chí lưu báo Cao Bằng từ năm 1955.")
        staff.click("#answer-form button")
        staff.wait_for_selector("text=Đã lưu.")
        assert staff.locator("#q-state").inner_text() == "Đã trả lời"
        _fits(staff, size)

        reader.goto("/account/?tab=questions")
        assert " ".join(reader.locator("#questions .answer").inner_text().split()) == (
            "Trả lời: Có, kho địa chí lưu báo Cao Bằng từ năm 1955.")
        _fits(reader, size)
        assert [m.to for m in mail.outbox] == [["huong@example.vn"]]
        assert Question.objects.get().answer_sent_at is not None
    finally:
        rctx.close()
        sctx.close()


def test_remote_copy_through_quote_payment_and_delivery(world, chromium, live_server, size, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    net, desk, reader_patron, record, _item = world
    rctx, reader = _open(chromium, live_server, size)
    sctx, staff = _open(chromium, live_server, size)
    try:
        _reader_login(reader)
        reader.goto(f"/record/{record.pk}/")
        reader.click("#online-services >> text=Sao chụp từ xa")
        reader.wait_for_url(f"**/record/{record.pk}/copy/")
        _fits(reader, size)
        assert "1.000 đ" in reader.locator("#rates").inner_text()  # scan per page, from the province's table
        reader.fill("#id_pages", "11-60")
        reader.click("#copy-form button[type=submit]")
        reader.wait_for_url("**/account/?tab=copies")
        row = reader.locator("#copies li").first
        assert "Đã nhận yêu cầu" in row.inner_text() and "50.000 đ" in row.inner_text()
        assert "vượt quá 20%" in row.inner_text()  # 50 of 200 pages
        copy = CopyRequest.objects.get()

        login_staff(staff, "desk_a", "pw-desk_a")
        staff.goto(f"/staff/online/copy/{copy.pk}/")
        staff.fill("#amount", "45000")
        staff.click("#quote-form button")
        staff.wait_for_selector("#copy-state:text('Đã báo phí')")

        reader.goto("/account/?tab=copies")
        assert "45.000 đ" in reader.locator("#copies .quote").inner_text()
        reader.click("#copies button.copy-accept")
        reader.wait_for_selector("#copies .state:text('Bạn đọc đồng ý')")

        staff.reload()
        staff.select_option("#way", "transfer")
        staff.fill("#reference", "FT26337001")
        staff.click("#pay-form button")
        staff.wait_for_selector("#copy-state:text('Đã thanh toán')")
        staff.set_input_files("#scan", files=[{"name": "ban-sao.pdf", "mimeType": "application/pdf", "buffer": PDF}])
        staff.click("#scan-form button")
        staff.wait_for_selector("#copy-state:text('Đã sao chụp')")
        staff.click("#deliver-form button")
        staff.wait_for_selector("#copy-state:text('Đã giao')")
        _fits(staff, size)

        reader.goto("/account/?tab=copies")
        link = reader.locator("#copies a.copy-download")
        response = reader.request.get(link.get_attribute("href"))
        assert response.status == 200 and response.body() == PDF
        copy.refresh_from_db()
        assert (copy.state, copy.paid_amount, copy.payment_reference) == (CopyState.DELIVERED, 45000, "FT26337001")
    finally:
        rctx.close()
        sctx.close()


def test_postal_loan_from_request_to_return(world, chromium, live_server, size) -> None:  # type: ignore[no-untyped-def]
    net, desk, reader_patron, record, item = world
    point = unit_create(actor=_root_actor(), code="A-BD", name="Điểm Bưu điện văn hóa xã Lý Quốc",
                        kind=UnitKind.objects.get(code="post_office_point"), parent=net.a)
    rctx, reader = _open(chromium, live_server, size)
    sctx, staff = _open(chromium, live_server, size)
    try:
        _reader_login(reader)
        reader.goto(f"/record/{record.pk}/postal/")
        _fits(reader, size)
        reader.select_option("#id_culture_point", str(point.pk))
        reader.click("#postal-form button[type=submit]")
        reader.wait_for_url("**/account/?tab=postal")
        assert "Điểm Bưu điện văn hóa xã Lý Quốc" in reader.locator("#postal li").first.inner_text()
        postal = PostalLoan.objects.get()

        login_staff(staff, "desk_a", "pw-desk_a")
        staff.goto(f"/staff/online/postal/{postal.pk}/")
        assert staff.locator("#barcode").input_value() == "A-000042"
        staff.click("#pack-form button")
        staff.wait_for_selector("#postal-state:text('Đã đóng gói')")
        label = staff.request.get(f"/staff/online/postal/{postal.pk}/label.pdf")
        assert label.status == 200 and label.body().startswith(b"%PDF")
        staff.fill("#tracking_number", "EB123456785VN")
        staff.click("#ship-form button")
        staff.wait_for_selector("#postal-state:text('Đã giao bưu điện (đang mượn)')")
        loan = Loan.objects.get(item=item)
        assert loan.state == LoanState.ON_LOAN

        reader.goto("/account/?tab=postal")
        text = reader.locator("#postal li").first.inner_text()
        assert "EB123456785VN" in text and "hạn trả" in text
        reader.fill(f"#tr-{postal.pk}", "EB999")
        reader.click("#postal button[value=postal_return]")
        reader.wait_for_selector("#postal .state:text('Bạn đọc đã gửi trả')")
        _fits(reader, size)

        staff.reload()
        staff.click("#receive-form button")
        staff.wait_for_selector("#postal-state:text('Đã trả')")
        loan.refresh_from_db()
        item.refresh_from_db()
        assert (loan.state, item.status) == (LoanState.RETURNED, ItemStatus.AVAILABLE)
        assert PostalLoan.objects.get().state == PostalState.RETURNED
    finally:
        rctx.close()
        sctx.close()
