"""Digital collections as OAI-PMH sets; oai_dc of a record with a digital copy carries the IIIF
manifest and viewer URLs (dc:identifier) and the COAR access right (dc:rights)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from django.test import override_settings

from thuvien.catalog.services import bib_create
from thuvien.catalog.tests.fixtures import make_book

NS = {"o": "http://www.openarchives.org/OAI/2.0/", "dc": "http://purl.org/dc/elements/1.1/"}


def oai(client, **params):
    resp = client.get("/oai", params)
    assert resp.status_code == 200
    return ET.fromstring(resp.content)


@override_settings(THUVIEN_BASE_URL="https://thuvien.caobang.gov.vn")
def test_digital_collection_sets_and_oai_dc(client, net, admin_user, digital_object_factory):
    bib = bib_create(actor=admin_user, record=make_book("Địa chí Cao Bằng"), owner=net.a)
    plain = bib_create(actor=admin_user, record=make_book("Truyện Kiều", isbn=""), owner=net.a)
    obj = digital_object_factory(texts=["Cao Bằng"], ocr="none", record=bib, access="in_library")
    code = obj.collection.code
    specs = [s.text for s in oai(client, verb="ListSets").iter("{http://www.openarchives.org/OAI/2.0/}setSpec")]
    assert specs[-2:] == ["digital", f"digital:{code}"]
    listed = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set=f"digital:{code}")
    assert [h.findtext("o:identifier", namespaces=NS) for h in listed.iter("{http://www.openarchives.org/OAI/2.0/}header")] \
        == [f"oai:p.thuvien:{bib.pk}"]
    assert oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="digital:none").find(
        "o:error", NS).get("code") == "noRecordsMatch"
    rec = oai(client, verb="GetRecord", identifier=f"oai:p.thuvien:{bib.pk}", metadataPrefix="oai_dc")
    assert f"digital:{code}" in [s.text for s in rec.iter("{http://www.openarchives.org/OAI/2.0/}setSpec")]
    dc = rec.find("o:GetRecord/o:record/o:metadata", NS)[0]
    identifiers = [e.text for e in dc.findall("dc:identifier", NS)]
    assert f"https://thuvien.caobang.gov.vn/iiif/{obj.uuid}/manifest" in identifiers
    assert f"https://thuvien.caobang.gov.vn/digital/{obj.uuid}/" in identifiers
    # (the shared MARC->DC crosswalk trims a URI's final "/" as if it were ISBD punctuation)
    assert [e.text.rstrip("/") for e in dc.findall("dc:rights", NS)] == [
        "http://purl.org/coar/access_right/c_16ec", "http://rightsstatements.org/vocab/InC-EDU/1.0"]
    other = oai(client, verb="GetRecord", identifier=f"oai:p.thuvien:{plain.pk}", metadataPrefix="oai_dc")
    assert not [s.text for s in other.iter("{http://www.openarchives.org/OAI/2.0/}setSpec") if "digital" in s.text]
