"""One way to page, sort and count every list, in the API and on the pages.

A list names the fields people sort it by (`Sorts`); a request names one of them, ascending or
descending (`-planned_completion`), a `limit` (50 unless told, at most 500) and either an opaque
`cursor` (keyset paging: the next page starts after the last row's sort value and id, so rows
inserted or removed between requests neither repeat nor skip a row) or an `offset`. The id is the
tie-breaker, so the order is total. Empty values sort last ascending and first descending, which
is how a B-tree index on (field, id) reads forwards and backwards, so a page is an index range
scan on PostgreSQL.

The cursor is signed (`django.core.signing`), so a client cannot forge one into another sort, and
a cursor given with another sort than its own is refused. The total is counted exactly up to
`EXACT_COUNT_UP_TO` rows; above that the planner's estimate is given on PostgreSQL, and the
response says which (`count_exact`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, TypeVar

from django.core import signing
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Expression, F, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from ninja import Field, Schema

from gongjian.core.errors import ValidationFailed

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_OFFSET = 1_000_000
EXACT_COUNT_UP_TO = 10_000
MAX_CURSOR = 2000
_SALT = "gongjian.paging"

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class SortKey:
    """One field a list may be sorted by: its name in the API and the URL, what it reads (a
    field name or an expression annotated on the queryset), its label, and whether it may be
    empty."""

    name: str
    expr: str | Expression
    label: str | Promise  # a lazy translation, rendered where it is shown
    nullable: bool = False


@dataclass(frozen=True)
class Sorts:
    """The sort keys of one list, its default (`-` for descending) and its tie-breaker."""

    keys: tuple[SortKey, ...]
    default: str
    tiebreak: str = "pk"

    def names(self) -> list[str]:
        return [k.name for k in self.keys]

    def describe(self) -> str:
        """For the OpenAPI description of the `sort` parameter."""
        names = "、".join(f"{k.name}（{k.label}）" for k in self.keys)
        return _("排序字段：%(names)s；前加 - 为降序；默认 %(default)s；以 id 为末位排序。") % {
            "names": names,
            "default": self.default,
        }

    def first(self, limit: int) -> PageRequest:
        """The first `limit` rows in the default order."""
        key, descending = self.parse(None)
        return PageRequest(limit, key, descending, offset=0)

    def parse(self, value: str | None) -> tuple[SortKey, bool]:
        text = (value or self.default).strip() or self.default
        descending = text.startswith("-")
        name = text[1:] if descending else text
        for key in self.keys:
            if key.name == name:
                return key, descending
        raise ValidationFailed(
            _("参数 sort 无效：“%(value)s”不是可排序的字段，可选：%(names)s。")
            % {"value": text[:40], "names": "、".join(self.names())},
            field="sort",
        )


class PageParams(Schema):
    """The paging part of every list's query string (documented in OpenAPI)."""

    limit: str | None = Field(None, description="每页条数，默认 50，最大 500", examples=["25"])
    cursor: str | None = Field(
        None,
        description="上一页返回的 next_cursor（不透明、已签名；与 offset 二选一）",
    )
    offset: str | None = Field(None, description="跳过的条数（与 cursor 二选一），默认 0")
    sort: str | None = Field(
        None,
        description="排序字段，前加 - 为降序（如 -planned_completion）；各列表可选字段见说明",
    )


class PageMeta(Schema):
    count: int = Field(description="符合条件的总条数（count_exact 为 false 时为估计值）")
    count_exact: bool = Field(description="总条数是否精确（超过 10000 条时给出估计值）")
    limit: int
    sort: str
    next_cursor: str | None = Field(description="下一页的游标；没有下一页时为 null")
    next_offset: int | None = Field(description="按 offset 翻页时下一页的 offset")


@dataclass(frozen=True)
class PageRequest:
    limit: int
    sort: SortKey
    descending: bool
    after: tuple[Any, Any] | None = None
    offset: int | None = None

    @property
    def sort_text(self) -> str:
        return f"-{self.sort.name}" if self.descending else self.sort.name


