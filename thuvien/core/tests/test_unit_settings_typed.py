"""Typed unit settings: each declares its type and range, wrong values are refused with a message, and a bad
value already stored falls back to the default instead of breaking the desk."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from thuvien.circulation.models import Fine, Loan
from thuvien.circulation.services import BlockedError, loan_checkout
from thuvien.core import services
from thuvien.core.models import OrgUnitSetting, Role
from thuvien.core.unit_settings import REGISTRY, setting_get, setting_resolve


@pytest.fixture(autouse=True)
def _vietnamese():  # messages are asserted in Vietnamese, whatever an earlier test left active
    with translation.override("vi"):
        yield


def test_every_registered_setting_has_a_type_and_its_default_is_valid():
    assert {"circ.max_fines", "circ.closed_weekdays", "circ.closed_dates", "opac.visible",
            "patron.card_prefix"} <= set(REGISTRY)
    for definition in REGISTRY.values():
        assert definition.clean(definition.default) == definition.default, definition.key
    assert REGISTRY["circ.max_fines"].type == "int" and REGISTRY["circ.max_fines"].min == 0
    assert REGISTRY["opac.visible"].type == "bool"
    assert REGISTRY["circ.closed_weekdays"].type == "weekdays"
    assert REGISTRY["circ.open_dates"].type == "dates"


def test_values_are_cleaned_to_their_type():
    assert REGISTRY["circ.max_fines"].clean("50.000") == 50000
    assert REGISTRY["circ.max_fines"].clean(" 20000 ") == 20000
    assert REGISTRY["circ.closed_weekdays"].clean(["6", "5", "6"]) == [5, 6]
    assert REGISTRY["circ.closed_dates"].clean("30/04/2027\n2027-05-01, 02/09/2027") == [
        "2027-04-30", "2027-05-01", "2027-09-02"]
    assert REGISTRY["opac.visible"].clean("on") is True
    with pytest.raises(ValidationError, match="“50k” không phải là một số nguyên"):
        REGISTRY["circ.max_fines"].clean("50k")
    with pytest.raises(ValidationError, match="giá trị nhỏ nhất là 0"):
        REGISTRY["circ.max_fines"].clean("-5")
    with pytest.raises(ValidationError, match="giá trị lớn nhất là 60"):
        REGISTRY["circ.hold_pickup_days"].clean(61)
    with pytest.raises(ValidationError, match="“31/02/2027” không phải là ngày"):
        REGISTRY["circ.closed_dates"].clean("31/02/2027")
    with pytest.raises(ValidationError, match="ngày trong tuần không hợp lệ"):
        REGISTRY["circ.closed_weekdays"].clean(["7"])


def test_service_refuses_a_wrong_value_and_keeps_the_old_one(net, admin_user):
    services.unit_setting_set(actor=admin_user, unit=net.a, key="circ.max_fines", value="30000")
    assert OrgUnitSetting.objects.get(unit=net.a, key="circ.max_fines").value == 30000
    with pytest.raises(ValidationError, match="Khoá mượn khi tiền phạt chưa nộp vượt quá"):
        services.unit_setting_set(actor=admin_user, unit=net.a, key="circ.max_fines", value="30.000đ")
    assert setting_get(net.c, "circ.max_fines") == 30000


def test_a_bad_stored_value_does_not_break_checkout(net, desk_a, base_rule, patron_factory, item_factory):
    OrgUnitSetting.objects.create(unit=net.province, key="circ.max_fines", value="50k")  # a typo stored by hand
    OrgUnitSetting.objects.create(unit=net.a, key="circ.closed_dates", value=["2026-03-02", "bad"])
    assert setting_resolve(net.a, "circ.max_fines").value == 50000
    assert setting_get(net.a, "circ.closed_dates") == ["2026-03-02"]
    reader = patron_factory("T1", net.a)
    loan = loan_checkout(actor=desk_a, item=item_factory("T-1", net.a), patron=reader, desk=net.a)
    assert Loan.objects.get().pk == loan.pk
    Fine.objects.create(patron=reader, library=net.a, kind="manual", amount=Decimal(60000))
    with pytest.raises(BlockedError, match="vượt mức 50.000 đ"):
        loan_checkout(actor=desk_a, item=item_factory("T-2", net.a), patron=reader, desk=net.a)


def test_unit_page_shows_typed_widgets_and_refuses_a_typo(client, net, staff_factory):
    manager = staff_factory("mgr_a", net.a, Role.LIBRARY_MANAGER)
    client.force_login(manager)
    page = client.get("/staff/network/A/").content.decode()
    assert 'type="number" name="value" id="set-circmax_fines" value="50000" step="1" min="0"' in page
    assert '<input type="checkbox" name="value" value="6"> Chủ nhật' in page
    assert 'id="set-opacvisible" checked' in page
    resp = client.post("/staff/network/A/setting/", {"key": "circ.max_fines", "value": "50k"}, follow=True)
    assert "Khoá mượn khi tiền phạt chưa nộp vượt quá (đồng): “50k” không phải là một số nguyên." in (
        resp.content.decode())
    assert not OrgUnitSetting.objects.filter(key="circ.max_fines").exists()
    client.post("/staff/network/A/setting/", {"key": "circ.closed_dates", "value": "30/04/2027\n01/05/2027"})
    assert setting_get(net.c, "circ.closed_dates") == ["2027-04-30", "2027-05-01"]
    client.post("/staff/network/A/setting/", {"key": "opac.visible"})  # checkbox left unticked
    assert setting_get(net.a, "opac.visible") is False
    page = client.get("/staff/network/C/").content.decode()
    assert "30/04/2027, 01/05/2027" in page and dt.date(2027, 4, 30).isoformat() not in page
