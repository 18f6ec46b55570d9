"""Reads of the organisation: tolerant unit-name resolution, subtrees, people, tokens, and the
security audit log as an office may read it."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongjian.core import paging
from gongjian.core.audit import EventKind, SecurityEvent
from gongjian.core.errors import PermissionDenied, UnitNameError, ValidationFailed
from gongjian.org.models import ApiToken, Unit, UnitAlias, path_ids
from gongjian.org.names import clean_text, name_key
from gongjian.org.scope import Action, is_office, scope_for


def unit_label(unit: Unit, names: dict[int, str] | None = None) -> str:
    """A unit's name with its path, to tell apart two units of the same name."""
    ids = unit.ancestor_ids()
    if names is None:
        names = dict(Unit.objects.filter(pk__in=ids).values_list("pk", "name"))
    return " / ".join(names.get(i, "?") for i in ids)


def distinct_names(units: Iterable[tuple[int, str, str]]) -> dict[int, str]:
    """What a list of units (id, name, path) shows for each: its name; where two or more in the
    list share a name (each district has its 区财政局), the name with the unit above it,
    区财政局（鼓楼区）; and where even that is shared, the whole path. One query, only then."""
    rows = list(units)
    by_name: dict[str, list[tuple[int, str]]] = {}
    for pk, name, path in rows:
        by_name.setdefault(name, []).append((pk, path))
    shared = [(pk, path) for group in by_name.values() if len(group) > 1 for pk, path in group]
    labels = {pk: name for pk, name, _path in rows}
    if not shared:
        return labels
    above = {pk: path_ids(path)[:-1] for pk, path in shared}
    ids = {i for chain in above.values() for i in chain}
    names = dict(Unit.objects.filter(pk__in=ids).values_list("pk", "name"))
    for name, group in by_name.items():
        if len(group) < 2:
            continue
        parent = {pk: names.get(above[pk][-1], "") if above[pk] else "" for pk, _path in group}
        unique = len(set(parent.values())) == len(group) and all(parent.values())
        for pk, _path in group:
            if unique:
                labels[pk] = f"{name}（{parent[pk]}）"
            else:
                labels[pk] = " / ".join([*(names.get(i, "?") for i in above[pk]), name])
    return labels


def _labels(units: Iterable[Unit]) -> list[str]:
    units = list(units)
    ids = {i for u in units for i in u.ancestor_ids()}
    names = dict(Unit.objects.filter(pk__in=ids).values_list("pk", "name"))
    return [unit_label(u, names) for u in units]


def units_matching_key(key: str, *, within: Unit | None = None) -> QuerySet[Unit]:
    qs = Unit.objects.filter(Q(name_key=key) | Q(aliases__name_key=key)).distinct()
    if within is not None:
        qs = qs.filter(path__startswith=within.path)
    return qs.order_by("path")


def resolve_unit(name: str, *, within: Unit | None = None) -> Unit:
    """The one unit a name means, or UnitNameError naming the candidates; never a guess."""
    key = name_key(name)
    if not key:
        raise UnitNameError(_("单位名称为空。"), name=name, candidates=[])
    matches = list(units_matching_key(key, within=within))
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise UnitNameError(
            _("单位名称“%(name)s”不唯一，可能是：%(candidates)s")
            % {"name": clean_text(name), "candidates": "；".join(_labels(matches))},
            name=name,
            candidates=_labels(matches),
        )
    suggestions = _similar_units(key, within=within)
    message = _("找不到单位“%(name)s”。") % {"name": clean_text(name)}
    if suggestions:
        message += _("相近的单位：%(candidates)s") % {"candidates": "；".join(_labels(suggestions))}
    raise UnitNameError(message, name=name, candidates=_labels(suggestions))


def _similar_units(key: str, *, within: Unit | None, limit: int = 5) -> list[Unit]:
    units = (
        Unit.objects.all() if within is None else Unit.objects.filter(path__startswith=within.path)
    )
    keys: dict[str, set[int]] = {}
    for pk, k in units.values_list("pk", "name_key"):
        keys.setdefault(k, set()).add(pk)
    aliases = UnitAlias.objects.filter(unit__in=units).values_list("unit_id", "name_key")
    for pk, k in aliases:
        keys.setdefault(k, set()).add(pk)
    close = difflib.get_close_matches(key, list(keys), n=limit, cutoff=0.5)
    contained = [k for k in keys if key in k or k in key]
    ids: list[int] = []
    for k in [*close, *contained]:
        for pk in sorted(keys[k]):
            if pk not in ids:
                ids.append(pk)
    return list(Unit.objects.filter(pk__in=ids[:limit]).order_by("path"))


