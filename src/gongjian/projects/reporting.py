"""The reporting cadence (填报周期): the period a progress report is for, and which projects
owe one. Monthly today (a campaign reporting by 旬 gets its periods here too); the workbench,
the API and any reminder ask `reports_due`, so they count the same projects."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Q
from django.utils.translation import gettext as _

from gongjian.org.scope import Action
from gongjian.projects.models import Project, ProjectStatus
from gongjian.projects.selectors import projects_for

# Projects that no longer report: built, producing, or suspended with a reason on the ledger.
NOT_REPORTING = (ProjectStatus.COMPLETED, ProjectStatus.IN_PRODUCTION, ProjectStatus.SUSPENDED)


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        return _("%(y)s年%(m)s月") % {"y": self.start.year, "m": self.start.month}


def reporting_period(on: dt.date) -> Period:
    """The period `on` falls in: its calendar month."""
    start = on.replace(day=1)
    following = (start + dt.timedelta(days=32)).replace(day=1)
    return Period(start, following - dt.timedelta(days=1))


def previous_period(period: Period) -> Period:
    return reporting_period(period.start - dt.timedelta(days=1))


@dataclass(frozen=True)
class ReportsDue:
    period: Period
    due: list[Project]  # no report for this period yet
    overdue: list[Project]  # of those, no report for the last period either, which has ended


def reports_due(user: Any, on: dt.date, *, unit_path: str | None = None) -> ReportsDue:
    """Projects the user reports on (within `unit_path`, when given) in a running campaign that
    have no report for the current period; overdue when the previous period, already inside the
    campaign, went without one too. One query whatever the number of projects."""
    period = reporting_period(on)
    before = previous_period(period)
    qs = (
        projects_for(user, Action.REPORT_PROGRESS)
        .filter(campaign__start_date__lte=on, campaign__end_date__gte=period.start)
        .exclude(status__in=NOT_REPORTING)
        .annotate(last_report=Max("reports__period_end"))
        .filter(Q(last_report__isnull=True) | Q(last_report__lt=period.start))
        .select_related("campaign", "unit")
        .order_by("unit__sort_order", "unit_id", "code")
    )
    if unit_path is not None:
        qs = qs.filter(unit__path__startswith=unit_path)
    due: list[Project] = list(qs)
    overdue = [
        p
        for p in due
        if p.campaign is not None
        and p.campaign.start_date <= before.end
        and (p.last_report is None or p.last_report < before.start)  # type: ignore[attr-defined]
    ]
    return ReportsDue(period=period, due=due, overdue=overdue)
