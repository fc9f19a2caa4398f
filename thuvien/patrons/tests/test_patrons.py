import datetime as dt

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from thuvien.core.models import AuditEntry, OrgUnitSetting
from thuvien.patrons.models import Consent, DataRequest, Patron, PatronCategory, PatronStatus
from thuvien.patrons.services import (
    DuplicateWarning,
    consent_grant,
    consent_withdraw,
    datarequest_create,
    patron_approve,
    patron_create,
    patron_erase,
    patron_self_register,
    patron_update,
)


def cat(code):
    return PatronCategory.objects.get(code=code)


def adult(**extra):
    data = {"full_name": "Nguyễn Văn An", "birth_date": dt.date(1990, 5, 1), "phone": "0912000111",
            "category": cat("adult"), "id_number": "004090000123"}
    data.update(extra)
    return data


def test_desk_registration_stores_consent_wording_and_time(net, desk_a):
    p = patron_create(actor=desk_a, home_library=net.a, data=adult(), consents=["service", "notices_email"])
    assert p.status == PatronStatus.ACTIVE and p.card_number == "P000001" and not p.keep_history
    consents = {c.purpose: c for c in p.consents.all()}
    assert set(consents) == {"service", "notices_email"}
    assert consents["service"].wording.startswith("Tôi đồng ý để thư viện xử lý dữ liệu cá nhân")
    assert consents["service"].wording_version == "2026-01" and consents["service"].given_by == "self"
    assert abs((timezone.now() - consents["service"].given_at).total_seconds()) < 60
    assert p.expires_on == timezone.localdate() + dt.timedelta(days=365)
    assert AuditEntry.objects.get(action="patron.create").changes["consents"] == [None, ["notices_email", "service"]]


def test_no_service_consent_no_card(net, desk_a):
    with pytest.raises(ValidationError, match="Cần có sự đồng ý"):
        patron_create(actor=desk_a, home_library=net.a, data=adult(), consents=[])
    assert Patron.objects.count() == 0


def test_child_needs_guardian_and_own_consent_from_seven(net, desk_a):
    today = timezone.localdate()
    nine = adult(full_name="Hoàng Minh Khang", birth_date=today.replace(year=today.year - 9), category=cat("child"),
                 id_number=None, phone="")
    with pytest.raises(ValidationError, match="người giám hộ"):
        patron_create(actor=desk_a, home_library=net.a, data=nine, consents=["service"])
    with pytest.raises(ValidationError, match="Trẻ từ đủ 7 tuổi"):
        patron_create(actor=desk_a, home_library=net.a, data=nine, consents=["service"], guardian_name="Hoàng Văn Hùng")
    p = patron_create(actor=desk_a, home_library=net.a, data=nine, consents=["service"],
                      guardian_name="Hoàng Văn Hùng", child_agreed=True)
    c = p.consents.get()
    assert (c.given_by, c.guardian_name, c.child_agreed) == ("guardian", "Hoàng Văn Hùng", True)
    five = adult(full_name="Hoàng Minh Châu", birth_date=today.replace(year=today.year - 5), category=cat("child"),
                 id_number=None, phone="")
    assert patron_create(actor=desk_a, home_library=net.a, data=five, consents=["service"],
                         guardian_name="Hoàng Văn Hùng").guardian_name == "Hoàng Văn Hùng"


def test_duplicate_warning_on_cccd_phone_or_name_and_birth(net, desk_a):
    first = patron_create(actor=desk_a, home_library=net.a, data=adult(), consents=["service"])
    for data in (adult(full_name="Khác", birth_date=None, phone=""),
                 adult(full_name="Khác", id_number=None),
                 adult(full_name="NGUYEN VAN AN", phone="0900000000", id_number=None)):
        with pytest.raises(DuplicateWarning) as exc:
            patron_create(actor=desk_a, home_library=net.a, data=data, consents=["service"])
        assert exc.value.matches == [first]
    second = patron_create(actor=desk_a, home_library=net.a, consents=["service"], confirm_duplicates=True,
                           data=adult(full_name="Nguyễn Văn An", phone="0900000001", id_number=None))
    assert second.pk != first.pk


