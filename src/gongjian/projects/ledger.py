"""Writes to the ledger itself: projects, their teams and milestones.

Every function checks scope, validates, writes in one transaction and records history with the
actor and a reason. Edits name the version the user read (optimistic locking).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from gongjian.campaigns.models import Campaign, Line
from gongjian.core import clock
from gongjian.core.bulk import chunks
from gongjian.core.concurrency import lock_for_update
from gongjian.core.errors import ValidationFailed
from gongjian.core.history import record
from gongjian.core.text import check_text, check_texts
from gongjian.org.models import Person, Unit
from gongjian.org.scope import Action, scope_for
from gongjian.projects import following, refreshes, selectors
from gongjian.projects.investment_code import check_code, check_phone
from gongjian.projects.models import (
    Milestone,
    Project,
    ProjectLevel,
    ProjectStatus,
    ReportSummary,
    TeamMember,
)

ZERO = Decimal(0)


HUNDRED = Decimal(100)


LEVELS = frozenset(ProjectLevel.values)  # `.values` builds a new list on every access


STATUSES = frozenset(ProjectStatus.values)


EDITABLE_FIELDS = (
    "name",
    "investment_code",
    "level",
    "campaign",
    "line",
    "owner",
    "unit",
    "leader",
    "location",
    "contact_name",
    "contact_phone",
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


MILESTONE_FIELDS = ("name", "planned_date", "actual_date", "person", "unit", "note")


def require_scope(actor: Any, action: Action, unit: Unit | None) -> None:
    if actor is None:  # system work: the demo loader
        return
    scope_for(actor).require(action, unit)


def require_campaign(actor: Any, campaign: Campaign | None) -> None:
    """A project joins only a campaign its editor can see (`following.campaigns_for`): not
    another district's."""
    if actor is None or campaign is None:
        return
    if not following.campaigns_for(actor).filter(pk=campaign.pk).exists():
        raise ValidationFailed(following.campaign_refusal(campaign), field="campaign")


def require_nameable(
    actor: Any, people: Iterable[Person | None], *, project: Project | None, field: str
) -> None:
    """A project names (as leader, in its team, on a milestone) only people its editor may name
    (`selectors.nameable_people`, what the sheet offers): an id sent to the API is held to the
    same list, so no one reads another district's cadres back by trying ids."""
    pks = {p.pk for p in people if p is not None}
    if actor is None or not pks:
        return
    allowed = selectors.nameable_people(actor, project).filter(pk__in=pks).values_list("pk")
    if len(pks) != len(set(allowed)):
        raise ValidationFailed(not_nameable(), field=field)


def not_nameable() -> str:
    """The refusal of `require_nameable`, in the language of the request."""
    return _("所选人员不存在，或不在您可以选择的范围内。")


# The project's fields a user types: checked (control characters, length) on every write path.
PROJECT_TEXTS = (
    "code",
    "name",
    "owner",
    "location",
    "contact_name",
    "not_started_reason",
    "description",
)
MILESTONE_TEXTS = ("name", "note")


# numeric(14, 2): twelve digits before the point
MAX_WAN = Decimal(10) ** 12


def validate_project(p: Project, *, today: dt.date | None = None) -> None:
    """The ledger's rules on one project, as domain errors naming the field.

    `today` lets a caller validating many projects read the clock once (it may query the
    database for the fixed date).
    """
    for name, value in check_texts(Project, {f: getattr(p, f) for f in PROJECT_TEXTS}).items():
        setattr(p, name, value)
    if not p.code.strip():
        raise ValidationFailed(_("项目编号不能为空。"), field="code")
    if not p.name.strip():
        raise ValidationFailed(_("项目名称不能为空。"), field="name")
    p.investment_code = check_code(p.investment_code)
    p.contact_phone = check_phone(p.contact_phone)
    if p.level not in LEVELS:
        raise ValidationFailed(_("未知的项目级别：%(v)s") % {"v": p.level}, field="level")
    if p.status not in STATUSES:
        raise ValidationFailed(_("未知的项目状态：%(v)s") % {"v": p.status}, field="status")
    for name in ("total_investment_wan", "annual_planned_wan", "investment_completed_wan"):
        if getattr(p, name) < ZERO:
            raise ValidationFailed(_("投资额不能为负数。"), field=name)
        if getattr(p, name) >= MAX_WAN:  # PostgreSQL would refuse it with a server error
            raise ValidationFailed(_("投资额过大：最多 12 位整数（万元）。"), field=name)
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
    investment_code: str = "",
    contact_name: str = "",
    contact_phone: str = "",
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
    require_scope(actor, Action.EDIT_LEDGER, unit)
    if line is not None and campaign is None:
        campaign = line.campaign
    require_campaign(actor, campaign)
    require_nameable(actor, [leader], project=None, field="leader")
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
        investment_code=investment_code,
        contact_name=contact_name,
        contact_phone=contact_phone,
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
    no_reports_yet([project])
    refresh_warning(project.pk)
    return project


