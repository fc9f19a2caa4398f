"""Demo data for interconnection: our own SRU server as a copy-cataloguing target, and a harvest
source reading our own OAI-PMH provider (the provincial library's records) into the Hòa An library."""

from __future__ import annotations

from typing import TextIO

from django.conf import settings

from thuvien.core.demo import system_user
from thuvien.core.models import OrgUnit
from thuvien.protocols.harvest.services import harvest_source_create
from thuvien.protocols.services import sru_target_create


def load(*, network: OrgUnit, stdout: TextIO) -> None:
    actor = system_user()
    base = str(getattr(settings, "THUVIEN_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")
    sru_target_create(actor=actor, name=f"{network.name} (máy chủ này)", url=f"{base}/sru", sort_order=1)
    library = OrgUnit.objects.filter(code="CB-HA").first() or network
    harvest_source_create(actor=actor, code="tv-tinh", name="Thư viện tỉnh (OAI-PMH của chính hệ thống)",
                          base_url=f"{base}/oai", set_spec="library:CB-TVT", library=library)
    stdout.write(f"protocols: SRU {base}/sru, OAI-PMH {base}/oai, 1 SRU target, 1 harvest source\n")
