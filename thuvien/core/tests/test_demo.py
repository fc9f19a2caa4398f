"""`thuvien demo`, what `make run` loads on an empty database: every app's part, once."""

import io

import pytest
from django.core.management import call_command

from thuvien.catalog.models import BibRecord, Item
from thuvien.core.demo import DEMO_PASSWORD
from thuvien.core.models import OrgUnit, RoleGrant, User
from thuvien.patrons.auth import patron_pin_check
from thuvien.patrons.models import Patron
from thuvien.protocols import demo as protocols_demo
from thuvien.protocols.models import Sip2Terminal
from thuvien.protocols.sip2.services import terminal_authenticate
from thuvien.search.selectors import record_search
from thuvien.search.syntax import parse_user_query


def top_title(query: str) -> str:
    result = record_search(query=parse_user_query(query), limit=1)
    return BibRecord.objects.get(pk=result.hits[0].record_id).title


@pytest.mark.slow
def test_demo_loads_the_whole_network_once(shared_data, db):
    out = io.StringIO()
    call_command("demo", "--if-empty", stdout=out)
    text = out.getvalue()
    assert OrgUnit.objects.filter(path__startswith=OrgUnit.objects.get(code="CB").path).count() == 19
    assert OrgUnit.objects.filter(kind__code="district_library").count() == 9
    assert set(User.objects.filter(grants__isnull=False).values_list("username", flat=True)) == {
        "quantri", "quanly", "bienmuc", "luuthong", "sohoa", "baocao", "hoaan", "sip2-kiosk-demo"}
    assert RoleGrant.objects.filter(user__username="hoaan").count() == 3
    assert "quantri    Quản trị mạng lưới @ CB" in text
    assert BibRecord.objects.filter(marc__fields__icontains="Tiki").count() > 1700
    assert Item.objects.count() > 3000
    assert Patron.objects.count() == 10
    # a SIP2 terminal for the provincial library, and the demo reader's PIN for it
    terminal = Sip2Terminal.objects.get()
    assert (terminal.login, terminal.library.code, terminal.patron_pin_required, terminal.location) == (
        "kiosk-demo", "CB-TVT", True, "Sảnh tầng 1")
    assert terminal_authenticate(login="kiosk-demo", password=DEMO_PASSWORD) == terminal
    assert patron_pin_check(patron=Patron.objects.get(card_number="CB000001"), pin="2468")
    assert "SIP2 terminal kiosk-demo" in text
    assert protocols_demo.login_lines() == [
        "Máy SIP2 (127.0.0.1:6001): CN kiosk-demo, CO thuvien2026, AO CB-TVT; bạn đọc CB000001, PIN 2468"]
    # the search box's own examples find the right book first, with or without diacritics
    assert top_title("truyen kieu") == "Truyện Kiều"
    assert top_title("Đất rừng phương Nam") == "Đất rừng phương Nam"
    assert top_title('tac gia:"Nam Cao"') == "Chí Phèo"
    counts = (OrgUnit.objects.count(), BibRecord.objects.count(), Item.objects.count(), Patron.objects.count())
    # a second `make run` changes nothing
    again = io.StringIO()
    call_command("demo", "--if-empty", stdout=again)
    assert "Dữ liệu demo đã có; bỏ qua." in again.getvalue()
    assert (OrgUnit.objects.count(), BibRecord.objects.count(), Item.objects.count(), Patron.objects.count()) == counts
