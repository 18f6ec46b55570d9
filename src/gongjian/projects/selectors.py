"""Reads of the ledger: projects in a user's scope, and their warnings on a date."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from gongjian.org.scope import Action, scope_for
from gongjian.projects.models import Milestone, ProgressReport, Project
from gongjian.projects.warnings import MilestoneFacts, ProjectFacts, Thresholds, Warning, assess


def projects_for(user: Any, action: Action = Action.VIEW) -> QuerySet[Project]:
    return scope_for(user).filter(Project.objects.all(), action, via="unit")


def thresholds_of(project: Project) -> Thresholds:
    c = project.campaign
    if c is None:
        return Thresholds()
    return Thresholds(
        yellow_gap=c.warn_yellow_gap,
        red_gap=c.warn_red_gap,
        not_started_red_months=c.warn_not_started_red_months,
        milestone_red_days=c.warn_milestone_red_days,
    )


def warnings_for(
    projects: Iterable[Project] | QuerySet[Project], on: dt.date
) -> dict[int, Warning]:
    """Warnings of many projects on `on`, in three queries whatever their number."""
    if isinstance(projects, QuerySet):
        projects = projects.select_related("campaign")
    rows = list(projects)
    ids = [p.pk for p in rows]
    milestones: dict[int, list[MilestoneFacts]] = defaultdict(list)
    for pid, name, planned, actual in Milestone.objects.filter(project_id__in=ids).values_list(
        "project_id", "name", "planned_date", "actual_date"
    ):
        milestones[pid].append(MilestoneFacts(name, planned, actual))
    reports: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for pid, period_end, percent in ProgressReport.objects.filter(
        project_id__in=ids, period_end__lte=on
    ).values_list("project_id", "period_end", "percent_done"):
        reports[pid].append((period_end, percent))
    return {
        p.pk: assess(
            ProjectFacts(
                planned_start=p.planned_start,
                planned_completion=p.planned_completion,
                actual_start=p.actual_start,
                actual_completion=p.actual_completion,
                not_started_reason=p.not_started_reason,
                milestones=milestones[p.pk],
                reports=reports[p.pk],
            ),
            on,
            thresholds_of(p),
        )
        for p in rows
    }
