"""From the public record page to a hold: the reader follows "place hold", logs in, picks a library."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from thuvien.circulation.models import Hold
from thuvien.patrons.models import PatronCategory
from thuvien.patrons.services import patron_create


def test_record_page_leads_to_a_hold_after_login(vn_catalogue, base_rule, desk_a, net):
    reader = patron_create(actor=desk_a, home_library=net.a, consents=["service"], password="mật-khẩu-bạn-đọc",
                           data={"full_name": "Hà Thị Thu", "card_number": "A000777", "email": "thu@example.vn",
                                 "category": PatronCategory.objects.get(code="adult")})
    rec = vn_catalogue["kieu"]
    client = Client()
    page = client.get(reverse("opac:record", args=[rec.pk])).content.decode()
    hold_url = reverse("opac:account_hold", args=[rec.pk])
    assert f'id="place-hold" href="{hold_url}"' in page

    # not logged in: the link asks for the reader's login and comes back
    response = client.get(hold_url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('opac:account_login')}?next={hold_url}"
    assert client.login(username="A000777", password="mật-khẩu-bạn-đọc")

    form = client.get(hold_url).content.decode()
    request_id = re.search(r'name="request_id" value="([^"]+)"', form)
    assert request_id is not None
    response = client.post(hold_url, {"pickup": net.c.pk, "request_id": request_id.group(1)})
    assert response.status_code == 302 and response["Location"] == reverse("opac:account") + "?tab=holds"
    hold = Hold.objects.get(patron=reader)
    assert (hold.record_id, hold.pickup_library_id) == (rec.pk, net.c.pk)
    # a retried POST (same request id) places nothing more
    client.post(hold_url, {"pickup": net.c.pk, "request_id": request_id.group(1)})
    assert Hold.objects.filter(patron=reader).count() == 1
