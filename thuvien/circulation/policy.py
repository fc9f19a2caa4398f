"""Resolving the policy matrix: which rule applies to (library, reader category, item type), and why.

Specificity, most specific first: the deepest unit on the library's path to the root, then a rule
naming the reader category over "any category", then one naming the item type over "any type".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import gettext as _

from thuvien.circulation.models import CirculationRule

if TYPE_CHECKING:
    from thuvien.catalog.models import ItemType
    from thuvien.core.models import OrgUnit
    from thuvien.patrons.models import PatronCategory


@dataclass(frozen=True)
class Resolution:
    rule: CirculationRule
    is_default: bool
    candidates: list[CirculationRule]  # every matching rule, the winner first

    @property
    def reason(self) -> str:
        if self.is_default:
            return _("Không có quy định nào phù hợp: dùng mức mặc định của hệ thống.")
        r = self.rule
        return _("Quy định của %(unit)s cho %(cat)s và %(type)s (%(n)s quy định phù hợp; "
                 "đơn vị gần nhất, rồi đối tượng cụ thể, rồi loại tài liệu cụ thể được ưu tiên).") % {
            "unit": r.unit.name,
            "cat": r.patron_category.name if r.patron_category_id else _("mọi đối tượng"),  # type: ignore[union-attr]
            "type": r.item_type.name if r.item_type_id else _("mọi loại tài liệu"),  # type: ignore[union-attr]
            "n": len(self.candidates),
        }


def _specificity(rule: CirculationRule, depth_of: dict[int, int]) -> tuple[int, int, int]:
    return (depth_of[rule.unit_id], rule.patron_category_id is not None, rule.item_type_id is not None)


def rule_resolve(*, unit: OrgUnit, category: PatronCategory | None, item_type: ItemType | None) -> Resolution:
    """The rule governing a loan at `unit` (one query), with every candidate for the "why" display."""
    ids = unit.ancestor_ids
    cat_q = Q(patron_category__isnull=True)
    if category is not None:
        cat_q |= Q(patron_category=category)
    type_q = Q(item_type__isnull=True)
    if item_type is not None:
        type_q |= Q(item_type=item_type)
    candidates = list(CirculationRule.objects.filter(Q(unit_id__in=ids) & cat_q & type_q)
                      .select_related("unit", "patron_category", "item_type"))
    return rule_pick(unit=unit, candidates=candidates)


def rule_pick(*, unit: OrgUnit, candidates: list[CirculationRule]) -> Resolution:
    """The resolution among the rules matching (unit's path, category or any, item type or any):
    the most specific wins; none means the system default."""
    depth_of = {uid: i for i, uid in enumerate(unit.ancestor_ids)}
    candidates = sorted(candidates, key=lambda r: (_specificity(r, depth_of), -r.pk), reverse=True)
    if not candidates:
        return Resolution(rule=CirculationRule(unit=unit), is_default=True, candidates=[])
    return Resolution(rule=candidates[0], is_default=False, candidates=candidates)
