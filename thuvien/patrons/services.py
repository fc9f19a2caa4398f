"""Write services for readers: registration (desk and portal), edits, approval, blocks, consent and
data-subject requests. Each checks permission, owns its transaction and writes its audit entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from thuvien.core.audit import audit, diff, snapshot
from thuvien.core.models import AuditEntry, OrgUnit, User
from thuvien.core.permissions import Perm, has_perm, require_perm
from thuvien.core.text import fold
from thuvien.core.unit_settings import setting_get
from thuvien.patrons.conf import CHILD_AGE, CHILD_OWN_CONSENT_AGE, CONSENT_VERSION, CONSENT_WORDING
from thuvien.patrons.models import (
    BlockReason,
    Consent,
    ConsentGiver,
    ConsentPurpose,
    DataRequest,
    DataRequestKind,
    DataRequestStatus,
    Patron,
    PatronBlock,
    PatronCategory,
    PatronStatus,
)
from thuvien.patrons.personal import id_number_parts
from thuvien.patrons.selectors import patron_find_duplicates
from thuvien.patrons.signals import patron_erasing, reading_history_withdrawn
from thuvien.reports.facts import event_record, reader_tags

PATRON_FIELDS = ("full_name", "birth_date", "gender", "ethnicity", "id_hash", "id_last4", "id_verified", "address",
                 "phone", "email", "category_id", "home_library_id", "expires_on", "notes", "guardian_name",
                 "guardian_phone")
SELF_EDITABLE_FIELDS = ("address", "phone", "email")


class DuplicateWarning(ValidationError):
    """Registration matches existing readers; resubmit with confirm_duplicates=True to go ahead."""

    def __init__(self, matches: list[Patron]) -> None:
        self.matches = matches
        super().__init__(_("Có thể trùng với bạn đọc đã có: %(list)s") % {
            "list": ", ".join(str(p) for p in matches)})


CARD_DIGITS = 6


def card_prefix(home_library: OrgUnit) -> str:
    """The letters of the card series at `home_library`: the inherited `patron.card_prefix` setting, or else
    the letters and digits of the network's code (Cao Bằng's network `CB` gives cards CB000001, CB000002...)."""
    prefix = str(setting_get(home_library, "patron.card_prefix") or "").strip().upper()
    if not prefix:
        root = OrgUnit.objects.filter(pk=home_library.ancestor_ids[0]).values_list("code", flat=True).first() or ""
        prefix = "".join(ch for ch in root.upper() if ch.isascii() and ch.isalnum())
    return prefix


def card_number_next(*, home_library: OrgUnit) -> str:
    """The next free number in the library's own series: prefix + six digits, one more than the highest issued."""
    prefix = card_prefix(home_library)
    # one allocator at a time per network: lock the network's root row until the transaction ends
    list(OrgUnit.objects.select_for_update().filter(pk=home_library.ancestor_ids[0]).values_list("pk", flat=True))
    issued = (Patron.objects.annotate(n=Length("card_number"))
              .filter(card_number__startswith=prefix, n=len(prefix) + CARD_DIGITS)
              .order_by("-card_number").values_list("card_number", flat=True)[:20])
    last = max((int(c[len(prefix):]) for c in issued if c[len(prefix):].isdigit()), default=0)
    for number in range(last + 1, last + 1000):
        candidate = f"{prefix}{number:0{CARD_DIGITS}d}"
        if not Patron.objects.filter(card_number__iexact=candidate).exists():
            return candidate
    raise RuntimeError("could not allocate a card number")


def _age(birth_date: dt.date | None) -> int | None:
    if birth_date is None:
        return None
    today = timezone.localdate()
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


