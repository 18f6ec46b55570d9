"""API of the organisation: who am I, the units in my scope, name resolution."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

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
