"""Writes to the organisation: units, aliases, people, users and roles; each atomic and recorded."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gongjian.core.errors import ValidationFailed
from gongjian.core.history import record
from gongjian.org.models import LeaderLink, Person, Role, RoleGrant, Unit, UnitAlias, UnitKind, User
from gongjian.org.names import clean_text, name_key
from gongjian.org.scope import Action, scope_for


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
) -> User:
    _require_org_admin(actor, unit)
    roles = list(roles)
    unknown = [r for r in roles if r not in Role.values]
    if unknown:
        raise ValidationFailed(
            _("未知角色：%(roles)s") % {"roles": "、".join(unknown)}, field="roles"
        )
    if User.objects.filter(username=username).exists():
        raise ValidationFailed(_("用户名“%(u)s”已存在。") % {"u": username}, field="username")
    user = User(username=username, unit=unit, display_name=display_name, person=person)
    user.set_password(password)
    record(user, actor=actor, reason=_("新建用户"))
    user.save()
    for role in roles:
        grant = RoleGrant(user=user, role=role)
        record(grant, actor=actor, reason=_("授予角色"))
        grant.save()
    return user


@transaction.atomic
def issue_api_token(*, actor: Any, user: User, name: str) -> str:
    """Create a token for `user` and return its only clear-text copy."""
    import hashlib
    import secrets

    from gongjian.org.models import ApiToken

    if actor is not None and actor.pk != user.pk:
        _require_org_admin(actor, user.unit)
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, key_hash=hashlib.sha256(key.encode()).hexdigest())
    return key
