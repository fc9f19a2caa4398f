"""Demo data for interconnection: our own SRU server as a copy-cataloguing target, a harvest source
reading our own OAI-PMH provider (the provincial library's records) into the Hòa An library, and a
SIP2 self-check terminal at the provincial library."""

from __future__ import annotations

from typing import TextIO

from django.conf import settings

from thuvien.core.demo import DEMO_PASSWORD, system_user
from thuvien.core.models import OrgUnit
from thuvien.patrons.demo import DEMO_CARD, DEMO_PIN
from thuvien.protocols.harvest.services import harvest_source_create
from thuvien.protocols.models import Sip2Terminal
from thuvien.protocols.services import sru_target_create
from thuvien.protocols.sip2.services import terminal_create

DEMO_TERMINAL = "kiosk-demo"
DEMO_TERMINAL_LIBRARY = "CB-TVT"


def load(*, network: OrgUnit, stdout: TextIO) -> None:
    actor = system_user()
    base = str(getattr(settings, "THUVIEN_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")
    sru_target_create(actor=actor, name=f"{network.name} (máy chủ này)", url=f"{base}/sru", sort_order=1)
    library = OrgUnit.objects.filter(code="CB-HA").first() or network
    harvest_source_create(actor=actor, code="tv-tinh", name="Thư viện tỉnh (OAI-PMH của chính hệ thống)",
                          base_url=f"{base}/oai", set_spec="library:CB-TVT", library=library)
    provincial = OrgUnit.objects.filter(code=DEMO_TERMINAL_LIBRARY).first() or network
    if not Sip2Terminal.objects.filter(login=DEMO_TERMINAL).exists():
        terminal_create(actor=actor, login=DEMO_TERMINAL, library=provincial, password=DEMO_PASSWORD,
                        location="Sảnh tầng 1", patron_pin_required=True)
    stdout.write(f"protocols: SRU {base}/sru, OAI-PMH {base}/oai, 1 SRU target, 1 harvest source, "
                 f"SIP2 terminal {DEMO_TERMINAL}\n")


def login_lines() -> list[str]:
    """What `thuvien serve` prints for the demo SIP2 terminal (only when demo logins are shown)."""
    terminal = Sip2Terminal.objects.filter(login=DEMO_TERMINAL).select_related("library").first()
    if terminal is None:
        return []
    env = getattr(settings, "ENV", None)
    where = f"{getattr(env, 'sip2_host', '127.0.0.1')}:{getattr(env, 'sip2_port', 6001)}"
    return [f"Máy SIP2 ({where}): CN {terminal.login}, CO {DEMO_PASSWORD}, "
            f"AO {terminal.library.code}; bạn đọc {DEMO_CARD}, PIN {DEMO_PIN}"]
