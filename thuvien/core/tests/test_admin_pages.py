from thuvien.core.models import AuditEntry, OrgUnitSetting, Role, RoleGrant, UnitKind, User
from thuvien.core.unit_settings import setting_get


def test_manager_creates_staff_and_grants_role_in_own_subtree(client, net, staff_factory):
    manager = staff_factory("mgr_a", net.a, Role.LIBRARY_MANAGER)
    client.force_login(manager)
    resp = client.post("/staff/accounts/", {
        "username": "thuthu_c", "display_name": "Lò Thị Cúc", "email": "", "password": "mật-khẩu-dài-2026",
        "home_unit": net.c.pk,
    })
    assert resp.status_code == 302
    new = User.objects.get(username="thuthu_c")
    assert new.home_unit == net.c and new.check_password("mật-khẩu-dài-2026")
    resp = client.post("/staff/accounts/thuthu_c/", {"unit": net.c.pk, "role": Role.CIRCULATION})
    assert resp.status_code == 302
    assert list(RoleGrant.objects.filter(user=new).values_list("unit__code", "role")) == [("C", "circulation")]
    # a grant at the sibling library is refused and leaves nothing behind
    resp = client.post("/staff/accounts/thuthu_c/", {"unit": net.b.pk, "role": Role.CATALOGUER})
    assert resp.status_code == 403
    assert RoleGrant.objects.filter(user=new).count() == 1
    # the manager's list shows only staff of their subtree
    html = client.get("/staff/accounts/").content.decode()
    assert "thuthu_c" in html and "admin" not in html


def test_network_admin_role_needs_restructure_right(client, net, staff_factory):
    manager = staff_factory("mgr_a", net.a, Role.LIBRARY_MANAGER)
    clerk = staff_factory("clerk", net.a, Role.CIRCULATION)
    client.force_login(manager)
    resp = client.post("/staff/accounts/clerk/", {"unit": net.a.pk, "role": Role.NETWORK_ADMIN})
    assert resp.status_code == 403
    assert list(clerk.grants.values_list("role", flat=True)) == ["circulation"]


def test_setting_override_from_unit_page(client, net, staff_factory):
    manager = staff_factory("mgr_a", net.a, Role.LIBRARY_MANAGER)
    client.force_login(manager)
    client.post("/staff/network/A/setting/", {"key": "circ.closed_weekdays", "value": ["6"]})
    assert setting_get(net.c, "circ.closed_weekdays") == [6]
    page = client.get("/staff/network/C/").content.decode()
    assert "Chủ nhật" in page and "kế thừa từ Thư viện huyện A" in page
    resp = client.post("/staff/network/A/setting/", {"key": "circ.closed_weekdays", "value": ["9"]}, follow=True)
    assert "Ngày nghỉ trong tuần: ngày trong tuần không hợp lệ." in resp.content.decode()
    assert OrgUnitSetting.objects.get(unit=net.a, key="circ.closed_weekdays").value == [6]
    client.post("/staff/network/A/setting/", {"key": "circ.closed_weekdays", "inherit": "1"})
    assert setting_get(net.c, "circ.closed_weekdays") == []


def test_unit_kinds_are_data_editable_by_network_admin(client, net, admin_user, staff_factory):
    client.force_login(admin_user)
    client.post("/staff/kinds/", {"code": "district_library", "name": "Thư viện cấp xã (sau sáp nhập)",
                                  "name_en": "Commune library", "holds_items": "on", "circulates": "on",
                                  "sort_order": 30})
    assert UnitKind.objects.get(code="district_library").name == "Thư viện cấp xã (sau sáp nhập)"
    assert AuditEntry.objects.filter(action="unitkind.save").count() == 1
    manager = staff_factory("mgr_a", net.a, Role.LIBRARY_MANAGER)
    client.force_login(manager)
    resp = client.post("/staff/kinds/", {"code": "x", "name": "X", "sort_order": 1})
    assert resp.status_code == 403
    assert not UnitKind.objects.filter(code="x").exists()