def no_reports_yet(projects: Sequence[Project]) -> None:
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
        for chunk in chunks(pks, size):
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
    require_scope(actor, Action.EDIT_LEDGER, current.unit)
    if "unit" in changes and changes["unit"] != current.unit:
        require_scope(actor, Action.EDIT_LEDGER, changes["unit"])
    project = lock_for_update(Project, project_id, expected_version=expected_version)
    for name, value in changes.items():
        setattr(project, name, value.strip() if isinstance(value, str) else value)
    if "line" in changes and project.line is not None and "campaign" not in changes:
        project.campaign = project.line.campaign
    if project.campaign_id != current.campaign_id:
        require_campaign(actor, project.campaign)
    if project.leader_id != current.leader_id:
        require_nameable(actor, [project.leader], project=current, field="leader")
    validate_project(project)
    record(project, actor=actor, reason=_("修改项目台账"))
    project.save()
    refresh_warning(project.pk)
    return project


@transaction.atomic
def set_team(
    *, actor: Any, project: Project, members: Sequence[tuple[Person, str]]
) -> list[TeamMember]:
    """Replace the project's team (一个团队) with `members` as (person, duty)."""
    require_scope(actor, Action.EDIT_LEDGER, project.unit)
    members = [(person, check_text(TeamMember, "duty", duty)) for person, duty in members]
    people = [p.pk for p, _d in members]
    if len(set(people)) != len(people):
        raise ValidationFailed(_("团队成员重复。"), field="team")
    require_nameable(actor, [p for p, _d in members], project=project, field="team")
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


def check_milestone(m: Milestone, *, today: dt.date) -> None:
    """The rules on one milestone by itself, as domain errors naming the field; the import
    runs them on every row (`today` read once), `validate_milestone` on one."""
    for name, value in check_texts(Milestone, {f: getattr(m, f) for f in MILESTONE_TEXTS}).items():
        setattr(m, name, value)
    if not m.name.strip():
        raise ValidationFailed(_("节点名称不能为空。"), field="name")
    if m.planned_date is None:
        raise ValidationFailed(_("节点须有计划完成日期。"), field="planned_date")
    if m.actual_date and m.actual_date > today:
        raise ValidationFailed(_("实际完成日期不能晚于今天。"), field="actual_date")


def validate_milestone(m: Milestone) -> None:
    """`check_milestone`, and its name unique within the project."""
    check_milestone(m, today=clock.today())
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
    require_scope(actor, Action.EDIT_LEDGER, project.unit)
    require_nameable(actor, [person], project=project, field="person")
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
    validate_milestone(milestone)
    record(milestone, actor=actor, reason=_("新增节点"))
    milestone.save()
    refresh_warning(project.pk)
    return milestone


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
    require_scope(actor, Action.EDIT_LEDGER, current.project.unit)
    milestone = lock_for_update(Milestone, milestone_id, expected_version=expected_version)
    for name, value in changes.items():
        setattr(milestone, name, value.strip() if isinstance(value, str) else value)
    if milestone.person_id != current.person_id:
        require_nameable(actor, [milestone.person], project=current.project, field="person")
    validate_milestone(milestone)
    record(milestone, actor=actor, reason=_("修改节点"))
    milestone.save()
    refresh_warning(milestone.project_id)
    return milestone


def refresh_warning(project_id: int) -> None:
    """In the write's transaction: today's battle-map row of this project is behind the ledger
    until the refresh after commit brings it up to date (projects/refreshes.py); readers work a
    marked row out for themselves meanwhile, and a failed refresh is retried."""
    refreshes.mark([project_id])
