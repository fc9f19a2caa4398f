import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from thuvien.core import services
from thuvien.core.audit import snapshot
from thuvien.core.models import AuditEntry, OrgUnit, OrgUnitSetting, Role, RoleGrant, UnitKind, User
from thuvien.core.permissions import Perm, has_perm
from thuvien.core.selectors import audit_list, unit_subtree, unit_tree
from thuvien.core.unit_settings import setting_get, setting_resolve


def db_state():
    """Everything a refused write must leave untouched."""
    return (
        [snapshot(u) for u in OrgUnit.objects.order_by("pk")],
        list(AuditEntry.objects.order_by("pk").values_list("pk", "action")),
        list(OrgUnitSetting.objects.order_by("pk").values_list("unit_id", "key", "value")),
    )


def test_paths_and_subtree(net):
    assert net.province.path == f"/{net.province.pk}/"
    assert net.c.path == f"/{net.province.pk}/{net.a.pk}/{net.c.pk}/"
    assert net.c.depth == 2
    assert [u.code for u in unit_subtree(net.a)] == ["A", "C"]
    assert [n.unit.code for n in unit_tree()[0].children] == ["A", "B"]


def test_district_cataloguer_write_to_sibling_refused_and_db_unchanged(net, staff_factory):
    manager_a = staff_factory("manager_a", net.a, Role.LIBRARY_MANAGER, Role.CATALOGUER)
    before = db_state()
    with pytest.raises(PermissionDenied):
        services.unit_update(actor=manager_a, unit=net.b, data={"name": "Đổi tên trái phép"})
    with pytest.raises(PermissionDenied):
        services.unit_setting_set(actor=manager_a, unit=net.b, key="opac.visible", value=False)
    with pytest.raises(PermissionDenied):
        services.unit_create(actor=manager_a, code="X", name="X", kind=net.b.kind, parent=net.b)
    assert db_state() == before
    assert OrgUnit.objects.get(pk=net.b.pk).name == "Thư viện huyện B"


def test_rename_is_audited_with_before_and_after(net, staff_factory):
    manager_a = staff_factory("manager_a", net.a, Role.LIBRARY_MANAGER)
    services.unit_update(actor=manager_a, unit=net.c, data={"name": "Phòng đọc phường C"})
    entry = AuditEntry.objects.filter(action="unit.update").get()
    assert entry.actor == manager_a
    assert entry.unit_id == net.c.pk
    assert entry.changes == {"name": ["Phòng đọc xã C", "Phòng đọc phường C"]}
    assert list(audit_list(user=manager_a).filter(action="unit.update")) == [entry]


def test_move_subtree_rewrites_paths_and_permissions_follow(net, staff_factory):
    admin = staff_factory("admin", net.province, Role.NETWORK_ADMIN)
    manager_b = staff_factory("manager_b", net.b, Role.LIBRARY_MANAGER)
    assert has_perm(manager_b, Perm.ORG_EDIT, net.c) is False
    services.unit_move(actor=admin, unit=net.a, new_parent=net.b)
    a, c = OrgUnit.objects.get(code="A"), OrgUnit.objects.get(code="C")
    assert a.path == f"{net.b.path}{a.pk}/" and a.depth == 2
    assert c.path == f"{net.b.path}{a.pk}/{c.pk}/" and c.depth == 3
    manager_b = User.objects.get(pk=manager_b.pk)  # fresh grant cache
    assert has_perm(manager_b, Perm.ORG_EDIT, c) is True
    with pytest.raises(ValidationError):
        services.unit_move(actor=admin, unit=net.b, new_parent=c)


def test_settings_inherit_down_the_tree(net, admin_user):
    assert setting_get(net.c, "patron.card_validity_days") == 365
    services.unit_setting_set(actor=admin_user, unit=net.a, key="patron.card_validity_days", value=730)
    assert setting_get(net.c, "patron.card_validity_days") == 730
    assert setting_resolve(net.c, "patron.card_validity_days").source == net.a
    assert setting_get(net.b, "patron.card_validity_days") == 365
    services.unit_setting_set(actor=admin_user, unit=net.c, key="patron.card_validity_days", value=30)
    assert setting_get(net.c, "patron.card_validity_days") == 30
    services.unit_setting_set(actor=admin_user, unit=net.c, key="patron.card_validity_days", value=None)
    assert setting_get(net.c, "patron.card_validity_days") == 730


