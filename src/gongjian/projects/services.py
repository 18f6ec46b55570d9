"""Writes to the ledger: projects, teams, milestones, progress reports, coordination requests.

Every function checks scope, validates, writes in one transaction and records history with the
actor and a reason. Edits name the version the user read (optimistic locking).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from gongjian.campaigns.models import Campaign, Line
from gongjian.core import clock
from gongjian.core.concurrency import lock_for_update
from gongjian.core.errors import PermissionDenied, ValidationFailed
from gongjian.core.history import record
from gongjian.org.models import Person, Unit
from gongjian.org.scope import Action, scope_for
from gongjian.projects.models import (
    AttachmentKind,
    CoordinationCategory,
    CoordinationRequest,
    CoordinationStatus,
    Milestone,
    ProgressReport,
    Project,
    ProjectLevel,
    ProjectStatus,
    ReportAttachment,
    TeamMember,
)

ZERO = Decimal(0)
HUNDRED = Decimal(100)
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024

# Fields of a project a ledger edit may change (the rest are derived or keyed).
EDITABLE_FIELDS = (
    "name",
    "level",
    "campaign",
    "line",
    "owner",
    "unit",
    "leader",
    "location",
    "total_investment_wan",
    "annual_planned_wan",
    "investment_completed_wan",
    "planned_start",
    "planned_completion",
    "actual_start",
    "actual_completion",
    "status",
    "percent_done",
    "not_started_reason",
    "description",
)


def _require(actor: Any, action: Action, unit: Unit | None) -> None:
    if actor is None:  # system work: the demo loader
        return
    scope_for(actor).require(action, unit)


def validate_project(p: Project) -> None:
    """The ledger's rules on one project, as domain errors naming the field."""
    if not p.code.strip():
        raise ValidationFailed(_("项目编号不能为空。"), field="code")
    if not p.name.strip():
        raise ValidationFailed(_("项目名称不能为空。"), field="name")
    if p.level not in ProjectLevel.values:
        raise ValidationFailed(_("未知的项目级别：%(v)s") % {"v": p.level}, field="level")
    if p.status not in ProjectStatus.values:
        raise ValidationFailed(_("未知的项目状态：%(v)s") % {"v": p.status}, field="status")
    for name in ("total_investment_wan", "annual_planned_wan", "investment_completed_wan"):
        if getattr(p, name) < ZERO:
            raise ValidationFailed(_("投资额不能为负数。"), field=name)
    if not ZERO <= p.percent_done <= HUNDRED:
        raise ValidationFailed(_("形象进度须在 0 到 100 之间。"), field="percent_done")
    if p.planned_start and p.planned_completion and p.planned_completion < p.planned_start:
        raise ValidationFailed(_("计划竣工日期不能早于计划开工日期。"), field="planned_completion")
    if p.actual_start and p.actual_completion and p.actual_completion < p.actual_start:
        raise ValidationFailed(_("实际竣工日期不能早于实际开工日期。"), field="actual_completion")
    if p.line_id and p.line and p.line.campaign_id != p.campaign_id:
        raise ValidationFailed(_("攻坚专项不属于所选攻坚行动。"), field="line")
    today = clock.today()
    for name in ("actual_start", "actual_completion"):
        value = getattr(p, name)
        if value and value > today:
            raise ValidationFailed(_("实际日期不能晚于今天。"), field=name)


@transaction.atomic
def create_project(
    *,
    actor: Any,
    code: str,
    name: str,
    level: str,
    unit: Unit,
    campaign: Campaign | None = None,
    line: Line | None = None,
    owner: str = "",
    leader: Person | None = None,
    location: str = "",
    total_investment_wan: Decimal = ZERO,
    annual_planned_wan: Decimal = ZERO,
    investment_completed_wan: Decimal = ZERO,
    planned_start: dt.date | None = None,
    planned_completion: dt.date | None = None,
    actual_start: dt.date | None = None,
    actual_completion: dt.date | None = None,
    status: str = ProjectStatus.PLANNED,
    percent_done: Decimal = ZERO,
    not_started_reason: str = "",
    description: str = "",
) -> Project:
    _require(actor, Action.EDIT_LEDGER, unit)
    if line is not None and campaign is None:
        campaign = line.campaign
    project = Project(
        code=code.strip(),
        name=name.strip(),
        level=level,
        unit=unit,
        campaign=campaign,
        line=line,
        owner=owner.strip(),
        leader=leader,
        location=location.strip(),
        total_investment_wan=total_investment_wan,
        annual_planned_wan=annual_planned_wan,
        investment_completed_wan=investment_completed_wan,
        planned_start=planned_start,
        planned_completion=planned_completion,
        actual_start=actual_start,
        actual_completion=actual_completion,
        status=status,
        percent_done=percent_done,
        not_started_reason=not_started_reason.strip(),
        description=description,
    )
    validate_project(project)
    if Project.objects.filter(code=project.code).exists():
        raise ValidationFailed(
            _("项目编号“%(code)s”已存在。") % {"code": project.code}, field="code"
        )
    record(project, actor=actor, reason=_("新建项目"))
    project.save()
    return project