@dataclass
class Page(Generic[T]):
    items: list[T]
    count: int
    count_exact: bool
    limit: int
    sort: str
    next_cursor: str | None = None
    next_offset: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def map(self, fn: Callable[[T], R]) -> Page[R]:
        return Page(
            [fn(i) for i in self.items],
            self.count,
            self.count_exact,
            self.limit,
            self.sort,
            self.next_cursor,
            self.next_offset,
            self.extra,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "count": self.count,
            "count_exact": self.count_exact,
            "limit": self.limit,
            "sort": self.sort,
            "next_cursor": self.next_cursor,
            "next_offset": self.next_offset,
        }


def _int(value: str | None, name: str, *, default: int, low: int, high: int) -> int:
    if value is None or str(value).strip() == "":
        return default
    text = str(value).strip()
    if not text.isdigit() or not text.isascii():
        raise ValidationFailed(
            _("参数 %(name)s 无效：应为整数，收到“%(value)s”。")
            % {"name": name, "value": text[:20]},
            field=name,
        )
    number = int(text)
    if number < low or number > high:
        raise ValidationFailed(
            _("参数 %(name)s 无效：应在 %(low)s 到 %(high)s 之间，收到 %(value)s。")
            % {"name": name, "low": low, "high": high, "value": text[:20]},
            field=name,
        )
    return number


def parse(
    sorts: Sorts,
    *,
    limit: str | None = None,
    cursor: str | None = None,
    offset: str | None = None,
    sort: str | None = None,
) -> PageRequest:
    """The request's paging, or `ValidationFailed` naming the parameter (never a 5xx)."""
    size = _int(limit, "limit", default=DEFAULT_LIMIT, low=1, high=MAX_LIMIT)
    key, descending = sorts.parse(sort)
    if cursor and offset not in (None, ""):
        raise ValidationFailed(_("参数 cursor 与 offset 只能给出其一。"), field="cursor")
    if cursor:
        after = _read_cursor(cursor, f"-{key.name}" if descending else key.name)
        return PageRequest(size, key, descending, after=after)
    skip = _int(offset, "offset", default=0, low=0, high=MAX_OFFSET)
    return PageRequest(size, key, descending, offset=skip)


def parse_params(sorts: Sorts, params: PageParams | Mapping[str, Any]) -> PageRequest:
    if isinstance(params, PageParams):
        values = {k: getattr(params, k) for k in ("limit", "cursor", "offset", "sort")}
    else:
        values = {k: params.get(k) or None for k in ("limit", "cursor", "offset", "sort")}
    return parse(sorts, **values)


# --- The cursor: the last row's sort value and id, signed with the sort it belongs to ----------


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"t": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"n": str(value)}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "t" in value:
            return dt.datetime.fromisoformat(value["t"])
        if "d" in value:
            return dt.date.fromisoformat(value["d"])
        if "n" in value:
            return Decimal(value["n"])
        raise ValueError(value)
    if value is None or isinstance(value, (int, str)):
        return value
    raise ValueError(value)


def make_cursor(sort: str, value: Any, pk: Any) -> str:
    return signing.dumps(
        json.dumps([sort, _encode(value), pk], ensure_ascii=False), salt=_SALT, compress=True
    )


def _read_cursor(token: str, sort: str) -> tuple[Any, Any]:
    bad = ValidationFailed(
        _("参数 cursor 无效：游标已损坏或不属于本列表，请从第一页重新翻页。"), field="cursor"
    )
    if len(token) > MAX_CURSOR:
        raise bad
    try:
        saved_sort, value, pk = json.loads(signing.loads(token, salt=_SALT))
        decoded = _decode(value)
    except (signing.BadSignature, ValueError, TypeError, InvalidOperation):
        raise bad from None
    if not isinstance(pk, int) or isinstance(pk, bool):
        raise bad
    if saved_sort != sort:
        raise ValidationFailed(
            _("参数 cursor 与 sort 不符：游标按“%(saved)s”排序，本次请求按“%(sort)s”。")
            % {"saved": str(saved_sort)[:40], "sort": sort},
            field="cursor",
        )
    return decoded, pk


