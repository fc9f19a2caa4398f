"""Personal data (issue 12: V9, V10, V11): who sees a reader, CCCD kept only as a keyed hash, erasure
pseudonymising the audit trail, the request queue, the breach register, the retention job."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.utils import timezone

from thuvien.core.models import AuditEntry, Role
from thuvien.core.tests.fixtures import make_staff
from thuvien.patrons import privacy
from thuvien.patrons import services as svc
from thuvien.patrons.models import DataRequest, DataRequestStatus, Patron, PatronCategory, PatronStatus
from thuvien.patrons.selectors import patron_find_duplicates
from thuvien.patrons.tests.fixtures import make_patron


def _adult(**extra):  # type: ignore[no-untyped-def]
    return {"full_name": "Hoàng Văn Tú", "category": PatronCategory.objects.get(code="adult"),
            "birth_date": dt.date(1988, 5, 1), "phone": "0912345678", "address": "12 Hoàng Đình Giong",
            "email": "tu@example.vn", **extra}


def test_cccd_is_stored_as_keyed_hash_and_last_four(net, desk_a):
    patron = svc.patron_create(actor=desk_a, home_library=net.a, data=_adult(id_number="004 088 012 345"),
                               consents=["service"])
    row = Patron.objects.filter(pk=patron.pk).values()[0]
    assert "004088012345" not in str(row)
    assert row["id_last4"] == "2345" and len(row["id_hash"]) == 64
    assert patron_find_duplicates(id_number="004088012345") == [patron]
    assert patron_find_duplicates(id_number="004088012346") == []
    assert "004088012345" not in str(list(AuditEntry.objects.values_list("changes", flat=True)))


def test_full_record_only_for_the_home_subtree_other_desks_see_what_a_loan_needs(client, net, desk_a, base_rule):
    reader = make_patron("R-A", net.a, phone="0987654321")
    desk_b = make_staff("desk_b", net.b, Role.CIRCULATION)
    assert svc.patron_view_level(desk_a, reader) == "full"
    assert svc.patron_view_level(desk_b, reader) == "loan"
    assert svc.patron_view_level(make_staff("cat", net.a, Role.CATALOGUER), reader) == ""
    client.force_login(desk_b)
    page = client.get("/staff/circ/patrons/R-A/?desk=B").content.decode()
    assert "R-A" in page and "0987654321" not in page and 'id="limited"' in page
    assert not AuditEntry.objects.filter(action="patron.view").exists()
    api = client.get("/api/v1/circ/patrons/R-A/loans")
    assert api.status_code == 403
    client.force_login(desk_a)
    page = client.get("/staff/circ/patrons/R-A/?desk=A").content.decode()
    assert "0987654321" in page and 'id="limited"' not in page
    view = AuditEntry.objects.get(action="patron.view")
    assert (view.actor, view.unit, view.object_repr) == (desk_a, net.a, "R-A")


def test_erasure_pseudonymises_the_audit_trail(net, desk_a):
    patron = svc.patron_create(actor=desk_a, home_library=net.a, data=_adult(), consents=["service"])
    svc.patron_update(actor=desk_a, patron=patron, data={"phone": "0900000001", "address": "Số 5 Kim Đồng",
                                                         "email": "tu2@example.vn"})
    svc.patron_erase(actor=desk_a, patron=patron)
    text = str(list(AuditEntry.objects.values_list("changes", "object_repr")))
    for secret in ("0912345678", "0900000001", "Kim Đồng", "tu2@example.vn", "Hoàng Đình Giong"):
        assert secret not in text
    erase = AuditEntry.objects.get(action="patron.erase")
    assert erase.changes["audit_entries_pseudonymised"] == [None, 1]
    assert AuditEntry.objects.filter(action="patron.update", object_id=str(patron.pk)).get().changes["phone"] == [
        "***", "***"]


def test_request_queue_deadline_and_actions(client, net, desk_a):
    reader = make_patron("R-Q", net.a)
    other = make_patron("R-OTHER", net.b)
    delete = svc.datarequest_create(patron=reader, kind="delete", details="Xin xoá")
    svc.datarequest_create(patron=other, kind="correct", details="Sai tên")
    friday = timezone.make_aware(dt.datetime(2026, 12, 4, 10, 0))
    assert privacy.add_working_days(friday, 2).date() == dt.date(2026, 12, 8)  # Mon, Tue
    rows = privacy.datarequest_queue(staff=desk_a)
    assert [r.request.pk for r in rows] == [delete.pk]  # B's reader is not in A's queue
    client.force_login(desk_a)
    page = client.get("/staff/privacy/").content.decode()
    assert "R-Q" in page and "R-OTHER" not in page
    response = client.post("/staff/privacy/", {"request": delete.pk, "action": "erase", "resolution": "Đã xoá"})
    assert response.status_code == 302
    reader.refresh_from_db()
    delete.refresh_from_db()
    assert (reader.status, delete.status) == (PatronStatus.ERASED, DataRequestStatus.DONE)
    restrict = svc.datarequest_create(patron=make_patron("R-R", net.a), kind="correct")
    client.post("/staff/privacy/", {"request": restrict.pk, "action": "restrict"})
    assert Patron.objects.get(card_number="R-R").status == PatronStatus.SUSPENDED
    assert DataRequest.objects.get(pk=restrict.pk).status == DataRequestStatus.DONE


def test_breach_register_72_hour_clock(client, net):
    manager = make_staff("mgr", net.a, Role.LIBRARY_MANAGER)
    client.force_login(manager)
    found = timezone.localtime() - dt.timedelta(hours=80)
    response = client.post("/staff/privacy/breaches/", {"unit": net.a.pk, "discovered_at": found.strftime("%Y-%m-%dT%H:%M"),
                                                        "description": "Mất máy tính xách tay", "people_affected": "120"})
    assert response.status_code == 302
    page = client.get("/staff/privacy/breaches/").content.decode()
    assert "Mất máy tính xách tay" in page and "quá hạn" in page
    assert client.post("/staff/privacy/breaches/", {"unit": net.a.pk, "discovered_at": "not a date",
                                                    "description": "x"}).status_code == 200


def test_login_records_page_for_managers_only(client, net):
    manager = make_staff("mgr", net.a, Role.LIBRARY_MANAGER)
    desk = make_staff("thu", net.a, Role.CIRCULATION)
    client.post("/staff/login/", {"username": "thu", "password": "wrong"})
    client.force_login(desk)
    assert client.get("/staff/privacy/logins/").status_code == 403
    client.force_login(manager)
    page = client.get("/staff/privacy/logins/").content.decode()
    assert "thu" in page and "Đăng nhập sai" in page


def test_retention_job_is_scheduled_and_erases_two_years_after_expiry(net, desk_a):
    schedule = importlib.import_module("thuvien.patrons.schedule").SCHEDULE
    assert [s["callable"] for s in schedule] == ["thuvien.patrons.privacy.retention_erase_expired"]
    today = timezone.localdate()
    old = make_patron("OLD", net.a, expires_on=today - dt.timedelta(days=731))
    recent = make_patron("RECENT", net.a, expires_on=today - dt.timedelta(days=700))
    result = privacy.retention_erase_expired()
    assert result["erased"] == 1
    assert Patron.objects.get(pk=old.pk).status == PatronStatus.ERASED
    assert Patron.objects.get(pk=recent.pk).status == PatronStatus.ACTIVE


@pytest.mark.parametrize("wrong", ["", "abc"])
def test_breach_service_validates(net, wrong):
    from django.core.exceptions import ValidationError
    manager = make_staff("mgr2", net.a, Role.LIBRARY_MANAGER)
    with pytest.raises(ValidationError):
        privacy.breach_record(actor=manager, unit=net.a, discovered_at=timezone.now() + dt.timedelta(days=1),
                              description=wrong)
