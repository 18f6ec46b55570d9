"""Writes to the organisation: units, aliases, people, users and roles; each atomic and recorded."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.core import audit
from gongjian.core.errors import NotFound, PermissionDenied, ValidationFailed
from gongjian.core.history import record
from gongjian.org.models import (
    ApiToken,
    LeaderLink,
    Person,
    Role,
    RoleGrant,
    Unit,
    UnitAlias,
    UnitKind,
    User,
)
from gongjian.org.names import clean_text, name_key
from gongjian.org.scope import Action, scope_for
from gongjian.org.tokens import hash_key


def _require_org_admin(actor: Any, unit: Unit | None) -> None:
    if actor is None:  # system work: the demo loader and migrations-time data
        return
    scope_for(actor).require(Action.MANAGE_ORG, unit)


@transaction.atomic
def create_unit(
    *,
    actor: Any,
    name: str,
    kind: str,
    parent: Unit | None,
    aliases: Iterable[str] = (),
    sort_order: int = 0,
) -> Unit:
    _require_org_admin(actor, parent)
    name = clean_text(name)
    if not name:
        raise ValidationFailed(_("单位名称不能为空。"), field="name")
    if kind not in UnitKind.values:
        raise ValidationFailed(_("未知的单位类型：%(kind)s") % {"kind": kind}, field="kind")
    if Unit.objects.filter(parent=parent, name_key=name_key(name)).exists():
        raise ValidationFailed(
            _("上级单位下已有同名单位“%(name)s”。") % {"name": name}, field="name"
        )
    unit = Unit(name=name, kind=kind, parent=parent, sort_order=sort_order)
    record(unit, actor=actor, reason=_("新建单位"))
    unit.save()
    for alias in aliases:
        add_alias(actor=actor, unit=unit, alias=alias)
    return unit


@transaction.atomic
def add_alias(*, actor: Any, unit: Unit, alias: str) -> UnitAlias | None:
    """Add an alias; one equal (after normalising) to the name or an alias already there is a no-op."""
    _require_org_admin(actor, unit)
    key = name_key(alias)
    if not key:
        raise ValidationFailed(_("别名不能为空。"), field="alias")
    if key == unit.name_key or unit.aliases.filter(name_key=key).exists():
        return None
    row = UnitAlias(unit=unit, alias=alias.strip())
    record(row, actor=actor, reason=_("新增别名"))
    row.save()
    return row


@transaction.atomic
def create_person(
    *,
    actor: Any,
    name: str,
    unit: Unit,
    post: str = "",
    phone: str = "",
    is_leader: bool = False,
    linked_units: Iterable[Unit] = (),
) -> Person:
    _require_org_admin(actor, unit)
    person = Person(name=name.strip(), unit=unit, post=post, phone=phone, is_leader=is_leader)
    record(person, actor=actor, reason=_("新建干部"))
    person.save()
    for linked in linked_units:
        link = LeaderLink(person=person, unit=linked)
        record(link, actor=actor, reason=_("挂钩单位"))
        link.save()
    return person


def exemptions_on() -> bool:
    return bool(getattr(settings, "GONGJIAN_PASSWORD_EXEMPTIONS", False))


def check_password_policy(password: str, user: User) -> None:
    """Django's validators (settings.AUTH_PASSWORD_VALIDATORS) as a domain error, in Chinese."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), field="password") from exc


@transaction.atomic
def create_user(
    *,
    actor: Any,
    username: str,
    password: str,
    unit: Unit,
    roles: Iterable[str],
    display_name: str = "",
    person: Person | None = None,
    password_policy_exempt: bool = False,
) -> User:
    """A new account; one created by someone else must change its password at first login.

    `password_policy_exempt` is for code only (the demo's printed password, benchmarks)."""
    _require_org_admin(actor, unit)
    roles = list(roles)
    unknown = [r for r in roles if r not in Role.values]
    if unknown:
        raise ValidationFailed(
            _("未知角色：%(roles)s") % {"roles": "、".join(unknown)}, field="roles"
        )
    if User.objects.filter(username=username).exists():
        raise ValidationFailed(_("用户名“%(u)s”已存在。") % {"u": username}, field="username")
    exempt = password_policy_exempt and exemptions_on()
    user = User(
        username=username,
        unit=unit,
        display_name=display_name,
        person=person,
        password_policy_exempt=exempt,
        password_changed_at=None,
    )
    if not exempt:
        check_password_policy(password, user)
    user.set_password(password)
    record(user, actor=actor, reason=_("新建用户"))
    user.save()
    audit.record(audit.EventKind.USER_CREATED, user=actor, target=username)
    for role in roles:
        grant_role(actor=actor, user=user, role=role)
    return user


