"""Coordination requests (协调事项): raised with a report or on their own, resolved by the
project's unit or the handling unit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from gongjian.core import clock
from gongjian.core.concurrency import lock_for_update
from gongjian.core.errors import PermissionDenied, ValidationFailed
from gongjian.core.history import record
from gongjian.core.text import check_text
from gongjian.org.models import Unit
from gongjian.org.scope import Action, scope_for
from gongjian.projects.ledger import require_scope
from gongjian.projects.models import (
    CoordinationCategory,
    CoordinationRequest,
    CoordinationStatus,
    ProgressReport,
    Project,
)
from gongjian.projects.selectors import projects_for


@dataclass(frozen=True)
class CoordinationInput:
    category: str
    description: str
    handling_unit: Unit | None = None
    deadline: dt.date | None = None


def validate_coordination(c: CoordinationInput) -> None:
    if c.category not in CoordinationCategory.values:
        raise ValidationFailed(_("未知的协调事项类别：%(v)s") % {"v": c.category}, field="category")
    check_text(CoordinationRequest, "description", c.description)
    if not c.description.strip():
        raise ValidationFailed(_("协调事项内容不能为空。"), field="description")


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
    require_scope(actor, Action.REPORT_PROGRESS, project.unit)
    return create_coordination(
        actor=actor,
        project=project,
        category=category,
        description=description,
        handling_unit=handling_unit,
        deadline=deadline,
        report=report,
        reason=_("提出协调事项"),
    )


@transaction.atomic
def create_coordination(
    *,
    actor: Any,
    project: Project,
    category: str,
    description: str,
    handling_unit: Unit | None = None,
    deadline: dt.date | None = None,
    report: ProgressReport | None = None,
    reason: str,
) -> CoordinationRequest:
    """The write itself, for callers that checked their own permission first: a report's
    reporter (`raise_coordination`), or a leader's site visit (supervision.visits), whose
    leader may raise a problem on a project he or she does not report on."""
    validate_coordination(CoordinationInput(category, description, handling_unit, deadline))
    row = CoordinationRequest(
        project=project,
        report=report,
        category=category,
        description=description.strip(),
        handling_unit=handling_unit,
        deadline=deadline,
    )
    record(row, actor=actor, reason=reason)
    row.save()
    return row


def may_resolve(actor: Any, request: CoordinationRequest) -> bool:
    """Who may close a coordination request: whoever keeps the project's ledger, or the handling
    unit's staff (the request is theirs to solve). The service, the page's button and the API
    all ask this. `actor` None is system work (the demo loader)."""
    if actor is None:
        return True
    scope = scope_for(actor)
    return scope.can(Action.EDIT_LEDGER, request.project.unit) or scope.can(
        Action.EDIT_LEDGER, request.handling_unit
    )


def waiting_on(actor: Any) -> QuerySet[CoordinationRequest]:
    """Open requests addressed to a unit whose ledger `actor` keeps: the handling unit's side of
    `may_resolve`, in SQL (the workbench's "协调事项待我单位办理")."""
    return (
        scope_for(actor)
        .filter(
            CoordinationRequest.objects.filter(
                status=CoordinationStatus.OPEN, handling_unit__isnull=False
            ),
            Action.EDIT_LEDGER,
            via="handling_unit",
        )
        .select_related("project", "handling_unit")
        .order_by(F("deadline").asc(nulls_last=True), "pk")
    )


def may_see(actor: Any, request: CoordinationRequest) -> bool:
    """Whether the request exists for this user at all: its project is in view, or it is
    addressed to a unit the user sees. Anyone else is told it does not exist (404)."""
    if projects_for(actor).filter(pk=request.project_id).exists():
        return True
    return request.handling_unit is not None and scope_for(actor).can(
        Action.VIEW, request.handling_unit
    )


@transaction.atomic
def resolve_coordination(
    *, actor: Any, request_id: int, expected_version: int | None, resolution: str
) -> CoordinationRequest:
    """Close a coordination request with its resolution; the handling unit or the office may."""
    current = CoordinationRequest.objects.select_related("project__unit", "handling_unit").get(
        pk=request_id
    )
    if not may_resolve(actor, current):
        raise PermissionDenied(_("无权办结该协调事项。"), action=str(Action.EDIT_LEDGER))
    resolution = check_text(CoordinationRequest, "resolution", resolution)
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
