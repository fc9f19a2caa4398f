"""Registration and the reader account: phone or e-mail, every error at once, libraries by name, the card in
the network's own series, the account as tabs, and changing the password."""

import pytest
from django.test import Client

from thuvien.patrons.models import Patron, PatronCategory
from thuvien.patrons.services import patron_set_password


def _form(net, **extra):
    data = {"full_name": "Lò Văn Páo", "birth_date": "1958-07-01",
            "category": PatronCategory.objects.get(code="adult").pk,
            "home_library": net.a.pk, "phone": "0912 345 678", "email": "", "password": "Sach-hay-cho-ban-2026",
            "consents": ["service"]}
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def test_register_with_a_phone_only_gets_a_card_in_the_network_series(net, patron_factory):
    patron_factory("P000007", net.b)
    client = Client()
    r = client.post("/account/register/", _form(net))
    assert r.status_code == 302 and r.url == "/account/"
    p = Patron.objects.get(full_name="Lò Văn Páo")
    assert (p.card_number, p.phone, p.email, p.status) == ("P000008", "0912345678", "", "pending")
    page = client.get("/account/").content.decode()
    assert 'id="reader-name"' in page and ">Lò Văn Páo</a>" in page
    assert "Số thẻ của bạn: P000008" in page


def test_register_page_marks_required_fields_shows_rule_and_names_libraries(net):
    page = Client().get("/account/register/").content.decode()
    assert f'<option value="{net.a.pk}">Thư viện huyện A</option>' in page
    assert "(A)" not in page
    assert 'for="id_full_name">Họ và tên <span class="req"' in page
    assert "Mật khẩu của bạn phải chứa ít nhất 8 ký tự." in page


def test_register_reports_every_error_at_once_with_a_summary(net):
    r = Client().post("/account/register/", _form(net, phone="", full_name="", password="12345678", consents=None))
    assert r.status_code == 400 and Patron.objects.count() == 0
    page = r.content.decode()
    summary = page[page.index('id="error-summary"'):page.index("</div>", page.index('id="error-summary"'))]
    assert "Có 4 lỗi cần sửa" in summary
    assert "Họ và tên</a>: Trường này là bắt buộc." in summary
    assert "Điện thoại</a>: Cần ít nhất một cách liên hệ: điện thoại hoặc thư điện tử." in summary
    assert "Mật khẩu</a>: Mật khẩu này quá phổ biến." in summary
    assert "Sự đồng ý</a>: Cần có sự đồng ý xử lý dữ liệu cá nhân để cấp thẻ bạn đọc." in summary


def test_a_child_needs_a_guardian_reported_on_the_guardian_field(net):
    child = PatronCategory.objects.get(code="child")
    r = Client().post("/account/register/", _form(net, birth_date="2015-01-02", category=child.pk))
    page = r.content.decode()
    assert r.status_code == 400
    assert "người giám hộ (nếu dưới 16 tuổi)</a>: Bạn đọc dưới 16 tuổi cần có sự đồng ý" in page


@pytest.fixture
def reader(net, patron_factory):
    p = patron_factory("P100", net.a, full_name="Hà Thị Thu", email="thu@example.vn")
    patron_set_password(actor=None, patron=p, password="doc-sach-2026")
    client = Client()
    assert client.post("/account/login/", {"username": "P100", "password": "doc-sach-2026"}).status_code == 302
    return p, client


def test_account_tabs_and_password_change(reader):
    patron, client = reader
    page = client.get("/account/").content.decode()
    assert 'id="tab-loans" href="?tab=loans" aria-current="page"' in page and "Bạn không mượn tài liệu nào." in page
    for tab, text in (("holds", "Bạn không có yêu cầu đặt mượn nào."), ("history", "Thư viện không lưu lịch sử đọc"),
                      ("fines", "Bạn không nợ tiền phạt."), ("data", "Đổi mật khẩu")):
        page = client.get(f"/account/?tab={tab}").content.decode()
        assert f'id="tab-{tab}"' in page and text in page, tab
    assert client.get("/account/?tab=nonsense").status_code == 200
    r = client.post("/account/", {"action": "password", "old_password": "doc-sach-2026",
                                  "new_password1": "abc", "new_password2": "abc"})
    assert r.status_code == 400 and "Mật khẩu quá ngắn: cần ít nhất 8 ký tự." in r.content.decode()
    r = client.post("/account/", {"action": "password", "old_password": "doc-sach-2026",
                                  "new_password1": "Truyen-Kieu-1820", "new_password2": "Truyen-Kieu-1820"})
    assert r.status_code == 302 and r.url == "/account/?tab=data"
    assert client.get("/account/").status_code == 200  # still logged in
    assert Client().post("/account/login/", {"username": "P100", "password": "Truyen-Kieu-1820"}).status_code == 302


def test_favicon_is_ours(client):
    r = client.get("/favicon.ico")
    assert r.status_code == 301 and r["Location"] == "/static/thuvien/favicon.svg"
