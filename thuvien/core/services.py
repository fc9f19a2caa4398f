"""Write services for the network tree, staff and roles. Each checks permission, owns its
transaction and writes its audit entry."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from thuvien.core.audit import audit, diff, snapshot
from thuvien.core.models import OrgUnit, OrgUnitSetting, OutboundAllow, Role, RoleGrant, UnitKind, User
from thuvien.core.outbound import parse_allow_entry
from thuvien.core.permissions import Perm, forget_cached_grants, require_perm
from thuvien.core.stamps import with_updated_at
from thuvien.core.unit_settings import REGISTRY

UNIT_EDITABLE_FIELDS = ("name", "short_name", "address", "phone", "email", "website", "opening_hours", "kind_id")


def _set_path(unit: OrgUnit) -> None:
    parent_path = unit.parent.path if unit.parent is not None else "/"
    unit.path = f"{parent_path}{unit.pk}/"
    unit.depth = unit.path.count("/") - 2
    unit.save(update_fields=["path", "depth"])


@transaction.atomic
def unit_create(
    *, actor: User | None, code: str, name: str, kind: UnitKind, parent: OrgUnit | None, **fields: Any
) -> OrgUnit:
    """Create a unit under `parent` (or a new root network) with its materialised path set."""
    require_perm(actor, Perm.ORG_RESTRUCTURE if parent is None else Perm.ORG_EDIT, parent)
    code = code.strip().upper()
    if OrgUnit.objects.filter(code=code).exists():
        raise ValidationError({"code": _("Mã đơn vị %(code)s đã tồn tại.") % {"code": code}})
    unit = OrgUnit(code=code, name=name.strip(), kind=kind, parent=parent, **fields)
    unit.full_clean(exclude=["path"])
    unit.save()
    _set_path(unit)
    audit(actor=actor, action="unit.create", obj=unit, unit=unit, changes=diff({}, snapshot(unit)))
    return unit


@transaction.atomic
def unit_update(*, actor: User, unit: OrgUnit, data: dict[str, Any]) -> OrgUnit:
    """Edit a unit's descriptive fields (rename included); the code and place in the tree stay."""
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    require_perm(actor, Perm.ORG_EDIT, unit)
    before = snapshot(unit, list(UNIT_EDITABLE_FIELDS))
    for field, value in data.items():
        if field not in UNIT_EDITABLE_FIELDS:
            raise ValidationError(_("Không được sửa trường %(field)s.") % {"field": field})
        setattr(unit, field, value)
    unit.full_clean(exclude=["path"])
    unit.save()
    changes = diff(before, snapshot(unit, list(UNIT_EDITABLE_FIELDS)))
    if changes:
        audit(actor=actor, action="unit.update", obj=unit, unit=unit, changes=changes)
    return unit


def _rewrite_subtree_paths(old_prefix: str, new_prefix: str) -> None:
    now = timezone.now()
    OrgUnit.objects.filter(path__startswith=old_prefix).update(
        path=Concat(Value(new_prefix), Substr("path", len(old_prefix) + 1), output_field=models.CharField()),
        updated_at=now,
    )
    moved = list(OrgUnit.objects.filter(path__startswith=new_prefix).only("pk", "path"))
    for unit in moved:
        unit.depth, unit.updated_at = unit.path.count("/") - 2, now
    OrgUnit.objects.bulk_update(moved, ["depth", "updated_at"], batch_size=500)


@transaction.atomic
def unit_move(*, actor: User, unit: OrgUnit, new_parent: OrgUnit) -> OrgUnit:
    """Move `unit` and its whole subtree under `new_parent`; records, items and grants follow."""
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    new_parent = OrgUnit.objects.get(pk=new_parent.pk)
    require_perm(actor, Perm.ORG_RESTRUCTURE, unit)
    require_perm(actor, Perm.ORG_RESTRUCTURE, new_parent)
    if new_parent.path.startswith(unit.path):
        raise ValidationError(_("Không thể chuyển một đơn vị vào bên trong chính nó."))
    old_parent_id = unit.parent_id
    old_prefix = unit.path
    new_prefix = f"{new_parent.path}{unit.pk}/"
    OrgUnit.objects.filter(pk=unit.pk).update(parent=new_parent, updated_at=timezone.now())
    _rewrite_subtree_paths(old_prefix, new_prefix)
    unit.refresh_from_db()
    audit(
        actor=actor, action="unit.move", obj=unit, unit=unit,
        changes={"parent_id": [old_parent_id, new_parent.pk], "path": [old_prefix, new_prefix]},
    )
    return unit


