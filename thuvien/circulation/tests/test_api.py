import uuid

import pytest
from django.test import Client

from thuvien.circulation.models import Loan


@pytest.fixture
def api(desk_a):
    client = Client()
    client.force_login(desk_a)
    return client


def test_checkout_checkin_renew_over_http(api, net, base_rule, patron_factory, item_factory):
    patron_factory("API1", net.a)
    item = item_factory("API-1", net.a)
    rid = str(uuid.uuid4())
    body = {"item_barcode": "API-1", "card_number": "api1", "desk": "a", "request_id": rid}
    r1 = api.post("/api/v1/circ/checkout", body, content_type="application/json")
    r2 = api.post("/api/v1/circ/checkout", body, content_type="application/json")
    assert r1.status_code == 200 and r1.json() == r2.json()
    assert r1.json()["card_number"] == "API1" and Loan.objects.count() == 1
    refused = api.post("/api/v1/circ/checkout", {**body, "request_id": str(uuid.uuid4())},
                       content_type="application/json")
    assert refused.status_code == 409 and "đang mượn" in refused.json()["detail"]
    renewed = api.post("/api/v1/circ/renew", {"loan": r1.json()["uuid"]}, content_type="application/json")
    assert renewed.status_code == 409 and "không lùi được hạn trả" in renewed.json()["detail"]  # same day
    assert Loan.objects.get().renewals_count == 0
    loans = api.get("/api/v1/circ/patrons/API1/loans").json()
    assert [ln["item_barcode"] for ln in loans] == ["API-1"]
    back = api.post("/api/v1/circ/checkin", {"item_barcode": "API-1", "desk": "A"}, content_type="application/json")
    assert back.status_code == 200 and back.json()["route"] == "shelve" and back.json()["fine"] is None
    assert item.loans.get().returned_at is not None


def test_api_refuses_anonymous_and_other_desks(net, desk_a, base_rule, patron_factory, item_factory):
    patron_factory("API2", net.a)
    item_factory("API-2", net.b)
    body = {"item_barcode": "API-2", "card_number": "API2", "desk": "B"}
    assert Client().post("/api/v1/circ/checkout", body, content_type="application/json").status_code == 401
    client = Client()
    client.force_login(desk_a)
    assert client.post("/api/v1/circ/checkout", body, content_type="application/json").status_code == 403