def test_merge_two_provincial_networks(db, staff_factory):
    """Bắc Kạn merges into Thái Nguyên (1 July 2025): units, staff, grants and audit entries are kept."""
    root = User.objects.create(username="root", is_superuser=True)
    network = UnitKind.objects.get(code="network")
    lib = UnitKind.objects.get(code="provincial_library")
    district = UnitKind.objects.get(code="district_library")
    tn = services.unit_create(actor=root, code="TN", name="Mạng lưới Thái Nguyên", kind=network, parent=None)
    tn_lib = services.unit_create(actor=root, code="TN-TV", name="Thư viện tỉnh Thái Nguyên", kind=lib, parent=tn)
    bk = services.unit_create(actor=root, code="BK", name="Mạng lưới Bắc Kạn", kind=network, parent=None)
    bk_lib = services.unit_create(actor=root, code="BK-TV", name="Thư viện tỉnh Bắc Kạn", kind=lib, parent=bk)
    bk_dist = services.unit_create(actor=root, code="BK-NR", name="Thư viện huyện Na Rì", kind=district, parent=bk)
    bk_admin = staff_factory("bk_admin", bk, Role.NETWORK_ADMIN)
    bk_cat = staff_factory("bk_cat", bk_lib, Role.CATALOGUER)
    tn_manager = staff_factory("tn_manager", tn, Role.LIBRARY_MANAGER)
    assert has_perm(tn_manager, Perm.ORG_EDIT, bk_dist) is False
    services.unit_update(actor=bk_admin, unit=bk_dist, data={"phone": "0209 000"})
    audit_before = AuditEntry.objects.count()
    users_before = User.objects.count()

    # the merge needs authority over both networks (e.g. the new province's IT admin, granted at both)
    tn_admin = staff_factory("tn_admin", tn, Role.NETWORK_ADMIN)
    with pytest.raises(PermissionDenied):
        services.network_merge(actor=tn_admin, source=bk, target=tn)
    services.role_grant(actor=root, user=tn_admin, unit=bk, role=Role.NETWORK_ADMIN)
    counts = services.network_merge(actor=tn_admin, source=bk, target=tn)

    bk = OrgUnit.objects.get(code="BK")
    assert counts["units_moved"] == 2
    assert bk.is_active is False and bk.merged_into_id == tn.pk and bk.parent_id == tn.pk
    for code in ("BK-TV", "BK-NR"):
        moved = OrgUnit.objects.get(code=code)
        assert moved.parent_id == tn.pk
        assert moved.path == f"{tn.path}{moved.pk}/"
    # every account and audit entry is kept; one new entry records the merge
    assert User.objects.count() == users_before + 1  # + tn_admin
    assert AuditEntry.objects.count() > audit_before
    assert AuditEntry.objects.filter(action="unit.update", unit=bk_dist).count() == 1
    assert AuditEntry.objects.filter(action="network.merge").get().changes["merged"] == [None, "BK"]
    # staff and grants at the old root now sit at the merged network
    assert User.objects.get(username="bk_admin").home_unit_id == tn.pk
    assert RoleGrant.objects.get(user__username="bk_admin").unit_id == tn.pk
    assert list(RoleGrant.objects.filter(user__username="tn_admin").values_list("unit__code", flat=True)) == ["TN"]
    # permissions follow the new shape
    tn_manager = User.objects.get(pk=tn_manager.pk)
    assert has_perm(tn_manager, Perm.ORG_EDIT, OrgUnit.objects.get(code="BK-NR")) is True
    bk_cat = User.objects.get(pk=bk_cat.pk)
    assert has_perm(bk_cat, Perm.CATALOG_EDIT, OrgUnit.objects.get(code="BK-TV")) is True
    assert has_perm(bk_cat, Perm.CATALOG_EDIT, tn_lib) is False
    # the merged network's audit entries are visible to the new network's managers
    assert audit_list(user=tn_manager).filter(unit__code="BK-NR", action="unit.update").count() == 1
    roots = {n.unit.code: n for n in unit_tree()}
    assert "BK" not in roots  # staff_factory's fixture network "P" is the other root
    assert sorted(c.unit.code for c in roots["TN"].children) == ["BK-NR", "BK-TV", "TN-TV"]


def test_merge_refused_for_admin_of_one_network_only(db, staff_factory):
    root = User.objects.create(username="root", is_superuser=True)
    network = UnitKind.objects.get(code="network")
    a = services.unit_create(actor=root, code="N1", name="N1", kind=network, parent=None)
    b = services.unit_create(actor=root, code="N2", name="N2", kind=network, parent=None)
    admin_a = staff_factory("admin_n1", a, Role.NETWORK_ADMIN)
    before = db_state()
    with pytest.raises(PermissionDenied):
        services.network_merge(actor=admin_a, source=b, target=a)
    assert db_state() == before