def _references_to(unit_model: type[OrgUnit]) -> list[tuple[type[models.Model], str]]:
    """(model, field name) of every foreign key to OrgUnit that merging should re-point."""
    keep = {("core", "orgunit"), ("core", "auditentry"), ("core", "orgunitsetting"), ("core", "activityevent")}
    refs = []
    for rel in unit_model._meta.related_objects:
        model = rel.related_model
        if (model._meta.app_label, model._meta.model_name) in keep:
            continue
        if rel.many_to_many:
            continue
        refs.append((model, rel.field.name))
    return refs


@transaction.atomic
def network_merge(*, actor: User, source: OrgUnit, target: OrgUnit) -> dict[str, int]:
    """Merge network `source` into `target` (e.g. Bắc Kạn into Thái Nguyên).

    Every unit under `source` moves under `target`; everything that pointed at `source` itself
    (items, readers, staff, role grants...) now points at `target`; `source` stays as an inactive
    child of `target` marked merged_into, so its audit history keeps its place in the tree.
    Returns how many rows of each kind were re-pointed.
    """
    source = OrgUnit.objects.select_for_update().get(pk=source.pk)
    target = OrgUnit.objects.select_for_update().get(pk=target.pk)
    require_perm(actor, Perm.ORG_RESTRUCTURE, source)
    require_perm(actor, Perm.ORG_RESTRUCTURE, target)
    if source.pk == target.pk or target.path.startswith(source.path):
        raise ValidationError(_("Không thể hợp nhất một mạng lưới vào chính nó hoặc vào đơn vị con của nó."))
    counts: dict[str, int] = {}
    children = list(OrgUnit.objects.filter(parent=source))
    for child in children:
        unit_move(actor=actor, unit=child, new_parent=target)
    counts["units_moved"] = len(children)
    for model, field in _references_to(OrgUnit):
        qs = model._default_manager.filter(**{field: source})
        if model is RoleGrant:
            # A grant already held at the target would collide with the unique constraint.
            dupes = RoleGrant.objects.filter(unit=target).values_list("user_id", "role")
            for user_id, role in dupes:
                qs.filter(user_id=user_id, role=role).delete()
        n = qs.update(**with_updated_at(model, **{field: target}))
        if n:
            counts[f"{model._meta.label_lower}.{field}"] = n
    unit_move(actor=actor, unit=source, new_parent=target)
    OrgUnit.objects.filter(pk=source.pk).update(is_active=False, merged_into=target, updated_at=timezone.now())
    source.refresh_from_db()
    audit(actor=actor, action="network.merge", obj=target, unit=target,
          changes={"merged": [None, source.code], "counts": [None, counts]})
    return counts


@transaction.atomic
def unit_setting_set(*, actor: User, unit: OrgUnit, key: str, value: Any) -> None:
    """Override setting `key` at `unit` (value None removes the override, inheriting again)."""
    require_perm(actor, Perm.ORG_EDIT, unit)
    if key not in REGISTRY:
        raise ValidationError(_("Thiết lập không tồn tại: %(key)s") % {"key": key})
    if value is not None:
        value = REGISTRY[key].clean(value)
    existing = OrgUnitSetting.objects.filter(unit=unit, key=key).first()
    before = existing.value if existing else None
    if value is None:
        OrgUnitSetting.objects.filter(unit=unit, key=key).delete()
    else:
        OrgUnitSetting.objects.update_or_create(unit=unit, key=key, defaults={"value": value})
    audit(actor=actor, action="unit.setting", obj=unit, unit=unit, changes={key: [before, value]})


@transaction.atomic
def staff_create(
    *, actor: User | None, username: str, password: str, home_unit: OrgUnit, display_name: str = "",
    email: str = "", roles: list[str] | None = None,
) -> User:
    """Create a staff account at `home_unit` with the given roles granted there."""
    require_perm(actor, Perm.STAFF_MANAGE, home_unit)
    user = User(username=username, display_name=display_name, email=email, home_unit=home_unit)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    audit(actor=actor, action="staff.create", obj=user, unit=home_unit,
          changes={"username": [None, username], "home_unit_id": [None, home_unit.pk]})
    for role in roles or []:
        role_grant(actor=actor, user=user, unit=home_unit, role=role)
    return user


