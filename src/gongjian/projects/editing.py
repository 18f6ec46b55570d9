"""The project sheet (项目编辑页): one project's ledger fields, team and milestones in one write.

The page edits three kinds of row at once; this saves them through the ledger services in one
transaction, so a refusal anywhere (a stale version, a bad milestone) leaves everything as it was.
Only what differs from the stored rows is written, so an untouched sheet changes nothing and a
colleague's edit to a part this user did not touch is not overwritten.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.core.concurrency import lock_for_update
from gongjian.core.errors import GongjianError, ValidationFailed
from gongjian.org.models import Person, Unit
from gongjian.projects import ledger
from gongjian.projects.models import Milestone, Project, TeamMember


@dataclass(frozen=True)
class MilestoneRow:
    """One line of the sheet's milestone table; `id` is None for a new milestone."""

    line: int
    id: int | None
    version: int | None
    name: str
    planned_date: dt.date
    actual_date: dt.date | None = None
    person: Person | None = None
    unit: Unit | None = None
    note: str = ""


@dataclass(frozen=True)
class SheetResult:
    project: Project
    changed: bool


@transaction.atomic
def save_sheet(
    *,
    actor: Any,
    project_id: int,
    expected_version: int | None,
    fields: dict[str, Any],
    team: Sequence[tuple[Person, str]],
    milestones: Sequence[MilestoneRow],
) -> SheetResult:
    """Write the sheet's differences; errors in a milestone line name the line."""
    project = Project.objects.select_related("unit").get(pk=project_id)
    changes = {k: v for k, v in fields.items() if _differs(getattr(project, k), v)}
    current_team = [
        (m.person_id, m.duty)
        for m in TeamMember.objects.filter(project=project).order_by("person_id")
    ]
    team_changed = current_team != sorted((p.pk, duty.strip()) for p, duty in team)
    if changes or team_changed:
        # The team has no version of its own: it rides on the project's, so a page read before
        # a colleague's edit of either is refused instead of overwriting it.
        lock_for_update(Project, project_id, expected_version=expected_version)
    if changes:
        project = ledger.update_project(
            actor=actor, project_id=project_id, expected_version=None, changes=changes
        )
    if team_changed:
        ledger.set_team(actor=actor, project=project, members=team)
        if not changes:
            # An update() passes `auto_now` by, so the row says itself when it changed.
            Project.objects.filter(pk=project_id).update(
                version=F("version") + 1, updated_at=timezone.now()
            )
    changed = bool(changes) or team_changed
    stored = {m.pk: m for m in Milestone.objects.filter(project=project)}
    for row in milestones:
        try:
            changed |= _save_milestone(actor, project, row, stored)
        except GongjianError as exc:
            exc.message = _("节点第 %(line)s 行：%(message)s") % {
                "line": row.line,
                "message": exc.message,
            }
            exc.args = (exc.message,)
            raise
    return SheetResult(project, changed)


def _save_milestone(
    actor: Any, project: Project, row: MilestoneRow, stored: dict[int, Milestone]
) -> bool:
    values: dict[str, Any] = {
        "name": row.name,
        "planned_date": row.planned_date,
        "actual_date": row.actual_date,
        "person": row.person,
        "unit": row.unit,
        "note": row.note,
    }
    if row.id is None:
        ledger.add_milestone(actor=actor, project=project, **values)
        return True
    current = stored.get(row.id)
    if current is None:
        raise ValidationFailed(_("节点不属于本项目。"), field="milestone")
    changes = {k: v for k, v in values.items() if _differs(getattr(current, k), v)}
    if not changes:
        return False
    ledger.update_milestone(
        actor=actor, milestone_id=row.id, expected_version=row.version, changes=changes
    )
    return True


def _differs(stored: Any, given: Any) -> bool:
    if isinstance(given, str):
        return (stored or "") != given.strip()
    return bool(stored != given)
