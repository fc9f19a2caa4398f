"""The permission matrix: every role x own / child / sibling / parent unit x read / write.

Tree (fixture `net`): P > A, B; A > C. The staff member works at A.
  own = A, child = C, sibling = B, parent = P.
For each role, "read" is the role's reading permission and "write" its writing permission.
Catalogue and tree reading are network-wide (the union catalogue); everything else is by subtree.
"""

import pytest

from thuvien.core.models import Role
from thuvien.core.permissions import Perm, has_perm

ROLE_READ_WRITE = {
    Role.NETWORK_ADMIN: (Perm.AUDIT_VIEW, Perm.ORG_RESTRUCTURE),
    Role.LIBRARY_MANAGER: (Perm.AUDIT_VIEW, Perm.ORG_EDIT),
    Role.CATALOGUER: (Perm.CATALOG_VIEW, Perm.CATALOG_EDIT),
    Role.CIRCULATION: (Perm.PATRON_VIEW, Perm.CIRC_DESK),
    Role.DIGITISATION: (Perm.CATALOG_VIEW, Perm.DIGITAL_EDIT),
    Role.REPORT_VIEWER: (Perm.REPORT_VIEW, None),
}

T, F = True, False
# role: {relation: (read, write)}
EXPECTED = {
    Role.NETWORK_ADMIN:   {"own": (T, T), "child": (T, T), "sibling": (F, F), "parent": (F, F)},
    Role.LIBRARY_MANAGER: {"own": (T, T), "child": (T, T), "sibling": (F, F), "parent": (F, F)},
    Role.CATALOGUER:      {"own": (T, T), "child": (T, T), "sibling": (T, F), "parent": (T, F)},
    Role.CIRCULATION:     {"own": (T, T), "child": (T, T), "sibling": (F, F), "parent": (F, F)},
    Role.DIGITISATION:    {"own": (T, T), "child": (T, T), "sibling": (T, F), "parent": (T, F)},
    Role.REPORT_VIEWER:   {"own": (T, F), "child": (T, F), "sibling": (F, F), "parent": (F, F)},
}
CELLS = [(role, rel) for role in EXPECTED for rel in ("own", "child", "sibling", "parent")]


@pytest.mark.parametrize(("role", "relation"), CELLS, ids=[f"{r.value}-{rel}" for r, rel in CELLS])
def test_permission_matrix(net, staff_factory, role, relation):
    user = staff_factory(f"u_{role.value}", net.a, role)
    unit = {"own": net.a, "child": net.c, "sibling": net.b, "parent": net.province}[relation]
    read_perm, write_perm = ROLE_READ_WRITE[role]
    expected_read, expected_write = EXPECTED[role][relation]
    assert has_perm(user, read_perm, unit) is expected_read
    if write_perm is None:
        assert expected_write is False
        for perm in Perm:
            if perm not in (Perm.REPORT_VIEW, Perm.ORG_VIEW, Perm.CATALOG_VIEW):
                assert has_perm(user, perm, unit) is False, perm
    else:
        assert has_perm(user, write_perm, unit) is expected_write


def test_network_admin_at_root_covers_siblings(net, staff_factory):
    admin = staff_factory("root_admin", net.province, Role.NETWORK_ADMIN)
    for unit in (net.province, net.a, net.b, net.c):
        assert has_perm(admin, Perm.ORG_RESTRUCTURE, unit) is True
        assert has_perm(admin, Perm.CATALOG_EDIT, unit) is True


def test_no_grant_means_no_access(net, django_user_model):
    portal_user = django_user_model.objects.create_user(username="reader", password="x")
    assert has_perm(portal_user, Perm.CATALOG_VIEW, net.a) is False
    assert has_perm(portal_user, Perm.ORG_VIEW, net.a) is False
    assert has_perm(None, Perm.ORG_VIEW, net.a) is False


def test_inactive_account_has_no_permission(net, staff_factory):
    user = staff_factory("gone", net.a, Role.CATALOGUER)
    user.is_active = False
    user.save()
    assert has_perm(user, Perm.CATALOG_EDIT, net.a) is False
