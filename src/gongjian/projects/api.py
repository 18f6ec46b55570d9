"""API of the ledger: projects, milestones, progress reports, coordination and warnings, in scope."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from gongjian.campaigns.models import Campaign, Line
from gongjian.core import audit, clock, paging
from gongjian.core.api_types import Count, Id
from gongjian.core.errors import NotFound, ValidationFailed
from gongjian.core.replica import api_reads_from_replica
from gongjian.exchange.office_xlsx import xlsx_response
from gongjian.org.models import Person, Unit
from gongjian.org.scope import Action
from gongjian.projects import (
    coordination,
    following,
    ledger,
    ledger_file,
    report_file,
    reports,
    selectors,
    warning_feed,
)
from gongjian.projects.models import CoordinationRequest, Milestone, Project

router = Router(tags=["项目台账"])


class LineOut(Schema):
    id: int
    name: str
    lead_unit: str = Field(alias="lead_unit.name")


class CampaignOut(Schema):
    id: int
    name: str
    owner: str = Field(alias="owner.name")
    start_date: dt.date
    end_date: dt.date
    lines: list[LineOut]


class WarningOut(Schema):
    project_id: Id
    project_code: str
    project: str
    unit: str
    level: str
    colour: str
    reasons: list[str]
    percent_done: Decimal | None
    expected_percent: Decimal | None
    gap: Decimal | None
    forecast_completion: dt.date | None
    planned_completion: dt.date | None
    at_risk: bool


class ProjectIn(Schema):
    code: str
    name: str
    level: str
    unit_id: Id
    campaign_id: Id | None = None
    line_id: Id | None = None
    owner: str = ""
    leader_id: Id | None = None
    location: str = ""
    investment_code: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    total_investment_wan: Decimal = Decimal(0)
    annual_planned_wan: Decimal = Decimal(0)
    planned_start: dt.date | None = None
    planned_completion: dt.date | None = None
    description: str = ""


class ProjectPatch(Schema):
    version: Count
    name: str | None = None
    level: str | None = None
    owner: str | None = None
    unit_id: Id | None = None
    leader_id: Id | None = None
    location: str | None = None
    investment_code: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    total_investment_wan: Decimal | None = None
    annual_planned_wan: Decimal | None = None
    planned_start: dt.date | None = None
    planned_completion: dt.date | None = None
    actual_start: dt.date | None = None
    actual_completion: dt.date | None = None
    status: str | None = None
    not_started_reason: str | None = None
    description: str | None = None


class MilestoneOut(Schema):
    id: int
    seq: int
    name: str
    planned_date: dt.date
    actual_date: dt.date | None
    person: str | None
    unit: str | None
    version: int


class MilestoneIn(Schema):
    name: str
    planned_date: dt.date
    actual_date: dt.date | None = None
    person_id: Id | None = None
    unit_id: Id | None = None
    note: str = ""


class MilestonePatch(Schema):
    version: Count
    planned_date: dt.date | None = None
    actual_date: dt.date | None = None
    note: str | None = None


class TeamOut(Schema):
    person: str
    duty: str


class ProjectOut(Schema):
    id: int
    code: str
    name: str
    level: str
    campaign: str | None
    line: str | None
    owner: str
    unit_id: Id
    unit: str
    leader: str | None
    location: str
    investment_code: str
    contact_name: str
    contact_phone: str
    total_investment_wan: Decimal
    annual_planned_wan: Decimal
    investment_completed_wan: Decimal
    planned_start: dt.date | None
    planned_completion: dt.date | None
    actual_start: dt.date | None
    actual_completion: dt.date | None
    status: str
    percent_done: Decimal
    not_started_reason: str
    version: int
    updated_at: dt.datetime = Field(description="台账最后修改时间（排序字段 updated）")
    colour: str
    reasons: list[str]
    forecast_completion: dt.date | None


class ProjectDetailOut(ProjectOut):
    team: list[TeamOut]
    milestones: list[MilestoneOut]


class CoordinationIn(Schema):
    category: str
    description: str
    handling_unit_id: Id | None = None
    deadline: dt.date | None = None


class ReportIn(Schema):
    period_end: dt.date
    percent_done: Decimal
    investment_period_wan: Decimal = Decimal(0)
    investment_to_date_wan: Decimal | None = None
    milestone_ids: list[Id] = []
    problems: str = ""
    coordination: list[CoordinationIn] = []
    version: Count | None = None


class CoordinationOut(Schema):
    id: int
    category: str
    description: str
    handling_unit: str | None
    deadline: dt.date | None
    status: str
    resolution: str
    version: int


class ReportOut(Schema):
    id: int
    period_end: dt.date
    percent_done: Decimal
    investment_period_wan: Decimal
    investment_to_date_wan: Decimal
    milestones_reached: list[str]
    problems: str
    coordination: list[CoordinationOut]
    version: int


class ResolveIn(Schema):
    version: Count
    resolution: str


class LedgerQuery(paging.PageParams):
    campaign: Id | None = None
    line: Id | None = None
    level: str | None = Field(None, description="项目级别：province、city、district、other")
    status: str | None = Field(
        None, description="状态：planned、under_construction、completed、in_production、suspended"
    )
    unit: Id | None = Field(None, description="责任单位（含下级）")
    leader: Id | None = None
    colour: str | None = Field(None, description="预警颜色：red、yellow、green")
    q: str = Field("", description="按名称、编号、业主、地点查找")
    warned: bool = Field(False, description="只列亮黄灯、红灯或有趋势预警的项目（预警页所列）")
    date: dt.date | None = None


class ProjectPage(paging.PageMeta):
    items: list[ProjectOut]


def _ledger_filter(filters: LedgerQuery) -> selectors.LedgerFilter:
    return selectors.LedgerFilter(
        campaign=filters.campaign,
        line=filters.line,
        level=filters.level or None,
        unit=filters.unit,
        leader=filters.leader,
        colour=filters.colour or None,
        q=filters.q,
        status=filters.status or None,
        warned=filters.warned,
    )


def _project_out(p: Project, w: Any) -> dict[str, Any]:
    return {
        "id": p.pk,
        "code": p.code,
        "name": p.name,
        "level": p.level,
        "campaign": p.campaign.name if p.campaign else None,
        "line": p.line.name if p.line else None,
        "owner": p.owner,
        "unit_id": p.unit_id,
        "unit": p.unit.name,
        "leader": p.leader.name if p.leader else None,
        "location": p.location,
        "investment_code": p.investment_code,
        "contact_name": p.contact_name,
        "contact_phone": p.contact_phone,
        "total_investment_wan": p.total_investment_wan,
        "annual_planned_wan": p.annual_planned_wan,
        "investment_completed_wan": p.investment_completed_wan,
        "planned_start": p.planned_start,
        "planned_completion": p.planned_completion,
        "actual_start": p.actual_start,
        "actual_completion": p.actual_completion,
        "status": p.status,
        "percent_done": p.percent_done,
        "not_started_reason": p.not_started_reason,
        "version": p.version,
        "updated_at": p.updated_at,
        "colour": w.colour.value,
        "reasons": list(w.reasons),
        "forecast_completion": w.forecast_completion,
    }


def _milestone_out(m: Milestone) -> dict[str, Any]:
    return {
        "id": m.pk,
        "seq": m.seq,
        "name": m.name,
        "planned_date": m.planned_date,
        "actual_date": m.actual_date,
        "person": m.person.name if m.person else None,
        "unit": m.unit.name if m.unit else None,
        "version": m.version,
    }


def _detail(user: Any, p: Project) -> dict[str, Any]:
    w = warning_feed.warnings_for([p], clock.today())[p.pk]
    out = _project_out(p, w)
    out["team"] = [
        {"person": t.person.name, "duty": t.duty}
        for t in p.teammember_set.select_related("person").order_by("pk")
    ]
    out["milestones"] = [_milestone_out(m) for m in selectors.milestones_of(p)]
    return out


def _unit(pk: int | None) -> Unit | None:
    return get_object_or_404(Unit, pk=pk) if pk else None


def _person(pk: int | None, field: str) -> Person | None:
    """The person an id names; one that does not exist reads like one out of the user's choice
    (`ledger.require_nameable`), so trying ids tells nothing."""
    if not pk:
        return None
    person = Person.objects.filter(pk=pk).first()
    if person is None:
        raise ValidationFailed(ledger.not_nameable(), field=field)
    return person


@router.get("/campaigns", response=list[CampaignOut], summary="攻坚行动与专项")
@api_reads_from_replica
def campaigns(request: HttpRequest) -> list[Campaign]:
    return list(
        following.campaigns_for(request.user)
        .select_related("owner")
        .prefetch_related("lines__lead_unit")
    )


@router.get(
    "/projects",
    response=ProjectPage,
    summary="项目台账（本人范围内，分页、排序、筛选）",
    description=selectors.LEDGER_SORTS.describe(),
)
@api_reads_from_replica
def list_projects(request: HttpRequest, filters: Query[LedgerQuery]) -> dict[str, Any]:
    req = paging.parse_params(selectors.LEDGER_SORTS, filters)
    f = _ledger_filter(filters)
    rows = selectors.ledger_page(request.user, f, filters.date or clock.today(), req)
    return rows.map(lambda r: _project_out(r.project, r.warning)).as_dict()


@router.post("/projects", response={201: ProjectDetailOut}, summary="新建项目")
def create_project(request: HttpRequest, data: ProjectIn) -> Status[dict[str, Any]]:
    line = get_object_or_404(Line, pk=data.line_id) if data.line_id else None
    campaign = get_object_or_404(Campaign, pk=data.campaign_id) if data.campaign_id else None
    unit = get_object_or_404(Unit, pk=data.unit_id)
    p = ledger.create_project(
        actor=request.user,
        code=data.code,
        name=data.name,
        level=data.level,
        unit=unit,
        campaign=campaign,
        line=line,
        owner=data.owner,
        leader=_person(data.leader_id, "leader"),
        location=data.location,
        investment_code=data.investment_code,
        contact_name=data.contact_name,
        contact_phone=data.contact_phone,
        total_investment_wan=data.total_investment_wan,
        annual_planned_wan=data.annual_planned_wan,
        planned_start=data.planned_start,
        planned_completion=data.planned_completion,
        description=data.description,
    )
    return Status(201, _detail(request.user, selectors.project_for(request.user, p.pk)))


@router.get("/projects/{project_id}", response=ProjectDetailOut, summary="项目详情")
def get_project(request: HttpRequest, project_id: Id) -> dict[str, Any]:
    return _detail(request.user, selectors.project_for(request.user, project_id))


@router.patch("/projects/{project_id}", response=ProjectDetailOut, summary="修改项目台账")
def patch_project(request: HttpRequest, project_id: Id, data: ProjectPatch) -> dict[str, Any]:
    selectors.project_for(request.user, project_id)
    changes = data.dict(exclude_unset=True)
    version = changes.pop("version")
    if "unit_id" in changes:
        changes["unit"] = _unit(changes.pop("unit_id"))
        if changes["unit"] is None:
            raise ValidationFailed(_("责任单位不能为空。"), field="unit")
    if "leader_id" in changes:
        changes["leader"] = _person(changes.pop("leader_id"), "leader")
    ledger.update_project(
        actor=request.user, project_id=project_id, expected_version=version, changes=changes
    )
    return _detail(request.user, selectors.project_for(request.user, project_id))


@router.post("/projects/{project_id}/milestones", response={201: MilestoneOut}, summary="新增节点")
def add_milestone(
    request: HttpRequest, project_id: Id, data: MilestoneIn
) -> Status[dict[str, Any]]:
    p = selectors.project_for(request.user, project_id)
    m = ledger.add_milestone(
        actor=request.user,
        project=p,
        name=data.name,
        planned_date=data.planned_date,
        actual_date=data.actual_date,
        person=_person(data.person_id, "person"),
        unit=_unit(data.unit_id),
        note=data.note,
    )
    return Status(201, _milestone_out(m))


@router.patch("/milestones/{milestone_id}", response=MilestoneOut, summary="修改节点")
def patch_milestone(request: HttpRequest, milestone_id: Id, data: MilestonePatch) -> dict[str, Any]:
    m = get_object_or_404(Milestone, pk=milestone_id)
    selectors.project_for(request.user, m.project_id)
    changes = data.dict(exclude_unset=True)
    version = changes.pop("version")
    m = ledger.update_milestone(
        actor=request.user, milestone_id=milestone_id, expected_version=version, changes=changes
    )
    return _milestone_out(m)


def _report_out(
    r: Any,
    *,
    milestones: Sequence[Milestone] | None = None,
    coordination: Sequence[CoordinationRequest] | None = None,
) -> dict[str, Any]:
    """A report as the API shows it; a caller that holds its milestones and coordination
    requests (a report just filed) passes them instead of having them read."""
    if milestones is None:
        milestones = r.milestones_reached.all()
    if coordination is None:
        coordination = r.coordination.all()
    return {
        "id": r.pk,
        "period_end": r.period_end,
        "percent_done": r.percent_done,
        "investment_period_wan": r.investment_period_wan,
        "investment_to_date_wan": r.investment_to_date_wan,
        "milestones_reached": [m.name for m in sorted(milestones, key=lambda m: m.seq)],
        "problems": r.problems,
        "coordination": [_coordination_out(c) for c in coordination],
        "version": r.version,
    }


def _coordination_out(c: CoordinationRequest) -> dict[str, Any]:
    return {
        "id": c.pk,
        "category": c.category,
        "description": c.description,
        "handling_unit": c.handling_unit.name if c.handling_unit else None,
        "deadline": c.deadline,
        "status": c.status,
        "resolution": c.resolution,
        "version": c.version,
    }


class ReportPage(paging.PageMeta):
    items: list[ReportOut]


@router.get(
    "/projects/{project_id}/reports",
    response=ReportPage,
    summary="进度填报记录（分页，新的在前）",
    description=selectors.REPORT_SORTS.describe(),
)
@api_reads_from_replica
def list_reports(
    request: HttpRequest, project_id: Id, params: Query[paging.PageParams]
) -> dict[str, Any]:
    p = selectors.project_for(request.user, project_id)
    req = paging.parse_params(selectors.REPORT_SORTS, params)
    return selectors.reports_page(p, req).map(_report_out).as_dict()


@router.post("/projects/{project_id}/reports", response={201: ReportOut}, summary="进度填报")
def submit_report(request: HttpRequest, project_id: Id, data: ReportIn) -> Status[dict[str, Any]]:
    r, reached = reports.submit_report_to(
        actor=request.user,
        project_id=project_id,
        milestone_ids=data.milestone_ids,
        period_end=data.period_end,
        percent_done=data.percent_done,
        investment_period_wan=data.investment_period_wan,
        investment_to_date_wan=data.investment_to_date_wan,
        problems=data.problems,
        coordination=[
            coordination.CoordinationInput(
                c.category, c.description, _unit(c.handling_unit_id), c.deadline
            )
            for c in data.coordination
        ],
        expected_version=data.version,
    )
    if data.version is None and not data.coordination:
        # A new report holds just what this request sent: nothing to read back.
        return Status(201, _report_out(r, milestones=reached, coordination=()))
    r = selectors.report_detail(r.pk)
    return Status(201, _report_out(r))


@router.post("/coordination/{request_id}/resolve", response=CoordinationOut, summary="协调事项办结")
def resolve(request: HttpRequest, request_id: Id, data: ResolveIn) -> dict[str, Any]:
    c = get_object_or_404(
        CoordinationRequest.objects.select_related("project__unit", "handling_unit"), pk=request_id
    )
    if not coordination.may_see(request.user, c):
        raise NotFound(_("项目不存在或不在您的查看范围内。"))
    c = coordination.resolve_coordination(
        actor=request.user,
        request_id=request_id,
        expected_version=data.version,
        resolution=data.resolution,
    )
    return _coordination_out(c)


class WarningPage(paging.PageMeta):
    items: list[WarningOut]


@router.get(
    "/warnings",
    response=WarningPage,
    summary="红黄绿灯预警（分页、排序，筛选同项目台账）",
    description=selectors.LEDGER_SORTS.describe(),
)
@api_reads_from_replica
def warnings(request: HttpRequest, filters: Query[LedgerQuery]) -> dict[str, Any]:
    rows = selectors.ledger_page(
        request.user,
        _ledger_filter(filters),
        filters.date or clock.today(),
        paging.parse_params(selectors.LEDGER_SORTS, filters),
    )
    return rows.map(lambda r: selectors.warning_row(r.project, r.warning)).as_dict()


class ImportOut(Schema):
    created: int
    updated: int
    unchanged: int
    milestones_created: int
    milestones_updated: int


@router.get("/export.xlsx", summary="导出项目台账（.xlsx）", response={200: None})
def export_xlsx(request: HttpRequest, campaign: int | None = None) -> HttpResponseBase:
    qs = selectors.projects_for(request.user)
    if campaign:
        qs = qs.filter(campaign_id=campaign)
    response = xlsx_response(ledger_file.ledger_workbook(qs, actor=request.user), "ledger.xlsx")
    audit.record(audit.EventKind.EXPORT, request=request, target="ledger.xlsx")
    return response


@router.post("/import", response=ImportOut, summary="导入项目台账（全部或全不）")
def import_xlsx(request: HttpRequest, file: File[UploadedFile]) -> dict[str, int]:
    summary = ledger_file.import_ledger_xlsx(actor=request.user, data=file)
    audit.record(audit.EventKind.IMPORT, request=request, target=file.name or "ledger")
    return dataclasses.asdict(summary)


@router.get(
    "/report-template.xlsx", summary="本单位进度填报模板（.xlsx，已预填）", response={200: None}
)
def report_template(request: HttpRequest) -> HttpResponseBase:
    projects = selectors.projects_for(request.user, Action.REPORT_PROGRESS)
    return xlsx_response(report_file.report_workbook(projects), "report-template.xlsx")


class ReportsImportOut(Schema):
    reports: int


@router.post("/reports/import", response=ReportsImportOut, summary="导入进度填报（全部或全不）")
def import_reports(request: HttpRequest, file: File[UploadedFile]) -> dict[str, int]:
    count = report_file.import_reports_xlsx(actor=request.user, data=file)
    audit.record(audit.EventKind.IMPORT, request=request, target=file.name or "reports")
    return {"reports": count}
