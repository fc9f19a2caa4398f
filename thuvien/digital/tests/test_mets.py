"""METS export (DFG profile): valid against the METS 1.12.1 XSD shipped in the repo, MODS from the
record's crosswalk, checksums on files, physical structure in page order, and the access level."""

from __future__ import annotations

import hashlib
from pathlib import Path

from lxml import etree

from thuvien.catalog.services import bib_create
from thuvien.catalog.tests.fixtures import make_book
from thuvien.digital import preservation, processing
from thuvien.digital.services import pages_reorder

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
NS = {"mets": "http://www.loc.gov/METS/", "mods": "http://www.loc.gov/mods/v3", "xlink": "http://www.w3.org/1999/xlink",
      "dv": "http://dfg-viewer.de/", "dc": "http://purl.org/dc/elements/1.1/"}


def _schema() -> etree.XMLSchema:
    # no network: the XSD imports the XLink schema beside it
    parser = etree.XMLParser(no_network=True)
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "mets-1.12.1.xsd"), parser))


def _valid(body: bytes) -> etree._Element:
    doc = etree.fromstring(body)
    schema = _schema()
    assert schema.validate(doc), schema.error_log
    return doc


def test_mets_validates_with_mods_checksums_and_page_order(client, net, admin_user, digital_object_factory):
    bib = bib_create(actor=admin_user, record=make_book("Địa chí Cao Bằng"), owner=net.a)
    obj = digital_object_factory(texts=["Cao Bằng là tỉnh miền núi", "Sông Bằng chảy qua thị xã"], record=bib)
    pages = list(obj.pages.order_by("order"))
    pages_reorder(actor=admin_user, obj=obj, page_ids=[pages[1].pk, pages[0].pk])

    resp = client.get(f"/api/v1/digital/objects/{obj.uuid}/mets")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/xml")
    doc = _valid(resp.content)
    assert doc.get("OBJID") == f"urn:uuid:{obj.uuid}"
    # MODS from the one crosswalk: the record's title
    assert doc.xpath("//mets:dmdSec/mets:mdWrap[@MDTYPE='MODS']//mods:titleInfo/mods:title/text()",
                     namespaces=NS) == ["Địa chí Cao Bằng"]
    assert doc.xpath("//dv:rights/dv:license/text()", namespaces=NS) == [obj.rights]
    # anonymous readers get DEFAULT and FULLTEXT, not the masters
    assert doc.xpath("//mets:fileGrp/@USE", namespaces=NS) == ["DEFAULT", "FULLTEXT"]
    # physical structMap in the new order, with labels, pointing at both groups
    divs = doc.xpath("//mets:structMap[@TYPE='PHYSICAL']//mets:div[@TYPE='page']", namespaces=NS)
    assert [(d.get("ORDER"), d.get("ORDERLABEL")) for d in divs] == [("1", "1"), ("2", "2")]
    assert [f.get("FILEID") for f in divs[0]] == ["FILE_0001_DEFAULT", "FILE_0001_FULLTEXT"]
    first = obj.pages.get(order=1)
    assert first.pk == pages[1].pk
    default = doc.xpath("//mets:file[@ID='FILE_0001_DEFAULT']/mets:FLocat/@xlink:href", namespaces=NS)[0]
    assert default == f"http://testserver/iiif/3/{first.uuid}/full/max/0/default.jpg"
    alto = doc.xpath("//mets:file[@ID='FILE_0001_FULLTEXT']", namespaces=NS)[0]
    alto_bytes = processing.ocr_base(obj.uuid, 1).with_suffix(".xml").read_bytes()
    assert (alto.get("CHECKSUMTYPE"), alto.get("CHECKSUM"), alto.get("SIZE")) == (
        "SHA-256", hashlib.sha256(alto_bytes).hexdigest(), str(len(alto_bytes)))
    served = client.get(alto[0].get("{http://www.w3.org/1999/xlink}href"))
    assert b"".join(served.streaming_content) == alto_bytes  # the moved ALTO of the old page 2
    assert 'CONTENT="Bằng"' in alto_bytes.decode()

    # staff also get the MASTER group: the OCFL copy with the ingest sha256
    client.force_login(admin_user)
    doc = _valid(client.get(f"/api/v1/digital/objects/{obj.uuid}/mets").content)
    assert doc.xpath("//mets:fileGrp/@USE", namespaces=NS) == ["MASTER", "DEFAULT", "FULLTEXT"]
    master = doc.xpath("//mets:file[@ID='FILE_0001_MASTER']", namespaces=NS)[0]
    assert (master.get("CHECKSUMTYPE"), master.get("CHECKSUM"), master.get("MIMETYPE")) == (
        "SHA-256", first.sha256, "image/png")
    href = master[0].get("{http://www.w3.org/1999/xlink}href")
    root = preservation.object_path(obj).parents[3]
    assert hashlib.sha256((root / href).read_bytes()).hexdigest() == first.sha256


def test_mets_honours_access_and_standalone_objects_carry_dc(client, net, admin_user, digital_object_factory):
    obj = digital_object_factory(texts=["Gia phả"], ocr="none", access="staff", title="Gia phả họ Nông")
    obj.dcterms = {"creator": ["Nông Văn A"]}
    obj.save(update_fields=["dcterms", "updated_at"])
    url = f"/api/v1/digital/objects/{obj.uuid}/mets"
    assert client.get(url).status_code == 401
    assert client.get("/api/v1/digital/objects/00000000-0000-0000-0000-000000000000/mets").status_code == 404
    client.force_login(admin_user)
    doc = _valid(client.get(url).content)
    assert doc.xpath("//mets:mdWrap[@MDTYPE='DC']//dc:title/text()", namespaces=NS) == ["Gia phả họ Nông"]
    assert doc.xpath("//mets:mdWrap[@MDTYPE='DC']//dc:creator/text()", namespaces=NS) == ["Nông Văn A"]
    assert doc.xpath("//mets:fileGrp/@USE", namespaces=NS) == ["MASTER", "DEFAULT"]
    obj.damaged = True
    obj.save(update_fields=["damaged", "updated_at"])
    resp = client.get(url)
    assert resp.status_code == 503 and resp.json()["damaged"] is True


def test_mets_of_an_id_that_is_not_a_uuid_is_404(client):
    for bad in ("1", "not-a-uuid", '"><svg onload=alert(1)>'):
        response = client.get(f"/api/v1/digital/objects/{bad}/mets")
        assert response.status_code == 404, bad
        assert response.json() == {"error": "Không có tài liệu số này."}
