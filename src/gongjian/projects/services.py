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
from django.db import connection, transaction
from django.utils.translation import gettext as _

from gongjian.campaigns.models import Campaign, Line
from gongjian.core import clock
from gongjian.core.concurrency import lock_for_update
from gongjian.core.errors import PermissionDenied, ValidationFailed
from gongjian.core.history import bulk_create_with_history, record
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
    ReportSummary,
    TeamMember,
)
from gongjian.projects.warnings import report_summary

ZERO = Decimal(0)
HUNDRED = Decimal(100)
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
LEVELS = frozenset(ProjectLevel.values)  # `.values` builds a new list on every access
STATUSES = frozenset(ProjectStatus.values)

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


def validate_project(p: Project, *, today: dt.date | None = None) -> None:
    """The ledger's rules on one project, as domain errors naming the field.

    `today` lets a caller validating many projects read the clock once (it may query the
    database for the fixed date).
    """
    if not p.code.strip():
        raise ValidationFailed(_("项目编号不能为空。"), field="code")
    if not p.name.strip():
        raise ValidationFailed(_("项目名称不能为空。"), field="name")
    if p.level not in LEVELS:
        raise ValidationFailed(_("未知的项目级别：%(v)s") % {"v": p.level}, field="level")
    if p.status not in STATUSES:
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
    today = today or clock.today()
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
    _no_reports_yet([project])
    _refresh_warning(project.pk)
    return project


def _no_reports_yet(projects: Sequence[Project]) -> None:
    """The report summaries of new projects: no reports (see `refresh_report_summaries`).

    An import makes tens of thousands, and `bulk_create` takes 1.3–1.5 s for 50,000 rows of
    two columns (a tenth of the import): on PostgreSQL one INSERT of an array of the keys
    (0.25 s), on SQLite one INSERT … SELECT per chunk of keys (0.12 s).
    """
    table, source = ReportSummary._meta.db_table, Project._meta.db_table
    pks = [p.pk for p in projects]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {table} (project_id, reports) SELECT unnest(%s::bigint[]), 0",
                [pks],
            )
            return
        size = min(5000, connection.features.max_query_params or 5000)
        for chunk in _chunks(pks, size):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} (project_id, reports) "  # noqa: S608 - our own names
                f"SELECT id, 0 FROM {source} WHERE id IN ({marks})",
                chunk,
            )


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
    _refresh_warning(project.pk)
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
    _refresh_warning(project.pk)
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
    _refresh_warning(milestone.project_id)
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
    refresh_report_summaries(project_ids=[project.pk])
    _refresh_warning(project.pk)
    return report


