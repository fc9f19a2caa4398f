"""Bad input gets an answer, never a 500 (issue 12: the listed 500s, and fuzzing of the MARC reader,
the CQL parser, OAI-PMH arguments and the OPAC search syntax with hypothesis)."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thuvien.catalog.marc.reader import iter_records, read_iso
from thuvien.catalog.models import ImportJob
from thuvien.catalog.services import import_job_create, import_job_run
from thuvien.protocols.sru.cql import CQLSyntaxError, parse_cql
from thuvien.search.syntax import QuerySyntaxError, parse_user_query

BIG = "9" * 40
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])

LISTED = [
    "/staff/catalog/?q=%23abc", "/staff/catalog/?q=%23" + BIG, "/staff/catalog/?q=" + BIG,
    f"/search/?q=a&f=year:{BIG}", f"/search/?q=a&year={BIG}", f"/api/v1/search?q=a&year={BIG}",
    "/oai?verb=ListRecords&metadataPrefix=oai_dc&until=9999-12-31T23:59:59Z",
    "/oai?verb=ListIdentifiers&metadataPrefix=marc21&until=9999-12-31",
    "/sru?operation=searchRetrieve&version=1.2&query=" + "(" * 3000 + "a" + ")" * 3000,
    "/sru?operation=searchRetrieve&version=1.2&query=" + "%20and%20".join(["a"] * 3000),
]


@pytest.mark.parametrize("url", LISTED)
def test_listed_500s_now_answer(net, admin_user, sample_records, url):
    sample_records(net.a)
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    response = client.get(url)
    assert response.status_code == 200, url
    if url.startswith("/sru"):
        body = response.content.decode()
        assert "info:srw/diagnostic/1/10" in body  # query syntax error, as a diagnostic
    if url.startswith("/oai"):
        assert b"<error" not in response.content or b"noRecordsMatch" in response.content


def test_fine_payment_nan_and_bad_request_id_at_the_desk(client, net, desk_a, patron_factory):
    from decimal import Decimal

    from thuvien.circulation.models import Fine
    reader = patron_factory("R1", net.a)
    Fine.objects.create(patron=reader, library=net.a, kind="manual", amount=Decimal(5000))
    client.force_login(desk_a)
    url = f"/staff/circ/patrons/{reader.card_number}/"
    for amount in ("NaN", "Infinity", "-Infinity", "1e999999"):
        response = client.post(url, {"action": "pay", "amount": amount, "request_id": "not-a-uuid"})
        assert response.status_code in (200, 302), amount
    assert Fine.objects.get().paid == 0


def test_checkout_api_with_a_malformed_request_id_is_a_400(client, net, desk_a, patron_factory, item_factory,
                                                          base_rule):
    patron_factory("R1", net.a)
    item_factory("A1", net.a)
    client.force_login(desk_a)
    response = client.post("/api/v1/circ/checkout", json.dumps({"desk": net.a.code, "item_barcode": "A1", "card_number": "R1",
                                                                "request_id": "not-a-uuid"}),
                           content_type="application/json")
    assert 400 <= response.status_code < 500, response.content


@pytest.mark.parametrize(("name", "content"), [
    ("deep.json", b"[" * 100000 + b"]" * 100000),
    ("notmarc.xml", b"<?xml version='1.0'?><html><body><p>not a MARC record</p></body></html>"),
    ("empty.mrc", b""),
])
def test_corrupt_upload_fails_with_a_reason(net, cataloguer_a, tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    job = import_job_create(actor=cataloguer_a, library=net.a, path=path, source_name=name)
    try:
        job = import_job_run(job=job, actor=cataloguer_a)
    except (ValueError, OSError):
        job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.error


# --- fuzzing -------------------------------------------------------------------------------------

@FUZZ
@given(st.binary(max_size=600))
def test_fuzz_marc_iso_reader_never_raises(raw):
    record, error, warnings = read_iso(raw)
    assert (record is None) == (error is not None) or record is not None


@FUZZ
@given(st.binary(max_size=400))
def test_fuzz_marc_stream_reader_yields_or_reports(raw):
    """A bad record is yielded with its error; an unreadable file is a ValueError (the import job
    reports it as failed), never another kind of exception."""
    for fmt in ("iso2709", "marcxml", "json"):
        try:
            for result in iter_records(io.BytesIO(raw), format=fmt):
                assert result.record is not None or result.error is not None
        except ValueError:
            pass


CQL_ALPHABET = st.sampled_from(["(", ")", "=", "and", "or", "not", "prox", "/", "\"", "dc.title", "sortby", "a",
                                "Truyện Kiều", " ", "<>", ">", "==", "cql.serverChoice", "any", "all", "%"])


@FUZZ
@given(st.one_of(st.text(max_size=200), st.lists(CQL_ALPHABET, max_size=60).map(" ".join)))
def test_fuzz_cql_parser_only_raises_syntax_errors(text):
    try:
        parse_cql(text)
    except CQLSyntaxError:
        pass


@FUZZ
@given(st.one_of(st.text(max_size=200), st.lists(st.sampled_from(
    ["(", ")", "\"", "AND", "OR", "NOT", "-", "+", "tác giả:", "title:", "year:", "*", "Kiều", " ", ":", "#"]),
    max_size=60).map("".join)))
def test_fuzz_search_syntax_only_raises_syntax_errors(text):
    try:
        parse_user_query(text)
    except QuerySyntaxError:
        pass


@pytest.mark.django_db
@FUZZ
@given(verb=st.sampled_from(["ListRecords", "ListIdentifiers", "GetRecord", "Identify", "ListSets", "x"]),
       args=st.dictionaries(st.sampled_from(["from", "until", "set", "metadataPrefix", "resumptionToken", "identifier"]),
                            st.one_of(st.text(max_size=40), st.sampled_from(
                                ["9999-12-31", "0001-01-01", "9999-12-31T23:59:59Z", "2026-02-30", "marc21",
                                 "oai_dc", "library:A", "oai:x:1", BIG])), max_size=4))
def test_fuzz_oai_arguments_never_500(verb, args):
    client = Client(raise_request_exception=False)
    response = client.get("/oai", {"verb": verb, **args})
    # a NUL byte is refused at the door for every URL (core.middleware.NulByteMiddleware); the rest is
    # answered as OAI-PMH says, errors included, with a 200
    assert response.status_code == (400 if any("\x00" in v for v in args.values()) else 200)