# --- Reading a page ---------------------------------------------------------------------------


def _ordered(qs: QuerySet[Any], req: PageRequest, key: str, tie: str) -> QuerySet[Any]:
    if req.descending:
        return qs.order_by(F(key).desc(nulls_first=True), F(tie).desc())
    return qs.order_by(F(key).asc(nulls_last=True), F(tie).asc())


def _rows(qs: QuerySet[Any], req: PageRequest, sorts: Sorts, n: int) -> list[Any]:
    """`n` rows after the cursor, or from the offset: an index range on (key, id) in order."""
    key, tie = "_sort_key", sorts.tiebreak
    qs = qs.annotate(
        _sort_key=F(req.sort.expr) if isinstance(req.sort.expr, str) else req.sort.expr
    )
    if req.after is None:
        start = req.offset or 0
        return list(_ordered(qs, req, key, tie)[start : start + n])
    value, pk = req.after
    after = Tuple(F(key), F(tie))
    past = (value, pk)
    if not req.descending:
        # Ascending, empty last: the values past the cursor's, then (or, after an empty value,
        # only) the empty ones past its id.
        rows: list[Any] = []
        if value is not None:
            rows = list(_ordered(qs.filter(TupleGreaterThan(after, past)), req, key, tie)[:n])
        if len(rows) < n and req.sort.nullable:
            empty = qs.filter(**{f"{key}__isnull": True})
            if value is None:
                empty = empty.filter(**{f"{tie}__gt": pk})
            rows += list(empty.order_by(F(tie).asc())[: n - len(rows)])
        return rows
    # Descending, empty first: the empty ones before the cursor's id, then every value; or the
    # values before the cursor's.
    if value is None:
        rows = list(
            qs.filter(**{f"{key}__isnull": True, f"{tie}__lt": pk}).order_by(F(tie).desc())[:n]
        )
        if len(rows) < n:
            rest = qs.filter(**{f"{key}__isnull": False})
            rows += list(_ordered(rest, req, key, tie)[: n - len(rows)])
        return rows
    return list(_ordered(qs.filter(TupleLessThan(after, past)), req, key, tie)[:n])


def count(qs: QuerySet[Any]) -> tuple[int, bool]:
    """The rows of `qs`, and whether that is exact.

    On PostgreSQL the planner's estimate is asked first (a millisecond): above
    `EXACT_COUNT_UP_TO` it is the answer, said to be an estimate, as counting a third of 100,000
    joined rows costs more than the page itself. Otherwise, and on SQLite (whose lists are a
    district's), the rows are counted, at most `EXACT_COUNT_UP_TO` + 1 of them; past that, the
    estimate again.
    """
    connection = connections[qs.db]
    estimate = None
    if connection.vendor == "postgresql":
        estimate = _estimate(qs)
        if estimate > EXACT_COUNT_UP_TO:
            return estimate, False
    capped = qs.order_by()[: EXACT_COUNT_UP_TO + 1].count()
    if capped <= EXACT_COUNT_UP_TO:
        return capped, True
    if estimate is None:
        return qs.order_by().count(), True
    return max(estimate, capped), False


