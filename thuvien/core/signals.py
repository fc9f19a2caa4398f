"""Recording logouts (Django sends user_logged_out from both doors' logout views)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from thuvien.core.authn import login_record
from thuvien.core.models import LoginEvent


@receiver(user_logged_out)
def _record_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None and request is not None and not getattr(request, "_thuvien_timeout", False):
        door = "staff" if request.path_info.startswith("/staff/") else "portal"
        login_record(kind=LoginEvent.Kind.LOGOUT, door=door, username=user.get_username(), request=request, user=user)
