"""Fixtures for the online services' tests."""

from __future__ import annotations

from decimal import Decimal

from thuvien.catalog.models import BibRecord
from thuvien.circulation.tests.fixtures import LEADER
from thuvien.core.models import OrgUnit, User
from thuvien.online import services as svc
from thuvien.online.models import CopyFormat, FeeService, PostalZone
from thuvien.patrons.models import PatronCategory


def book(title: str = "Lịch sử Cao Bằng", physical: str = "200 tr. ; 21 cm") -> BibRecord:
    return BibRecord.objects.create(marc={"leader": LEADER, "fields": []}, leader=LEADER, title=title,
                                    physical=physical)


def fee_table(actor: User, unit: OrgUnit) -> None:
    """A small table: card 30.000 đ (children 10.000 đ), copies 500 đ/page, scans 1.000 đ/page, postage bands."""
    svc.fee_set(actor=actor, unit=unit, service=FeeService.CARD, amount=Decimal(30000))
    svc.fee_set(actor=actor, unit=unit, service=FeeService.CARD, amount=Decimal(10000),
                category=PatronCategory.objects.get(code="child"))
    svc.fee_set(actor=actor, unit=unit, service=FeeService.COPY_PAGE, amount=Decimal(500),
                copy_format=CopyFormat.A4_BW)
    svc.fee_set(actor=actor, unit=unit, service=FeeService.SCAN_PAGE, amount=Decimal(1000), copy_format=CopyFormat.PDF)
    svc.fee_set(actor=actor, unit=unit, service=FeeService.POSTAGE, amount=Decimal(16000),
                zone=PostalZone.IN_PROVINCE, weight_max_g=500)
    svc.fee_set(actor=actor, unit=unit, service=FeeService.POSTAGE, amount=Decimal(24000),
                zone=PostalZone.IN_PROVINCE, weight_max_g=2000)
    svc.exemption_set(actor=actor, unit=unit, service=FeeService.POSTAGE,
                      category=PatronCategory.objects.get(code="disabled"), note="Người khuyết tật")
