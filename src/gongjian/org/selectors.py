"""Reads of the organisation: tolerant unit-name resolution, subtrees, people, tokens, and the
security audit log as an office may read it."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongjian.core import paging
from gongjian.core.audit import EventKind, SecurityEvent
from gongjian.core.bulk import chunks
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


def unit_references(units: QuerySet[Unit]) -> dict[int, str]:
    """What to write for each of `units` (id → text) so that `resolve_unit` reads it back as
    that unit: its name, or, where another unit anywhere has a name of the same key, the name as
    `distinct_names` tells them apart (区财政局（长乐区）, or the path)."""
    rows = list(units.order_by().values_list("pk", "name", "name_key"))
    labels = {pk: name for pk, name, _key in rows}
    keys = sorted({key for _pk, _name, key in rows})
    shared: list[str] = []
    for part in chunks(keys):
        shared += (
            Unit.objects.filter(name_key__in=part)
            .values("name_key")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
            .values_list("name_key", flat=True)
        )
    for part in chunks(shared):
        group = Unit.objects.filter(name_key__in=part).values_list("pk", "name", "path")
        labels.update((pk, text) for pk, text in distinct_names(group).items() if pk in labels)
    return labels


def units_matching_key(key: str, *, within: Unit | None = None) -> QuerySet[Unit]:
    qs = Unit.objects.filter(Q(name_key=key) | Q(aliases__name_key=key)).distinct()
    if within is not None:
        qs = qs.filter(path__startswith=within.path)
    return qs.order_by("path")


def _matching(key: str, within: Unit | None, among: Collection[int] | None) -> list[Unit]:
    return [u for u in units_matching_key(key, within=within) if among is None or u.pk in among]


def resolve_unit(
    name: str,
    *,
    within: Unit | None = None,
    among: Collection[int] | None = None,
    near: Unit | None = None,
) -> Unit:
    """The one unit a name means, or UnitNameError naming the candidates; never a guess.

    `among`: only the units of these ids are candidates (the others read as unknown).
    `near`: of several units of one name, the one closest to `near` in the tree (a town's
    区财政局 is its own district's), when just one is closest. A name may also be written as the lists tell two
    units apart, 区财政局（长乐区） or 福州市 / 长乐区 / 区财政局 (`distinct_names`, `unit_label`).
    """
    key = name_key(name)
    if not key:
        raise UnitNameError(_("单位名称为空。"), name=name, candidates=[])
    matches = _matching(key, within, among)
    if not matches:
        matches = _qualified_matches(name, within=within, among=among)
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        closest = nearest(matches, near)
        if closest is not None:
            return closest
        raise UnitNameError(
            _("单位名称“%(name)s”不唯一，可能是：%(candidates)s")
            % {"name": clean_text(name), "candidates": "；".join(_labels(matches))},
            name=name,
            candidates=_labels(matches),
        )
    suggestions = _similar_units(key, within=within, among=among)
    message = _("找不到单位“%(name)s”。") % {"name": clean_text(name)}
    if suggestions:
        message += _("相近的单位：%(candidates)s") % {"candidates": "；".join(_labels(suggestions))}
    raise UnitNameError(message, name=name, candidates=_labels(suggestions))


def nearest(units: Iterable[Unit], near: Unit | None) -> Unit | None:
    """Of `units`, the one whose path shares the most with `near`'s, if only one does."""
    units = list(units)
    if near is None or not units:
        return None
    mine = path_ids(near.path)

    def shared(unit: Unit) -> int:
        n = 0
        for a, b in zip(path_ids(unit.path), mine, strict=False):
            if a != b:
                break
            n += 1
        return n

    best = max(shared(u) for u in units)
    top = [u for u in units if shared(u) == best]
    return top[0] if len(top) == 1 else None


def _qualified_matches(
    name: str, *, within: Unit | None, among: Collection[int] | None
) -> list[Unit]:
    """The units a name written with the units above it means: 区财政局（长乐区）, or a path
    福州市 / 长乐区 / 区财政局 (any of the units above, top first)."""
    text = clean_text(name)
    parts = [p.strip() for p in text.split("/") if p.strip()]
    if len(parts) > 1:
        own, above = parts[-1], parts[:-1]
    elif text.endswith(")") and "(" in text:
        own, _sep, rest = text[:-1].rpartition("(")
        above = [rest]
    else:
        return []
    own_key, above_keys = name_key(own), [name_key(a) for a in above]
    if not own_key or not all(above_keys):
        return []
    found = _matching(own_key, within, among)
    ids = {i for u in found for i in u.ancestor_ids()}
    keys = dict(Unit.objects.filter(pk__in=ids).values_list("pk", "name_key"))

    def fits(unit: Unit) -> bool:
        chain = [keys.get(i, "") for i in unit.ancestor_ids()[:-1]]
        at = 0
        for want in above_keys:  # each written unit above, in order, somewhere up the chain
            while at < len(chain) and chain[at] != want:
                at += 1
            if at == len(chain):
                return False
            at += 1
        return True

    return [u for u in found if fits(u)]


def _similar_units(
    key: str, *, within: Unit | None, among: Collection[int] | None = None, limit: int = 5
) -> list[Unit]:
    units = (
        Unit.objects.all() if within is None else Unit.objects.filter(path__startswith=within.path)
    )
    keys: dict[str, set[int]] = {}
    aliases = UnitAlias.objects.filter(unit__in=units).values_list("unit_id", "name_key")
    for pk, k in [*units.values_list("pk", "name_key"), *aliases]:
        if among is None or pk in among:
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
    """Resolves many names against one preloaded index: for imports of thousands of rows.
    `within`, `among` and `near` as in `resolve_unit`."""

    def __init__(self, *, within: Unit | None = None, among: Collection[int] | None = None) -> None:
        self.within, self.among = within, among
        units = (
            Unit.objects.all()
            if within is None
            else Unit.objects.filter(path__startswith=within.path)
        )
        self._by_key: dict[str, set[int]] = {}
        self._read: dict[tuple[str, int | None], Unit | UnitNameError] = {}
        self._units = {u.pk: u for u in units if among is None or u.pk in among}
        for u in self._units.values():
            self._by_key.setdefault(u.name_key, set()).add(u.pk)
        for pk, k in UnitAlias.objects.filter(unit__in=units).values_list("unit_id", "name_key"):
            if pk in self._units:
                self._by_key.setdefault(k, set()).add(pk)

    def resolve(self, name: str, *, near: Unit | None = None) -> Unit:
        ids = self._by_key.get(name_key(name), set())
        if len(ids) == 1:
            return self._units[next(iter(ids))]
        closest = nearest((self._units[i] for i in ids), near)
        if closest is not None:
            return closest
        # A qualified name, or the error with its candidates: read once for each name and side,
        # not once a row (an office's export writes 区财政局（长乐区） on every such row).
        key = (name, near.pk if near is not None else None)
        if key not in self._read:
            try:
                self._read[key] = resolve_unit(
                    name, within=self.within, among=self.among, near=near
                )
            except UnitNameError as exc:
                self._read[key] = exc
        found = self._read[key]
        if isinstance(found, UnitNameError):
            raise UnitNameError(found.message, name=found.name, candidates=found.candidates)
        return found


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
