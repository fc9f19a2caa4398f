"""The 500s the payload suite found (issue 12): ids posted as text, an editor asking for absurd rows, and
non-finite JSON settings get a 404 or a clear message, never a server error; each is checked here alone."""

from __future__ import annotations

import pytest
from django.test import Client

from thuvien.catalog import services
from thuvien.catalog.tests.fixtures import make_book
from thuvien.core.models import OrgUnitSetting, Role
from thuvien.core.params import int_param, int_params
from thuvien.core.tests.fixtures import make_staff

BAD = ["Infinity", "NaN", "../../etc/passwd", "1;DROP TABLE core_orgunit", "9" * 40, "-1", "１２", "a\x00b", ""]


def test_int_param():
    assert int_param("42") == 42 and int_param(" 7 ") == 7 and int_param(5) == 5
    assert [int_param(v) for v in BAD] == [None] * len(BAD)
    assert int_param(str(2**63)) is None and int_param(str(2**63 - 1)) == 2**63 - 1
    assert int_params(["1", "x", "3", "Infinity"]) == [1, 3]


@pytest.mark.parametrize("bad", BAD)
def test_posted_ids_that_are_not_numbers_find_nothing(client, net, admin_user, patron_factory, bad):
    client.force_login(admin_user)
    desk = make_staff("desk_a", net.a, Role.CIRCULATION)
    patron_factory("P1", net.a)
    posts = [(f"/staff/accounts/{desk.username}/", {"revoke": bad}),
             ("/staff/circ/policy/", {"delete": bad}),
             ("/staff/privacy/", {"request": bad, "action": "done", "resolution": "x"}),
             ("/staff/circ/patrons/P1/", {"action": "waive", "fine": bad}),
             ("/staff/circ/patrons/P1/", {"action": "renew", "loan": [bad, "1"]})]
    for url, data in posts:
        assert client.post(url, data).status_code in (200, 302, 400, 404), (url, data)
    r = client.post("/staff/privacy/breaches/", {"unit": bad, "discovered_at": "Infinity", "description": "x"})
    assert r.status_code in (200, 302, 400, 404)


@pytest.mark.parametrize("bad", ["Infinity", "NaN", "abc"])
def test_reader_hold_with_a_bad_pickup_is_a_404(net, patron_factory, bad):
    from thuvien.core.models import User

    patron = patron_factory("R1", net.a)
    patron.user = User.objects.create_user(username="reader-r1", password="mat-khau-dai-2026")
    patron.save(update_fields=["user"])
    bib = services.bib_create(actor=make_staff("cat", net.a, Role.CATALOGUER), record=make_book(), owner=net.a)
    reader = Client()
    reader.force_login(patron.user)
    assert reader.post(f"/account/hold/{bib.pk}/", {"pickup": bad, "request_id": "../x"}).status_code == 404
    assert reader.post("/account/", {"action": "pickup", "hold": bad, "pickup": bad}).status_code in (302, 404)


def test_marc_editor_add_rows_is_bounded(client, net, cataloguer_a):
    bib = services.bib_create(actor=cataloguer_a, record=make_book(), owner=net.a)
    client.force_login(cataloguer_a)
    for add in ("../../etc/passwd", "<script>", "9" * 30):
        r = client.post(f"/staff/catalog/record/{bib.pk}/edit/", {"leader": "x", "tag": ["245"], "ind1": ["1"],
                                                                  "ind2": ["0"], "value": ["$aX"], "order": ["1"],
                                                                  "delete": ["0"], "add": add}, HTTP_HX_REQUEST="true")
        assert r.status_code == 200 and r.content.decode().count('name="tag"') <= 51


@pytest.mark.parametrize("value", ["-1e309", "1e400", "NaN", "Infinity", "[" * 5000])
def test_json_setting_refuses_non_finite_numbers(client, net, admin_user, value):
    client.force_login(admin_user)
    r = client.post("/staff/network/A/setting/", {"key": "digital.library_ip_ranges", "value": value}, follow=True)
    assert r.status_code == 200 and "JSON hợp lệ" in r.content.decode()
    assert not OrgUnitSetting.objects.filter(key="digital.library_ip_ranges").exists()


@pytest.mark.parametrize(("method", "url", "data"), [
    ("get", "/search/", {"q": "a\x00b"}),
    ("get", "/staff/circ/registrations/", {"page": "\x00"}),
    ("post", "/staff/circ/registrations/", {"card": "nope\x00", "action": "approve"}),
    ("post", "/account/login/", {"username": "x\x00", "password": "y"}),
    ("get", "/staff/circ/patrons/P\x001/", None),
])
def test_nul_bytes_are_a_400_on_every_database(client, net, admin_user, method, url, data):
    client.force_login(admin_user)
    r = getattr(client, method)(url, data)
    assert r.status_code == 400 and "NUL" in r.content.decode()
