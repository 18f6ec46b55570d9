"""API of the field work: visits (现场办公/调研/专题会), their problems turned into coordination
requests or orders, and the service teams; mounted under /api/supervision/."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from gongjian.core import clock
from gongjian.core.api_types import Id
from gongjian.core.errors import NotFound
from gongjian.core.replica import api_reads_from_replica
from gongjian.org.models import Person, Unit
from gongjian.org.scope import Action, scope_for
from gongjian.supervision import sources, visits
from gongjian.supervision.models import FieldVisit, ServiceTeam

router = Router(tags=["现场办公与服务小组"])


class VisitItemOut(Schema):
    id: int
    kind: str
    kind_label: str
    description: str
    project_id: int | None
    coordination_id: int | None
    order_id: int | None
    order_code: str | None


class VisitOut(Schema):
    id: int
    kind: str
    kind_label: str
    visited_on: dt.date
    leader_id: int | None
    leader_name: str | None
    team_id: int | None
    team_name: str | None
    subject: str
    minutes_ref: str
    decisions: str
    campaign_id: int | None
    project_ids: list[int]
    unit_ids: list[int]
    items: list[VisitItemOut]


def _visit_out(v: FieldVisit) -> dict[str, Any]:
    return {
        "id": v.pk,
        "kind": v.kind,
        "kind_label": v.get_kind_display(),
        "visited_on": v.visited_on,
        "leader_id": v.leader_id,
        "leader_name": v.leader.name if v.leader else None,
        "team_id": v.team_id,
        "team_name": v.team.name if v.team else None,
        "subject": v.subject,
        "minutes_ref": v.minutes_ref,
        "decisions": v.decisions,
        "campaign_id": v.campaign_id,
        "project_ids": [p.pk for p in v.projects.all()],
        "unit_ids": [u.pk for u in v.units.all()],
        "items": [
            {
                "id": i.pk,
                "kind": i.kind,
                "kind_label": i.get_kind_display(),
                "description": i.description,
                "project_id": i.project_id,
                "coordination_id": i.coordination_id,
                "order_id": i.order_id,
                "order_code": i.order.code if i.order else None,
            }
            for i in v.items.all()
        ],
    }


def _unit(user: Any, unit_id: int) -> Unit:
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None or not scope_for(user).can(Action.VIEW, unit):
        raise NotFound(_("单位不存在，或不在您的查看范围内。"))
    return unit


def _project(user: Any, project_id: int) -> Any:
    project = visits.projects_reachable(user).filter(pk=project_id).first()
    if project is None:
        raise NotFound(_("项目不存在，或不在您的查看范围内。"))
    return project


def _leader(user: Any, person_id: int) -> Person:
    leader = sources.leaders_for(user).filter(pk=person_id).first()
    if leader is None:
        raise NotFound(_("领导不存在，或不在您的查看范围内。"))
    return leader


def _team(user: Any, team_id: int) -> ServiceTeam:
    team = visits.teams_for(user).filter(pk=team_id).first()
    if team is None:
        raise NotFound(_("服务小组不存在，或不在您的查看范围内。"))
    return team


class VisitQuery(Schema):
    project_id: Id | None = None
    leader_id: Id | None = None
    start: dt.date | None = Field(None, description="起始日期")
    end: dt.date | None = Field(None, description="截止日期")


@router.get("/visits", response=list[VisitOut], summary="现场办公、调研与专题会记录")
@api_reads_from_replica
def list_visits(request: HttpRequest, filters: Query[VisitQuery]) -> list[dict[str, Any]]:
    qs = visits.visits_for(request.user)
    if filters.project_id:
        qs = qs.filter(projects=filters.project_id)
    if filters.leader_id:
        qs = qs.filter(leader_id=filters.leader_id)
    if filters.start:
        qs = qs.filter(visited_on__gte=filters.start)
    if filters.end:
        qs = qs.filter(visited_on__lte=filters.end)
    return [_visit_out(v) for v in qs[:200]]


@router.get("/visits/{visit_id}", response=VisitOut, summary="走访记录详情")
def visit_detail(request: HttpRequest, visit_id: int) -> dict[str, Any]:
    return _visit_out(visits.visit_for(request.user, visit_id))


class VisitItemIn(Schema):
    description: str
    kind: str = "problem"
    project_id: Id | None = None


class VisitIn(Schema):
    kind: str
    visited_on: dt.date
    subject: str
    leader_id: Id | None = None
    team_id: Id | None = None
    project_ids: list[Id] = []
    unit_ids: list[Id] = []
    items: list[VisitItemIn] = []
    decisions: str = ""
    minutes_ref: str = ""


@router.post("/visits", response={201: VisitOut}, summary="登记现场办公、调研或专题会")
def record_visit(request: HttpRequest, payload: VisitIn) -> Status[dict[str, Any]]:
    user = request.user
    projects = {pk: _project(user, pk) for pk in dict.fromkeys(payload.project_ids)}
    for i in payload.items:
        if i.project_id and i.project_id not in projects:
            projects[i.project_id] = _project(user, i.project_id)
    visit = visits.record_visit(
        actor=user,
        kind=payload.kind,
        visited_on=payload.visited_on,
        subject=payload.subject,
        leader=_leader(user, payload.leader_id) if payload.leader_id else None,
        team=_team(user, payload.team_id) if payload.team_id else None,
        projects=[projects[pk] for pk in payload.project_ids],
        units=[_unit(user, pk) for pk in payload.unit_ids],
        items=[
            visits.ItemIn(
                description=i.description,
                kind=i.kind,
                project=projects[i.project_id] if i.project_id else None,
            )
            for i in payload.items
        ],
        decisions=payload.decisions,
        minutes_ref=payload.minutes_ref,
    )
    return Status(201, _visit_out(visits.visit_for(user, visit.pk)))


class ToCoordinationIn(Schema):
    category: str
    handling_unit_id: Id | None = None
    deadline: dt.date | None = None
    project_id: Id | None = None


class ToOrderIn(Schema):
    unit_id: Id
    deadline: dt.date
    title: str = ""
    project_id: Id | None = None
    cooperator_ids: list[Id] = []


class ConvertedOut(Schema):
    item_id: int
    coordination_id: int | None
    order_id: int | None
    order_code: str | None
    order_state: str | None


def _converted(item_id: int, coordination_id: int | None, order: Any) -> dict[str, Any]:
    return {
        "item_id": item_id,
        "coordination_id": coordination_id,
        "order_id": order.pk if order else None,
        "order_code": order.code if order else None,
        "order_state": order.state if order else None,
    }


@router.post(
    "/visit-items/{item_id}/coordination",
    response={201: ConvertedOut},
    summary="现场问题转协调事项",
)
def item_to_coordination(
    request: HttpRequest, item_id: int, payload: ToCoordinationIn
) -> Status[dict[str, Any]]:
    user = request.user
    row = visits.item_to_coordination(
        actor=user,
        item_id=item_id,
        category=payload.category,
        handling_unit=_unit(user, payload.handling_unit_id) if payload.handling_unit_id else None,
        deadline=payload.deadline,
        project=_project(user, payload.project_id) if payload.project_id else None,
    )
    return Status(201, _converted(item_id, row.pk, None))


@router.post(
    "/visit-items/{item_id}/order", response={201: ConvertedOut}, summary="现场问题转督办单"
)
def item_to_order(request: HttpRequest, item_id: int, payload: ToOrderIn) -> Status[dict[str, Any]]:
    user = request.user
    order = visits.item_to_order(
        actor=user,
        item_id=item_id,
        unit=_unit(user, payload.unit_id),
        deadline=payload.deadline,
        title=payload.title,
        project=_project(user, payload.project_id) if payload.project_id else None,
        cooperators=[_unit(user, pk) for pk in payload.cooperator_ids],
    )
    return Status(201, _converted(item_id, None, order))


class LinkVisitOut(Schema):
    unit_id: int
    unit_name: str
    last_on: dt.date | None
    due_on: dt.date | None
    overdue: bool


@router.get("/visits-due", response=list[LinkVisitOut], summary="挂钩单位最近走访与定期走访提醒")
@api_reads_from_replica
def visits_due(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "unit_id": r.unit.pk,
            "unit_name": r.unit.name,
            "last_on": r.last_on,
            "due_on": r.due_on,
            "overdue": r.overdue,
        }
        for r in visits.leader_link_visits(request.user, clock.today())
    ]


class TeamOut(Schema):
    id: int
    name: str
    unit_id: int
    unit_name: str
    head_id: int | None
    member_ids: list[int]
    project_ids: list[int]
    enterprises: list[str]


def _team_out(t: ServiceTeam) -> dict[str, Any]:
    return {
        "id": t.pk,
        "name": t.name,
        "unit_id": t.unit_id,
        "unit_name": t.unit.name,
        "head_id": t.head_id,
        "member_ids": [m.pk for m in t.members.all()],
        "project_ids": [p.pk for p in t.projects.all()],
        "enterprises": t.enterprise_list,
    }


@router.get("/teams", response=list[TeamOut], summary="攻坚服务小组")
@api_reads_from_replica
def teams(request: HttpRequest) -> list[dict[str, Any]]:
    return [_team_out(t) for t in visits.teams_for(request.user)[:500]]


class TeamIn(Schema):
    name: str
    unit_id: Id
    head_id: Id | None = None
    member_ids: list[Id] = []
    project_ids: list[Id] = []
    enterprises: str = ""


def _person(user: Any, person_id: int) -> Person:
    person = Person.objects.select_related("unit").filter(pk=person_id).first()
    if person is None or not scope_for(user).can(Action.VIEW, person.unit):
        raise NotFound(_("干部不存在，或不在您的查看范围内。"))
    return person


@router.post("/teams", response={201: TeamOut}, summary="组建攻坚服务小组")
def create_team(request: HttpRequest, payload: TeamIn) -> Status[dict[str, Any]]:
    user = request.user
    team = visits.create_team(
        actor=user,
        name=payload.name,
        unit=_unit(user, payload.unit_id),
        head=_person(user, payload.head_id) if payload.head_id else None,
        members=[_person(user, pk) for pk in dict.fromkeys(payload.member_ids)],
        projects=[_project(user, pk) for pk in dict.fromkeys(payload.project_ids)],
        enterprises=payload.enterprises,
    )
    return Status(201, _team_out(visits.teams_for(user).get(pk=team.pk)))
