"""The staff home shows what each role acts on today; menus show only what the role may use."""

import re

from thuvien.catalog.models import QuarantinedRecord
from thuvien.circulation.services import hold_place, loan_checkout
from thuvien.core.models import Role


def _menu(page: str) -> list[str]:
    nav = page[page.index('id="staff-menu"'):page.index("</nav>", page.index('id="staff-menu"'))]
    return re.findall(r">([^<]+)</a>", nav)


def _cards(page: str, block: str) -> dict[str, str]:
    section = page[page.index(f'id="{block}"'):page.index("</section>", page.index(f'id="{block}"'))]
    return {re.sub(r"<[^>]+>", "", label).strip(): n for n, label in
            re.findall(r'<span class="big">([^<]+)</span>(.*?)</li>', section)}


def test_desk_user_sees_today_and_no_account_creation(client, net, desk_a, base_rule, patron_factory, item_factory,
                                                      record_factory):
    reader = patron_factory("R1", net.a)
    loan_checkout(actor=desk_a, item=item_factory("D1", net.a), patron=reader, desk=net.a)
    record = record_factory("Vợ nhặt")
    item_factory("D2", net.c, record=record)
    hold_place(actor=desk_a, patron=reader, record=record, pickup_library=net.a)
    client.force_login(desk_a)
    page = client.get("/staff/").content.decode()
    assert _menu(page) == ["Mạng lưới", "Mục lục", "Lưu thông", "Kiểm kê", "Dịch vụ trực tuyến"]
    assert "Tạo tài khoản" not in page and 'id="dash-catalog"' not in page and 'id="dash-manager"' not in page
    assert _cards(page, "dash-desk") == {
        "lượt mượn hôm nay": "1", "lượt trả hôm nay": "0", "bản cần lấy khỏi giá cho bạn đọc đặt": "1",
        "bản đang chuyển đến thư viện này": "0", "bản đặt mượn chờ bạn đọc nhận": "0", "lượt mượn quá hạn": "0"}
    assert "Tạo tài khoản" not in client.get("/staff/accounts/").content.decode()
    catalogue = client.get("/staff/catalog/").content.decode()
    assert "Tìm biểu ghi" in catalogue and "Biên mục nhanh" not in catalogue and "Nhập biểu ghi" not in catalogue


def test_cataloguer_sees_quarantine_and_records_without_items(client, net, cataloguer_a):
    QuarantinedRecord.objects.create(library=net.a, source_name="hong.mrc", raw=b"x", reason="leader")
    client.force_login(cataloguer_a)
    page = client.get("/staff/").content.decode()
    assert _menu(page) == ["Mạng lưới", "Biên mục", "Liên thông", "Thư viện số", "Số hoá", "In nhãn"]
    assert _cards(page, "dash-catalog") == {"biểu ghi lỗi chờ xử lý": "1", "biểu ghi chưa có bản nào": "0"}
    assert 'id="dash-desk"' not in page


def test_manager_sees_counts_for_their_subtree_and_every_menu(client, net, staff_factory, patron_factory,
                                                              item_factory):
    manager = staff_factory("mgr_a", net.a, Role.LIBRARY_MANAGER)
    patron_factory("R1", net.c)
    patron_factory("R2", net.b)
    item_factory("M1", net.c)
    client.force_login(manager)
    page = client.get("/staff/").content.decode()
    assert _menu(page) == ["Mạng lưới", "Biên mục", "Lưu thông", "Liên thông", "Thư viện số", "Số hoá", "Báo cáo", "Kiểm kê",
                           "Dịch vụ trực tuyến", "In nhãn", "Cổng thông tin", "Thiết bị", "Cán bộ", "Nhật ký", "Dữ liệu cá nhân"]
    assert _cards(page, "dash-manager") == {"đơn vị đang hoạt động": "2", "bản tài liệu trong kho": "1", "bạn đọc có thẻ": "1",
                                            "lượt đang mượn": "0", "lượt quá hạn": "0"}
