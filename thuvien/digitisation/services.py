"""Writes of the digitisation projects. Every change of a planned record's state goes through
`item_transition` (the table in `states.py` plus the conditions below), which logs the step with its
operator, time and reason, writes the audit entry and shows or hides the object in the OPAC.
Permissions are checked at the library that owns the collection."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thuvien.catalog.models import BibRecord
from thuvien.core.audit import audit
from thuvien.core.permissions import Perm, require_perm
from thuvien.digital.models import Collection, DigitalObject, ObjectStatus, Page
from thuvien.digital.services import object_published_set
from thuvien.digitisation import checks
from thuvien.digitisation.models import (
    CheckKind,
    HoldingsKind,
    Measure,
    PageCheck,
    PlanItem,
    Project,
    RescanMark,
    RescanReason,
    State,
    Target,
    Transition,
)
from thuvien.digitisation.states import TransitionError, check_transition

if TYPE_CHECKING:
    from thuvien.core.models import OrgUnit, User


def _unit(project: Project) -> OrgUnit:
    return project.collection.unit


def project_create(*, actor: User, collection: Collection, holdings_kind: str = HoldingsKind.LOCAL_HISTORY,
                   min_ppi: int = 300) -> Project:
    """The project of `collection` (one per collection), with its holdings counted."""
    require_perm(actor, Perm.DIGITAL_EDIT, collection.unit)
    if min_ppi < 72 or min_ppi > 2400:
        raise ValueError(_("Độ phân giải tối thiểu phải từ 72 đến 2400 ppi."))
    with transaction.atomic():
        project, _created = Project.objects.update_or_create(
            collection=collection, defaults={"holdings_kind": holdings_kind, "min_ppi": min_ppi})
        audit(actor=actor, unit=collection.unit, action="digitisation.project_save", obj=project,
              changes={"holdings_kind": holdings_kind, "min_ppi": min_ppi})
    project_holdings_refresh(project=project)
    return project


def target_create(*, actor: User, project: Project, measure: str, value: int, deadline: dt.date,
                  phase: str = "") -> Target:
    """A target of the project; a percentage is of the holdings and at most 100."""
    require_perm(actor, Perm.DIGITAL_EDIT, _unit(project))
    if measure not in Measure.values:
        raise ValueError(_("Đơn vị chỉ tiêu không hợp lệ."))
    if value <= 0 or (measure == Measure.PERCENT and value > 100):
        raise ValueError(_("Chỉ tiêu phải lớn hơn 0 (tỷ lệ không quá 100%)."))
    with transaction.atomic():
        target = Target.objects.create(project=project, measure=measure, value=value, deadline=deadline,
                                       phase=phase.strip()[:120])
        audit(actor=actor, unit=_unit(project), action="digitisation.target_create", obj=target,
              changes={"measure": measure, "value": value, "deadline": deadline, "phase": phase})
    return target


def project_holdings_refresh(*, project: Project) -> int:
    """Count the project's holdings again (the base of a % target); kept on the project row."""
    from thuvien.digitisation.selectors import holdings_ids

    count = len(holdings_ids(project=project))
    Project.objects.filter(pk=project.pk).update(holdings_count=count, holdings_counted_at=timezone.now(),
                                                 updated_at=timezone.now())
    project.holdings_count = count
    return count


def projects_holdings_refresh() -> dict[str, int]:
    """Nightly: every project's holdings count."""
    n = 0
    for project in Project.objects.select_related("collection__unit"):
        project_holdings_refresh(project=project)
        n += 1
    return {"projects_counted": n}


@dataclass
class PlanAddResult:
    added: list[PlanItem] = field(default_factory=list)
    already: int = 0


def plan_add(*, actor: User, project: Project, records: list[BibRecord], priority: int = 2,
             condition: str = "") -> PlanAddResult:
    """Add records to the plan (state "selected"); records already planned are left as they are."""
    require_perm(actor, Perm.DIGITAL_EDIT, _unit(project))
    if priority not in (1, 2, 3):
        raise ValueError(_("Mức ưu tiên phải là 1, 2 hoặc 3."))
    result = PlanAddResult()
    with transaction.atomic():
        planned = set(PlanItem.objects.filter(project=project, record__in=records).values_list("record_id", flat=True))
        now = timezone.now()
        for record in records:
            if record.pk in planned or record.is_deleted:
                result.already += 1
                continue
            planned.add(record.pk)
            item = PlanItem.objects.create(project=project, record=record, priority=priority,
                                           condition=condition.strip())
            Transition.objects.create(item=item, from_state="", to_state=State.SELECTED, actor=actor, at=now)
            result.added.append(item)
        audit(actor=actor, unit=_unit(project), action="digitisation.plan_add", obj=project,
              changes={"records": [i.record_id for i in result.added][:200], "count": len(result.added),
                       "priority": priority})
    if project.holdings_kind == HoldingsKind.PLAN:
        project_holdings_refresh(project=project)
    return result


