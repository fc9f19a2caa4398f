"""Merging two duplicate bibliographic records: everything that points at the duplicate (copies, holds,
identifiers, harvest provenance, quarantined sources, and whatever later apps attach, such as digital
objects) moves to the survivor, the duplicate is marked deleted, and one audit entry says what moved."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thuvien.catalog.models import BibIdentifier, BibRecord
from thuvien.catalog.services import require_cataloguer
from thuvien.core.audit import audit
from thuvien.core.models import User
from thuvien.core.permissions import Perm, require_perm
from thuvien.core.stamps import with_updated_at
from thuvien.search.outbox import outbox_enqueue


def _pointers() -> list[tuple[type[models.Model], str]]:
    """(model, field name) of every foreign key to BibRecord, found from the model graph."""
    found = []
    for rel in BibRecord._meta.related_objects:
        if rel.many_to_many or rel.related_model is BibIdentifier or not rel.field.concrete:
            continue
        found.append((rel.related_model, rel.field.name))
    return sorted(found, key=lambda pair: (pair[0]._meta.label, pair[1]))  # type: ignore[union-attr]


@transaction.atomic
def bib_merge(*, actor: User, survivor: BibRecord, duplicate: BibRecord) -> dict[str, int]:
    """Move everything attached to `duplicate` onto `survivor` and mark `duplicate` deleted; returns how many
    rows of each kind moved (e.g. {"catalog.Item": 3, "circulation.Hold": 1}). The actor must be allowed to
    delete the duplicate (its owning library's cataloguer)."""
    require_cataloguer(actor)
    if survivor.pk == duplicate.pk:
        raise ValidationError(_("Không thể gộp một biểu ghi với chính nó."))
    first, second = sorted([survivor.pk, duplicate.pk])
    locked = {b.pk: b for b in BibRecord.objects.select_for_update().filter(pk__in=[first, second]).order_by("pk")}
    survivor, duplicate = locked[survivor.pk], locked[duplicate.pk]
    if survivor.is_deleted or duplicate.is_deleted:
        raise ValidationError(_("Biểu ghi đã bị xoá, không gộp được."))
    if duplicate.owner is not None:
        require_perm(actor, Perm.CATALOG_EDIT, duplicate.owner)
    now = timezone.now()
    moved: dict[str, int] = {}
    for model, name in _pointers():
        count = model._default_manager.filter(**{name: duplicate}).update(  # type: ignore[attr-defined]
            **with_updated_at(model, **{name: survivor}))
        if count:
            moved[model._meta.label] = count
    have = set(survivor.identifiers.values_list("kind", "value"))
    extra = [i.pk for i in duplicate.identifiers.all() if (i.kind, i.value) not in have]
    moved_ids = BibIdentifier.objects.filter(pk__in=extra).update(record=survivor)
    duplicate.identifiers.all().delete()
    if moved_ids:
        moved["catalog.BibIdentifier"] = moved_ids
    duplicate.is_deleted = True
    duplicate.deleted_at = now
    duplicate.save(update_fields=["is_deleted", "deleted_at", "updated_at"])
    BibRecord.objects.filter(pk=survivor.pk).update(updated_at=now)
    audit(actor=actor, action="catalog.bib_merge", obj=survivor, unit=survivor.owner or actor.home_unit,
          changes={"merged_record": [duplicate.pk, survivor.pk], "merged_title": [duplicate.title, survivor.title],
                   "moved": [None, moved]})
    audit(actor=actor, action="catalog.bib_delete", obj=duplicate, unit=duplicate.owner,
          changes={"is_deleted": [False, True], "merged_into": [None, survivor.pk]})
    outbox_enqueue([survivor.pk, duplicate.pk])
    return moved
