"""Writes for SIP2 terminals: create (with the account operations are attributed to), change, set the
password, switch off. Each checks the staff-management permission at the terminal's library and
writes its audit entry in the same transaction."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thuvien.core.audit import audit
from thuvien.core.models import OrgUnit, User
from thuvien.core.permissions import Perm, require_perm
from thuvien.core.services import device_account_create
from thuvien.protocols.models import Sip2Terminal

OPTION_FIELDS = ("location", "encoding", "line_end", "error_detection", "patron_pin_required", "tls_required",
                 "is_active")
ACCOUNT_PREFIX = "sip2-"


def _check_options(options: dict[str, Any]) -> None:
    unknown = set(options) - set(OPTION_FIELDS)
    if unknown:
        raise ValidationError(_("Thuộc tính không hợp lệ: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if "encoding" in options and options["encoding"] not in Sip2Terminal.Encoding.values:
        raise ValidationError(_("Bảng mã không hợp lệ: %(e)s") % {"e": options["encoding"]})
    if "line_end" in options and options["line_end"] not in Sip2Terminal.LineEnd.values:
        raise ValidationError(_("Kiểu kết thúc dòng không hợp lệ: %(e)s") % {"e": options["line_end"]})


def _check_password(password: str) -> None:
    if len(password) < 6 or "|" in password or not password.isprintable():
        raise ValidationError(_("Mật khẩu máy tự phục vụ phải có ít nhất 6 ký tự in được và không chứa “|”."))


@transaction.atomic
def terminal_create(*, actor: User | None, login: str, library: OrgUnit, password: str,
                    **options: Any) -> Sip2Terminal:
    """A new terminal at `library`, with a circulation account there that cannot log in to the web."""
    require_perm(actor, Perm.STAFF_MANAGE, library)
    login = login.strip()
    if not login or len(login) > 64 or "|" in login or not login.isprintable():
        raise ValidationError(_("Tên đăng nhập máy tự phục vụ không hợp lệ."))
    if Sip2Terminal.objects.filter(login=login).exists():
        raise ValidationError(_("Đã có máy tự phục vụ tên “%(l)s”.") % {"l": login})
    _check_password(password)
    _check_options(options)
    account = device_account_create(actor=actor, username=f"{ACCOUNT_PREFIX}{login}", library=library,
                                    display_name=_("Máy tự phục vụ %(l)s") % {"l": login})
    terminal = Sip2Terminal.objects.create(login=login, password=make_password(password), account=account,
                                           library=library, **options)
    audit(actor=actor, action="sip2.terminal.create", obj=terminal, unit=library,
          changes={"login": [None, login], **{k: [None, str(v)] for k, v in options.items()}})
    return terminal


@transaction.atomic
def terminal_update(*, actor: User, terminal: Sip2Terminal, password: str = "", **options: Any) -> Sip2Terminal:
    """Change a terminal's options (and its password when one is given)."""
    require_perm(actor, Perm.STAFF_MANAGE, terminal.library)
    _check_options(options)
    changes = {k: [str(getattr(terminal, k)), str(v)] for k, v in options.items() if getattr(terminal, k) != v}
    for key, value in options.items():
        setattr(terminal, key, value)
    if password:
        _check_password(password)
        terminal.password = make_password(password)
        changes["password"] = ["***", "***"]
    terminal.save()
    if "is_active" in options and terminal.account.is_active != terminal.is_active:
        terminal.account.is_active = terminal.is_active
        terminal.account.save(update_fields=["is_active", "updated_at"])
    audit(actor=actor, action="sip2.terminal.update", obj=terminal, unit=terminal.library,
          changes=changes)  # type: ignore[arg-type]
    return terminal


def terminal_authenticate(*, login: str, password: str) -> Sip2Terminal | None:
    """The active terminal with this login and password (and an active account), else None."""
    terminal = (Sip2Terminal.objects.select_related("account", "library")
                .filter(login=login, is_active=True, account__is_active=True).first())
    if terminal is None or not check_password(password, terminal.password):
        return None
    terminal.last_login_at = timezone.now()
    Sip2Terminal.objects.filter(pk=terminal.pk).update(last_login_at=terminal.last_login_at)
    return terminal
