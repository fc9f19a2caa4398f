"""Reads of the portal: the directory with opening state, the van timetable, published news and
events, new acquisitions and a reader's lists. Lists are paginated by the views."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from thuvien.circulation.calendar import LibraryCalendar, calendar_for
from thuvien.core.models import OrgUnit
from thuvien.portal.models import (
    WEEKDAYS,
    Event,
    NewsItem,
    OpeningInterval,
    RecordCover,
    Registration,
    RegistrationState,
    SavedList,
    UnitProfile,
    VanStop,
)

if TYPE_CHECKING:
    from thuvien.catalog.models import BibRecord
    from thuvien.core.models import User

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def local_now() -> dt.datetime:
    return timezone.now().astimezone(HCM)


@dataclass
class UnitCard:
    """What the directory shows of one unit."""

    unit: OrgUnit
    profile: UnitProfile | None
    week: list[tuple[str, list[tuple[dt.time, dt.time]]]]
    open_now: bool | None  # None: no hours entered
    closed_today: bool
    upcoming_closed: list[dt.date] = field(default_factory=list)
    children: list[UnitCard] = field(default_factory=list)

    @property
    def osm_url(self) -> str:
        p = self.profile
        if p is None or p.latitude is None or p.longitude is None:
            return ""
        return (f"https://www.openstreetmap.org/?mlat={p.latitude}&mlon={p.longitude}"
                f"#map=16/{p.latitude}/{p.longitude}")


def open_state(intervals: list[tuple[dt.time, dt.time]], cal: LibraryCalendar, now: dt.datetime) -> tuple[bool, bool]:
    """(open now, closed all day today) for today's intervals, the unit's calendar and a local time."""
    closed_today = cal.is_closed(now.date())
    t = now.time()
    return (not closed_today and any(a <= t < b for a, b in intervals)), closed_today


def directory(*, now: dt.datetime | None = None, root: OrgUnit | None = None) -> list[UnitCard]:
    """Every active unit (under `root` if given) as a tree of cards, with hours, open-now badge and the
    closed days of the next two weeks from the circulation calendar. Three queries plus one calendar
    read per unit that has hours."""
    now = (now or local_now()).astimezone(HCM)
    units = OrgUnit.objects.filter(is_active=True).select_related("kind").order_by("path")
    if root is not None:
        units = units.filter(path__startswith=root.path)
    units_list = list(units)
    profiles = {p.unit_id: p for p in UnitProfile.objects.filter(unit__in=units_list)}
    hours: dict[int, dict[int, list[tuple[dt.time, dt.time]]]] = {}
    for iv in OpeningInterval.objects.filter(unit__in=units_list).order_by("weekday", "opens"):
        hours.setdefault(iv.unit_id, {}).setdefault(iv.weekday, []).append((iv.opens, iv.closes))
    cards: dict[int, UnitCard] = {}
    top: list[UnitCard] = []
    for unit in units_list:
        week_hours = hours.get(unit.pk)
        open_now: bool | None = None
        closed_today, upcoming = False, []
        if week_hours:
            cal = calendar_for(unit)
            open_now, closed_today = open_state(week_hours.get(now.weekday(), []), cal, now)
            upcoming = [d for d in (now.date() + dt.timedelta(days=i) for i in range(14))
                        if cal.is_closed(d) and week_hours.get(d.weekday())]
        card = UnitCard(unit=unit, profile=profiles.get(unit.pk), open_now=open_now, closed_today=closed_today,
                        upcoming_closed=upcoming,
                        week=[(str(label), (week_hours or {}).get(d, [])) for d, label in WEEKDAYS])
        cards[unit.pk] = card
        parent = cards.get(unit.parent_id) if unit.parent_id else None
        (parent.children if parent is not None else top).append(card)
    for card in cards.values():  # siblings: libraries before reading rooms and points, then by name
        card.children.sort(key=lambda c: (c.unit.kind.sort_order, c.unit.name))
    return top


def flatten(cards: list[UnitCard]) -> list[tuple[UnitCard, int]]:
    """(card, level) in tree order, for templates that cannot recurse cheaply."""
    out: list[tuple[UnitCard, int]] = []

    def walk(cs: list[UnitCard], level: int) -> None:
        for c in cs:
            out.append((c, level))
            walk(c.children, level + 1)
    walk(cards, 0)
    return out


def van_stops_upcoming(*, today: dt.date | None = None, commune: str = "", unit: OrgUnit | None = None) -> QuerySet[VanStop]:
    """Stops from today on, in order (optionally at one commune or of one van)."""
    today = today or local_now().date()
    qs = VanStop.objects.filter(day__gte=today).select_related("unit").order_by("day", "starts")
    if commune:
        qs = qs.filter(commune=commune)
    if unit is not None:
        qs = qs.filter(unit=unit)
    return qs


def van_next_visit(*, commune: str, place: str = "", now: dt.datetime | None = None) -> VanStop | None:
    """The next stop at a commune (and place, if given) that has not ended yet."""
    now = (now or local_now()).astimezone(HCM)
    qs = VanStop.objects.filter(commune=commune).filter(
        Q(day__gt=now.date()) | Q(day=now.date(), ends__gt=now.time())).select_related("unit").order_by("day", "starts")
    if place:
        qs = qs.filter(place=place)
    return qs.first()


def van_places() -> list[tuple[str, list[str]]]:
    """(commune, its places) of every stop from today on, for the "near me" choice."""
    out: dict[str, set[str]] = {}
    for commune, place in van_stops_upcoming().values_list("commune", "place").distinct():
        out.setdefault(commune, set()).add(place)
    return [(c, sorted(ps)) for c, ps in sorted(out.items())]


def _in_library(qs: QuerySet[Any], library: OrgUnit | None, field: str = "library") -> QuerySet[Any]:
    return qs.filter(**{f"{field}__path__startswith": library.path}) if library is not None else qs


def news_published(*, library: OrgUnit | None = None) -> QuerySet[NewsItem]:
    """Published news, newest first (a library's subtree when given)."""
    qs = NewsItem.objects.filter(is_published=True, published_at__lte=timezone.now()).select_related("library")
    return _in_library(qs, library).order_by("-published_at", "-pk")


def events_published(*, library: OrgUnit | None = None) -> QuerySet[Event]:
    """Published events with their taken seat count (`taken`)."""
    qs = Event.objects.filter(is_published=True).select_related("library").annotate(
        taken=Count("registrations", filter=Q(registrations__state__in=[
            RegistrationState.REGISTERED, RegistrationState.ATTENDED])))
    return _in_library(qs, library)


def events_upcoming(*, library: OrgUnit | None = None) -> QuerySet[Event]:
    return events_published(library=library).filter(ends_at__gte=timezone.now()).order_by("starts_at")


def event_month(*, year: int, month: int, library: OrgUnit | None = None) -> list[list[dict[str, Any]]]:
    """The month as weeks (Monday first) of {"day": date|None, "events": [...]}, in Vietnam time."""
    first = dt.datetime(year, month, 1, tzinfo=HCM)
    last_day = calendar.monthrange(year, month)[1]
    end = first + dt.timedelta(days=last_day)
    by_day: dict[dt.date, list[Event]] = {}
    for ev in events_published(library=library).filter(starts_at__lt=end, ends_at__gte=first).order_by("starts_at"):
        d = max(ev.starts_at.astimezone(HCM).date(), first.date())
        by_day.setdefault(d, []).append(ev)
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        weeks.append([{"day": d if d.month == month else None, "events": by_day.get(d, []) if d.month == month else []}
                      for d in week])
    return weeks


def registrations_for_user(*, user: User) -> QuerySet[Registration]:
    return Registration.objects.filter(user=user).exclude(state=RegistrationState.CANCELLED).select_related(
        "event", "event__library").order_by("-event__starts_at")


def acquisitions(*, days: int, library: OrgUnit | None = None, ddc_class: str = "") -> QuerySet[BibRecord]:
    """Records with a copy added in the last `days` days (at `library`'s subtree when given, of one
    DDC main class "0".."9" when given), newest addition first, with `added` = the latest addition."""
    from thuvien.catalog.models import BibRecord, Item

    since = timezone.now() - dt.timedelta(days=days)
    # Recent copies are found through `item_created_at` (a range on one index), never by walking
    # every record of the network and its copies: a province holds 1M+ copies.
    recent = Item.objects.filter(created_at__gte=since)
    if library is not None:
        recent = recent.filter(library__path__startswith=library.path)
    qs = BibRecord.objects.filter(is_deleted=False, pk__in=recent.values("record_id"))
    if ddc_class:
        qs = qs.filter(ddc__startswith=ddc_class)
    latest = recent.filter(record=OuterRef("pk")).order_by("-created_at").values("created_at")[:1]
    return qs.annotate(added=Subquery(latest)).select_related("cover").order_by("-added", "-pk")


def covers_for(record_ids: list[int]) -> dict[int, RecordCover]:
    return {c.record_id: c for c in RecordCover.objects.filter(record_id__in=record_ids)}


def lists_of(*, user: User) -> QuerySet[SavedList]:
    return SavedList.objects.filter(owner=user).annotate(n=Count("entries")).order_by("name", "pk")


def list_shared(*, token: str) -> SavedList | None:
    """A shared list by its link token (None when the token is wrong or the list is private)."""
    if not token or len(token) > 64:
        return None
    return SavedList.objects.filter(share_token=token, is_shared=True).first()


def list_records(*, saved: SavedList) -> list[BibRecord]:
    from thuvien.catalog.models import BibRecord

    ids = list(saved.entries.values_list("record_id", flat=True))
    by_id = {r.pk: r for r in BibRecord.objects.filter(pk__in=ids, is_deleted=False).select_related("cover")}
    return [by_id[i] for i in ids if i in by_id]
