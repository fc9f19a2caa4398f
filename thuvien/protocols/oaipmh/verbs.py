"""The six OAI-PMH 2.0 verbs over the protocols selectors. `handle()` never raises for bad input:
every problem becomes an OAI-PMH error element, as the specification requires."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from thuvien.digital import selectors as digital_selectors
from thuvien.protocols import formats, selectors
from thuvien.protocols.oaipmh import tokens
from thuvien.protocols.oaipmh.responses import OAIError, envelope, error_xml, header_xml, stamp
from thuvien.protocols.selectors import RecordRow


@dataclass(frozen=True)
class MetadataFormat:
    schema: str
    namespace: str
    render: Callable[[dict[str, Any]], str]


FORMATS: dict[str, MetadataFormat] = {
    "oai_dc": MetadataFormat(formats.OAI_DC_SCHEMA, formats.OAI_DC_NS, formats.oai_dc),
    "marc21": MetadataFormat(formats.MARC_SCHEMA, formats.MARC_NS, formats.marcxml),
    "mods": MetadataFormat(formats.MODS_SCHEMA, formats.MODS_NS, formats.mods_xml),
}
VERB_ARGS: dict[str, tuple[set[str], set[str]]] = {  # verb -> (required, optional)
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), {"resumptionToken"}),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
}
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"


def page_size() -> int:
    return int(getattr(settings, "THUVIEN_OAI_PAGE_SIZE", 500))


def sets_enabled() -> bool:
    return bool(getattr(settings, "THUVIEN_OAI_SETS", True))


def oai_identifier(record_id: int, repository: str | None = None) -> str:
    return f"oai:{repository or selectors.repository_identifier()}:{record_id}"


def _parse_identifier(identifier: str) -> int:
    prefix = f"oai:{selectors.repository_identifier()}:"
    local = identifier[len(prefix):] if identifier.startswith(prefix) else ""
    if not local.isdigit():
        raise OAIError("idDoesNotExist")
    return int(local)


def _parse_date(value: str, *, end: bool) -> tuple[datetime, str]:
    """(instant, granularity); for `end` the instant is exclusive (the next second or day)."""
    try:
        if len(value) == 10:
            day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
            return (day + timedelta(days=1) if end else day), "day"
        if len(value) == 20 and value.endswith("Z"):
            t = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            return (t + timedelta(seconds=1) if end else t), "seconds"
    except ValueError:
        pass
    except OverflowError:  # until=9999-12-31...: the end of time, exclusive
        return datetime.max.replace(tzinfo=UTC), "day" if len(value) == 10 else "seconds"
    raise OAIError("badArgument", f"Illegal date {value!r}: use YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ.")


def _check_args(verb: str, args: Mapping[str, str]) -> None:
    required, optional = VERB_ARGS[verb]
    unknown = set(args) - required - optional
    if unknown:
        raise OAIError("badArgument", f"Illegal argument(s): {', '.join(sorted(unknown))}.")
    if "resumptionToken" in args:
        if len(args) > 1:
            raise OAIError("badArgument", "resumptionToken is an exclusive argument.")
        return
    missing = required - set(args)
    if missing:
        raise OAIError("badArgument", f"Missing argument(s): {', '.join(sorted(missing))}.")


def _format(prefix: str) -> MetadataFormat:
    fmt = FORMATS.get(prefix)
    if fmt is None:
        raise OAIError("cannotDisseminateFormat", f"Unsupported metadataPrefix {prefix!r}.")
    return fmt


def identify(args: Mapping[str, str]) -> str:
    repo = selectors.repository_identifier()
    email = getattr(settings, "THUVIEN_OAI_ADMIN_EMAIL", "") or settings.DEFAULT_FROM_EMAIL
    return (
        f"<Identify><repositoryName>{formats.esc(selectors.repository_name())}</repositoryName>"
        f"<baseURL>{formats.esc(args['_base'])}</baseURL><protocolVersion>2.0</protocolVersion>"
        f"<adminEmail>{formats.esc(email)}</adminEmail>"
        f"<earliestDatestamp>{stamp(selectors.earliest_datestamp())}</earliestDatestamp>"
        f"<deletedRecord>persistent</deletedRecord><granularity>{GRANULARITY}</granularity>"
        "<description><oai-identifier xmlns=\"http://www.openarchives.org/OAI/2.0/oai-identifier\" "
        "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\""
        "http://www.openarchives.org/OAI/2.0/oai-identifier "
        "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd\"><scheme>oai</scheme>"
        f"<repositoryIdentifier>{formats.esc(repo)}</repositoryIdentifier><delimiter>:</delimiter>"
        f"<sampleIdentifier>oai:{formats.esc(repo)}:1</sampleIdentifier></oai-identifier></description>"
        "</Identify>"
    )


def list_metadata_formats(args: Mapping[str, str]) -> str:
    if "identifier" in args and selectors.record_row(_parse_identifier(args["identifier"])) is None:
        raise OAIError("idDoesNotExist")
    body = "".join(
        f"<metadataFormat><metadataPrefix>{p}</metadataPrefix><schema>{f.schema}</schema>"
        f"<metadataNamespace>{f.namespace}</metadataNamespace></metadataFormat>"
        for p, f in FORMATS.items()
    )
    return f"<ListMetadataFormats>{body}</ListMetadataFormats>"


def _set_xml(spec: str, name: str) -> str:
    return f"<set><setSpec>{formats.esc(spec)}</setSpec><setName>{formats.esc(name)}</setName></set>"


def _sets_page(offset: int, limit: int) -> tuple[list[str], int]:
    """(sets at offset..offset+limit of the whole list, size of the whole list). The list is the
    library root set, one set per active unit in tree order, the type root set, one set per material
    type; units are read a page at a time, so a national tree is never loaded whole."""
    types = selectors.material_types()
    collections = digital_selectors.collection_count()  # digital collections, when there are any
    segments: list[tuple[int, Callable[[int, int], list[str]]]] = [
        (1, lambda o, n: [_set_xml(selectors.LIBRARY_SET, "Thư viện")]),
        (selectors.library_set_count(), lambda o, n: [
            _set_xml(f"{selectors.LIBRARY_SET}:{code}", name) for code, name in selectors.library_sets(offset=o, limit=n)]),
        (1, lambda o, n: [_set_xml(selectors.TYPE_SET, "Loại tài liệu")]),
        (len(types), lambda o, n: [_set_xml(f"{selectors.TYPE_SET}:{t}", t) for t in types[o:o + n]]),
        (min(collections, 1), lambda o, n: [_set_xml(selectors.DIGITAL_SET, "Bộ sưu tập số")]),
        (collections, lambda o, n: [
            _set_xml(f"{selectors.DIGITAL_SET}:{code}", name)
            for code, name in digital_selectors.collection_sets(offset=o, limit=n)]),
    ]
    out: list[str] = []
    for size, fetch in segments:
        if limit <= 0:
            break
        if offset >= size:
            offset -= size
            continue
        got = fetch(offset, limit)
        out.extend(got)
        limit -= len(got)
        offset = 0
    return out, sum(size for size, _fetch in segments)


def list_sets(args: Mapping[str, str], *, now: datetime) -> str:
    """The sets, page_size() at a time; the resumption token carries the cursor (an offset in the list)."""
    if not sets_enabled():
        raise OAIError("noSetHierarchy")
    if "resumptionToken" in args:
        try:
            state = tokens.decode(args["resumptionToken"], verb="ListSets")
        except tokens.BadToken as exc:
            raise OAIError("badResumptionToken") from exc
    else:
        state = tokens.ListState(verb="ListSets", prefix="", set_spec="", since=None, snapshot=now.timestamp(),
                                 last_id=0, cursor=0, total=0)
    size = page_size()
    parts, total = _sets_page(state.cursor, size + 1)
    if state.cursor == 0:
        state = replace(state, total=total)
    elif not parts:
        raise OAIError("badResumptionToken", "The list of sets has become shorter than this token's cursor.")
    more = len(parts) > size
    parts = parts[:size]
    body = ["<ListSets>", *parts]
    if more or state.cursor:
        attrs = f'completeListSize="{state.total}" cursor="{state.cursor}"'
        if more:
            nxt = replace(state, last_id=state.cursor + len(parts) - 1, cursor=state.cursor + len(parts))
            expires = stamp(now + tokens.token_lifetime())
            body.append(f'<resumptionToken expirationDate="{expires}" {attrs}>{tokens.encode(nxt)}</resumptionToken>')
        else:
            body.append(f"<resumptionToken {attrs}/>")
    body.append("</ListSets>")
    return "".join(body)


def _record_xml(row: RecordRow, fmt: MetadataFormat | None, repository: str) -> str:
    header = header_xml(identifier=oai_identifier(row.id, repository), datestamp=row.datestamp, sets=row.sets,
                        deleted=row.deleted)
    if fmt is None:
        return header
    if row.deleted:
        return f"<record>{header}</record>"
    return f"<record>{header}<metadata>{fmt.render(row.marc)}</metadata></record>"


def get_record(args: Mapping[str, str]) -> str:
    fmt = _format(args["metadataPrefix"])
    row = selectors.record_row(_parse_identifier(args["identifier"]))
    if row is None:
        raise OAIError("idDoesNotExist")
    return f"<GetRecord>{_record_xml(row, fmt, selectors.repository_identifier())}</GetRecord>"


def _first_state(verb: str, args: Mapping[str, str], now: datetime) -> tokens.ListState:
    _format(args["metadataPrefix"])
    since = until = None
    if "from" in args:
        since, g1 = _parse_date(args["from"], end=False)
    if "until" in args:
        until, g2 = _parse_date(args["until"], end=True)
    if since and until:
        if g1 != g2:
            raise OAIError("badArgument", "from and until must have the same granularity.")
        if since >= until:
            raise OAIError("badArgument", "from is later than until.")
    set_spec = args.get("set", "")
    if set_spec:
        if not sets_enabled():
            raise OAIError("noSetHierarchy")
        if not selectors.set_exists(set_spec):
            raise OAIError("noRecordsMatch", f"Unknown set {set_spec!r}.")
    snapshot = min(until, now) if until else now
    qs = selectors.harvest_queryset(set_spec=set_spec, since=since, before=snapshot)
    total = qs.count() if qs is not None else 0
    if total == 0:
        raise OAIError("noRecordsMatch")
    return tokens.ListState(verb=verb, prefix=args["metadataPrefix"], set_spec=set_spec,
                            since=since.timestamp() if since else None, snapshot=snapshot.timestamp(),
                            last_id=0, cursor=0, total=total)


def list_records(args: Mapping[str, str], *, verb: str, now: datetime) -> str:
    if "resumptionToken" in args:
        try:
            state = tokens.decode(args["resumptionToken"], verb=verb)
        except tokens.BadToken as exc:
            raise OAIError("badResumptionToken") from exc
    else:
        state = _first_state(verb, args, now)
    with_metadata = verb == "ListRecords"
    fmt = _format(state.prefix) if with_metadata else None
    qs = selectors.harvest_queryset(
        set_spec=state.set_spec,
        since=datetime.fromtimestamp(state.since, UTC) if state.since is not None else None,
        before=datetime.fromtimestamp(state.snapshot, UTC),
    )
    if qs is None:  # the set disappeared since the token was issued
        raise OAIError("badResumptionToken", "The set of this token no longer exists.")
    size = page_size()
    rows = selectors.record_rows(qs, after_id=state.last_id, limit=size + 1, with_marc=with_metadata)
    more = len(rows) > size
    rows = rows[:size]
    if not rows and state.cursor == 0:
        raise OAIError("noRecordsMatch")
    body = [f"<{verb}>"]
    repository = selectors.repository_identifier()
    body.extend(_record_xml(row, fmt, repository) for row in rows)
    if more or state.cursor:
        expires = stamp(now + tokens.token_lifetime())
        attrs = f'completeListSize="{state.total}" cursor="{state.cursor}"'
        if more:
            nxt = replace(state, last_id=rows[-1].id, cursor=state.cursor + len(rows))
            body.append(f'<resumptionToken expirationDate="{expires}" {attrs}>{tokens.encode(nxt)}</resumptionToken>')
        else:
            body.append(f"<resumptionToken {attrs}/>")
    body.append(f"</{verb}>")
    return "".join(body)


def handle(params: Mapping[str, list[str]], *, base_url: str) -> str:
    """The full OAI-PMH response document for the request parameters (every error in a 200)."""
    now = timezone.now()
    verbs = params.get("verb", [])
    if len(verbs) != 1 or verbs[0] not in VERB_ARGS:
        return envelope(now=now, base_url=base_url, args=None, body=error_xml([OAIError("badVerb")]))
    verb = verbs[0]
    repeated = [k for k, v in params.items() if len(v) > 1]
    args = {k: v[0] for k, v in params.items() if k != "verb"}
    try:
        if repeated:
            raise OAIError("badArgument", f"Repeated argument(s): {', '.join(sorted(repeated))}.")
        _check_args(verb, args)
    except OAIError as exc:
        return envelope(now=now, base_url=base_url, args=None, body=error_xml([exc]))
    echo = {"verb": verb, **args}
    try:
        if verb == "Identify":
            body = identify({**args, "_base": base_url})
        elif verb == "ListMetadataFormats":
            body = list_metadata_formats(args)
        elif verb == "ListSets":
            body = list_sets(args, now=now)
        elif verb == "GetRecord":
            body = get_record(args)
        else:
            body = list_records(args, verb=verb, now=now)
    except OAIError as exc:
        body = error_xml([exc])
    return envelope(now=now, base_url=base_url, args=echo, body=body)