class UnitResolver:
    """Resolves many names against one preloaded index: for imports of thousands of rows."""

    def __init__(self, *, within: Unit | None = None) -> None:
        self.within = within
        units = (
            Unit.objects.all()
            if within is None
            else Unit.objects.filter(path__startswith=within.path)
        )
        self._by_key: dict[str, set[int]] = {}
        self._units = {u.pk: u for u in units}
        for u in self._units.values():
            self._by_key.setdefault(u.name_key, set()).add(u.pk)
        for pk, k in UnitAlias.objects.filter(unit__in=units).values_list("unit_id", "name_key"):
            self._by_key.setdefault(k, set()).add(pk)

    def resolve(self, name: str) -> Unit:
        ids = self._by_key.get(name_key(name), set())
        if len(ids) == 1:
            return self._units[next(iter(ids))]
        return resolve_unit(name, within=self.within)  # builds the error with its candidates


def tokens_of(user: Any) -> QuerySet[ApiToken]:
    """The user's own API tokens, newest first (never another user's)."""
    if not getattr(user, "is_authenticated", False):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user_id=user.pk).order_by("-created_at", "-pk")


def can_read_security_log(user: Any) -> bool:
    return is_office(user)


def security_events(user: Any) -> QuerySet[SecurityEvent]:
    """The audit rows an office may read: those of users of its subtree (the unit they belonged
    to when the row was written); a superuser reads all; anyone else none."""
    if not can_read_security_log(user):
        return SecurityEvent.objects.none()
    scope = scope_for(user)
    if scope.is_superuser:
        return SecurityEvent.objects.all()
    roots = scope.roots(Action.MANAGE_ORG)
    if not roots:
        return SecurityEvent.objects.none()
    q = Q()
    for root in roots:
        q |= Q(unit_path__startswith=root)
    return SecurityEvent.objects.filter(q)


SECURITY_SORTS = paging.Sorts(
    keys=(
        paging.SortKey("at", "at", gettext_lazy("时间")),
        paging.SortKey("kind", "kind", gettext_lazy("事件")),
        paging.SortKey("username", "username", gettext_lazy("用户名")),
    ),
    default="-at",
)


@dataclass(frozen=True)
class SecurityFilter:
    """What the audit log is filtered by, on its page, its export and in the API."""

    kind: str | None = None
    username: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    q: str = ""  # in the object or the details


def filtered_security_events(user: Any, f: SecurityFilter) -> QuerySet[SecurityEvent]:
    """The office's audit rows that match `f` (the page, its export and the API read this);
    anyone else is refused."""
    if not can_read_security_log(user):
        raise PermissionDenied(_("只有攻坚办管理员可以查看安全审计记录。"))
    qs = security_events(user)
    if paging.choice("kind", f.kind, EventKind.values):
        qs = qs.filter(kind=f.kind)
    if f.username.strip():
        qs = qs.filter(username__icontains=f.username.strip())
    if f.since and f.until and f.since > f.until:
        raise ValidationFailed(_("起始日期不能晚于截止日期。"), field="since")
    zone = timezone.get_current_timezone()
    if f.since:
        qs = qs.filter(at__gte=dt.datetime.combine(f.since, dt.time.min, tzinfo=zone))
    if f.until:
        day_after = f.until + dt.timedelta(days=1)
        qs = qs.filter(at__lt=dt.datetime.combine(day_after, dt.time.min, tzinfo=zone))
    if f.q.strip():
        qs = qs.filter(Q(target__icontains=f.q.strip()) | Q(detail__icontains=f.q.strip()))
    return qs


def security_events_page(
    user: Any, f: SecurityFilter, req: paging.PageRequest
) -> paging.Page[SecurityEvent]:
    return paging.page(filtered_security_events(user, f), req, SECURITY_SORTS)