@transaction.atomic
def update_project(
    *, actor: Any, project_id: int, expected_version: int | None, changes: dict[str, Any]
) -> Project:
    """Change ledger fields of one project; a move to another unit needs rights on both."""
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationFailed(
            _("不可修改的字段：%(f)s") % {"f": "、".join(unknown)}, field=unknown[0]
        )
    current = Project.objects.select_related("unit").get(pk=project_id)
    _require(actor, Action.EDIT_LEDGER, current.unit)
    if "unit" in changes and changes["unit"] != current.unit:
        _require(actor, Action.EDIT_LEDGER, changes["unit"])
    project = lock_for_update(Project, project_id, expected_version=expected_version)
    for name, value in changes.items():
        setattr(project, name, value.strip() if isinstance(value, str) else value)
    if "line" in changes and project.line is not None and "campaign" not in changes:
        project.campaign = project.line.campaign
    validate_project(project)
    record(project, actor=actor, reason=_("修改项目台账"))
    project.save()
    return project


@transaction.atomic
def set_team(
    *, actor: Any, project: Project, members: Sequence[tuple[Person, str]]
) -> list[TeamMember]:
    """Replace the project's team (一个团队) with `members` as (person, duty)."""
    _require(actor, Action.EDIT_LEDGER, project.unit)
    people = [p.pk for p, _d in members]
    if len(set(people)) != len(people):
        raise ValidationFailed(_("团队成员重复。"), field="team")
    for row in TeamMember.objects.filter(project=project).exclude(person_id__in=people):
        record(row, actor=actor, reason=_("移出团队"))
        row.delete()
    result = []
    for person, duty in members:
        found = TeamMember.objects.filter(project=project, person=person).first()
        if found is None:
            row = TeamMember(project=project, person=person, duty=duty.strip())
            record(row, actor=actor, reason=_("加入团队"))
            row.save()
            result.append(row)
            continue
        row = found
        if row.duty != duty.strip():
            row.duty = duty.strip()
            record(row, actor=actor, reason=_("修改分工"))
            row.save()
        result.append(row)
    return result


def _validate_milestone(m: Milestone) -> None:
    if not m.name.strip():
        raise ValidationFailed(_("节点名称不能为空。"), field="name")
    if m.planned_date is None:
        raise ValidationFailed(_("节点须有计划完成日期。"), field="planned_date")
    if m.actual_date and m.actual_date > clock.today():
        raise ValidationFailed(_("实际完成日期不能晚于今天。"), field="actual_date")
    clash = Milestone.objects.filter(project_id=m.project_id, name=m.name).exclude(pk=m.pk)
    if clash.exists():
        raise ValidationFailed(_("本项目已有节点“%(name)s”。") % {"name": m.name}, field="name")


@transaction.atomic
def add_milestone(
    *,
    actor: Any,
    project: Project,
    name: str,
    planned_date: dt.date,
    actual_date: dt.date | None = None,
    person: Person | None = None,
    unit: Unit | None = None,
    note: str = "",
    seq: int | None = None,
) -> Milestone:
    _require(actor, Action.EDIT_LEDGER, project.unit)
    if seq is None:
        last = Milestone.objects.filter(project=project).order_by("-seq").first()
        seq = (last.seq + 1) if last else 1
    elif Milestone.objects.filter(project=project, seq=seq).exists():
        raise ValidationFailed(_("节点序号 %(seq)s 已存在。") % {"seq": seq}, field="seq")
    milestone = Milestone(
        project=project,
        seq=seq,
        name=name.strip(),
        planned_date=planned_date,
        actual_date=actual_date,
        person=person,
        unit=unit,
        note=note.strip(),
    )
    _validate_milestone(milestone)
    record(milestone, actor=actor, reason=_("新增节点"))
    milestone.save()
    return milestone


MILESTONE_FIELDS = ("name", "planned_date", "actual_date", "person", "unit", "note")


