from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from thuvien.circulation.models import CirculationRule
from thuvien.circulation.policy import rule_resolve
from thuvien.circulation.services import rule_save
from thuvien.circulation.tests.fixtures import item_type
from thuvien.core.models import AuditEntry
from thuvien.patrons.models import PatronCategory


@pytest.fixture
def cats(db):
    return {c.code: c for c in PatronCategory.objects.all()}


def test_most_specific_rule_wins_and_inherits(net, cats, base_rule):
    book, ref = item_type("book"), item_type("reference")
    child_p = CirculationRule.objects.create(unit=net.province, patron_category=cats["child"], loan_days=7)
    at_a = CirculationRule.objects.create(unit=net.a, loan_days=21)
    at_a_book = CirculationRule.objects.create(unit=net.a, item_type=book, loan_days=28)
    at_a_child = CirculationRule.objects.create(unit=net.a, patron_category=cats["child"], loan_days=10)

    # B has no rules of its own: the province's apply; the child rule beats the "any" rule
    assert rule_resolve(unit=net.b, category=cats["adult"], item_type=book).rule == base_rule
    assert rule_resolve(unit=net.b, category=cats["child"], item_type=book).rule == child_p
    # C inherits from A, which is nearer than the province
    r = rule_resolve(unit=net.c, category=cats["adult"], item_type=ref)
    assert r.rule == at_a and [c.pk for c in r.candidates] == [at_a.pk, base_rule.pk]
    assert rule_resolve(unit=net.c, category=cats["adult"], item_type=book).rule == at_a_book
    # category is more specific than item type at the same unit
    res = rule_resolve(unit=net.c, category=cats["child"], item_type=book)
    assert res.rule == at_a_child
    assert [c.pk for c in res.candidates] == [at_a_child.pk, at_a_book.pk, at_a.pk, child_p.pk, base_rule.pk]
    assert "Thư viện huyện A" in res.reason and "Thiếu nhi" in res.reason


def test_no_rule_uses_system_default(net, cats):
    r = rule_resolve(unit=net.a, category=cats["adult"], item_type=None)
    assert r.is_default and r.rule.loan_days == 14 and r.candidates == []


def test_rule_save_needs_policy_permission_and_is_audited(net, cats, desk_a, manager_a):
    with pytest.raises(PermissionDenied):
        rule_save(actor=desk_a, unit=net.a, patron_category=None, item_type=None, terms={"loan_days": 10})
    rule = rule_save(actor=manager_a, unit=net.a, patron_category=cats["pupil"], item_type=None,
                     terms={"loan_days": 10, "fine_per_day": Decimal(500)})
    again = rule_save(actor=manager_a, unit=net.a, patron_category=cats["pupil"], item_type=None,
                      terms={"loan_days": 12})
    assert again.pk == rule.pk and again.loan_days == 12
    entries = list(AuditEntry.objects.filter(action="circ.rule_save").order_by("id"))
    assert entries[-1].changes == {"loan_days": [10, 12]}
    with pytest.raises(PermissionDenied):
        rule_save(actor=manager_a, unit=net.b, patron_category=None, item_type=None, terms={"loan_days": 10})