def test_staff_edit_only_in_their_subtree(net, desk_a, staff_factory):
    p = patron_create(actor=desk_a, home_library=net.a, data=adult(), consents=["service"])
    desk_b = staff_factory("desk_b2", net.b, "circulation")
    with pytest.raises(PermissionDenied):
        patron_update(actor=desk_b, patron=p, data={"phone": "0999"})
    patron_update(actor=desk_a, patron=p, data={"phone": "0999999999", "id_number": "001111"})
    entry = AuditEntry.objects.get(action="patron.update")
    assert entry.changes == {"id_number": ["***", "***"], "phone": ["0912000111", "0999999999"]}


def test_self_registration_pending_then_approved_and_portal_login(net, desk_a):
    p = patron_self_register(home_library=net.a, data=adult(email="an@example.vn"), consents=["service"],
                             password="mat-khau-dai-2026")
    assert p.status == PatronStatus.PENDING and p.consents.get().channel == "portal"
    assert authenticate(username=p.card_number, password="mat-khau-dai-2026") == p.user
    assert authenticate(username="AN@example.vn", password="mat-khau-dai-2026") == p.user
    assert authenticate(username=p.card_number, password="wrong") is None
    patron_approve(actor=desk_a, patron=p)
    p.refresh_from_db()
    assert p.status == PatronStatus.ACTIVE
    OrgUnitSetting.objects.create(unit=net.province, key="patron.self_registration_auto_approve", value=True)
    q = patron_self_register(home_library=net.b, data=adult(full_name="Trần Thị Bình", phone="0988", id_number=None,
                                                            birth_date=dt.date(1985, 1, 1)),
                             consents=["service"], password="mat-khau-dai-2026")
    assert q.status == PatronStatus.ACTIVE


def test_reading_history_consent_and_withdrawal(net, desk_a):
    p = patron_create(actor=desk_a, home_library=net.a, data=adult(), consents=["service"])
    consent_grant(patron=p, purpose="reading_history")
    p.refresh_from_db()
    assert p.keep_history
    consent_withdraw(patron=p, purpose="reading_history")
    p.refresh_from_db()
    assert not p.keep_history
    rows = list(Consent.objects.filter(patron=p, purpose="reading_history"))
    assert len(rows) == 1 and rows[0].withdrawn_at is not None
    consent_withdraw(patron=p, purpose="service")
    assert DataRequest.objects.get(patron=p).kind == "withdraw"


def test_erase_blanks_personal_data_and_refuses_with_open_loans(net, desk_a, base_rule, item_factory):
    from thuvien.circulation.services import loan_checkin, loan_checkout
    p = patron_create(actor=desk_a, home_library=net.a, data=adult(email="an@example.vn"), consents=["service"],
                      password="mat-khau-dai-2026")
    item = item_factory("Z1", net.a)
    loan = loan_checkout(actor=desk_a, item=item, patron=p, desk=net.a)
    datarequest_create(patron=p, kind="delete", details="Xin xoá")
    with pytest.raises(ValidationError, match="đang mượn"):
        patron_erase(actor=desk_a, patron=p)
    loan_checkin(actor=desk_a, item=item, desk=net.a)
    patron_erase(actor=desk_a, patron=p)
    p.refresh_from_db()
    loan.refresh_from_db()
    assert (p.status, p.full_name, p.phone, p.email, p.id_hash, p.birth_date) == ("erased", "(đã xoá)", "", "", None, None)
    assert loan.patron is None and loan.anonymised
    assert authenticate(username=p.card_number, password="mat-khau-dai-2026") is None
    assert DataRequest.objects.get(patron=p).status == "done"