def plan_add_holdings(*, actor: User, project: Project, priority: int = 2) -> PlanAddResult:
    """Add every holdings record of the project (all local-history records of the library...)."""
    from thuvien.digitisation.selectors import holdings_ids

    ids = holdings_ids(project=project)
    records = list(BibRecord.objects.filter(pk__in=ids).order_by("pk"))
    return plan_add(actor=actor, project=project, records=records, priority=priority)


# -- the workflow ----------------------------------------------------------------------------------

def _guard(item: PlanItem, new: str, obj: DigitalObject | None, reason: str) -> None:
    """The conditions on the object besides the table (raise TransitionError; nothing written yet)."""
    if new == State.SCANNED:
        if obj is None:
            raise TransitionError(_("Cần gắn tài liệu số (bản quét) trước khi chuyển sang “Đã quét”."))
        if obj.collection_id != item.project.collection_id:
            raise TransitionError(_("Tài liệu số thuộc bộ sưu tập khác."))
        other = PlanItem.objects.filter(obj=obj).exclude(pk=item.pk).first()
        if other is not None:
            raise TransitionError(_("Tài liệu số này đã gắn với một biểu ghi khác trong kế hoạch."))
        if not obj.pages.exists():
            raise TransitionError(_("Tài liệu số chưa có trang nào."))
    if new == State.REWORK and not reason.strip() and not item.rescans.filter(resolved_at__isnull=True).exists():
        raise TransitionError(_("Cần nêu lý do quét lại hoặc đánh dấu các trang cần quét lại."))
    if new == State.OCR and item.rescans.filter(resolved_at__isnull=True).exists():
        raise TransitionError(_("Còn trang được đánh dấu quét lại: chưa đạt kiểm tra chất lượng."))
    if new == State.METADATA and (item.obj is None or item.obj.status != ObjectStatus.READY):
        raise TransitionError(_("Tài liệu số chưa xử lý xong (ảnh và nhận dạng chữ)."))
    if new == State.APPROVED:
        target = item.obj
        if target is None or not target.title.strip() or (target.record_id is None and not target.dcterms):
            raise TransitionError(_("Siêu dữ liệu chưa đủ: cần nhan đề và biểu ghi thư mục (hoặc Dublin Core)."))
    if new == State.WITHDRAWN and not reason.strip():
        raise TransitionError(_("Cần nêu lý do rút tài liệu."))


def item_transition(*, actor: User, item: PlanItem, to: str, reason: str = "",
                    obj: DigitalObject | None = None, at: dt.datetime | None = None) -> PlanItem:
    """Move a planned record one step (table + conditions), log it with operator and time, and show or
    hide its object in the OPAC. A refused step raises TransitionError and changes nothing."""
    require_perm(actor, Perm.DIGITAL_EDIT, _unit(item.project))
    if to not in State.values:
        raise TransitionError(_("Trạng thái không hợp lệ."))
    reason = reason.strip()[:2000]
    with transaction.atomic():
        item = (PlanItem.objects.select_for_update(of=("self",)).select_related("project__collection__unit", "obj")
                .get(pk=item.pk))
        before = item.state
        check_transition(before, to)
        scan = obj if obj is not None else item.obj
        _guard(item, to, scan if to == State.SCANNED else item.obj, reason)
        when = at or timezone.now()
        fields = ["state", "updated_at"]
        if to == State.SCANNED:
            assert scan is not None
            item.obj = scan
            item.pages = scan.pages.count()
            fields += ["obj", "pages"]
            # A new scan answers the open rescan requests; its findings are checked again.
            item.rescans.filter(resolved_at__isnull=True).update(resolved_at=when)
        if to == State.PUBLISHED:
            item.published_at = when
            item.pages = item.obj.pages.count() if item.obj else item.pages
            fields += ["published_at", "pages"]
        if before == State.PUBLISHED:
            item.published_at = None
            fields.append("published_at")
        item.state = to
        item.save(update_fields=fields)
        Transition.objects.create(item=item, from_state=before, to_state=to, actor=actor, at=when, reason=reason,
                                  pages=item.pages)
        if item.obj is not None:
            object_published_set(obj=item.obj, published=(to == State.PUBLISHED))
        audit(actor=actor, unit=_unit(item.project), action="digitisation.transition", obj=item,
              changes={"state": [before, to], "reason": reason, "object": item.obj_id})
        if to == State.QC:
            from thuvien.digitisation.tasks import item_checks_task

            item_id = item.pk
            transaction.on_commit(lambda: item_checks_task.enqueue(item_id))
    return item


