"""Read-side queries for the network tree and audit log, with permission scope applied."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from thuvien.core.models import AuditEntry, OrgUnit, User
from thuvien.core.permissions import Perm, scope_q
from thuvien.core.text import collation_key


def unit_subtree(unit: OrgUnit, *, include_inactive: bool = False) -> QuerySet[OrgUnit]:
    """`unit` and everything under it, in tree order."""
    qs = OrgUnit.objects.filter(path__startswith=unit.path).select_related("kind")
    return qs if include_inactive else qs.filter(is_active=True)


def unit_ancestors(unit: OrgUnit) -> QuerySet[OrgUnit]:
    """From the root down to `unit` itself."""
    return OrgUnit.objects.filter(pk__in=unit.ancestor_ids).order_by("depth")


@dataclass
class TreeNode:
    unit: OrgUnit
    children: list[TreeNode] = field(default_factory=list)


def unit_tree(*, include_inactive: bool = False) -> list[TreeNode]:
    """The whole network as nested nodes, built from one query; siblings ordered by kind (as the
    administrators rank kinds) and then by name in Vietnamese order."""
    qs = OrgUnit.objects.select_related("kind").order_by("depth")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    nodes: dict[int, TreeNode] = {}
    roots: list[TreeNode] = []
    units = sorted(qs, key=lambda u: (u.depth, u.kind.sort_order, collation_key(u.name)))
    for unit in units:
        node = TreeNode(unit)
        nodes[unit.pk] = node
        parent = nodes.get(unit.parent_id) if unit.parent_id else None
        (parent.children if parent else roots).append(node)
    return roots


def unit_by_code(code: str) -> OrgUnit:
    """The unit with `code` (case-insensitive), or OrgUnit.DoesNotExist."""
    return OrgUnit.objects.select_related("kind").get(code__iexact=code.strip())


def audit_list(*, user: User, unit: OrgUnit | None = None, action: str = "", actor: str = "",
               object_type: str = "") -> QuerySet[AuditEntry]:
    """Audit entries the user may see (their subtree), newest first, optionally filtered."""
    qs = AuditEntry.objects.select_related("unit").filter(scope_q(user, Perm.AUDIT_VIEW, "unit__"))
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if action:
        qs = qs.filter(action__startswith=action)
    if actor:
        qs = qs.filter(Q(actor_label__icontains=actor))
    if object_type:
        qs = qs.filter(object_type=object_type)
    return qs


def staff_in_scope(*, user: User) -> QuerySet[User]:
    """Staff accounts whose home unit lies where `user` may manage staff."""
    return User.objects.filter(scope_q(user, Perm.STAFF_MANAGE, "home_unit__")).select_related("home_unit")