@transaction.atomic
def refresh_report_summaries(*, project_ids: Iterable[int] | None = None) -> int:
    """Work the `ReportSummary` of these projects (every project when None) out again from
    their reports; how many were written. Every write of a report calls it, in the same
    transaction: the warnings trust a summary over the reports it stands for.

    The projects named are locked first, so two reports filed at once for one project cannot
    each leave a summary that misses the other's report.
    """
    if project_ids is None:
        ReportSummary.objects.all().delete()
        everyone = list(Project.objects.order_by("pk").values_list("pk", flat=True))
        return _write_summaries(everyone, ProgressReport.objects.all())
    written = 0
    for chunk in _chunks(sorted(set(project_ids))):
        locked = list(
            Project.objects.select_for_update()
            .filter(pk__in=chunk)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        ReportSummary.objects.filter(project_id__in=locked).delete()
        reports = ProgressReport.objects.filter(project_id__in=locked)
        written += _write_summaries(locked, reports)
    return written


def _write_summaries(project_ids: list[int], reports: Any) -> int:
    found: dict[int, list[tuple[dt.date, Decimal]]] = {pk: [] for pk in project_ids}
    for pid, period_end, percent in reports.order_by().values_list(
        "project_id", "period_end", "percent_done"
    ):
        found[pid].append((period_end, percent))
    rows = [
        ReportSummary(project_id=pid, **report_summary(points)) for pid, points in found.items()
    ]
    ReportSummary.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _refresh_warning(project_id: int) -> None:
    """Keep today's battle-map snapshot in step with the ledger once this write commits."""
    from gongjian.dashboard.services import refresh_project_snapshot

    transaction.on_commit(
        lambda: refresh_project_snapshot(project_ids=[project_id], on=clock.today())
    )


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


# --- Bulk ledger import (Excel): all or nothing, problems named by row and field -------------


@dataclass
class ProjectInput:
    """One ledger row as read from a file, names already resolved to objects."""

    row: int
    code: str
    values: dict[str, Any]  # EDITABLE_FIELDS -> value
    team: list[tuple[Person, str]] | None = None  # None: leave the team as it is
    version: int | None = None


@dataclass
class MilestoneInput:
    row: int
    code: str
    seq: int
    values: dict[str, Any]  # MILESTONE_FIELDS -> value


@dataclass(frozen=True)
class RowProblem:
    kind: str  # "project" or "milestone"
    row: int
    field: str
    message: str


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    milestones_created: int = 0
    milestones_updated: int = 0


class RowsRejected(Exception):
    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


def _chunks(items: list[Any], size: int = 5000) -> Iterable[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _team_key(members: Iterable[tuple[int, str]]) -> list[tuple[int, str]]:
    return sorted(members)


@transaction.atomic
def import_ledger(
    *, actor: Any, projects: Sequence[ProjectInput], milestones: Sequence[MilestoneInput] = ()
) -> ImportSummary:
    """Create or update many projects and milestones at once, or nothing (RowsRejected).

    Projects are matched by code, milestones by (project code, seq); rows identical to the
    database are left alone, so re-importing an exported file changes nothing. Scope, the
    version the file was exported at, and every rule of `validate_project` are checked for
    every row before anything is written.
    """
    from simple_history.utils import bulk_update_with_history

    scope = scope_for(actor) if actor is not None else None
    problems: list[RowProblem] = []
    codes = [p.code for p in projects]
    existing: dict[str, Project] = {}
    for chunk in _chunks(codes):
        for p in Project.objects.filter(code__in=chunk).select_related("unit", "line"):
            existing[p.code] = p
    allowed: dict[int, bool] = {}

    def may_edit(unit: Unit | None) -> bool:
        if scope is None:
            return True
        if unit is None:
            return False
        if unit.pk not in allowed:
            allowed[unit.pk] = scope.can(Action.EDIT_LEDGER, unit)
        return allowed[unit.pk]

    today = clock.today()
    seen: set[str] = set()
    to_create: list[Project] = []
    to_update: list[Project] = []
    team_changes: dict[str, list[tuple[Person, str]]] = {}
    summary = ImportSummary()
    old_teams = _teams_of([p.pk for p in existing.values()])
    for item in projects:
        if item.code in seen:
            problems.append(RowProblem("project", item.row, "code", _("项目编号在文件中重复。")))
            continue
        seen.add(item.code)
        current = existing.get(item.code)
        project = Project(code=item.code) if current is None else _copy(current)
        for name, value in item.values.items():
            setattr(project, name, value)
        if project.line is not None and project.campaign_id is None:
            project.campaign = project.line.campaign
        team_changed = item.team is not None and _team_key(
            (p.pk, d) for p, d in item.team
        ) != old_teams.get(current.pk if current else -1, [])
        if current is not None and not team_changed and not _differs(current, project):
            summary.unchanged += 1  # rows as they are need neither rights nor a fresh version
            continue
        unit = project.unit if project.unit_id else None
        if not may_edit(unit) or (current is not None and not may_edit(current.unit)):
            problems.append(
                RowProblem(
                    "project",
                    item.row,
                    "unit",
                    _("无权维护“%(unit)s”的项目台账。") % {"unit": unit.name if unit else "-"},
                )
            )
            continue
        if current is not None and item.version is not None and item.version != current.version:
            problems.append(
                RowProblem(
                    "project",
                    item.row,
                    "version",
                    _(
                        "该项目已被他人修改（文件为第 %(read)s 版，现为第 %(now)s 版），请重新导出后再改。"
                    )
                    % {"read": item.version, "now": current.version},
                )
            )
            continue
        try:
            validate_project(project, today=today)
        except ValidationFailed as exc:
            problems.append(
                RowProblem("project", item.row, str(exc.details.get("field", "")), exc.message)
            )
            continue
        if team_changed and item.team is not None:
            team_changes[item.code] = item.team
        if current is None:
            to_create.append(project)
        else:
            project.version = current.version + 1
            to_update.append(project)
    ms_create, ms_update = _milestone_changes(milestones, existing, seen, problems, may_edit)
    if problems:
        raise RowsRejected(sorted(problems, key=lambda p: (p.kind != "project", p.row)))

    user = actor if getattr(actor, "is_authenticated", False) else None
    bulk_create_with_history(to_create, Project, user=user, reason=_("Excel 导入：新建项目"))
    _no_reports_yet(to_create)
    if to_update:
        bulk_update_with_history(
            to_update, Project, [*EDITABLE_FIELDS, "version"], batch_size=2000,
            default_user=user, default_change_reason=_("Excel 导入：修改项目台账"),
        )  # fmt: skip
    summary.created, summary.updated = len(to_create), len(to_update)
    by_code = {p.code: p for p in [*existing.values(), *to_create]}
    _replace_teams(team_changes, by_code, user)
    for m in ms_create:
        m.project = by_code[m.project.code]
    bulk_create_with_history(ms_create, Milestone, user=user, reason=_("Excel 导入：新增节点"))
    if ms_update:
        bulk_update_with_history(
            ms_update, Milestone, [*MILESTONE_FIELDS, "version"], batch_size=2000,
            default_user=user, default_change_reason=_("Excel 导入：修改节点"),
        )  # fmt: skip
    summary.milestones_created, summary.milestones_updated = len(ms_create), len(ms_update)
    changed = [p.pk for p in [*to_create, *to_update]]
    changed += [m.project.pk for m in [*ms_create, *ms_update]]
    if changed:
        from gongjian.dashboard.services import refresh_project_snapshot

        ids = sorted(set(changed))
        transaction.on_commit(lambda: refresh_project_snapshot(project_ids=ids, on=clock.today()))
    return summary


def _copy(p: Project) -> Project:
    clone = Project(**{f.attname: getattr(p, f.attname) for f in Project._meta.concrete_fields})
    clone.unit = p.unit  # keep the loaded relations: validation reads them
    if p.line_id:
        clone.line = p.line
    return clone


def _differs(a: Any, b: Any, fields: Sequence[str] = EDITABLE_FIELDS) -> bool:
    for name in fields:
        field = type(a)._meta.get_field(name)
        if getattr(a, field.attname) != getattr(b, field.attname):
            return True
    return False


def _teams_of(project_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    teams: dict[int, list[tuple[int, str]]] = {}
    for chunk in _chunks(project_ids):
        for pid, person, duty in TeamMember.objects.filter(project_id__in=chunk).values_list(
            "project_id", "person_id", "duty"
        ):
            teams.setdefault(pid, []).append((person, duty))
    return {pid: sorted(members) for pid, members in teams.items()}


def _replace_teams(
    changes: dict[str, list[tuple[Person, str]]], by_code: dict[str, Project], user: Any
) -> None:
    if not changes:
        return
    ids = [by_code[c].pk for c in changes]
    for chunk in _chunks(ids):
        for row in TeamMember.objects.filter(project_id__in=chunk):
            record(row, actor=user, reason=_("Excel 导入：调整团队"))
            row.delete()
    rows = [
        TeamMember(project=by_code[code], person=person, duty=duty)
        for code, members in changes.items()
        for person, duty in members
    ]
    bulk_create_with_history(rows, TeamMember, user=user, reason=_("Excel 导入：调整团队"))


def _milestone_changes(
    milestones: Sequence[MilestoneInput],
    existing: dict[str, Project],
    codes_in_file: set[str],
    problems: list[RowProblem],
    may_edit: Any,
) -> tuple[list[Milestone], list[Milestone]]:
    current: dict[tuple[str, int], Milestone] = {}
    pk_to_code = {p.pk: c for c, p in existing.items()}
    for chunk in _chunks(list(pk_to_code)):
        for m in Milestone.objects.filter(project_id__in=chunk):
            current[(pk_to_code[m.project_id], m.seq)] = m
    today = clock.today()
    create: list[Milestone] = []
    update: list[Milestone] = []
    seen: set[tuple[str, int]] = set()
    for item in milestones:
        key = (item.code, item.seq)
        if item.code not in existing and item.code not in codes_in_file:
            problems.append(
                RowProblem(
                    "milestone", item.row, "code", _("找不到项目编号“%(c)s”。") % {"c": item.code}
                )
            )
            continue
        if key in seen:
            problems.append(RowProblem("milestone", item.row, "seq", _("节点序号在文件中重复。")))
            continue
        seen.add(key)
        project = existing.get(item.code)
        old = current.get(key)
        m = Milestone(project=project or Project(code=item.code), seq=item.seq)
        if old is not None:
            m = Milestone(
                **{f.attname: getattr(old, f.attname) for f in Milestone._meta.concrete_fields}
            )
            m.project = existing[item.code]
        for name, value in item.values.items():
            setattr(m, name, value)
        if not m.name:
            problems.append(RowProblem("milestone", item.row, "name", _("节点名称不能为空。")))
            continue
        if m.planned_date is None:
            problems.append(
                RowProblem("milestone", item.row, "planned_date", _("节点须有计划完成日期。"))
            )
            continue
        if m.actual_date and m.actual_date > today:
            problems.append(
                RowProblem("milestone", item.row, "actual_date", _("实际完成日期不能晚于今天。"))
            )
            continue
        if old is not None and not _differs(old, m, MILESTONE_FIELDS):
            continue
        if project is not None and not may_edit(project.unit):
            problems.append(RowProblem("milestone", item.row, "code", _("无权维护该项目的节点。")))
            continue
        if old is None:
            m.project = project or Project(code=item.code)
            create.append(m)
        else:
            m.version = old.version + 1
            update.append(m)
    final: dict[tuple[str, int], str] = {key: m.name for key, m in current.items()}
    for m in [*update, *create]:
        final[(m.project.code, m.seq)] = m.name
    owners: dict[tuple[str, str], list[int]] = {}
    for (code, seq), name in final.items():
        owners.setdefault((code, name), []).append(seq)
    row_of = {(i.code, i.seq): i.row for i in milestones}
    for (code, name), seqs in owners.items():
        for seq in sorted(seqs)[1:] if len(seqs) > 1 else []:
            row = row_of.get((code, seq)) or row_of.get((code, sorted(seqs)[0]), 0)
            problems.append(
                RowProblem(
                    "milestone", row, "name", _("本项目已有节点“%(name)s”。") % {"name": name}
                )
            )
    return create, update
