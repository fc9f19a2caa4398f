"""Writes of the interconnection area that are not harvesting: SRU targets and copy cataloguing."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from thuvien.catalog.importer import ImportOutcome
from thuvien.catalog.services import marc_import_record
from thuvien.core.audit import audit, diff, snapshot
from thuvien.core.models import OrgUnit, User
from thuvien.core.permissions import Perm, require_perm
from thuvien.protocols.models import SRUTarget
from thuvien.protocols.remote import RemoteError
from thuvien.protocols.sru.client import sru_search

TARGET_FIELDS = ["name", "url", "version", "record_schema", "is_active", "sort_order"]


@transaction.atomic
def sru_target_create(*, actor: User, name: str, url: str, version: str = "1.2", record_schema: str = "marcxml",
                      sort_order: int = 100) -> SRUTarget:
    """A new SRU target for the whole network (needs cataloguing rights at the network root)."""
    require_perm(actor, Perm.CATALOG_EDIT, None)
    target = SRUTarget(name=name, url=url, version=version, record_schema=record_schema, sort_order=sort_order)
    target.full_clean()
    target.save()
    audit(actor=actor, action="protocols.sru_target_create", obj=target, unit=None,
          changes=diff({}, snapshot(target, TARGET_FIELDS)))
    return target


@transaction.atomic
def sru_target_delete(*, actor: User, target: SRUTarget) -> None:
    require_perm(actor, Perm.CATALOG_EDIT, None)
    audit(actor=actor, action="protocols.sru_target_delete", obj=target, unit=None,
          changes=diff(snapshot(target, TARGET_FIELDS), {}))
    target.delete()


def copy_catalogue_import(*, actor: User, target: SRUTarget, query: str, position: int, library: OrgUnit,
                          match: str = "001") -> ImportOutcome:
    """Fetch record `position` of `query` from `target` again and import it into `library` with the
    import rules (an existing match is kept, not overwritten)."""
    require_perm(actor, Perm.CATALOG_EDIT, library)
    try:
        result = sru_search(url=target.url, version=target.version, query=query, start=position, maximum=1,
                            schema=target.record_schema)
    except RemoteError as exc:
        raise ValidationError(_("Không kết nối được máy chủ SRU: %(e)s") % {"e": exc}) from exc
    found = [r.record for r in result.records if r.position == position and r.record is not None]
    if not found or found[0] is None:
        raise ValidationError(_("Máy chủ SRU không trả lại biểu ghi số %(n)d.") % {"n": position})
    return marc_import_record(actor=actor, record=found[0], library=library, match=match, on_match="skip",
                              provenance=f"SRU {target.name} {query} #{position}")
