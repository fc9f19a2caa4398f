"""Signed OAI-PMH resumption tokens: the state of a list request, carried by the harvester.

A token holds the verb, format, set, `from`, the snapshot instant (records changed after the first
page are left for the next incremental harvest, so a list stays stable while records change), the
last id sent, the cursor and the complete list size. It is signed, so it cannot be forged.
A ListSets token uses the same state with an empty format and set: its cursor is the offset of
the next set in the list (and last_id the offset of the last one sent).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing

SALT = "thuvien.protocols.oaipmh.token"


class BadToken(Exception):  # noqa: N818 - maps to the badResumptionToken error
    pass


@dataclass(frozen=True)
class ListState:
    verb: str
    prefix: str
    set_spec: str
    since: float | None  # epoch seconds (inclusive), or None
    snapshot: float  # epoch seconds with microseconds (exclusive)
    last_id: int
    cursor: int
    total: int


def token_lifetime() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "THUVIEN_OAI_TOKEN_SECONDS", 24 * 3600)))


def encode(state: ListState) -> str:
    return signing.dumps(asdict(state), salt=SALT, compress=True)


def decode(token: str, *, verb: str) -> ListState:
    """The state in `token`; BadToken if it is forged, expired, malformed or for another verb."""
    try:
        data = signing.loads(token, salt=SALT, max_age=token_lifetime())
        state = ListState(**data)
    except (signing.BadSignature, TypeError, ValueError) as exc:
        raise BadToken(str(exc)) from exc
    if state.verb != verb:
        raise BadToken("token issued for another verb")
    return state


def to_epoch(dt: datetime) -> float:
    return dt.timestamp()
