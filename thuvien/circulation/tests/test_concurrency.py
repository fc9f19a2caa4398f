"""Two (or twenty) desks checking out the same item at the same moment leave exactly one loan."""

import threading
import uuid

import pytest
from django.db import OperationalError, connection, connections

from thuvien.circulation.models import Loan
from thuvien.circulation.services import CirculationError, loan_checkout

N = 20


def _sqlite_locked(outcome):
    """The in-memory SQLite test database (shared cache) refuses a second writer instead of waiting; a
    file database with busy_timeout waits. Either way the writer is refused and nothing is written."""
    return connection.vendor == "sqlite" and isinstance(outcome, OperationalError) and "locked" in str(outcome)


def _run_parallel(fn, n):
    barrier = threading.Barrier(n)
    outcomes = []
    lock = threading.Lock()

    def worker(i):
        try:
            barrier.wait()
            result = fn(i)
        except Exception as exc:  # noqa: BLE001 - every outcome is collected and asserted on
            result = exc
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_parallel_checkouts_of_one_item_leave_one_loan(net, desk_a, base_rule, patron_factory, item_factory):
    item = item_factory("RACE1", net.a)
    readers = [patron_factory(f"RACE{i}", net.a) for i in range(N)]
    outcomes = _run_parallel(lambda i: loan_checkout(actor=desk_a, item=item, patron=readers[i], desk=net.a,
                                                     request_id=uuid.uuid4()), N)
    loans = [o for o in outcomes if isinstance(o, Loan)]
    refused = [o for o in outcomes if isinstance(o, CirculationError) or _sqlite_locked(o)]
    assert len(loans) == 1 and len(refused) == N - 1, outcomes
    assert Loan.objects.filter(item=item, returned_at__isnull=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_same_request_retried_in_parallel_acts_once(net, desk_a, base_rule, patron_factory, item_factory):
    item = item_factory("RACE2", net.a)
    reader = patron_factory("RETRY", net.a)
    rid = uuid.uuid4()
    outcomes = _run_parallel(lambda i: loan_checkout(actor=desk_a, item=item, patron=reader, desk=net.a,
                                                     request_id=rid), 8)
    assert all(isinstance(o, Loan) or _sqlite_locked(o) for o in outcomes), outcomes
    assert len({o.pk for o in outcomes if isinstance(o, Loan)}) == 1 and Loan.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_http_checkouts(live_server, net, desk_a, base_rule, patron_factory, item_factory):
    """20 simultaneous POSTs to the API (real requests through the live server) make one loan."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the live server's threads share SQLite's test connection")
    import json
    import urllib.request
    from http.cookiejar import CookieJar

    from django.test import Client
    client = Client()
    client.force_login(desk_a)
    session = client.cookies["sessionid"].value
    csrf = "a" * 32
    item = item_factory("RACE3", net.a)
    readers = [patron_factory(f"HTTP{i}", net.a) for i in range(N)]

    def post(i):
        body = json.dumps({"item_barcode": item.barcode, "card_number": readers[i].card_number, "desk": "A",
                           "request_id": str(uuid.uuid4())}).encode()
        req = urllib.request.Request(f"{live_server.url}/api/v1/circ/checkout", data=body, method="POST", headers={  # noqa: S310
            "Content-Type": "application/json", "X-CSRFToken": csrf, "Referer": live_server.url,
            "Cookie": f"sessionid={session}; csrftoken={csrf}"})
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        try:
            with opener.open(req, timeout=60) as resp:
                return resp.status
        except urllib.error.HTTPError as exc:
            return exc.code

    statuses = _run_parallel(post, N)
    assert sorted(statuses) == [200] + [409] * (N - 1), statuses
    assert Loan.objects.filter(item=item).count() == 1