@transaction.atomic
def role_grant(*, actor: User | None, user: User, unit: OrgUnit, role: str) -> RoleGrant:
    """Grant `role` to `user` at `unit` (and so over its subtree)."""
    require_perm(actor, Perm.STAFF_MANAGE, unit)
    if role not in Role.values:
        raise ValidationError(_("Vai trò không hợp lệ: %(role)s") % {"role": role})
    if role == Role.NETWORK_ADMIN:
        require_perm(actor, Perm.ORG_RESTRUCTURE, unit)
    grant, created = RoleGrant.objects.get_or_create(user=user, unit=unit, role=role)
    if created:
        audit(actor=actor, action="role.grant", obj=user, unit=unit, changes={"role": [None, role]})
    forget_cached_grants(user)
    return grant


@transaction.atomic
def role_revoke(*, actor: User, grant: RoleGrant) -> None:
    """Take a role grant away."""
    require_perm(actor, Perm.STAFF_MANAGE, grant.unit)
    audit(actor=actor, action="role.revoke", obj=grant.user, unit=grant.unit, changes={"role": [grant.role, None]})
    grant.delete()
    forget_cached_grants(grant.user)


KIND_FIELDS = ("name", "name_en", "holds_items", "circulates", "sort_order")


@transaction.atomic
def unit_kind_save(*, actor: User, code: str, data: dict[str, Any]) -> UnitKind:
    """Create or edit a kind of unit (kinds are data: administrators add, rename and retire them)."""
    require_perm(actor, Perm.ORG_RESTRUCTURE, None)
    kind = UnitKind.objects.filter(code=code).first()
    before = snapshot(kind, list(KIND_FIELDS)) if kind else {}
    kind = kind or UnitKind(code=code)
    for field, value in data.items():
        if field not in KIND_FIELDS:
            raise ValidationError(_("Không được sửa trường %(field)s.") % {"field": field})
        setattr(kind, field, value)
    kind.full_clean()
    kind.save()
    audit(actor=actor, action="unitkind.save", obj=kind, changes=diff(before, snapshot(kind, list(KIND_FIELDS))))
    return kind


@transaction.atomic
def device_account_create(*, actor: User | None, username: str, library: OrgUnit, display_name: str) -> User:
    """An account for a machine (SIP2 terminal, API device) with the circulation role at `library` and
    no usable password: it acts through its own credentials, never through the web login."""
    account = User(username=username[:150], home_unit=library, display_name=display_name)
    account.set_unusable_password()
    account.save()
    role_grant(actor=actor, user=account, unit=library, role=Role.CIRCULATION)
    return account


@transaction.atomic
def outbound_allow_add(*, actor: User, entry: str, note: str = "") -> OutboundAllow:
    """Allow outbound requests (harvest, SRU/Z39.50 targets) to one internal host name or address block;
    network administrators only, audited."""
    require_perm(actor, Perm.ORG_RESTRUCTURE, None)
    try:
        parsed = parse_allow_entry(entry)
    except ValueError:
        raise ValidationError({"entry": _("Hãy nhập một tên máy chủ (ví dụ opac.thuvien.lan) hoặc một địa chỉ/dải "
                                          "địa chỉ (ví dụ 10.20.0.5 hoặc 10.20.0.0/16).")}) from None
    text = str(parsed)
    if OutboundAllow.objects.filter(entry=text).exists():
        raise ValidationError({"entry": _("“%(e)s” đã có trong danh sách.") % {"e": text}})
    allow = OutboundAllow.objects.create(entry=text, note=note.strip()[:255], created_by=actor)
    audit(actor=actor, action="outbound.allow", obj=allow, object_repr=text, changes={"entry": [None, text]})
    return allow


@transaction.atomic
def outbound_allow_remove(*, actor: User, allow: OutboundAllow) -> None:
    """Take a host or address block off the allow-list (requests to it are refused again)."""
    require_perm(actor, Perm.ORG_RESTRUCTURE, None)
    audit(actor=actor, action="outbound.disallow", obj=allow, object_repr=allow.entry,
          changes={"entry": [allow.entry, None]})
    allow.delete()
