"""Who may see a digital object: decided ONCE per object and request, then reused for every page,
tile, manifest and PDF (a 1,000-page book is one decision, not 1,000 permission checks)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import timezone

from thuvien.core.permissions import is_staff_member
from thuvien.core.unit_settings import setting_get
from thuvien.digital.models import ACCESS_ORDER, AccessLevel

if TYPE_CHECKING:
    from thuvien.core.models import User
    from thuvien.digital.models import DigitalObject


@dataclass(frozen=True)
class Viewer:
    """What access depends on: the signed-in user (if any) and the client address."""

    user: User | None
    ip: str = ""

    @property
    def is_staff(self) -> bool:
        return is_staff_member(self.user)

    @property
    def is_reader(self) -> bool:
        user = self.user
        if user is None or not user.is_authenticated or not user.is_active:
            return False
        patron = getattr(user, "patron", None)
        return patron is not None and patron.status == "active"


def ip_in_ranges(ip: str, ranges: list[str]) -> bool:
    """True when `ip` lies in one of the CIDR `ranges` (bad entries are ignored, never an error)."""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return False
    for cidr in ranges:
        try:
            if addr in ipaddress.ip_network(str(cidr).strip(), strict=False):
                return True
        except ValueError:
            continue
    return False


@dataclass
class Decision:
    """The levels this viewer may open for one object; `allows(level)` answers for page overrides."""

    level: str
    open_levels: frozenset[str]
    embargoed: bool = False
    reason: str = ""

    @property
    def allowed(self) -> bool:
        return self.allows(self.level)

    def allows(self, level: str) -> bool:
        """May the viewer open something at `level` (the object's or a page's stricter one)?"""
        if self.embargoed:
            return AccessLevel.STAFF in self.open_levels
        rank = [str(v) for v in ACCESS_ORDER]
        effective = max(level or self.level, self.level, key=rank.index)
        return effective in self.open_levels


def access_decide(*, obj: DigitalObject, viewer: Viewer) -> Decision:
    """The access decision for `obj` and `viewer`: at most one settings lookup, no per-page work."""
    if viewer.is_staff:
        return Decision(level=obj.access, open_levels=frozenset(ACCESS_ORDER))
    embargoed = obj.embargo_until is not None and obj.embargo_until > timezone.localdate()
    levels = {AccessLevel.PUBLIC.value}
    if viewer.is_reader:
        levels.add(AccessLevel.REGISTERED.value)
    # The unit setting is read only when it matters (an in-library object seen from some address).
    if viewer.ip and obj.access in (AccessLevel.REGISTERED, AccessLevel.IN_LIBRARY) and ip_in_ranges(
            viewer.ip, setting_get(obj.unit, "digital.library_ip_ranges") or []):
        # A terminal inside the library may also open what registered readers may.
        levels.update({AccessLevel.REGISTERED.value, AccessLevel.IN_LIBRARY.value})
    reason = "embargo" if embargoed else ("" if obj.access in levels else obj.access)
    return Decision(level=obj.access, open_levels=frozenset(levels), embargoed=embargoed, reason=reason)