def rescan_mark(*, actor: User, item: PlanItem, page: Page, reason: str, note: str = "") -> RescanMark:
    """A reviewer marks one page for rescanning (the object then goes back through rework)."""
    require_perm(actor, Perm.DIGITAL_EDIT, _unit(item.project))
    if reason not in RescanReason.values:
        raise ValueError(_("Lý do quét lại không hợp lệ."))
    if item.obj_id is None or page.obj_id != item.obj_id:
        raise ValueError(_("Trang không thuộc tài liệu số này."))
    if item.state != State.QC:
        raise TransitionError(_("Chỉ đánh dấu quét lại khi tài liệu đang kiểm tra chất lượng."))
    with transaction.atomic():
        mark = RescanMark.objects.create(item=item, page=page, page_order=page.order, reason=reason,
                                         note=note.strip()[:500], actor=actor)
        audit(actor=actor, unit=_unit(item.project), action="digitisation.rescan_mark", obj=item,
              changes={"page": page.order, "reason": reason, "note": mark.note})
    return mark


def qc_send_back(*, actor: User, item: PlanItem) -> PlanItem:
    """Send the object back for rescanning, the reason being the pages marked (page: reason, ...)."""
    marks = list(item.rescans.filter(resolved_at__isnull=True).order_by("page_order"))
    reason = "; ".join(f"{_('trang')} {m.page_order}: {m.get_reason_display()}" + (f" ({m.note})" if m.note else "")
                       for m in marks)
    return item_transition(actor=actor, item=item, to=State.REWORK, reason=reason)


def item_checks_run(*, item: PlanItem) -> list[PageCheck]:
    """Run the automatic page checks of the item's object and replace its earlier findings:
    resolution below the project's minimum, blank page, duplicate page (same SHA-256 as another page
    of this object or of any other object in the network), skew beyond SKEW_LIMIT."""
    from thuvien.digital import processing

    obj = item.obj
    if obj is None:
        return []
    project = item.project
    pages = list(obj.pages.order_by("order").only("pk", "order", "sha256", "mime"))
    masters = processing.object_dir(obj.uuid) / "masters"
    found: list[PageCheck] = []
    first_of: dict[str, int] = {}
    elsewhere = dict(Page.objects.filter(sha256__in=[p.sha256 for p in pages]).exclude(obj=obj)
                     .values_list("sha256", "obj__title"))
    for page in pages:
        if page.sha256 in first_of:
            found.append(PageCheck(item=item, page=page, page_order=page.order, kind=CheckKind.DUPLICATE,
                                   detail=_("Trùng với trang %(n)s") % {"n": first_of[page.sha256]}))
        else:
            first_of[page.sha256] = page.order
            if page.sha256 in elsewhere:
                found.append(PageCheck(item=item, page=page, page_order=page.order, kind=CheckKind.DUPLICATE,
                                       detail=_("Trùng với một trang của “%(t)s”") % {"t": elsewhere[page.sha256][:200]}))
        path = next(iter(sorted(masters.glob(f"{page.order:05d}.*"))), None)
        if path is None:
            found.append(PageCheck(item=item, page=page, page_order=page.order, kind=CheckKind.UNREADABLE,
                                   detail=_("Không tìm thấy tệp ảnh gốc")))
            continue
        try:
            facts = checks.page_facts(path)
        except (OSError, ValueError, checks_error()) as exc:
            found.append(PageCheck(item=item, page=page, page_order=page.order, kind=CheckKind.UNREADABLE,
                                   detail=str(exc)[:500]))
            continue
        if facts.ppi is not None and facts.ppi < project.min_ppi:
            found.append(PageCheck(item=item, page=page, page_order=page.order, kind=CheckKind.LOW_PPI,
                                   value=facts.ppi, detail=_("%(v)s ppi, tối thiểu %(m)s ppi")
                                   % {"v": f"{facts.ppi:g}", "m": project.min_ppi}))
        if facts.ppi is None:
            found.append(PageCheck(item=item, page=page, page_order=page.order, kind=CheckKind.LOW_PPI,
                                   detail=_("Tệp không ghi độ phân giải (cần tối thiểu %(m)s ppi)")
                                   % {"m": project.min_ppi}))
        if facts.skew is None:
            found.append(PageCheck(item=item, page=page, page_order=page.order, kind=CheckKind.BLANK,
                                   value=round(facts.ink, 5), detail=_("Trang không có chữ")))
        elif abs(facts.skew) > checks.SKEW_LIMIT:
            found.append(PageCheck(item=item, page=page, page_order=page.order, kind=CheckKind.SKEW,
                                   value=facts.skew, detail=_("Lệch khoảng %(a)s°") % {"a": f"{facts.skew:+g}"}))
    with transaction.atomic():
        PageCheck.objects.filter(item=item).delete()
        PageCheck.objects.bulk_create(found)
        PlanItem.objects.filter(pk=item.pk).update(checks_at=timezone.now(), updated_at=timezone.now())
    return found


def checks_error() -> type[Exception]:
    import pyvips

    return pyvips.Error  # type: ignore[no-any-return]
