"""RSS 2.0 and Atom 1.0 feeds of the portal's news, coming events and new acquisitions (django.contrib.syndication),
optionally for one library (`?library=CODE`) and, for acquisitions, one DDC class (`?ddc=3`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from django.utils.html import strip_tags
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from thuvien.catalog.models import BibRecord
from thuvien.core.models import OrgUnit
from thuvien.portal.models import Event, NewsItem
from thuvien.portal.selectors import acquisitions, events_upcoming, news_published

FEED_SIZE = 30


def _library(request: HttpRequest) -> OrgUnit | None:
    code = request.GET.get("library", "")[:32]
    return OrgUnit.objects.filter(code=code, is_active=True).first() if code else None


class NewsFeed(Feed):  # type: ignore[type-arg]
    feed_type: type[SyndicationFeed] = Rss201rev2Feed

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> OrgUnit | None:
        return _library(request)

    def title(self, obj: OrgUnit | None) -> str:
        return _("Tin tức") + " · " + (obj.name if obj else _("Mạng lưới thư viện"))

    def link(self, obj: OrgUnit | None) -> str:
        return reverse("portal:news") + (f"?library={obj.code}" if obj else "")

    def description(self, obj: OrgUnit | None) -> str:
        return _("Tin tức mới của thư viện")

    def items(self, obj: OrgUnit | None) -> list[NewsItem]:
        return list(news_published(library=obj)[:FEED_SIZE])

    def item_title(self, item: NewsItem) -> str:
        return item.title

    def item_description(self, item: NewsItem) -> str:
        return item.summary or strip_tags(item.body)[:500]

    def item_link(self, item: NewsItem) -> str:
        return reverse("portal:news_detail", args=[item.pk])

    def item_guid(self, item: NewsItem) -> str:
        return f"urn:uuid:{item.uuid}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: NewsItem) -> dt.datetime | None:
        return item.published_at

    def item_updateddate(self, item: NewsItem) -> dt.datetime:
        return item.updated_at

    def item_author_name(self, item: NewsItem) -> str:
        return item.library.name


class NewsAtomFeed(NewsFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj: OrgUnit | None) -> str:
        return self.description(obj)


class EventsFeed(Feed):  # type: ignore[type-arg]
    """Coming events (soonest first); each item says when and where, in Vietnam time."""

    feed_type: type[SyndicationFeed] = Rss201rev2Feed

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> OrgUnit | None:
        return _library(request)

    def title(self, obj: OrgUnit | None) -> str:
        return _("Sự kiện") + " · " + (obj.name if obj else _("Mạng lưới thư viện"))

    def link(self, obj: OrgUnit | None) -> str:
        return reverse("portal:events") + (f"?library={obj.code}" if obj else "")

    def description(self, obj: OrgUnit | None) -> str:
        return _("Sự kiện sắp diễn ra tại thư viện")

    def items(self, obj: OrgUnit | None) -> list[Event]:
        return list(events_upcoming(library=obj)[:FEED_SIZE])  # with its library (events_published)

    def item_title(self, item: Event) -> str:
        return item.title

    def item_description(self, item: Event) -> str:
        when = localtime(item.starts_at).strftime("%H:%M %d/%m/%Y")
        return f"{when} · {item.place} · {item.library.name}. " + strip_tags(item.body)[:400]

    def item_link(self, item: Event) -> str:
        return reverse("portal:event_detail", args=[item.pk])

    def item_guid(self, item: Event) -> str:
        return f"urn:uuid:{item.uuid}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Event) -> dt.datetime:
        return item.created_at

    def item_updateddate(self, item: Event) -> dt.datetime:
        return item.updated_at

    def item_author_name(self, item: Event) -> str:
        return item.library.name


class EventsAtomFeed(EventsFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj: OrgUnit | None) -> str:
        return self.description(obj)


class AcquisitionsFeed(Feed):  # type: ignore[type-arg]
    feed_type: type[SyndicationFeed] = Rss201rev2Feed

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        ddc = request.GET.get("ddc", "")
        return {"library": _library(request), "ddc": ddc if ddc in set("0123456789") and len(ddc) == 1 else ""}

    def title(self, obj: dict[str, Any]) -> str:
        return _("Tài liệu mới bổ sung") + " · " + (obj["library"].name if obj["library"] else _("Mạng lưới thư viện"))

    def link(self, obj: dict[str, Any]) -> str:
        return reverse("portal:acquisitions") + (f"?library={obj['library'].code}" if obj["library"] else "")

    def description(self, obj: dict[str, Any]) -> str:
        return _("Tài liệu thư viện bổ sung trong 90 ngày qua")

    def items(self, obj: dict[str, Any]) -> list[BibRecord]:
        return list(acquisitions(days=90, library=obj["library"], ddc_class=obj["ddc"])[:FEED_SIZE])

    def item_title(self, item: BibRecord) -> str:
        return item.title

    def item_description(self, item: BibRecord) -> str:
        parts = [item.main_author, item.publisher, str(item.year or "")]
        return " · ".join(p for p in parts if p)

    def item_link(self, item: BibRecord) -> str:
        return reverse("opac:record", args=[item.pk])

    def item_guid(self, item: BibRecord) -> str:
        return f"urn:uuid:{item.uuid}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: BibRecord) -> dt.datetime:
        return item.added  # type: ignore[attr-defined, no-any-return]

    def item_updateddate(self, item: BibRecord) -> dt.datetime:
        return item.added  # type: ignore[attr-defined, no-any-return]


class AcquisitionsAtomFeed(AcquisitionsFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj: dict[str, Any]) -> str:
        return self.description(obj)