def consents_check(*, purposes: set[str], birth_date: dt.date | None, category: PatronCategory,
                   guardian_name: str, child_agreed: bool) -> str:
    """Validate the consents of a registration; returns who gave them (self or guardian). Forms call it
    to show every error at once; the services call it again before writing."""
    unknown = purposes - set(ConsentPurpose.values)
    if unknown:
        raise ValidationError({"consents": _("Mục đích không hợp lệ: %(p)s") % {"p": ", ".join(sorted(unknown))}})
    if ConsentPurpose.SERVICE not in purposes:
        raise ValidationError({"consents": _("Cần có sự đồng ý xử lý dữ liệu cá nhân để cấp thẻ bạn đọc.")})
    age = _age(birth_date)
    is_child = (age is not None and age < CHILD_AGE) or (age is None and category.is_child)
    if not is_child:
        return ConsentGiver.SELF
    if not guardian_name.strip():
        raise ValidationError({"guardian_name": _("Bạn đọc dưới %(n)s tuổi cần có sự đồng ý của cha, mẹ hoặc người "
                                                  "giám hộ.") % {"n": CHILD_AGE}})
    if (age is None or age >= CHILD_OWN_CONSENT_AGE) and not child_agreed:
        raise ValidationError({"child_agreed": _("Trẻ từ đủ %(n)s tuổi cũng phải đồng ý.") % {"n": CHILD_OWN_CONSENT_AGE}})
    return ConsentGiver.GUARDIAN


def _record_consent(*, patron: Patron, purpose: str, given_by: str, guardian_name: str, child_agreed: bool,
                    channel: str) -> Consent:
    return Consent.objects.create(
        patron=patron, purpose=purpose, wording=str(CONSENT_WORDING[purpose]), wording_version=CONSENT_VERSION,
        given_by=given_by, guardian_name=guardian_name.strip() if given_by == ConsentGiver.GUARDIAN else "",
        child_agreed=child_agreed, channel=channel, given_at=timezone.now(),
    )


