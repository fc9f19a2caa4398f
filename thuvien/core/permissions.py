"""The one permission check every service uses: roles granted at a unit apply to its whole subtree."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from thuvien.core.models import Role

if TYPE_CHECKING:
    from thuvien.core.models import OrgUnit, User


class Perm(StrEnum):
    ORG_VIEW = "org.view"
    ORG_EDIT = "org.edit"
    ORG_RESTRUCTURE = "org.restructure"  # move subtrees, merge networks, unit kinds
    STAFF_MANAGE = "staff.manage"
    AUDIT_VIEW = "audit.view"
    CATALOG_VIEW = "catalog.view"
    CATALOG_EDIT = "catalog.edit"
    PATRON_VIEW = "patron.view"
    PATRON_EDIT = "patron.edit"
    CIRC_DESK = "circ.desk"
    CIRC_OVERRIDE = "circ.override"
    CIRC_POLICY = "circ.policy"
    DIGITAL_EDIT = "digital.edit"
    REPORT_VIEW = "report.view"


# Read permissions every active staff member holds network-wide: the union catalogue and the tree.
NETWORK_WIDE = frozenset({Perm.ORG_VIEW, Perm.CATALOG_VIEW})

ROLE_PERMS: dict[str, frozenset[Perm]] = {
    Role.NETWORK_ADMIN: frozenset(Perm),
    Role.LIBRARY_MANAGER: frozenset(Perm) - {Perm.ORG_RESTRUCTURE},
    Role.CATALOGUER: frozenset({Perm.CATALOG_EDIT, Perm.DIGITAL_EDIT}),
    Role.CIRCULATION: frozenset({Perm.PATRON_VIEW, Perm.PATRON_EDIT, Perm.CIRC_DESK}),
    Role.DIGITISATION: frozenset({Perm.DIGITAL_EDIT}),
    Role.REPORT_VIEWER: frozenset({Perm.REPORT_VIEW}),
}


_ANY_GRANT = "_any"  # cache key: the user holds at least one grant, at any unit (active or not)


def _grant_cache(user: User) -> dict[str, list[str]]:
    """{perm: paths of the active units where `user` holds it}, plus `_ANY_GRANT` when the user has
    any grant at all; one query, cached on the user object for the request."""
    cache: dict[str, list[str]] | None = getattr(user, "_thuvien_perm_cache", None)
    if cache is None:
        cache = {}
        for role, path, active in user.grants.values_list("role", "unit__path", "unit__is_active"):
            cache[_ANY_GRANT] = []
            if active:
                for p in ROLE_PERMS.get(role, ()):
                    cache.setdefault(p, []).append(path)
        user._thuvien_perm_cache = cache  # type: ignore[attr-defined]
    return cache


def _grant_paths(user: User, perm: Perm) -> list[str]:
    """Paths of the active units where `user` holds `perm`."""
    return _grant_cache(user).get(perm, [])


def forget_cached_grants(user: User) -> None:
    """Drop the per-object grant cache after grants change."""
    if hasattr(user, "_thuvien_perm_cache"):
        del user._thuvien_perm_cache


def is_staff_member(user: User | None) -> bool:
    """Holds a staff role at some unit (or is a superuser). Reads the request's grant cache, so the
    middleware asking this and the permission checks after it share one query."""
    return bool(user and user.is_authenticated and user.is_active
                and (user.is_superuser or _ANY_GRANT in _grant_cache(user)))


def has_perm(user: User | None, perm: Perm, unit: OrgUnit | None) -> bool:
    """True when `user` may do `perm` at `unit` (None means network-wide, e.g. create a root)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    perm = Perm(perm)
    if perm in NETWORK_WIDE:
        return _ANY_GRANT in _grant_cache(user)
    paths = _grant_paths(user, perm)
    if unit is None:
        return any(p.count("/") == 2 for p in paths)  # only a grant at a root covers "everywhere"
    return any(unit.path.startswith(p) for p in paths)


def has_perm_somewhere(user: User | None, perm: Perm) -> bool:
    """True when `user` may do `perm` at some unit (to show a menu entry or a dashboard block)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if Perm(perm) in NETWORK_WIDE:
        return _ANY_GRANT in _grant_cache(user)
    return bool(_grant_paths(user, Perm(perm)))


def require_perm(user: User | None, perm: Perm, unit: OrgUnit | None) -> None:
    """Raise PermissionDenied unless has_perm(); every write service calls this before touching data."""
    if not has_perm(user, perm, unit):
        where = unit.name if unit is not None else _("toàn mạng lưới")
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này tại %(unit)s.") % {"unit": where})


def scope_q(user: User, perm: Perm, field: str = "") -> Q:
    """A Q object restricting a queryset to units (via `field`, e.g. "library__") where user has perm."""
    if user.is_superuser or Perm(perm) in NETWORK_WIDE:
        return Q()
    paths = _grant_paths(user, Perm(perm))
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for p in paths:
        q |= Q(**{f"{field}path__startswith": p})
    return q
