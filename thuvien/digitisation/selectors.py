"""Reads of the digitisation projects: holdings, the plan with "already digitised elsewhere", progress
against targets, and the dashboard's figures (pages per day, per-operator throughput, states)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from thuvien.catalog.models import BibRecord
from thuvien.core.permissions import Perm, scope_q
from thuvien.core.text import fold
from thuvien.digital.models import DigitalObject
from thuvien.digitisation.models import HoldingsKind, Measure, PlanItem, Project, State, Target, Transition
from thuvien.digitisation.states import ORDER

if TYPE_CHECKING:
    from thuvien.core.models import User

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
MINORITY_LANGUAGES = frozenset({"tyz", "nut", "hnj", "mww", "ium", "blt", "tdh", "khb", "cmo", "jra", "rad",
                                "kdt", "mnw", "cja", "cjm"})
HAN_NOM_LANGUAGES = frozenset({"chi", "lzh", "zho"})


def _is_kind(kind: str, subjects: list[Any], language: str) -> bool:
    """Whether a record belongs to a holdings kind, from its subjects and language:
    local history = a subject heading "Địa chí…" / "Địa phương chí…" (DDC alone cannot tell a province's
    local history from the country's history);
    Hán Nôm = written in Hán/Nôm or a subject "Hán Nôm"; minority = an ISO 639-3 minority language;
    rare = a subject "Sách quý hiếm"/"Tài liệu quý hiếm"/"Sách cổ"."""
    folded = [fold(str(s)) for s in subjects or []]
    if kind == HoldingsKind.LOCAL_HISTORY:
        return any(s.startswith(("dia chi", "dia phuong chi")) for s in folded)
    if kind == HoldingsKind.HAN_NOM:
        return language in HAN_NOM_LANGUAGES or any("han nom" in s for s in folded)
    if kind == HoldingsKind.MINORITY:
        return language in MINORITY_LANGUAGES
    if kind == HoldingsKind.RARE:
        return any("quy hiem" in s or s.startswith("sach co") for s in folded)
    return False


def holdings_ids(*, project: Project) -> list[int]:
    """Ids of the live records of the collection's library (and its subtree) that form its holdings
    (for HoldingsKind.PLAN, the records in the plan). Read in chunks; counted by a nightly job."""
    if project.holdings_kind == HoldingsKind.PLAN:
        return list(project.items.exclude(state=State.WITHDRAWN).values_list("record_id", flat=True))
    unit = project.collection.unit
    qs = (BibRecord.objects.filter(is_deleted=False)
          .filter(Q(owner__path__startswith=unit.path) | Q(items__library__path__startswith=unit.path))
          .values_list("pk", "subjects", "language").distinct().order_by("pk"))
    return [pk for pk, subjects, language in qs.iterator(chunk_size=2000)
            if _is_kind(project.holdings_kind, subjects, language or "")]


def projects_for(*, user: User) -> QuerySet[Project]:
    """The projects of the collections owned in the user's scope."""
    return (Project.objects.filter(scope_q(user, Perm.DIGITAL_EDIT, "collection__unit__"))
            .select_related("collection__unit").order_by("collection__name"))


def project_get(*, user: User, pk: int) -> Project | None:
    return projects_for(user=user).filter(pk=pk).first()


def item_get(*, user: User, pk: int) -> PlanItem | None:
    return (PlanItem.objects.filter(scope_q(user, Perm.DIGITAL_EDIT, "project__collection__unit__"), pk=pk)
            .select_related("project__collection__unit", "record", "obj").first())


def plan_list(*, project: Project, state: str = "") -> QuerySet[PlanItem]:
    """The plan, highest priority first, each row with its record and object (no per-row queries)."""
    qs = project.items.select_related("record", "obj").order_by("priority", "pk")
    if state:
        qs = qs.filter(state=state)
    return qs


def digitised_elsewhere(*, record_ids: list[int], project: Project) -> dict[int, list[str]]:
    """{record id: names of the collections (anywhere in the network) that already hold a digital object
    of it, other than this project's own object} — to avoid digitising the same book twice. One query."""
    out: dict[int, list[str]] = {}
    if not record_ids:
        return out
    own = set(project.items.exclude(obj=None).values_list("obj_id", flat=True))
    rows = (DigitalObject.objects.filter(record_id__in=record_ids).exclude(pk__in=own)
            .values_list("record_id", "collection__name", "unit__name").order_by("record_id", "pk"))
    for record_id, coll, unit in rows:
        out.setdefault(record_id, []).append(f"{coll} ({unit})")
    return out


@dataclass
class TargetProgress:
    target: Target
    done: int  # titles or pages published, or the percentage reached (rounded down to 0.1)
    goal: int
    percent: float  # of the target, 0..100+

    @property
    def bar(self) -> float:
        return min(100.0, self.percent)


def _published(project: Project, until: dt.datetime | None = None) -> tuple[int, int]:
    qs = project.items.filter(state=State.PUBLISHED)
    if until is not None:
        qs = qs.filter(published_at__lt=until)
    agg = qs.aggregate(titles=Count("pk"), pages=Sum("pages"))
    return int(agg["titles"] or 0), int(agg["pages"] or 0)


def target_progress(*, target: Target, titles: int, pages: int, holdings: int) -> TargetProgress:
    if target.measure == Measure.TITLES:
        return TargetProgress(target, titles, target.value, round(titles * 100 / target.value, 1))
    if target.measure == Measure.PAGES:
        return TargetProgress(target, pages, target.value, round(pages * 100 / target.value, 1))
    reached = (titles * 100 / holdings) if holdings else 0.0
    return TargetProgress(target, int(reached * 10) / 10, target.value,  # type: ignore[arg-type]
                          round(reached * 100 / target.value, 1))


def project_progress(*, project: Project) -> dict[str, Any]:
    """Titles and pages published, items per state and each target's progress for one project."""
    titles, pages = _published(project)
    per_state = dict(project.items.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    return {
        "project": project, "titles": titles, "pages": pages, "holdings": project.holdings_count,
        "states": [(s, State(s).label, per_state.get(s, 0)) for s in ORDER],
        "total": sum(per_state.values()),
        "targets": [target_progress(target=t, titles=titles, pages=pages, holdings=project.holdings_count)
                    for t in project.targets.all()],
    }


def _local_day(value: dt.datetime) -> dt.date:
    return timezone.localtime(value, HCM).date()


def dashboard(*, user: User, days: int = 14, today: dt.date | None = None) -> dict[str, Any]:
    """The dashboard: progress of each project in scope, items per state, pages scanned per day over the
    last `days` days and each operator's steps and pages in that window."""
    today = today or timezone.localdate()
    projects = list(projects_for(user=user).prefetch_related("targets"))
    progress = [project_progress(project=p) for p in projects]
    start = dt.datetime.combine(today - dt.timedelta(days=days - 1), dt.time(0), tzinfo=HCM)
    steps = Transition.objects.filter(item__project__in=projects, at__gte=start)
    per_day: dict[dt.date, int] = {today - dt.timedelta(days=n): 0 for n in range(days - 1, -1, -1)}
    for day, n in (steps.filter(to_state=State.SCANNED).annotate(day=TruncDate("at", tzinfo=HCM))
                   .values_list("day").annotate(n=Sum("pages")).values_list("day", "n")):
        if day in per_day:
            per_day[day] += int(n or 0)
    top = max(per_day.values(), default=0)
    operators = []
    rows = (steps.exclude(actor=None).exclude(to_state=State.SELECTED)
            .values("actor_id", "actor__username", "actor__display_name")
            .annotate(steps=Count("pk"), scanned=Sum("pages", filter=Q(to_state=State.SCANNED)),
                      checked=Count("pk", filter=Q(to_state__in=[State.OCR, State.REWORK])),
                      published=Count("pk", filter=Q(to_state=State.PUBLISHED)))
            .order_by("-steps", "actor__username"))
    for r in rows:
        name = r["actor__display_name"] or r["actor__username"]
        operators.append({"name": name, "username": r["actor__username"], "steps": r["steps"],
                          "pages": int(r["scanned"] or 0), "checked": r["checked"], "published": r["published"]})
    states: dict[str, int] = {}
    for p in progress:
        for code, _label, n in p["states"]:
            states[code] = states.get(code, 0) + n
    return {
        "progress": progress, "days": days,
        "per_day": [{"day": d, "pages": n, "height": round(n * 100 / top) if top else 0} for d, n in per_day.items()],
        "operators": operators,
        "states": [(s, State(s).label, states.get(s, 0)) for s in ORDER],
    }


def csv_rows(*, user: User) -> list[list[Any]]:
    """The plan of every project in scope, one row per record (the dashboard's CSV export)."""
    header = ["collection", "library", "record_id", "title", "priority", "state", "pages", "published_at",
              "object", "last_step_at", "last_operator"]
    out: list[list[Any]] = [header]
    items = (PlanItem.objects.filter(project__in=projects_for(user=user))
             .select_related("project__collection__unit", "record", "obj").order_by("project_id", "priority", "pk"))
    last: dict[int, tuple[dt.datetime | None, str]] = {}
    for item_id, when, username in (Transition.objects.filter(item__in=items).order_by("item_id", "pk")
                                  .values_list("item_id", "at", "actor__username")):
        last[item_id] = (when, username or "")
    for i in items:
        at, who = last.get(i.pk, (None, ""))
        out.append([i.project.collection.name, i.project.collection.unit.name, i.record_id, i.record.title,
                    i.priority, i.state, i.pages,
                    timezone.localtime(i.published_at, HCM).isoformat() if i.published_at else "",
                    str(i.obj.uuid) if i.obj else "",
                    timezone.localtime(at, HCM).isoformat() if at else "", who])
    return out


def projects_in_units(units: list[int]) -> QuerySet[Project]:
    """Projects whose collection belongs to one of `units` (for the statistics reports)."""
    return Project.objects.filter(collection__unit_id__in=units).select_related("collection__unit").prefetch_related(
        "targets").order_by("collection__name")


def published_between(units: list[int], start: dt.datetime, end: dt.datetime) -> QuerySet[PlanItem]:
    return PlanItem.objects.filter(project__collection__unit_id__in=units, state=State.PUBLISHED,
                                   published_at__gte=start, published_at__lt=end)
