"""OAI-PMH 2.0 response envelope, headers and errors as strings."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from thuvien.protocols.formats import esc

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

ERROR_TEXT = {
    "badArgument": "The request includes illegal arguments, is missing required arguments, includes a "
                   "repeated argument, or values for arguments have an illegal syntax.",
    "badResumptionToken": "The value of the resumptionToken argument is invalid or expired.",
    "badVerb": "Value of the verb argument is not a legal OAI-PMH verb, the verb argument is missing, "
               "or the verb argument is repeated.",
    "cannotDisseminateFormat": "The metadata format identified by the value given for the metadataPrefix "
                               "argument is not supported by the item or by the repository.",
    "idDoesNotExist": "The value of the identifier argument is unknown or illegal in this repository.",
    "noRecordsMatch": "The combination of the values of the from, until, set and metadataPrefix arguments "
                      "results in an empty list.",
    "noMetadataFormats": "There are no metadata formats available for the specified item.",
    "noSetHierarchy": "The repository does not support sets.",
}


class OAIError(Exception):
    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.message = message or ERROR_TEXT[code]


def stamp(dt: datetime) -> str:
    """UTC at second granularity, as OAI-PMH wants it."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def envelope(*, now: datetime, base_url: str, args: Mapping[str, str] | None, body: str) -> str:
    """The whole response; `args` None leaves the request element bare (badVerb/badArgument)."""
    attrs = "".join(f' {esc(k)}="{esc(v)}"' for k, v in (args or {}).items())
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<OAI-PMH xmlns="{OAI_NS}" xmlns:xsi="{XSI_NS}" xsi:schemaLocation="{OAI_NS} {OAI_SCHEMA}">'
        f"<responseDate>{stamp(now)}</responseDate>"
        f"<request{attrs}>{esc(base_url)}</request>{body}</OAI-PMH>"
    )


def error_xml(errors: list[OAIError]) -> str:
    return "".join(f'<error code="{e.code}">{esc(e.message)}</error>' for e in errors)


def header_xml(*, identifier: str, datestamp: datetime, sets: tuple[str, ...], deleted: bool) -> str:
    status = ' status="deleted"' if deleted else ""
    set_xml = "".join(f"<setSpec>{esc(s)}</setSpec>" for s in sets)
    return (f"<header{status}><identifier>{esc(identifier)}</identifier>"
            f"<datestamp>{stamp(datestamp)}</datestamp>{set_xml}</header>")
