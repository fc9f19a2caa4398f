"""Stocktake writes: start a session, record reads (duplicates dropped, read order kept, optional
check-in of items found on the shelf through the desk service), close it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from thuvien.catalog.models import Item, ItemStatus
from thuvien.circulation.services import loan_checkin
from thuvien.core.audit import audit
from thuvien.core.models import OrgUnit, User
from thuvien.core.permissions import Perm, require_perm
from thuvien.stocktake.models import Stocktake, StocktakeRead


@transaction.atomic
def stocktake_start(*, actor: User, library: OrgUnit, location: str = "", call_from: str = "", call_to: str = "",
                    auto_checkin: bool = False) -> Stocktake:
    """Open a stocktake of `library`'s subtree (optionally one shelving location and call-number range)."""
    require_perm(actor, Perm.CIRC_DESK, library)
    stocktake = Stocktake.objects.create(library=library, location=location.strip(), call_from=call_from.strip(),
                                         call_to=call_to.strip(), auto_checkin=auto_checkin, started_by=actor)
    audit(actor=actor, action="stocktake.start", obj=stocktake, unit=library,
          changes={"location": [None, location], "range": [None, f"{call_from}-{call_to}"]})
    return stocktake


def parse_reads(text: str) -> list[str]:
    """Barcodes from a handheld scanner file (one per line) or an RFID reader's CSV export (first column)."""
    codes = []
    for line in text.splitlines():
        code = line.split(",")[0].split(";")[0].split("\t")[0].strip().strip('"')
        if code and code.lower() not in {"barcode", "mã vạch", "item id", "tag"}:
            codes.append(code)
    return codes


@transaction.atomic
def stocktake_record(*, actor: User, stocktake: Stocktake, codes: Iterable[str],
                     at: dt.datetime | None = None) -> int:
    """Record reads; returns how many new barcodes were seen. A barcode already read is not counted twice."""
    require_perm(actor, Perm.CIRC_DESK, stocktake.library)
    if stocktake.closed_at is not None:
        raise ValidationError(_("Đợt kiểm kê này đã kết thúc."))
    at = at or timezone.now()
    stocktake = Stocktake.objects.select_for_update().get(pk=stocktake.pk)
    known = set(stocktake.reads.values_list("barcode", flat=True))
    fresh = [c for c in dict.fromkeys(c.strip() for c in codes) if c and c not in known]
    if not fresh:
        return 0
    by_barcode = {i.barcode: i for i in Item.objects.filter(barcode__in=fresh)}
    by_tag = {i.rfid_tag: i for i in Item.objects.filter(rfid_tag__in=[c for c in fresh if c not in by_barcode])}
    seq = (stocktake.reads.aggregate(m=Max("seq"))["m"] or 0) + 1
    reads = []
    for code in fresh:
        item = by_barcode.get(code) or by_tag.get(code)
        read = StocktakeRead(stocktake=stocktake, seq=seq, barcode=code, item=item, seen_at=at)
        if item is not None and stocktake.auto_checkin and item.status == ItemStatus.ON_LOAN:
            loan_checkin(actor=actor, item=item, desk=stocktake.library, now=at)
            read.checked_in = True
        reads.append(read)
        seq += 1
    StocktakeRead.objects.bulk_create(reads)
    return len(reads)


@transaction.atomic
def stocktake_close(*, actor: User, stocktake: Stocktake) -> Stocktake:
    require_perm(actor, Perm.CIRC_DESK, stocktake.library)
    stocktake.closed_at = timezone.now()
    stocktake.save(update_fields=["closed_at"])
    audit(actor=actor, action="stocktake.close", obj=stocktake, unit=stocktake.library)
    return stocktake