@transaction.atomic
def update_milestone(
    *, actor: Any, milestone_id: int, expected_version: int | None, changes: dict[str, Any]
) -> Milestone:
    unknown = sorted(set(changes) - set(MILESTONE_FIELDS))
    if unknown:
        raise ValidationFailed(
            _("不可修改的字段：%(f)s") % {"f": "、".join(unknown)}, field=unknown[0]
        )
    current = Milestone.objects.select_related("project__unit").get(pk=milestone_id)
    _require(actor, Action.EDIT_LEDGER, current.project.unit)
    milestone = lock_for_update(Milestone, milestone_id, expected_version=expected_version)
    for name, value in changes.items():
        setattr(milestone, name, value.strip() if isinstance(value, str) else value)
    _validate_milestone(milestone)
    record(milestone, actor=actor, reason=_("修改节点"))
    milestone.save()
    return milestone


@dataclass(frozen=True)
class CoordinationInput:
    category: str
    description: str
    handling_unit: Unit | None = None
    deadline: dt.date | None = None


def _validate_coordination(c: CoordinationInput) -> None:
    if c.category not in CoordinationCategory.values:
        raise ValidationFailed(_("未知的协调事项类别：%(v)s") % {"v": c.category}, field="category")
    if not c.description.strip():
        raise ValidationFailed(_("协调事项内容不能为空。"), field="description")


@transaction.atomic
def submit_report(
    *,
    actor: Any,
    project: Project,
    period_end: dt.date,
    percent_done: Decimal,
    investment_period_wan: Decimal = ZERO,
    investment_to_date_wan: Decimal | None = None,
    milestones_reached: Iterable[Milestone] = (),
    problems: str = "",
    coordination: Sequence[CoordinationInput] = (),
    expected_version: int | None = None,
) -> ProgressReport:
    """Create (or, naming its version, correct) the report of one project for one period.

    Reached milestones get the period end as their actual date unless they already have one; the
    latest report's percent and investment become the project's.
    """
    _require(actor, Action.REPORT_PROGRESS, project.unit)
    if period_end > clock.today():
        raise ValidationFailed(_("填报期末不能晚于今天。"), field="period_end")
    if not ZERO <= percent_done <= HUNDRED:
        raise ValidationFailed(_("形象进度须在 0 到 100 之间。"), field="percent_done")
    if investment_period_wan < ZERO:
        raise ValidationFailed(_("本期完成投资不能为负数。"), field="investment_period_wan")
    earlier = (
        ProgressReport.objects.filter(project=project, period_end__lt=period_end)
        .order_by("-period_end")
        .first()
    )
    later = (
        ProgressReport.objects.filter(project=project, period_end__gt=period_end)
        .order_by("period_end")
        .first()
    )
    if earlier and percent_done < earlier.percent_done:
        raise ValidationFailed(
            _("形象进度不能低于上期（%(d)s 为 %(p)s%%）。")
            % {"d": earlier.period_end.isoformat(), "p": earlier.percent_done},
            field="percent_done",
        )
    if later and percent_done > later.percent_done:
        raise ValidationFailed(
            _("形象进度不能高于之后一期（%(d)s 为 %(p)s%%）。")
            % {"d": later.period_end.isoformat(), "p": later.percent_done},
            field="percent_done",
        )
    if investment_to_date_wan is None:
        investment_to_date_wan = (
            earlier.investment_to_date_wan if earlier else ZERO
        ) + investment_period_wan
    if investment_to_date_wan < ZERO:
        raise ValidationFailed(_("累计完成投资不能为负数。"), field="investment_to_date_wan")
    reached = list(milestones_reached)
    if any(m.project_id != project.pk for m in reached):
        raise ValidationFailed(_("所选节点不属于本项目。"), field="milestones_reached")
    for c in coordination:
        _validate_coordination(c)

    existing = ProgressReport.objects.filter(project=project, period_end=period_end).first()
    if existing is None:
        report = ProgressReport(project=project, period_end=period_end, reported_by=actor)
        reason = _("进度填报")
    else:
        if expected_version is None:
            raise ValidationFailed(
                _("%(d)s 的进度已填报；如需更正，请在原填报上修改。")
                % {"d": period_end.isoformat()},
                field="period_end",
            )
        report = lock_for_update(ProgressReport, existing.pk, expected_version=expected_version)
        reason = _("更正进度填报")
    report.percent_done = percent_done
    report.investment_period_wan = investment_period_wan
    report.investment_to_date_wan = investment_to_date_wan
    report.problems = problems.strip()
    if actor is not None and getattr(actor, "is_authenticated", False):
        report.reported_by = actor
    record(report, actor=actor, reason=reason)
    report.save()
    report.milestones_reached.set(reached)
    for m in reached:
        if m.actual_date is None:
            row = lock_for_update(Milestone, m.pk, expected_version=None)
            row.actual_date = period_end
            record(row, actor=actor, reason=_("进度填报：节点完成"))
            row.save()
    for c in coordination:
        raise_coordination(
            actor=actor,
            project=project,
            report=report,
            category=c.category,
            description=c.description,
            handling_unit=c.handling_unit,
            deadline=c.deadline,
        )
    if later is None:
        _take_latest(actor=actor, project=project, report=report)
    return report


