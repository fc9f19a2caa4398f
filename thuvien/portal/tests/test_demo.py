"""The portal's demo content: hours, a van timetable with future stops, news with an image, events incl. 21/4."""

import io

import pytest
from django.utils import timezone

from thuvien.core import demo as core_demo
from thuvien.core.models import ActivityEvent
from thuvien.portal import demo
from thuvien.portal.models import Event, NewsItem, OpeningInterval, VanStop

pytestmark = pytest.mark.django_db


def test_portal_demo_loads_once():
    network = core_demo.load(stdout=io.StringIO())
    out = io.StringIO()
    demo.load(network=network, stdout=out)
    assert out.getvalue() == "  cổng thông tin: 5 sự kiện, 2 tin, 7 điểm dừng xe lưu động\n"
    today = timezone.localdate()
    assert VanStop.objects.filter(day__gt=today).count() == 7
    assert NewsItem.objects.filter(is_published=True).exclude(image="").count() == 1
    book_day = Event.objects.get(kind="book_day")
    assert timezone.localtime(book_day.starts_at).strftime("%d/%m %H:%M") == "21/04 08:00"
    past = Event.objects.get(ends_at__lt=timezone.now())
    assert past.attendance == 45 and past.registrations.filter(state="attended").count() == 2
    assert ActivityEvent.objects.filter(kind="attendance", unit=past.library).count() == 1
    assert OpeningInterval.objects.filter(unit__code="CB-TVT", weekday=0).count() == 2
    demo.load(network=network, stdout=io.StringIO())  # a second run adds nothing
    assert Event.objects.count() == 5 and VanStop.objects.count() == 7
