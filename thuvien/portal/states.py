"""The registration lifecycle: every change of `Registration.state` goes through `registration_transition`."""

from __future__ import annotations

from django.utils.translation import gettext as _

from thuvien.portal.models import Registration, RegistrationState

S = RegistrationState
REGISTRATION_TRANSITIONS: dict[str, frozenset[str]] = {
    S.REGISTERED: frozenset({S.CANCELLED, S.ATTENDED, S.ABSENT}),
    S.ATTENDED: frozenset({S.ABSENT}),  # a mistake at the door is corrected
    S.ABSENT: frozenset({S.ATTENDED}),
    S.CANCELLED: frozenset(),
}


class TransitionRefused(ValueError):
    pass


def registration_transition(reg: Registration, to: str) -> str:
    """Move `reg` to state `to` if the table allows it (the caller saves); returns the old state."""
    old = reg.state
    if to not in REGISTRATION_TRANSITIONS.get(old, frozenset()):
        raise TransitionRefused(_("Không thể chuyển đăng ký từ “%(a)s” sang “%(b)s”.") % {
            "a": RegistrationState(old).label, "b": RegistrationState(to).label})
    reg.state = to
    return old