def _take_latest(*, actor: Any, project: Project, report: ProgressReport) -> None:
    row = lock_for_update(Project, project.pk, expected_version=None)
    row.percent_done = report.percent_done
    row.investment_completed_wan = report.investment_to_date_wan
    record(row, actor=actor, reason=_("进度填报更新项目进度"))
    row.save(update_fields=["percent_done", "investment_completed_wan", "version"])
    project.percent_done = row.percent_done
    project.investment_completed_wan = row.investment_completed_wan
    project.version = row.version


@transaction.atomic
def raise_coordination(
    *,
    actor: Any,
    project: Project,
    category: str,
    description: str,
    handling_unit: Unit | None = None,
    deadline: dt.date | None = None,
    report: ProgressReport | None = None,
) -> CoordinationRequest:
    _require(actor, Action.REPORT_PROGRESS, project.unit)
    _validate_coordination(CoordinationInput(category, description, handling_unit, deadline))
    row = CoordinationRequest(
        project=project,
        report=report,
        category=category,
        description=description.strip(),
        handling_unit=handling_unit,
        deadline=deadline,
    )
    record(row, actor=actor, reason=_("提出协调事项"))
    row.save()
    return row


@transaction.atomic
def resolve_coordination(
    *, actor: Any, request_id: int, expected_version: int | None, resolution: str
) -> CoordinationRequest:
    """Close a coordination request with its resolution; the handling unit or the office may."""
    current = CoordinationRequest.objects.select_related("project__unit", "handling_unit").get(
        pk=request_id
    )
    if actor is not None:
        scope = scope_for(actor)
        if not (
            scope.can(Action.EDIT_LEDGER, current.project.unit)
            or scope.can(Action.EDIT_LEDGER, current.handling_unit)
        ):
            raise PermissionDenied(_("无权办结该协调事项。"), action=str(Action.EDIT_LEDGER))
    if not resolution.strip():
        raise ValidationFailed(_("请填写解决情况。"), field="resolution")
    row = lock_for_update(CoordinationRequest, request_id, expected_version=expected_version)
    if row.status == CoordinationStatus.RESOLVED:
        raise ValidationFailed(_("该协调事项已解决。"), field="status")
    row.status = CoordinationStatus.RESOLVED
    row.resolution = resolution.strip()
    row.resolved_by = actor if getattr(actor, "is_authenticated", False) else None
    row.resolved_at = clock.now()
    record(row, actor=actor, reason=_("协调事项已解决"))
    row.save()
    return row


ALLOWED_EXTENSIONS = {
    AttachmentKind.PHOTO: {".jpg", ".jpeg", ".png", ".webp", ".heic"},
    AttachmentKind.DOCUMENT: {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".et", ".txt"},
}


@transaction.atomic
def add_attachment(
    *, actor: Any, report: ProgressReport, kind: str, file: UploadedFile, caption: str = ""
) -> ReportAttachment:
    _require(actor, Action.REPORT_PROGRESS, report.project.unit)
    if kind not in AttachmentKind.values:
        raise ValidationFailed(_("未知的附件类型：%(v)s") % {"v": kind}, field="kind")
    name = (file.name or "").lower()
    if not any(name.endswith(ext) for ext in ALLOWED_EXTENSIONS[AttachmentKind(kind)]):
        raise ValidationFailed(_("不支持的文件类型：%(name)s") % {"name": file.name}, field="file")
    if (file.size or 0) > MAX_ATTACHMENT_BYTES:
        raise ValidationFailed(_("附件不能超过 20 MB。"), field="file")
    return ReportAttachment.objects.create(
        report=report,
        kind=kind,
        file=file,
        caption=caption.strip(),
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