def _check_password(password: str, user: User) -> None:
    """The configured password validators, on every path that sets a reader's password."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc


def _email_taken(email: str, patron: Patron | None) -> bool:
    """True when another portal login already uses `email` (it would take over their password resets)."""
    if not email:
        return False
    others = Patron.objects.filter(email__iexact=email, user__isnull=False).exclude(status=PatronStatus.ERASED)
    users = User.objects.filter(email__iexact=email)
    if patron is not None:
        others = others.exclude(pk=patron.pk)
        if patron.user_id:
            users = users.exclude(pk=patron.user_id)
    return others.exists() or users.exists()


def _set_password(patron: Patron, password: str) -> None:
    user = patron.user
    if user is None:
        user = User(username=f"reader-{patron.uuid.hex[:16]}", display_name=patron.full_name, email=patron.email)
        _check_password(password, user)
        user.set_password(password)
        user.save()
        patron.user = user
        patron.save(update_fields=["user", "updated_at"])
    else:
        _check_password(password, user)
        user.set_password(password)
        user.save(update_fields=["password"])


def _create(*, actor: User | None, home_library: OrgUnit, data: dict[str, Any], consents: Iterable[str],
            guardian_name: str, child_agreed: bool, confirm_duplicates: bool, status: str, channel: str,
            password: str | None) -> Patron:
    purposes = set(consents)
    category: PatronCategory = data["category"]
    given_by = consents_check(purposes=purposes, birth_date=data.get("birth_date"), category=category,
                               guardian_name=guardian_name, child_agreed=child_agreed)
    id_number = (data.get("id_number") or "").strip() or None
    id_hash, id_last4 = id_number_parts(id_number)
    if not confirm_duplicates:
        dups = patron_find_duplicates(full_name=data["full_name"], birth_date=data.get("birth_date"),
                                      phone=data.get("phone", ""), id_number=id_number)
        if dups:
            raise DuplicateWarning(dups)
    if password and _email_taken((data.get("email") or "").strip(), None):
        raise ValidationError({"email": _("Thư điện tử này đã gắn với một tài khoản khác; hãy dùng địa chỉ khác "
                                          "hoặc đến thư viện.")})
    if id_hash and Patron.objects.filter(id_hash=id_hash).exists():
        raise ValidationError({"id_number": _("Số CCCD này đã được dùng cho một thẻ khác.")})
    fields = {k: v for k, v in data.items() if k in {f.removesuffix("_id") for f in PATRON_FIELDS}}
    fields["id_hash"], fields["id_last4"] = id_hash, id_last4
    fields.setdefault("expires_on", timezone.localdate()
                      + dt.timedelta(days=int(setting_get(home_library, "patron.card_validity_days"))))
    if given_by == ConsentGiver.GUARDIAN:
        fields["guardian_name"] = guardian_name.strip()
    card_number = (data.get("card_number") or "").strip() or card_number_next(home_library=home_library)
    if Patron.objects.filter(card_number__iexact=card_number).exists():
        raise ValidationError({"card_number": _("Số thẻ %(n)s đã tồn tại.") % {"n": card_number}})
    patron = Patron(card_number=card_number, home_library=home_library, status=status,
                    keep_history=ConsentPurpose.READING_HISTORY in purposes, **fields)
    patron.name_folded = fold(patron.full_name)
    patron.full_clean(exclude=["user", "photo"])
    patron.save()
    for purpose in sorted(purposes):
        _record_consent(patron=patron, purpose=purpose, given_by=given_by, guardian_name=guardian_name,
                        child_agreed=child_agreed, channel=channel)
    if password:
        _set_password(patron, password)
    audit(actor=actor, action="patron.create", obj=patron, unit=home_library,
          changes={"card_number": [None, patron.card_number], "status": [None, status],
                   "consents": [None, sorted(purposes)], "channel": [None, channel]},
          object_repr=patron.card_number)
    if patron.status == PatronStatus.ACTIVE:
        event_record(kind="card_new", unit=home_library, tags=reader_tags(patron))
    return patron


@transaction.atomic
def patron_create(*, actor: User, home_library: OrgUnit, data: dict[str, Any], consents: Iterable[str],
                  guardian_name: str = "", child_agreed: bool = False, confirm_duplicates: bool = False,
                  password: str | None = None) -> Patron:
    """Register a reader at the desk; refuses without the service consent (and a guardian's for a child),
    and raises DuplicateWarning on a likely duplicate unless confirmed."""
    require_perm(actor, Perm.PATRON_EDIT, home_library)
    return _create(actor=actor, home_library=home_library, data=data, consents=consents,
                   guardian_name=guardian_name, child_agreed=child_agreed, confirm_duplicates=confirm_duplicates,
                   status=PatronStatus.ACTIVE, channel="desk", password=password)


@transaction.atomic
def patron_self_register(*, home_library: OrgUnit, data: dict[str, Any], consents: Iterable[str], password: str,
                         guardian_name: str = "", child_agreed: bool = False) -> Patron:
    """Online self-registration: a pending reader that staff approve, unless auto-approval is set."""
    auto = bool(setting_get(home_library, "patron.self_registration_auto_approve"))
    return _create(actor=None, home_library=home_library, data=data, consents=consents,
                   guardian_name=guardian_name, child_agreed=child_agreed, confirm_duplicates=True,
                   status=PatronStatus.ACTIVE if auto else PatronStatus.PENDING, channel="portal",
                   password=password)


@transaction.atomic
def patron_update(*, actor: User, patron: Patron, data: dict[str, Any]) -> Patron:
    """Edit a reader's record (staff); the home library may move only within the actor's subtree."""
    patron = Patron.objects.select_for_update().get(pk=patron.pk)
    require_perm(actor, Perm.PATRON_EDIT, patron.home_library)
    before = snapshot(patron, list(PATRON_FIELDS))
    data = dict(data)
    if "id_number" in data:  # typed at the desk: only its keyed hash and last digits are kept
        data["id_hash"], data["id_last4"] = id_number_parts(data.pop("id_number"))
    for field, value in data.items():
        if field not in PATRON_FIELDS and field not in ("category", "home_library"):
            raise ValidationError(_("Không được sửa trường %(field)s.") % {"field": field})
        setattr(patron, field, value)
    if "home_library" in data:
        require_perm(actor, Perm.PATRON_EDIT, data["home_library"])
    if "email" in data and (data["email"] or "").strip().lower() != (before.get("email") or "").lower() \
            and data["email"] and patron.user_id and _email_taken(data["email"].strip(), patron):
        raise ValidationError({"email": _("Thư điện tử này đã gắn với một tài khoản khác.")})
    patron.name_folded = fold(patron.full_name)
    patron.full_clean(exclude=["user", "photo"])
    patron.save()
    if patron.user_id and "email" in data:  # where password-reset links go: keep the login's address in step
        User.objects.filter(pk=patron.user_id).update(email=patron.email, updated_at=timezone.now())
    changes = diff(before, snapshot(patron, list(PATRON_FIELDS)))
    if changes.pop("id_hash", None) or changes.pop("id_last4", None):  # never write the number into the log
        changes.pop("id_last4", None)
        changes["id_number"] = ["***", "***"]
    if changes:
        audit(actor=actor, action="patron.update", obj=patron, unit=patron.home_library, changes=changes,
              object_repr=patron.card_number)
    return patron


@transaction.atomic
def patron_update_self(*, patron: Patron, data: dict[str, Any], current_password: str | None = None) -> Patron:
    """A reader corrects their own contact data from the portal account; a new e-mail address (where
    password resets go) needs the current password and must not belong to another login."""
    patron = Patron.objects.select_for_update(of=("self",)).select_related("user").get(pk=patron.pk)
    new_email = (data.get("email") or "").strip()
    if "email" in data and new_email.lower() != (patron.email or "").lower():
        if patron.user is None or not patron.user.check_password(current_password or ""):
            raise ValidationError({"current_password": _("Hãy nhập đúng mật khẩu hiện tại để đổi thư điện tử.")})
        if _email_taken(new_email, patron):
            raise ValidationError({"email": _("Thư điện tử này đã gắn với một tài khoản khác.")})
    before = snapshot(patron, list(SELF_EDITABLE_FIELDS))
    for field, value in data.items():
        if field not in SELF_EDITABLE_FIELDS:
            raise ValidationError(_("Trường %(field)s chỉ thư viện được sửa; hãy gửi yêu cầu đính chính.")
                                  % {"field": field})
        setattr(patron, field, (value or "").strip())
    patron.full_clean(exclude=["user", "photo"])
    patron.save()
    if patron.user_id and "email" in data:
        User.objects.filter(pk=patron.user_id).update(email=patron.email, updated_at=timezone.now())
    changes = diff(before, snapshot(patron, list(SELF_EDITABLE_FIELDS)))
    if changes:
        audit(actor=patron.user, action="patron.self_update", obj=patron, unit=patron.home_library,
              changes=changes, object_repr=patron.card_number)
    return patron


@transaction.atomic
def patron_approve(*, actor: User, patron: Patron) -> Patron:
    """Approve a reader who registered online."""
    patron = Patron.objects.select_for_update().get(pk=patron.pk)
    require_perm(actor, Perm.PATRON_EDIT, patron.home_library)
    if patron.status != PatronStatus.PENDING:
        raise ValidationError(_("Bạn đọc này không ở trạng thái chờ duyệt."))
    patron.status = PatronStatus.ACTIVE
    patron.save(update_fields=["status", "updated_at"])
    audit(actor=actor, action="patron.approve", obj=patron, unit=patron.home_library,
          changes={"status": [PatronStatus.PENDING, PatronStatus.ACTIVE]}, object_repr=patron.card_number)
    event_record(kind="card_new", unit=patron.home_library, tags=reader_tags(patron))
    return patron


@transaction.atomic
def patron_reject(*, actor: User, patron: Patron, reason: str) -> Patron:
    """Refuse a reader who registered online: the reason is logged and the applicant's personal data is
    erased at once (nothing is kept for a card that was never issued; the card number stays as a tombstone)."""
    patron = Patron.objects.select_for_update().get(pk=patron.pk)
    require_perm(actor, Perm.PATRON_EDIT, patron.home_library)
    if patron.status != PatronStatus.PENDING:
        raise ValidationError(_("Bạn đọc này không ở trạng thái chờ duyệt."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Hãy ghi lý do từ chối.")})
    audit(actor=actor, action="patron.reject", obj=patron, unit=patron.home_library, object_repr=patron.card_number,
          changes={"status": [PatronStatus.PENDING, PatronStatus.ERASED], "reason": [None, reason[:500]]})
    return patron_erase(actor=actor, patron=patron)


@transaction.atomic
def patron_renew_card(*, actor: User, patron: Patron) -> Patron:
    """Extend the card from today (or its current expiry, if later) by the inherited validity."""
    patron = Patron.objects.select_for_update().get(pk=patron.pk)
    require_perm(actor, Perm.PATRON_EDIT, patron.home_library)
    start = max(timezone.localdate(), patron.expires_on)
    before = patron.expires_on
    patron.expires_on = start + dt.timedelta(days=int(setting_get(patron.home_library, "patron.card_validity_days")))
    patron.save(update_fields=["expires_on", "updated_at"])
    audit(actor=actor, action="patron.renew_card", obj=patron, unit=patron.home_library,
          changes={"expires_on": [before, patron.expires_on]}, object_repr=patron.card_number)
    event_record(kind="card_renewal", unit=patron.home_library, tags=reader_tags(patron))
    return patron


@transaction.atomic
def patron_set_password(*, actor: User | None, patron: Patron, password: str) -> Patron:
    """Create or reset the reader's portal login (staff at the desk, or the reader via reset e-mail)."""
    if actor is not None and actor != patron.user:
        require_perm(actor, Perm.PATRON_EDIT, patron.home_library)
    _set_password(patron, password)
    audit(actor=actor, action="patron.set_password", obj=patron, unit=patron.home_library,
          object_repr=patron.card_number)
    return patron


PIN_DIGITS = (4, 6)


def pin_validate(pin: str) -> str:
    """The PIN stripped, or a ValidationError on `pin` saying what a PIN must be."""
    pin = (pin or "").strip()
    low, high = PIN_DIGITS
    if not (pin.isascii() and pin.isdigit() and low <= len(pin) <= high):
        raise ValidationError({"pin": [_("Mã PIN gồm %(a)s đến %(b)s chữ số.") % {"a": low, "b": high}]})
    if len(set(pin)) == 1:
        raise ValidationError({"pin": [_("Mã PIN không được gồm một chữ số lặp lại.")]})
    return pin


@transaction.atomic
def patron_set_pin(*, actor: User | None, patron: Patron, pin: str) -> Patron:
    """Set the reader's self-check PIN (4-6 digits), stored only as a password hash; by the reader
    (actor = the reader's own login) or by staff who may edit readers at the reader's home library."""
    if actor is None or actor != patron.user:
        require_perm(actor, Perm.PATRON_EDIT, patron.home_library)
    pin = pin_validate(pin)
    patron = Patron.objects.select_for_update().get(pk=patron.pk)
    patron.pin_hash = make_password(pin)
    patron.save(update_fields=["pin_hash", "updated_at"])
    audit(actor=actor, action="patron.set_pin", obj=patron, unit=patron.home_library,
          object_repr=patron.card_number)
    return patron


@transaction.atomic
def patron_clear_pin(*, actor: User, patron: Patron) -> Patron:
    """Remove the reader's PIN (staff at the reader's home library); kiosks that need one then refuse."""
    require_perm(actor, Perm.PATRON_EDIT, patron.home_library)
    patron = Patron.objects.select_for_update().get(pk=patron.pk)
    if patron.pin_hash:
        patron.pin_hash = ""
        patron.save(update_fields=["pin_hash", "updated_at"])
        audit(actor=actor, action="patron.clear_pin", obj=patron, unit=patron.home_library,
              object_repr=patron.card_number)
    return patron


@transaction.atomic
def patron_block(*, actor: User, patron: Patron, reason: str = BlockReason.MANUAL, note: str = "") -> PatronBlock:
    """Put a manual block on a reader."""
    require_perm(actor, Perm.PATRON_EDIT, patron.home_library)
    block = PatronBlock.objects.create(patron=patron, reason=reason, note=note.strip(), created_by=actor)
    audit(actor=actor, action="patron.block", obj=patron, unit=patron.home_library,
          changes={"block": [None, reason], "note": [None, note]}, object_repr=patron.card_number)
    return block


@transaction.atomic
def patron_unblock(*, actor: User, block: PatronBlock) -> PatronBlock:
    """Lift a manual block."""
    patron = block.patron
    require_perm(actor, Perm.PATRON_EDIT, patron.home_library)
    block.lifted_at = timezone.now()
    block.save(update_fields=["lifted_at"])
    audit(actor=actor, action="patron.unblock", obj=patron, unit=patron.home_library,
          changes={"block": [block.reason, None]}, object_repr=patron.card_number)
    return block


@transaction.atomic
def consent_grant(*, patron: Patron, purpose: str, actor: User | None = None, given_by: str = ConsentGiver.SELF,
                  guardian_name: str = "", child_agreed: bool = False, channel: str = "portal",
                  wording_version: str | None = None) -> Consent:
    """Record an explicit consent for one purpose (a no-op returning the current one if already given),
    with the wording in force; `wording_version` is the version the reader was shown, refused when the
    wording changed since."""
    patron = Patron.objects.select_for_update().get(pk=patron.pk)
    if actor is not None and actor != patron.user:
        require_perm(actor, Perm.PATRON_EDIT, patron.home_library)
    if purpose not in ConsentPurpose.values:
        raise ValidationError(_("Mục đích không hợp lệ."))
    if wording_version is not None and wording_version != CONSENT_VERSION:
        raise ValidationError(_("Nội dung đồng ý đã thay đổi (phiên bản %(v)s); hãy đọc lại nội dung mới cho bạn đọc.")
                              % {"v": CONSENT_VERSION})
    current = patron.consents.filter(purpose=purpose, withdrawn_at__isnull=True).first()
    if current:
        return current
    if patron.age_on(timezone.localdate()) is not None and patron.age_on(timezone.localdate()) < CHILD_AGE:  # type: ignore[operator]
        if given_by != ConsentGiver.GUARDIAN or not guardian_name.strip():
            raise ValidationError(_("Bạn đọc dưới %(n)s tuổi cần có sự đồng ý của cha, mẹ hoặc người giám hộ.")
                                  % {"n": CHILD_AGE})
    consent = _record_consent(patron=patron, purpose=purpose, given_by=given_by, guardian_name=guardian_name,
                              child_agreed=child_agreed, channel=channel)
    if purpose == ConsentPurpose.READING_HISTORY:
        patron.keep_history = True
        patron.save(update_fields=["keep_history", "updated_at"])
    audit(actor=actor, action="consent.grant", obj=patron, unit=patron.home_library,
          changes={purpose: [None, consent.wording_version]}, object_repr=patron.card_number)
    return consent


@transaction.atomic
def consent_withdraw(*, patron: Patron, purpose: str, actor: User | None = None) -> Consent | None:
    """Withdraw a consent. Withdrawing the reading-history consent stops keeping history: returned
    loans older than the library's anonymisation period are anonymised at once (by circulation, on
    `reading_history_withdrawn`), later ones when they reach it, as for every reader; withdrawing the
    service consent opens a deletion request."""
    patron = Patron.objects.select_for_update().get(pk=patron.pk)
    if actor is not None and actor != patron.user:
        require_perm(actor, Perm.PATRON_EDIT, patron.home_library)
    current = patron.consents.filter(purpose=purpose, withdrawn_at__isnull=True).first()
    if current is None:
        return None
    current.withdrawn_at = timezone.now()
    current.save(update_fields=["withdrawn_at"])
    if purpose == ConsentPurpose.READING_HISTORY:
        patron.keep_history = False
        patron.save(update_fields=["keep_history", "updated_at"])
        reading_history_withdrawn.send(sender=Patron, patron=patron)
    if purpose == ConsentPurpose.SERVICE:
        DataRequest.objects.create(patron=patron, kind=DataRequestKind.WITHDRAW,
                                   details=_("Bạn đọc rút lại sự đồng ý xử lý dữ liệu để phục vụ."))
    audit(actor=actor, action="consent.withdraw", obj=patron, unit=patron.home_library,
          changes={purpose: [current.wording_version, None]}, object_repr=patron.card_number)
    return current


@transaction.atomic
def datarequest_create(*, patron: Patron, kind: str, details: str = "") -> DataRequest:
    """A reader asks to correct or delete their data (export is served at once by the portal)."""
    if kind not in DataRequestKind.values:
        raise ValidationError(_("Loại yêu cầu không hợp lệ."))
    request = DataRequest.objects.create(patron=patron, kind=kind, details=details.strip()[:5000])
    if kind == DataRequestKind.EXPORT:
        request.status = DataRequestStatus.DONE
        request.resolved_at = timezone.now()
        request.save(update_fields=["status", "resolved_at"])
    audit(actor=patron.user, action=f"patron.request_{kind}", obj=patron, unit=patron.home_library,
          object_repr=patron.card_number)
    return request


@transaction.atomic
def datarequest_resolve(*, actor: User, request: DataRequest, status: str, resolution: str = "") -> DataRequest:
    """Staff close a data-subject request (for a deletion, call patron_erase first)."""
    require_perm(actor, Perm.PATRON_EDIT, request.patron.home_library)
    if status not in (DataRequestStatus.DONE, DataRequestStatus.REFUSED):
        raise ValidationError(_("Trạng thái không hợp lệ."))
    request.status = status
    request.resolution = resolution.strip()
    request.resolved_at = timezone.now()
    request.save(update_fields=["status", "resolution", "resolved_at"])
    audit(actor=actor, action="patron.request_resolve", obj=request.patron, unit=request.patron.home_library,
          changes={"request": [request.kind, status]}, object_repr=request.patron.card_number)
    return request


@transaction.atomic
def patron_erase(*, actor: User, patron: Patron) -> Patron:
    """Delete a reader's personal data on request: refused while loans are open or fines unpaid; loan
    history is anonymised, personal fields blanked, the login disabled; the card number stays as a tombstone."""
    patron = Patron.objects.select_for_update().get(pk=patron.pk)
    require_perm(actor, Perm.PATRON_EDIT, patron.home_library)
    if patron.loans.filter(returned_at__isnull=True).exists():
        raise ValidationError(_("Bạn đọc còn tài liệu đang mượn; cần trả trước khi xoá dữ liệu."))
    if any(f.amount > f.paid for f in patron.fines.all()):
        raise ValidationError(_("Bạn đọc còn khoản phạt chưa nộp; cần giải quyết trước khi xoá dữ liệu."))
    patron_erasing.send(sender=Patron, patron=patron, actor=actor)
    for field in ("address", "phone", "email", "ethnicity", "notes", "guardian_name", "guardian_phone", "gender"):
        setattr(patron, field, "")
    patron.full_name = _("(đã xoá)")
    patron.name_folded = ""
    patron.birth_date = None
    patron.id_hash = None
    patron.id_last4 = ""
    patron.id_verified = False
    patron.keep_history = False
    patron.pin_hash = ""
    patron.status = PatronStatus.ERASED
    if patron.photo:
        patron.photo.delete(save=False)
    patron.save()
    patron.consents.filter(withdrawn_at__isnull=True).update(withdrawn_at=timezone.now())
    if patron.user_id:
        User.objects.filter(pk=patron.user_id).update(is_active=False, email="", display_name="",
                                                         updated_at=timezone.now())
    patron.data_requests.filter(kind=DataRequestKind.DELETE, status=DataRequestStatus.OPEN).update(
        status=DataRequestStatus.DONE, resolved_at=timezone.now())
    pseudonymised = _pseudonymise_audit(patron)
    audit(actor=actor, action="patron.erase", obj=patron, unit=patron.home_library, object_repr=patron.card_number,
          changes={"audit_entries_pseudonymised": [None, pseudonymised]})
    return patron


PERSONAL_AUDIT_KEYS = frozenset({"full_name", "birth_date", "gender", "ethnicity", "address", "phone", "email",
                                 "notes", "guardian_name", "guardian_phone", "id_number", "id_hash", "id_last4"})


def _pseudonymise_audit(patron: Patron) -> int:
    """Blank the personal values earlier audit entries recorded about `patron` (who did what, and
    when, stays; the card number remains as the tombstone). Returns how many entries changed."""
    count = 0
    for entry in AuditEntry.objects.filter(object_type=Patron._meta.label_lower, object_id=str(patron.pk)).iterator():
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        cleaned = {k: (["***", "***"] if k in PERSONAL_AUDIT_KEYS else v) for k, v in changes.items()}
        if cleaned != changes:
            entry.changes = cleaned
            entry.save(update_fields=["changes"])
            count += 1
    return count


def patron_view_level(actor: User, patron: Patron) -> str:
    """How much of a reader `actor` may see: "full" (staff of the reader's home library subtree and
    network administrators), "loan" (any other circulation desk: name, card status and blocks, what
    lending needs; Library Law Art. 8) or "" (nothing)."""
    if has_perm(actor, Perm.PATRON_VIEW, patron.home_library):
        return "full"
    if any(has_perm(actor, Perm.CIRC_DESK, g.unit) for g in actor.grants.select_related("unit")):
        return "loan"
    return ""


def require_patron_view(actor: User, patron: Patron) -> None:
    """Raise PermissionDenied unless `actor` may see the reader's full record (home library subtree)."""
    if patron_view_level(actor, patron) != "full":
        raise PermissionDenied(_("Chỉ thư viện nơi bạn đọc đăng ký được xem hồ sơ đầy đủ của bạn đọc này."))


def patron_record_viewed(*, actor: User, patron: Patron) -> None:
    """Log that `actor` opened the reader's full record (every such view is kept in the audit log,
    filed under the reader's home library)."""
    require_patron_view(actor, patron)
    audit(actor=actor, action="patron.view", obj=patron, unit=patron.home_library, object_repr=patron.card_number)
