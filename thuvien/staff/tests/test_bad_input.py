"""Bad input on the pages built here gets a clear answer, never a server error."""

import pytest
from django.test import Client

from thuvien.catalog import services
from thuvien.catalog.tests.fixtures import make_book
from thuvien.core.models import Role


@pytest.mark.parametrize("data", [
    {"key": "circ.max_fines", "value": "9" * 400},
    {"key": "circ.max_fines", "value": "-0.5"},
    {"key": "circ.closed_dates", "value": "30/02/2027\n\x00"},
    {"key": "circ.closed_weekdays", "value": ["x", "1"]},
    {"key": "patron.card_prefix", "value": "A" * 300},
    {"key": "no.such.key", "value": "1"},
    {},
])
def test_unit_setting_refuses_garbage(client, net, staff_factory, data):
    client.force_login(staff_factory("mgr_a", net.a, Role.LIBRARY_MANAGER))
    r = client.post("/staff/network/A/setting/", data, follow=True)
    assert r.status_code == (400 if "\x00" in str(data.get("value")) else 200)  # a NUL byte: refused at the door


def test_editor_merge_and_account_survive_garbage(client, net, cataloguer_a, patron_factory):
    bib = services.bib_create(actor=cataloguer_a, record=make_book(), owner=net.a)
    client.force_login(cataloguer_a)
    url = f"/staff/catalog/record/{bib.pk}/edit/"
    r = client.post(url, {"leader": "x", "tag": ["24", "245"], "ind1": ["1"], "value": ["abc", "$"],
                          "action": "save"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "errorlist" in r.content.decode()
    for other in ("-1", "abc", str(bib.pk), "1" * 40):
        r = client.post(f"/staff/catalog/record/{bib.pk}/merge/", {"other": other, "confirm": "1"})
        assert r.status_code in (200, 400), other
    reader = Client()
    patron_factory("Z1", net.a)
    r = reader.post("/account/register/", {"full_name": "x" * 300, "birth_date": "2999-01-01", "phone": "0" * 30,
                                           "email": "not-an-email", "category": "999", "home_library": "abc"})
    assert r.status_code == 400
