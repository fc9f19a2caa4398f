"""The OAI-PMH provider through Django's test client: verbs, sets, dates, tokens and every error."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.core import signing
from django.test import override_settings
from django.utils import timezone

from thuvien.catalog.models import BibRecord
from thuvien.protocols.oaipmh import tokens
from thuvien.protocols.selectors import repository_identifier

NS = {"o": "http://www.openarchives.org/OAI/2.0/", "dc": "http://purl.org/dc/elements/1.1/",
      "m": "http://www.loc.gov/MARC21/slim"}
OAI = "{http://www.openarchives.org/OAI/2.0/}"


def oai(client, **params):
    response = client.get("/oai", params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)


def error_codes(root) -> list[str]:
    return [e.get("code") for e in root.findall("o:error", NS)]


@pytest.fixture
def records(sample_records, net):
    return sample_records(net.a)


def test_identify(client, records):
    root = oai(client, verb="Identify")
    ident = root.find("o:Identify", NS)
    assert ident.findtext("o:protocolVersion", namespaces=NS) == "2.0"
    assert ident.findtext("o:deletedRecord", namespaces=NS) == "persistent"
    assert ident.findtext("o:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert ident.findtext("o:baseURL", namespaces=NS) == "http://testserver/oai"
    assert ident.findtext("o:repositoryName", namespaces=NS) == "Mạng lưới thư viện tỉnh P"
    assert repository_identifier() == "p.thuvien"
    assert root.find("o:request", NS).get("verb") == "Identify"


def test_list_metadata_formats_and_sets(client, records, net):
    root = oai(client, verb="ListMetadataFormats")
    assert [p.text for p in root.iter(OAI + "metadataPrefix")] == ["oai_dc", "marc21", "mods"]
    specs = [s.text for s in oai(client, verb="ListSets").iter(OAI + "setSpec")]
    assert specs == ["library", "library:P", "library:A", "library:C", "library:B", "type", "type:book"]


def test_get_record_marc21_and_dc(client, records):
    bib = records[0]
    ident = f"oai:p.thuvien:{bib.pk}"
    root = oai(client, verb="GetRecord", identifier=ident, metadataPrefix="marc21")
    rec = root.find("o:GetRecord/o:record", NS)
    assert rec.findtext("o:header/o:identifier", namespaces=NS) == ident
    assert [s.text for s in rec.findall("o:header/o:setSpec", NS)] == ["library:A", "type:book"]
    assert rec.find("o:metadata/m:record/m:controlfield[@tag='001']", NS).text == "TV0001"
    root = oai(client, verb="GetRecord", identifier=ident, metadataPrefix="oai_dc")
    dc = root.find("o:GetRecord/o:record/o:metadata", NS)[0]
    assert [e.text for e in dc.findall("dc:title", NS)] == ["Truyện Kiều"]
    assert [e.text for e in dc.findall("dc:creator", NS)] == ["Nguyễn Du"]
    assert [e.text for e in dc.findall("dc:identifier", NS)] == ["ISBN 9786041234567"]


def test_deleted_record_is_persistent(client, records):
    bib = records[1]
    BibRecord.objects.filter(pk=bib.pk).update(is_deleted=True, deleted_at=timezone.now())
    root = oai(client, verb="GetRecord", identifier=f"oai:p.thuvien:{bib.pk}", metadataPrefix="oai_dc")
    rec = root.find("o:GetRecord/o:record", NS)
    assert rec.find("o:header", NS).get("status") == "deleted"
    assert rec.find("o:metadata", NS) is None


@override_settings(THUVIEN_OAI_PAGE_SIZE=4)
def test_list_identifiers_pages_with_tokens(client, sample_records, net):
    made = sample_records(net.a) + sample_records(net.b, prefix="B")
    seen, token, cursors = [], None, []
    while True:
        root = oai(client, verb="ListIdentifiers", **({"resumptionToken": token} if token else
                                                      {"metadataPrefix": "oai_dc"}))
        body = root.find("o:ListIdentifiers", NS)
        seen += [h.findtext("o:identifier", namespaces=NS) for h in body.findall("o:header", NS)]
        rt = body.find("o:resumptionToken", NS)
        cursors.append((rt.get("cursor"), rt.get("completeListSize")))
        token = rt.text
        if not token:
            break
    assert seen == [f"oai:p.thuvien:{b.pk}" for b in made]
    assert cursors == [("0", "12"), ("4", "12"), ("8", "12")]


@override_settings(THUVIEN_OAI_PAGE_SIZE=2)
def test_list_is_stable_while_records_change(client, records):
    root = oai(client, verb="ListRecords", metadataPrefix="marc21")
    token = root.find("o:ListRecords/o:resumptionToken", NS).text
    # Under the harvester's feet: a new record appears and an unsent one changes. Neither is sent
    # now (they are newer than the list's snapshot); the next incremental harvest gets them.
    BibRecord.objects.filter(pk=records[4].pk).update(updated_at=timezone.now() + timedelta(seconds=2))
    BibRecord.objects.create(marc={"leader": "", "fields": []}, leader="", title="Mới")
    ids = []
    while token:
        body = oai(client, verb="ListRecords", resumptionToken=token).find("o:ListRecords", NS)
        ids += [h.text for h in body.iter(OAI + "identifier")]
        token = body.find("o:resumptionToken", NS).text
    assert ids == [f"oai:p.thuvien:{b.pk}" for b in (records[2], records[3], records[5])]


def test_from_until_and_sets(client, sample_records, net):
    old = sample_records(net.a)
    BibRecord.objects.filter(pk__in=[b.pk for b in old]).update(updated_at=timezone.now() - timedelta(days=3))
    new = sample_records(net.b, prefix="B")
    since = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": since})
    assert [h.text for h in root.iter(OAI + "identifier")] == [f"oai:p.thuvien:{b.pk}" for b in new]
    until = (timezone.now() - timedelta(days=2)).strftime("%Y-%m-%d")
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", until=until)
    assert [h.text for h in root.iter(OAI + "identifier")] == [f"oai:p.thuvien:{b.pk}" for b in old]
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="library:A")
    assert len(root.findall("o:ListIdentifiers/o:header", NS)) == 6
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="library:P")
    assert len(root.findall("o:ListIdentifiers/o:header", NS)) == 12


# ---- one test per error code of the specification ----------------------------------------------

@pytest.mark.parametrize("params", [{}, {"verb": "Nonsense"}, {"verb": ["Identify", "Identify"]}])
def test_bad_verb(client, db, params):
    root = oai(client, **params)
    assert error_codes(root) == ["badVerb"]
    assert root.find("o:request", NS).attrib == {}


@pytest.mark.parametrize("params", [
    {"verb": "Identify", "extra": "1"},
    {"verb": "ListRecords"},
    {"verb": "GetRecord", "identifier": "oai:p.thuvien:1"},
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-13-01"},
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-01-01", "until": "2024-01-02T00:00:00Z"},
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-02-01", "until": "2024-01-01"},
    {"verb": "ListRecords", "metadataPrefix": "oai_dc", "resumptionToken": "x"},
    {"verb": "ListRecords", "metadataPrefix": ["oai_dc", "marc21"]},
])
def test_bad_argument(client, records, params):
    assert error_codes(oai(client, **params)) == ["badArgument"]


def test_cannot_disseminate_format(client, records):
    assert error_codes(oai(client, verb="ListRecords", metadataPrefix="pdf")) == ["cannotDisseminateFormat"]
    ident = f"oai:p.thuvien:{records[0].pk}"
    assert error_codes(oai(client, verb="GetRecord", identifier=ident, metadataPrefix="x")) == [
        "cannotDisseminateFormat"]


@pytest.mark.parametrize("ident", ["oai:p.thuvien:999999", "oai:elsewhere.org:1", "nonsense"])
def test_id_does_not_exist(client, records, ident):
    assert error_codes(oai(client, verb="GetRecord", identifier=ident, metadataPrefix="oai_dc")) == [
        "idDoesNotExist"]
    assert error_codes(oai(client, verb="ListMetadataFormats", identifier=ident)) == ["idDoesNotExist"]


def test_no_records_match(client, records):
    assert error_codes(oai(client, verb="ListRecords", metadataPrefix="oai_dc", **{"from": "2999-01-01"})) == [
        "noRecordsMatch"]
    assert error_codes(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="library:NOPE")) == [
        "noRecordsMatch"]


def test_bad_resumption_token(client, records):
    assert error_codes(oai(client, verb="ListRecords", resumptionToken="forged")) == ["badResumptionToken"]
    state = tokens.ListState(verb="ListIdentifiers", prefix="oai_dc", set_spec="", since=None,
                             snapshot=timezone.now().timestamp(), last_id=0, cursor=0, total=6)
    # a valid token of another verb, and a token signed with another key
    assert error_codes(oai(client, verb="ListRecords", resumptionToken=tokens.encode(state))) == [
        "badResumptionToken"]
    forged = signing.dumps({"verb": "ListRecords"}, salt=tokens.SALT, key="other-key")
    assert error_codes(oai(client, verb="ListRecords", resumptionToken=forged)) == ["badResumptionToken"]
    assert error_codes(oai(client, verb="ListSets", resumptionToken="x")) == ["badResumptionToken"]


@override_settings(THUVIEN_OAI_SETS=False)
def test_no_set_hierarchy(client, records):
    assert error_codes(oai(client, verb="ListSets")) == ["noSetHierarchy"]
    assert error_codes(oai(client, verb="ListRecords", metadataPrefix="oai_dc", set="library:A")) == [
        "noSetHierarchy"]


def test_post_is_accepted(client, records):
    response = client.post("/oai", {"verb": "Identify"})
    assert response.status_code == 200
    assert re.search(rb"<repositoryName>", response.content)


@override_settings(THUVIEN_OAI_PAGE_SIZE=3)
def test_list_records_page_query_count(client, sample_records, net, django_assert_max_num_queries):
    sample_records(net.a) + sample_records(net.b, prefix="B")
    root = oai(client, verb="ListRecords", metadataPrefix="marc21")
    token = root.find("o:ListRecords/o:resumptionToken", NS).text
    # one page = the records, their holding libraries, their digital copies and the repository
    # identifier, whatever its size
    with django_assert_max_num_queries(4):
        root = oai(client, verb="ListRecords", resumptionToken=token)
    assert len(root.findall("o:ListRecords/o:record", NS)) == 3


@override_settings(THUVIEN_OAI_PAGE_SIZE=3)
def test_list_sets_pages(client, records, net, django_assert_max_num_queries):
    root = oai(client, verb="ListSets")
    assert [s.text for s in root.iter(OAI + "setSpec")] == ["library", "library:P", "library:A"]
    token = root.find("o:ListSets/o:resumptionToken", NS)
    assert (token.get("cursor"), token.get("completeListSize")) == ("0", "7") and token.get("expirationDate")
    # a page reads the material types, the number of units, the number of digital collections and one
    # slice of units, however big the tree
    with django_assert_max_num_queries(4):
        root = oai(client, verb="ListSets", resumptionToken=token.text)
    assert [s.text for s in root.iter(OAI + "setSpec")] == ["library:C", "library:B", "type"]
    token2 = root.find("o:ListSets/o:resumptionToken", NS)
    assert token2.get("cursor") == "3"
    root = oai(client, verb="ListSets", resumptionToken=token2.text)
    assert [s.text for s in root.iter(OAI + "setSpec")] == ["type:book"]
    last = root.find("o:ListSets/o:resumptionToken", NS)
    assert (last.text, last.get("cursor"), last.get("completeListSize")) == (None, "6", "7")
    # a token of another verb, a ListSets token given to ListRecords, a cursor past a list that shrank
    list_state = tokens.ListState(verb="ListRecords", prefix="oai_dc", set_spec="", since=None,
                                  snapshot=timezone.now().timestamp(), last_id=0, cursor=0, total=6)
    assert error_codes(oai(client, verb="ListSets", resumptionToken=tokens.encode(list_state))) == [
        "badResumptionToken"]
    assert error_codes(oai(client, verb="ListRecords", resumptionToken=token.text)) == ["badResumptionToken"]
    net.c.is_active = False
    net.c.save(update_fields=["is_active"])
    BibRecord.objects.update(material_type="")
    assert error_codes(oai(client, verb="ListSets", resumptionToken=token2.text)) == ["badResumptionToken"]


@override_settings(THUVIEN_OAI_PAGE_SIZE=500)
def test_list_sets_fits_one_page_without_token(client, records):
    root = oai(client, verb="ListSets")
    assert len(root.findall("o:ListSets/o:set", NS)) == 7
    assert root.find("o:ListSets/o:resumptionToken", NS) is None
