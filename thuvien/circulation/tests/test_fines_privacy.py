import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from thuvien.circulation.jobs import daily_run, loans_anonymise
from thuvien.circulation.models import Fine, Loan
from thuvien.circulation.selectors import accrued_fine, fines_total, patron_export_data
from thuvien.circulation.services import (
    CirculationError,
    fine_for,
    fine_pay,
    fine_waive,
    loan_checkin,
    loan_checkout,
)
from thuvien.core.models import ActivityEvent, AuditEntry, OrgUnitSetting
from thuvien.patrons.services import consent_withdraw

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=VN)
DUE = dt.datetime(2026, 3, 16, 23, 59, 59, tzinfo=VN)


@pytest.mark.parametrize(("returned", "grace", "days", "amount"), [
    (dt.datetime(2026, 3, 16, 20, 0, tzinfo=VN), 0, 0, 0),
    (dt.datetime(2026, 3, 17, 8, 0, tzinfo=VN), 0, 1, 1000),
    (dt.datetime(2026, 3, 18, 8, 0, tzinfo=VN), 2, 2, 0),
    (dt.datetime(2026, 3, 19, 8, 0, tzinfo=VN), 2, 3, 3000),
    (dt.datetime(2026, 5, 1, 8, 0, tzinfo=VN), 0, 46, 20000),  # capped
])
def test_fine_computation(returned, grace, days, amount):
    assert fine_for(due_at=DUE, returned_at=returned, fine_per_day=Decimal(1000), fine_cap=Decimal(20000),
                    grace_days=grace) == (days, Decimal(amount))


def test_payments_oldest_first_and_waive_needs_override(net, desk_a, manager_a, patron_factory):
    p = patron_factory("F1", net.a)
    f1 = Fine.objects.create(patron=p, library=net.a, kind="overdue", amount=Decimal(3000))
    f2 = Fine.objects.create(patron=p, library=net.a, kind="manual", amount=Decimal(5000))
    with pytest.raises(CirculationError, match="lớn hơn số còn nợ"):
        fine_pay(actor=desk_a, patron=p, amount=Decimal(9000), desk=net.a)
    payments = fine_pay(actor=desk_a, patron=p, amount=Decimal(4000), desk=net.a)
    assert [(x.fine_id, x.amount) for x in payments] == [(f1.pk, 3000), (f2.pk, 1000)]
    assert fines_total(patron=p) == Decimal(4000)
    with pytest.raises(PermissionDenied):
        fine_waive(actor=desk_a, fine=f2, desk=net.a)
    fine_waive(actor=manager_a, fine=f2, desk=net.a, note="hoàn cảnh khó khăn")
    assert fines_total(patron=p) == 0


def test_anonymisation_respects_opt_in_and_keeps_statistics(net, desk_a, base_rule, patron_factory, item_factory):
    plain = patron_factory("P1", net.a)
    keeper = patron_factory("P2", net.a, consents=("service", "reading_history"))
    for p, code in ((plain, "I1"), (keeper, "I2")):
        item = item_factory(code, net.a)
        loan_checkout(actor=desk_a, item=item, patron=p, desk=net.a, now=NOW)
        loan_checkin(actor=desk_a, item=item, desk=net.a, now=NOW + dt.timedelta(days=3))
    assert loans_anonymise(now=NOW + dt.timedelta(days=20)) == 0  # default: 30 days
    OrgUnitSetting.objects.create(unit=net.province, key="circ.anonymise_after_days", value=10)
    assert loans_anonymise(now=NOW + dt.timedelta(days=20)) == 1
    anon = Loan.objects.get(item__barcode="I1")
    assert anon.patron is None and anon.anonymised and anon.patron_category == "adult"
    assert Loan.objects.get(item__barcode="I2").patron == keeper
    assert patron_export_data(patron=plain)["reading_history"] == []
    assert [h["title"] for h in patron_export_data(patron=keeper)["reading_history"]] == ["Dế Mèn phiêu lưu ký"]
    assert ActivityEvent.objects.filter(kind="return").count() == 2
    for event in ActivityEvent.objects.all():
        assert "patron" not in event.attributes and "card" not in str(event.attributes)


def test_withdrawing_reading_history_consent_anonymises_old_loans_at_once(net, desk_a, base_rule, patron_factory,
                                                                         item_factory):
    now = timezone.now()
    keeper = patron_factory("W1", net.a, consents=("service", "reading_history"))
    other = patron_factory("W2", net.a)
    for p, code, out, back in ((keeper, "WOLD", 60, 50), (keeper, "WNEW", 5, 2), (other, "WOTH", 60, 50)):
        item = item_factory(code, net.a)
        loan_checkout(actor=desk_a, item=item, patron=p, desk=net.a, now=now - dt.timedelta(days=out))
        loan_checkin(actor=desk_a, item=item, desk=net.a, now=now - dt.timedelta(days=back))
    consent_withdraw(patron=keeper, purpose="reading_history", actor=keeper.user)
    # the keeper's loan returned 50 days ago goes now (the period is 30 days); the recent one stays until it
    # reaches the period, as for every reader; other readers wait for the daily job
    assert sorted(Loan.objects.filter(anonymised=True).values_list("item__barcode", flat=True)) == ["WOLD"]
    assert Loan.objects.get(item__barcode="WNEW").patron == keeper
    assert Loan.objects.get(item__barcode="WOTH").patron == other
    entry = AuditEntry.objects.get(action="loan.anonymise")
    assert (entry.object_repr, entry.changes) == ("W1", {"count": [None, 1]})
    history = patron_export_data(patron=keeper)["reading_history"]
    assert [h["returned_at"] for h in history] == [(now - dt.timedelta(days=2)).isoformat()]  # WNEW only


def test_daily_job_sends_one_overdue_notice_per_reader(net, desk_a, base_rule, patron_factory, item_factory):
    p = patron_factory("O1", net.a, consents=("service", "notices_email"), email="o1@example.vn")
    loans = [loan_checkout(actor=desk_a, item=item_factory(f"O{i}", net.a), patron=p, desk=net.a, now=NOW)
             for i in range(2)]
    assert accrued_fine(loans[0], now=DUE + dt.timedelta(days=3)) == Decimal(3000)
    result = daily_run(now=DUE + dt.timedelta(days=3))
    assert result["overdue_readers_notified"] == 1 and result["notices_sent"] == 1
    assert len(mail.outbox) == 1 and "(O0)" in mail.outbox[0].body and "(O1)" in mail.outbox[0].body
    assert daily_run(now=DUE + dt.timedelta(days=4))["overdue_readers_notified"] == 0  # not every day
    assert daily_run(now=DUE + dt.timedelta(days=11))["overdue_readers_notified"] == 1