@transaction.atomic
def grant_role(*, actor: Any, user: User, role: str) -> RoleGrant:
    _require_org_admin(actor, user.unit)
    if role not in Role.values:
        raise ValidationFailed(_("未知角色：%(roles)s") % {"roles": role}, field="roles")
    grant = RoleGrant(user=user, role=role)
    record(grant, actor=actor, reason=_("授予角色"))
    grant.save()
    user.__dict__.pop("_role_cache", None)
    audit.record(audit.EventKind.ROLE_GRANTED, user=actor, target=user.get_username(), detail=role)
    return grant


@transaction.atomic
def change_password(*, actor: Any, user: User, new_password: str, request: Any = None) -> None:
    """Set a password under the policy: the user's own change restarts the age clock; an
    administrator's reset makes the user change it again at next login."""
    if actor is not None and actor.pk != user.pk:
        _require_org_admin(actor, user.unit)
    check_password_policy(new_password, user)
    user.set_password(new_password)
    user.password_changed_at = timezone.now() if actor is None or actor.pk == user.pk else None
    user.save(update_fields=["password", "password_changed_at"])
    audit.record(
        audit.EventKind.PASSWORD_CHANGED,
        user=actor if actor is not None else user,
        request=request,
        target=user.get_username(),
    )


def password_change_due(user: Any, now: dt.datetime | None = None) -> bool:
    """The one rule of a forced change: a password set by someone else, or older than
    settings.GONGJIAN_PASSWORD_MAX_AGE_DAYS (0: no age limit); exempt accounts never."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.password_policy_exempt and exemptions_on():
        return False
    if user.password_changed_at is None:
        return True
    max_age = int(getattr(settings, "GONGJIAN_PASSWORD_MAX_AGE_DAYS", 90))
    if max_age <= 0:
        return False
    now = now or timezone.now()
    return bool(now - user.password_changed_at > dt.timedelta(days=max_age))


# API tokens ---------------------------------------------------------------------------------


def _require_token_owner_or_admin(actor: Any, user: User) -> None:
    if actor is not None and actor.pk != user.pk:
        _require_org_admin(actor, user.unit)


@transaction.atomic
def issue_api_token(
    *,
    actor: Any,
    user: User,
    name: str,
    expires_on: dt.date | None = None,
    request: Any = None,
) -> str:
    """Create a token for `user` and return its only clear-text copy."""
    _require_token_owner_or_admin(actor, user)
    name = clean_text(name)
    if not name:
        raise ValidationFailed(_("请填写令牌用途。"), field="name")
    if expires_on is not None and expires_on < timezone.localdate():
        raise ValidationFailed(_("有效期不能早于今天。"), field="expires_on")
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, key_hash=hash_key(key), expires_on=expires_on)
    audit.record(
        audit.EventKind.TOKEN_CREATED,
        user=actor if actor is not None else user,
        request=request,
        target=name,
        detail=user.get_username(),
    )
    return key


@transaction.atomic
def revoke_api_token(*, actor: Any, token_id: int, request: Any = None) -> ApiToken:
    """Revoke a token (kept, marked, so its last use stays readable); the owner or the office."""
    token = ApiToken.objects.select_for_update().select_related("user").filter(pk=token_id).first()
    if token is None:
        raise NotFound(_("没有这个接口令牌。"))
    try:
        _require_token_owner_or_admin(actor, token.user)
    except PermissionDenied:
        # Someone else's token does not exist for this actor (no hint that the id is taken).
        raise NotFound(_("没有这个接口令牌。")) from None
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.is_active = False
        token.save(update_fields=["revoked_at", "is_active"])
        audit.record(
            audit.EventKind.TOKEN_REVOKED,
            user=actor if actor is not None else token.user,
            request=request,
            target=token.name,
            detail=token.user.get_username(),
        )
    return token
