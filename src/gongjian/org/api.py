"""API of the organisation: who am I, the units in my scope, name resolution, and the office's
security audit log (paged like every list, `core.paging`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from gongjian.core import paging
from gongjian.core.audit import EventKind, SecurityEvent
from gongjian.core.replica import api_reads_from_replica
from gongjian.org import selectors
from gongjian.org.models import Unit
from gongjian.org.scope import Action, scope_for

router = Router(tags=["组织"])


class UnitOut(Schema):
    id: int
    name: str
    kind: str
    parent_id: int | None
    depth: int


class MeOut(Schema):
    username: str
    display_name: str
    unit: UnitOut | None
    roles: list[str]


class ResolvedOut(Schema):
    unit: UnitOut
    path: str


@router.get("/me", response=MeOut, summary="当前用户")
def me(request: HttpRequest) -> dict[str, object]:
    user = request.user
    return {
        "username": user.get_username(),
        "display_name": str(user),
        "unit": getattr(user, "unit", None),
        "roles": sorted(getattr(user, "role_set", [])),
    }


@router.get("/units", response=list[UnitOut], summary="本人可见的单位")
@api_reads_from_replica
def units(request: HttpRequest, kind: str | None = None) -> list[Unit]:
    qs = scope_for(request.user).units(Action.VIEW)
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs.order_by("path"))


@router.get("/units/resolve", response=ResolvedOut, summary="按名称解析单位（容错）")
def resolve(request: HttpRequest, name: str) -> dict[str, object]:
    scope = scope_for(request.user)
    unit = selectors.resolve_unit(name)
    scope.require(Action.VIEW, unit)
    return {"unit": unit, "path": selectors.unit_label(unit)}


class SecurityEventOut(Schema):
    id: int
    at: dt.datetime
    kind: str
    kind_label: str
    user_id: int | None
    username: str
    ip: str | None
    target: str
    detail: str


class SecurityLogQuery(paging.PageParams):
    kind: str = Field("", description="事件类型：" + "、".join(EventKind.values))
    username: str = Field("", description="用户名（包含即可）")
    since: dt.date | None = Field(None, description="起始日期（含），如 2026-11-01")
    until: dt.date | None = Field(None, description="截止日期（含）")
    q: str = Field("", description="对象或详情中包含的文字")


class SecurityEventPage(paging.PageMeta):
    items: list[SecurityEventOut]


def _event_out(e: SecurityEvent) -> dict[str, Any]:
    return {
        "id": e.pk,
        "at": e.at,
        "kind": e.kind,
        "kind_label": str(e.get_kind_display()),
        "user_id": e.user_id,
        "username": e.username,
        "ip": e.ip,
        "target": e.target,
        "detail": e.detail,
    }


@router.get(
    "/security-log",
    response=SecurityEventPage,
    summary="安全审计记录（攻坚办管理员；分页、排序、筛选）",
    description=selectors.SECURITY_SORTS.describe(),
)
@api_reads_from_replica
def security_log(request: HttpRequest, filters: Query[SecurityLogQuery]) -> dict[str, Any]:
    req = paging.parse_params(selectors.SECURITY_SORTS, filters)
    f = selectors.SecurityFilter(
        kind=filters.kind or None,
        username=filters.username,
        since=filters.since,
        until=filters.until,
        q=filters.q,
    )
    return selectors.security_events_page(request.user, f, req).map(_event_out).as_dict()
