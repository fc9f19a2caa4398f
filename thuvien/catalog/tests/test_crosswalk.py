"""The one crosswalk (MARC21 -> MARCXML, Dublin Core, MODS) against golden files made from real
records of ../shared/data, and the promise that every writer uses it: a record's OAI-PMH oai_dc
is byte for byte its "download as DC", and SRU's dc is the same Dublin Core.

Regenerate the golden files after a deliberate mapping change with
`THUVIEN_UPDATE_GOLDEN=1 uv run pytest thuvien/catalog/tests/test_crosswalk.py` and read the diff."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.urls import reverse
from lxml import etree

from thuvien.catalog import services
from thuvien.catalog.marc.crosswalk import dublin_core, marcxml, mods_xml, to_dc_xml
from thuvien.catalog.marc.marcjson import to_json
from thuvien.catalog.marc.reader import iter_records
from thuvien.config.env import REPO_ROOT

GOLDEN = Path(__file__).parent / "golden"
SHARED = REPO_ROOT.parent / "shared" / "data" / "marc"
# (file under ../shared/data/marc, record index, golden name): a novel with 651/655 and a summary,
# one with contents, series and a link, one with an alternative title, an e-book with rights and
# a 773 host, a map, a Nepali record (non-Latin script), and MARCXML from MARC4J
RECORDS = [
    ("marc4j/pride-and-prejudice-fixed.mrc", 26, "pp-026-genre-summary"),
    ("marc4j/pride-and-prejudice-fixed.mrc", 65, "pp-065-contents-series-link"),
    ("marc4j/pride-and-prejudice-fixed.mrc", 71, "pp-071-alternative-title"),
    ("marc4j/pride-and-prejudice-fixed.mrc", 152, "pp-152-ebook-rights-host"),
    ("evergreen/map_data.mrc", 0, "map-000"),
    ("evergreen/nepali.marc", 0, "nepali-000"),
    ("marc4j/chabon.xml", 0, "chabon-000"),
]
UPDATE = os.environ.get("THUVIEN_UPDATE_GOLDEN") == "1"


def _record(name: str, index: int):  # type: ignore[no-untyped-def]
    path = SHARED / name
    if not path.exists():
        pytest.skip("../shared/data is absent")
    for i, result in enumerate(iter_records(path)):
        if i == index:
            assert result.record is not None, result.error
            return result.record
    raise AssertionError(f"{name} has no record {index}")


def _pretty(xml: str) -> str:
    return etree.tostring(etree.fromstring(xml.encode()), pretty_print=True, encoding="unicode")


@pytest.mark.parametrize(("name", "index", "golden"), RECORDS, ids=[r[2] for r in RECORDS])
@pytest.mark.parametrize("fmt", ["dc", "mods", "marcxml"])
def test_golden(name, index, golden, fmt):
    record = _record(name, index)
    render = {"dc": to_dc_xml, "mods": mods_xml, "marcxml": marcxml}[fmt]
    actual = _pretty(render(record))
    path = GOLDEN / f"{golden}.{fmt}.xml"
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")
    assert render(to_json(record)) == render(record)  # MARC-in-JSON (OAI, SRU) and pymarc (export) agree


def test_the_five_fields_that_used_to_differ():
    """Title subfields, 655 genre, 651 coverage, the date and repeated notes, after LC's crosswalk."""
    dc = dublin_core({"leader": "00000nam a2200000 a 4500", "fields": [
        {"008": "850101s1985    vm            000 1 vie d"},
        {"245": {"ind1": "1", "ind2": "0", "subfields": [{"a": "Truyện Kiều :"}, {"b": "bản dịch /"},
                                                          {"h": "[văn bản]"}, {"c": "Nguyễn Du."}]}},
        {"260": {"ind1": " ", "ind2": " ", "subfields": [{"a": "Hà Nội :"}, {"b": "Văn học,"}, {"c": "[c1985]."}]}},
        {"500": {"ind1": " ", "ind2": " ", "subfields": [{"a": "Chú thích."}]}},
        {"500": {"ind1": " ", "ind2": " ", "subfields": [{"a": "Chú thích."}]}},
        {"500": {"ind1": " ", "ind2": " ", "subfields": [{"a": "Bản in lần hai."}]}},
        {"651": {"ind1": " ", "ind2": "7", "subfields": [{"a": "Cao Bằng"}, {"x": "Lịch sử."}]}},
        {"655": {"ind1": " ", "ind2": "7", "subfields": [{"a": "Truyện thơ."}]}},
    ]})
    assert dc == {"title": ["Truyện Kiều : bản dịch"], "description": ["Chú thích", "Bản in lần hai"],
                  "publisher": ["Văn học"], "date": ["1985"], "type": ["Text", "Truyện thơ"],
                  "language": ["vie"], "coverage": ["Cao Bằng -- Lịch sử"]}


@pytest.mark.parametrize(("name", "index", "golden"), RECORDS[:3], ids=[r[2] for r in RECORDS[:3]])
def test_oai_dc_is_the_download_and_sru_dc_the_same_elements(client, net, admin_user, name, index, golden):
    outcome = services.marc_import_record(actor=admin_user, record=_record(name, index), library=net.a, match="none")
    bib = outcome.bib
    download = client.get(reverse("opac:record_export", args=[bib.pk, "dc"]))
    assert download.status_code == 200
    body = download.content.decode()
    assert client.get(f"/api/v1/records/{bib.pk}/marc", {"format": "dc"}).content.decode() == body
    oai = client.get("/oai", {"verb": "GetRecord", "metadataPrefix": "oai_dc",
                              "identifier": f"oai:{_repository()}:{bib.pk}"}).content.decode()
    oai_dc = re.search(r"<oai_dc:dc .*?</oai_dc:dc>", oai, re.S)
    assert oai_dc is not None
    assert body == '<?xml version="1.0" encoding="UTF-8"?>\n' + oai_dc.group()
    assert _pretty(oai_dc.group()) == (GOLDEN / f"{golden}.dc.xml").read_text(encoding="utf-8")
    sru = client.get("/sru", {"operation": "searchRetrieve", "version": "1.2", "recordSchema": "dc",
                              "query": f"rec.identifier == {bib.control_number}"}).content.decode()
    srw = re.search(r"<srw_dc:dc .*?</srw_dc:dc>", sru, re.S)
    assert srw is not None
    inner = re.compile(r"^<[^>]+>|</[^>]+>$")
    assert inner.sub("", srw.group()) == inner.sub("", oai_dc.group())


def _repository() -> str:
    from thuvien.protocols.selectors import repository_identifier
    return repository_identifier()
