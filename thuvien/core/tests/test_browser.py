import pytest

from thuvien.core.models import OrgUnit, Role
from thuvien.core.tests.fixtures import login_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_district_librarian_sees_tree_and_is_refused_editing_sibling(net, staff_factory, page):
    staff_factory("thu_thu_a", net.a, Role.LIBRARY_MANAGER, Role.CATALOGUER)
    login_staff(page, "thu_thu_a", "pw-thu_thu_a")
    assert page.locator("h1").inner_text() == "Xin chào, Thu_Thu_A"

    page.click("nav >> text=Mạng lưới")
    page.wait_for_url("**/staff/network/")
    tree_codes = page.locator(".tree li").evaluate_all("els => els.map(e => e.dataset.code)")
    assert tree_codes == ["P", "A", "C", "B"]

    # own library: an edit link; sibling: read-only, and a direct edit URL is refused
    page.click(".tree >> text=Thư viện huyện A")
    page.wait_for_url("**/staff/network/A/")
    assert page.locator("#edit-unit").count() == 1
    page.goto("/staff/network/B/")
    assert page.locator("#edit-unit").count() == 0
    assert "Bạn chỉ có quyền xem đơn vị này." in page.content()
    response = page.goto("/staff/network/B/edit/")
    assert response is not None and response.status == 403
    assert page.locator("[role=alert]").inner_text() == "Bạn không có quyền sửa đơn vị Thư viện huyện B."

    # a forged POST is refused too and changes nothing
    token = page.context.cookies()
    csrf = next(c["value"] for c in token if c["name"] == "csrftoken")
    resp = page.request.post("/staff/network/B/edit/", form={"name": "Hack", "kind": str(net.b.kind_id)},
                             headers={"X-CSRFToken": csrf, "Referer": page.url})
    assert resp.status == 403
    assert OrgUnit.objects.get(code="B").name == "Thư viện huyện B"

    # editing the own library works end to end
    page.goto("/staff/network/A/edit/")
    page.fill("#id_phone", "0206 123 456")
    page.click("main button[type=submit]")
    page.wait_for_url("**/staff/network/A/")
    assert page.locator(".msg-success").inner_text() == "Đã lưu thay đổi."
    assert OrgUnit.objects.get(code="A").phone == "0206 123 456"