def _estimate(qs: QuerySet[Any]) -> int:
    try:
        sql, params = qs.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing (`pk__in=[]`) makes no SQL
        return 0
    with connections[qs.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def page(qs: QuerySet[Any], req: PageRequest, sorts: Sorts, *, counted: bool = True) -> Page[Any]:
    """One page of `qs` (already filtered and scoped) in the request's order, with the total."""
    rows = _rows(qs, req, sorts, req.limit + 1)
    more = len(rows) > req.limit
    rows = rows[: req.limit]
    total, exact = count(qs) if counted else (len(rows), True)
    next_cursor = next_offset = None
    if more and rows:
        last = rows[-1]
        next_cursor = make_cursor(req.sort_text, last._sort_key, last.pk)
        if req.after is None:
            next_offset = (req.offset or 0) + req.limit
    return Page(rows, total, exact, req.limit, req.sort_text, next_cursor, next_offset)


def page_of_list(
    items: list[Any],
    req: PageRequest,
    sorts: Sorts,
    value: Callable[[Any, str], Any],
    pk: Callable[[Any], int],
) -> Page[Any]:
    """The same paging over rows built in Python (a round's results, worked out by the engine):
    the same sort keys, empty last ascending, the id as tie-breaker, the same cursors."""

    def order(row: Any) -> tuple[Any, ...]:
        v = value(row, req.sort.name)
        return (v is None, v if v is not None else 0, pk(row))

    # Descending reads the ascending order backwards: empty values first.
    ordered = sorted(items, key=order, reverse=req.descending)
    if req.after is not None:
        av, apk = req.after
        mark = (av is None, av if av is not None else 0, apk)
        if req.descending:
            ordered = [r for r in ordered if order(r) < mark]
        else:
            ordered = [r for r in ordered if order(r) > mark]
        start = 0
    else:
        start = req.offset or 0
    rows = ordered[start : start + req.limit + 1]
    more = len(rows) > req.limit
    rows = rows[: req.limit]
    next_cursor = next_offset = None
    if more and rows:
        last = rows[-1]
        next_cursor = make_cursor(req.sort_text, value(last, req.sort.name), pk(last))
        if req.after is None:
            next_offset = start + req.limit
    return Page(rows, len(items), True, req.limit, req.sort_text, next_cursor, next_offset)


def choice(name: str, value: str | None, choices: Sequence[str]) -> str | None:
    """A filter's value, refused naming the parameter unless it is one of `choices`."""
    if value in (None, ""):
        return None
    if value not in choices:
        raise ValidationFailed(
            _("参数 %(name)s 无效：“%(value)s”不在可选值 %(choices)s 之中。")
            % {"name": name, "value": str(value)[:40], "choices": "、".join(choices)},
            field=name,
        )
    return value


# --- The pages' pager: the same request read from the URL, links that keep the filters -------


@dataclass(frozen=True)
class SortLink:
    label: str
    query: str  # the URL's query string that sorts by this key (first page, filters kept)
    active: bool
    descending: bool


@dataclass(frozen=True)
class Pager:
    """What a list page's pager and sort links show (templates/includes/pager.html): the
    filters stay in every link; a sort link starts again from the first page."""

    query: str  # this page's filters and sort, without cursor or offset: the first page
    next_query: str  # the next page's, or "" when this is the last
    paged: bool  # past the first page
    sort_links: list[SortLink]


def pager(params: Any, found: Page[Any], sorts: Sorts) -> Pager:
    """The links for `found` (a page of `sorts`), built from the request's GET `params`."""
    kept = params.copy()
    for name in ("cursor", "offset", "page"):
        kept.pop(name, None)
    following = ""
    if found.next_cursor:
        nxt = kept.copy()
        nxt["cursor"] = found.next_cursor
        following = nxt.urlencode()
    current = found.sort.lstrip("-")
    links = []
    for key in sorts.keys:
        active = key.name == current
        descending = found.sort.startswith("-") if active else False
        target = kept.copy()
        # Clicking the active key reverses it; another key sorts ascending.
        reverse = active and not descending
        target["sort"] = f"-{key.name}" if reverse else key.name
        links.append(SortLink(str(key.label), target.urlencode(), active, descending))
    return Pager(
        kept.urlencode(),
        following,
        bool(params.get("cursor") or params.get("offset")),
        links,
    )
