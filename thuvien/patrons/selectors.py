"""Reads about readers: scoped to the staff member's subtree, with duplicate detection."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from thuvien.core.permissions import Perm, scope_q
from thuvien.core.text import fold
from thuvien.patrons.models import Consent, Patron, PatronStatus
from thuvien.patrons.personal import id_number_parts

if TYPE_CHECKING:
    from thuvien.core.models import User


def patron_list(*, staff: User, query: str = "") -> QuerySet[Patron]:
    """Readers registered in the staff member's subtree, optionally matching card, name or phone."""
    qs = Patron.objects.filter(scope_q(staff, Perm.PATRON_VIEW, "home_library__")).select_related(
        "category", "home_library")
    query = query.strip()
    if query:
        qs = qs.filter(Q(card_number__iexact=query) | Q(phone=query) | Q(email__iexact=query)
                       | Q(name_folded__contains=fold(query)))
    return qs


def patron_list_pending(*, staff: User) -> QuerySet[Patron]:
    """Online registrations waiting for approval at libraries where the staff member may edit readers,
    oldest first."""
    return (Patron.objects.filter(scope_q(staff, Perm.PATRON_EDIT, "home_library__"), status=PatronStatus.PENDING)
            .select_related("category", "home_library").order_by("created_at", "pk"))


def patron_get_for_desk(*, staff: User, card_number: str) -> Patron | None:
    """The reader with this card (network-wide: a reader may borrow at any library of the network)."""
    return (Patron.objects.select_related("category", "home_library", "user")
            .filter(card_number__iexact=card_number.strip()).first())


def patron_find_duplicates(*, full_name: str = "", birth_date: dt.date | None = None, phone: str = "",
                           id_number: str | None = None, exclude_pk: int | None = None) -> list[Patron]:
    """Readers that may be the same person: same CCCD, same phone, or same folded name and birth date."""
    q = Q(pk__in=[])
    id_hash = id_number_parts(id_number)[0]
    if id_hash:
        q |= Q(id_hash=id_hash)
    if phone:
        q |= Q(phone=phone.strip())
    if full_name and birth_date:
        q |= Q(name_folded=fold(full_name), birth_date=birth_date)
    qs = Patron.objects.filter(q).select_related("home_library")
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return list(qs[:20])


def consent_active(*, patron: Patron) -> dict[str, Consent]:
    """The reader's consents in force, by purpose."""
    return {c.purpose: c for c in patron.consents.filter(withdrawn_at__isnull=True)}
