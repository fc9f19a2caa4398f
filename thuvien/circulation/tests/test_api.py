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


# Database calls of one checkout / check-in request through the whole stack (middleware, session,
# user, the request's one grant query, the desk/item/reader batch, the service's reads and writes,
# the search outbox; the checkout, a new session's first request, also writes the session's
# last-seen time), inside the test's transaction (savepoints). PostgreSQL: round trips (each batch
# is one); SQLite runs a batch's statements one by one. Before: SQLite 26 / 19, PostgreSQL 15 / 11 (the staff
# check's own grant query and three ORM lookups).
CHECKOUT_REQUEST_QUERIES = {"postgresql": 12, "sqlite": 25}
CHECKIN_REQUEST_QUERIES = {"postgresql": 9, "sqlite": 18}


def test_checkout_request_query_count_is_constant(net, desk_a, base_rule, patron_factory, item_factory,
                                                  record_factory):
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    base_rule.max_loans = 1000
    base_rule.save()
    patron_factory("LIGHT", net.a)
    heavy = patron_factory("HEAVY", net.a)
    record = record_factory()
    now = timezone.now()
    for i in range(40):
        Loan.objects.create(item=item_factory(f"HV{i:03}", net.a, record=record), patron=heavy, library=net.a,
                            checked_out_at=now, due_at=now + dt.timedelta(days=14))
    for barcode in ("Q-1", "Q-2"):
        item_factory(barcode, net.a)
    counts = []
    for card, barcode in (("LIGHT", "Q-1"), ("heavy", "Q-2")):
        client = Client()
        client.force_login(desk_a)
        with CaptureQueriesContext(connection) as out:
            r = client.post("/api/v1/circ/checkout", {"item_barcode": barcode, "card_number": card, "desk": "A",
                                                      "request_id": str(uuid.uuid4())}, content_type="application/json")
        assert r.status_code == 200, r.content
        with CaptureQueriesContext(connection) as back:
            r = client.post("/api/v1/circ/checkin", {"item_barcode": barcode, "desk": "A",
                                                     "request_id": str(uuid.uuid4())}, content_type="application/json")
        assert r.status_code == 200 and r.json()["route"] == "shelve"
        counts.append((len(out), len(back)))
    expected = (CHECKOUT_REQUEST_QUERIES[connection.vendor], CHECKIN_REQUEST_QUERIES[connection.vendor])
    assert counts == [expected, expected], "\n".join(q["sql"][:120] for q in out.captured_queries)


def test_desk_request_names_unknown_things_404_and_cards_in_any_case(api, net, base_rule, patron_factory,
                                                                      item_factory):
    patron_factory("Kh-07", net.a)
    item_factory("X-1", net.a)
    body = {"item_barcode": "X-1", "card_number": "kH-07", "desk": "A", "request_id": str(uuid.uuid4())}
    for wrong in ({"desk": "NOPE"}, {"item_barcode": "NOPE"}, {"card_number": "NOPE"}):
        assert api.post("/api/v1/circ/checkout", {**body, **wrong}, content_type="application/json").status_code == 404
    assert api.post("/api/v1/circ/checkin", {"item_barcode": "NOPE", "desk": "A"},
                    content_type="application/json").status_code == 404
    r = api.post("/api/v1/circ/checkout", body, content_type="application/json")  # mixed case: the slow path
    assert r.status_code == 200 and r.json()["card_number"] == "Kh-07"
