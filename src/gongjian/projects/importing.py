"""Bulk ledger import (Excel rows already read): all or nothing, problems named by row and
field; the file is read in `projects.ledger_file`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.core import clock
from gongjian.core.bulk import chunks
from gongjian.core.errors import RowsRejected, ValidationFailed
from gongjian.core.history import bulk_create_with_history, record
from gongjian.core.text import check_text
from gongjian.org.models import Person, Unit
from gongjian.org.scope import Action, scope_for
from gongjian.projects import following
from gongjian.projects.ledger import (
    EDITABLE_FIELDS,
    MILESTONE_FIELDS,
    check_milestone,
    no_reports_yet,
    validate_project,
)
from gongjian.projects.models import (
    Milestone,
    Project,
    TeamMember,
)
from gongjian.projects.snapshots import refresh_project_snapshot


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
    campaigns = following.visible_campaign_ids(actor)
    problems: list[RowProblem] = []
    codes = [p.code for p in projects]
    existing: dict[str, Project] = {}
    for chunk in chunks(codes):
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
        joins = project.campaign_id  # an id: the row's campaign is read only to refuse it
        if (
            campaigns is not None
            and joins is not None
            and joins not in campaigns
            and (current is None or joins != current.campaign_id)
        ):
            refusal = following.campaign_refusal(project.campaign)  # type: ignore[arg-type]
            problems.append(RowProblem("project", item.row, "campaign", refusal))
            continue
        if current is not None and item.version is not None and item.version != current.version:
            problems.append(
                RowProblem(
                    "project", item.row, "version", stale_message(current, item.version, actor)
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
            try:
                team_changes[item.code] = [
                    (person, check_text(TeamMember, "duty", duty)) for person, duty in item.team
                ]
            except ValidationFailed as exc:
                problems.append(RowProblem("project", item.row, "team", exc.message))
                continue
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
    no_reports_yet(to_create)
    if to_update:
        now = timezone.now()  # bulk_update passes `auto_now` by
        for project in to_update:
            project.updated_at = now
        bulk_update_with_history(
            to_update, Project, [*EDITABLE_FIELDS, "version", "updated_at"], batch_size=2000,
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
        ids = sorted(set(changed))
        transaction.on_commit(
            lambda: refresh_project_snapshot(project_ids=ids, on=clock.today()), robust=True
        )
    return summary


def stale_message(current: Project, read: int, actor: Any) -> str:
    """Why a row read at version `read` may not be written: who changed the project since, and
    when, from its history ("您" when it was the importing user)."""
    last = (
        Project.history.filter(id=current.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
        .first()
    )
    versions = {"read": read, "now": current.version}
    if last is None:
        return (
            _("该项目已被修改（文件为第 %(read)s 版，现为第 %(now)s 版），请重新导出后再改。")
            % versions
        )
    when = timezone.localtime(last.history_date).strftime("%Y-%m-%d %H:%M")
    user = last.history_user
    if user is not None and actor is not None and user.pk == getattr(actor, "pk", None):
        return _(
            "您已于 %(when)s 修改过该项目（文件为第 %(read)s 版，现为第 %(now)s 版），"
            "请重新导出后再改。"
        ) % {**versions, "when": when}
    who = str(user) if user is not None else _("系统（命令行或自动任务）")
    return _(
        "该项目已由 %(who)s 于 %(when)s 修改（文件为第 %(read)s 版，现为第 %(now)s 版），"
        "请重新导出后再改。"
    ) % {**versions, "who": who, "when": when}


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
    for chunk in chunks(project_ids):
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
    for chunk in chunks(ids):
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
    for chunk in chunks(list(pk_to_code)):
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
        try:
            check_milestone(m, today=today)
        except ValidationFailed as exc:
            field = str(exc.details.get("field", ""))
            problems.append(RowProblem("milestone", item.row, field, exc.message))
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
