"""RSS 2.0 and Atom feeds: well-formed XML with the required elements, and feedparser reads them back."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 - parsing our own output in a test

import feedparser
import pytest
from django.urls import reverse

from thuvien.portal import services

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def news(net, manager_a):  # type: ignore[no-untyped-def]
    a = services.news_save(actor=manager_a, library=net.a, title="Ngày Sách 21/4 ở thư viện A", summary="Tóm tắt A",
                           body="<p>Nội dung</p>", publish=True)
    c = services.news_save(actor=manager_a, library=net.c, title="Phòng đọc xã C mở cửa tối", summary="",
                           body="<p>Mở đến 20 giờ</p>", publish=True)
    draft = services.news_save(actor=manager_a, library=net.a, title="Bản nháp", summary="", body="", publish=False)
    return a, c, draft


def test_news_rss_is_valid_and_read_back(client, news):
    a, c, _draft = news
    body = client.get(reverse("portal:news_rss")).content
    root = ET.fromstring(body)  # noqa: S314 - our own output
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel is not None
    for required in ("title", "link", "description"):
        assert channel.findtext(required)
    items = channel.findall("item")
    assert [i.findtext("title") for i in items] == [c.title, a.title]
    assert all(i.findtext("guid") and i.findtext("pubDate") and i.findtext("link") for i in items)
    feed = feedparser.parse(body)
    assert not feed.bozo and feed.version == "rss20"
    assert [e.title for e in feed.entries] == [c.title, a.title]
    assert feed.entries[1].link == f"http://testserver/tin-tuc/{a.pk}/"
    assert feed.entries[1].id == f"urn:uuid:{a.uuid}"
    assert feed.entries[1].summary == "Tóm tắt A"
    assert feed.entries[1].published_parsed[:6] == a.published_at.utctimetuple()[:6]


def test_news_atom_per_library(client, news, net):
    a, c, _draft = news
    body = client.get(reverse("portal:news_atom"), {"library": "A"}).content
    root = ET.fromstring(body)  # noqa: S314 - our own output
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.findtext(f"{ATOM}{required}")
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [c.title, a.title]  # C lies under A
    assert all(e.findtext(f"{ATOM}id") and e.findtext(f"{ATOM}updated") for e in entries)
    feed = feedparser.parse(body)
    assert not feed.bozo and feed.version == "atom10"
    assert feed.feed.title == "Tin tức · Thư viện huyện A"
    assert feed.entries[0].link == f"http://testserver/tin-tuc/{c.pk}/"
    only_b = feedparser.parse(client.get(reverse("portal:news_atom"), {"library": "B"}).content)
    assert only_b.entries == []


def test_acquisitions_feeds(client, vn_catalogue):
    rss = feedparser.parse(client.get(reverse("portal:acquisitions_rss")).content)
    atom = feedparser.parse(client.get(reverse("portal:acquisitions_atom"), {"ddc": "8"}).content)
    assert not rss.bozo and rss.version == "rss20" and not atom.bozo and atom.version == "atom10"
    with_copies = {r.title for r in vn_catalogue.records.values() if r.items.exists()}
    assert {e.title for e in rss.entries} == with_copies
    assert {e.title for e in atom.entries} == {r.title for r in vn_catalogue.records.values()
                                               if r.items.exists() and r.ddc.startswith("8")}
    kieu = vn_catalogue["kieu"]
    entry = next(e for e in rss.entries if e.title == kieu.title)
    assert entry.link == f"http://testserver/record/{kieu.pk}/" and entry.id == f"urn:uuid:{kieu.uuid}"


def test_events_feeds_list_coming_published_events_soonest_first(client, net, manager_a):
    import datetime as dt

    from django.utils import timezone

    now = timezone.now()

    def event(title: str, days: int, *, published: bool = True) -> object:
        start = now + dt.timedelta(days=days)
        return services.event_save(actor=manager_a, library=net.a, data={
            "kind": "reading", "title": title, "body": "<p>Giới thiệu <b>sách</b></p>", "place": "Phòng đọc thiếu nhi",
            "starts_at": start, "ends_at": start + dt.timedelta(hours=2), "seats": 30, "registration_open": True,
            "is_published": published})

    later, soon = event("Ngày Sách và Văn hóa đọc 21/4", 20), event("Giờ kể chuyện", 3)
    event("Đã qua", -5)
    event("Chưa đăng", 4, published=False)
    rss = client.get(reverse("portal:events_rss")).content
    root = ET.fromstring(rss)  # noqa: S314 - our own output
    channel = root.find("channel")
    assert channel is not None and all(channel.findtext(x) for x in ("title", "link", "description"))
    feed = feedparser.parse(rss)
    assert not feed.bozo and feed.version == "rss20"
    assert [e.title for e in feed.entries] == ["Giờ kể chuyện", "Ngày Sách và Văn hóa đọc 21/4"]
    assert feed.entries[0].link == f"http://testserver/su-kien/{soon.pk}/"  # type: ignore[attr-defined]
    assert feed.entries[1].id == f"urn:uuid:{later.uuid}"  # type: ignore[attr-defined]
    assert "Phòng đọc thiếu nhi · Thư viện huyện A. Giới thiệu sách" in feed.entries[0].summary
    atom = feedparser.parse(client.get(reverse("portal:events_atom"), {"library": "A"}).content)
    assert not atom.bozo and atom.version == "atom10" and atom.feed.title == "Sự kiện · Thư viện huyện A"
    assert [e.title for e in atom.entries] == ["Giờ kể chuyện", "Ngày Sách và Văn hóa đọc 21/4"]
    page = client.get(reverse("portal:events")).content.decode()
    assert f'href="{reverse("portal:events_rss")}"' in page and f'href="{reverse("portal:events_atom")}"' in page
