"""The digitisation workflow, declared in one place and enforced by `services.item_transition`.

selected → prepared → scanned → qc → (rework → scanned) → ocr → metadata → approved → published,
and withdrawn from any step (a withdrawn record may be selected again). Publication is reached only
through qc → ocr (quality passed) and metadata → approved (description checked): the table has no
shorter path. Besides the table, some steps have conditions on the object (`GUARDS` in services).

Publication controls the OPAC: a project's object is hidden from readers (`DigitalObject.published`
is False) from the moment the workflow takes it in until it reaches "published", and hidden again when
withdrawn. Objects made outside a project (e.g. by `digital_ingest`) are published as before.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from thuvien.digitisation.models import State

S = State

TRANSITIONS: dict[str, frozenset[str]] = {
    S.SELECTED: frozenset({S.PREPARED, S.WITHDRAWN}),
    S.PREPARED: frozenset({S.SCANNED, S.WITHDRAWN}),
    S.SCANNED: frozenset({S.QC, S.WITHDRAWN}),
    S.QC: frozenset({S.OCR, S.REWORK, S.WITHDRAWN}),  # qc → ocr is "quality passed"
    S.REWORK: frozenset({S.SCANNED, S.WITHDRAWN}),
    S.OCR: frozenset({S.METADATA, S.WITHDRAWN}),
    S.METADATA: frozenset({S.APPROVED, S.WITHDRAWN}),
    S.APPROVED: frozenset({S.PUBLISHED, S.METADATA, S.WITHDRAWN}),  # back to metadata for a correction
    S.PUBLISHED: frozenset({S.WITHDRAWN}),
    S.WITHDRAWN: frozenset({S.SELECTED}),
}

# States in which the object exists and is being worked on (the dashboard's "in progress").
IN_PROGRESS = frozenset({S.SCANNED, S.QC, S.REWORK, S.OCR, S.METADATA, S.APPROVED})
# The order the dashboard lists states in.
ORDER = [S.SELECTED, S.PREPARED, S.SCANNED, S.QC, S.REWORK, S.OCR, S.METADATA, S.APPROVED, S.PUBLISHED,
         S.WITHDRAWN]


class TransitionError(ValidationError, ValueError):
    """A step the workflow does not allow now (nothing was changed)."""


def check_transition(current: str, new: str) -> None:
    """Raise TransitionError (a sentence for the operator) unless the table allows current → new."""
    if new not in TRANSITIONS.get(current, frozenset()):
        raise TransitionError(_("Không thể chuyển từ “%(a)s” sang “%(b)s”.")
                              % {"a": State(current).label, "b": State(new).label})


def next_states(current: str) -> list[str]:
    """The states the table allows from `current`, in workflow order (for the buttons)."""
    return [s for s in ORDER if s in TRANSITIONS.get(current, frozenset())]
