"""The reporting cadence (填报周期): the period a progress report is for, and which projects
owe one. A campaign reports by month or by 旬 (1st–10th, 11th–20th, 21st–end of month,
`Campaign.report_cadence`); the workbench and any reminder ask `reports_due`, so they count
the same projects."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from gongjian.campaigns.models import ReportCadence
from gongjian.org.scope import Action
from gongjian.projects.models import ProgressReport, Project, ProjectStatus
from gongjian.projects.selectors import projects_for

# Projects that no longer report: built, producing, or suspended with a reason on the ledger.
NOT_REPORTING = (ProjectStatus.COMPLETED, ProjectStatus.IN_PRODUCTION, ProjectStatus.SUSPENDED)


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    cadence: str = ReportCadence.MONTHLY

    @property
    def label(self) -> str:
        month = _("%(y)s年%(m)s月") % {"y": self.start.year, "m": self.start.month}
        if self.cadence == ReportCadence.DEKAD:
            names = {1: _("上旬"), 11: _("中旬"), 21: _("下旬")}
            return f"{month}{names[self.start.day]}"
        return month


def _month_end(on: dt.date) -> dt.date:
    following = (on.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return following - dt.timedelta(days=1)


def reporting_period(on: dt.date, cadence: str = ReportCadence.MONTHLY) -> Period:
    """The period `on` falls in: its calendar month, or its 旬 (the last one runs to the
    month's end, 8 to 11 days)."""
    if cadence == ReportCadence.DEKAD:
        first = 21 if on.day > 20 else 11 if on.day > 10 else 1
        start = on.replace(day=first)
        end = _month_end(on) if first == 21 else on.replace(day=first + 9)
        return Period(start, end, ReportCadence.DEKAD)
    return Period(on.replace(day=1), _month_end(on))


def previous_period(period: Period) -> Period:
    return reporting_period(period.start - dt.timedelta(days=1), period.cadence)


@dataclass(frozen=True)
class ReportsDue:
    period: Period
    due: QuerySet[Project]  # no report for this period yet
    overdue: QuerySet[Project]  # of those, no report for the last period either, which has ended
    due_count: int
    overdue_count: int


def _reported_since(day: dt.date) -> Exists:
    return Exists(ProgressReport.objects.filter(project=OuterRef("pk"), period_end__gte=day))


def reports_due(user: Any, on: dt.date, *, unit_path: str | None = None) -> ReportsDue:
    """Projects the user reports on (within `unit_path`, when given) in a running campaign that
    have no report for the current period of their campaign's cadence; overdue when the
    previous period, already inside the campaign, went without one too. Querysets, so a page
    counts them and shows the first few whatever the number of projects (a province office
    owes for 100,000); both counted in one pass. `period` is the monthly one, or the 旬 when
    every project due reports by 旬."""
    periods = {c: reporting_period(on, c) for c in ReportCadence.values}
    owing, late = Q(), Q()
    for cadence, period in periods.items():
        before = previous_period(period)
        this_cadence = Q(
            ~_reported_since(period.start),
            campaign__report_cadence=cadence,
            campaign__end_date__gte=period.start,
        )
        owing |= this_cadence
        late |= this_cadence & Q(
            ~_reported_since(before.start), campaign__start_date__lte=before.end
        )
    month = periods[ReportCadence.MONTHLY]
    qs = (
        projects_for(user, Action.REPORT_PROGRESS)
        .filter(campaign__start_date__lte=on, campaign__end_date__gte=month.start)
        .exclude(status__in=NOT_REPORTING)
        .select_related("campaign", "unit")
        .order_by("unit__sort_order", "unit_id", "code")
    )
    if unit_path is not None:
        qs = qs.filter(unit__path__startswith=unit_path)
    due = qs.filter(owing)
    by_cadence = {
        row["campaign__report_cadence"]: row
        for row in due.order_by()
        .values("campaign__report_cadence")
        .annotate(n=Count("pk"), late=Count("pk", filter=late))
    }
    shown = periods[ReportCadence.DEKAD] if set(by_cadence) == {ReportCadence.DEKAD} else month
    return ReportsDue(
        period=shown,
        due=due,
        overdue=qs.filter(late),
        due_count=sum(row["n"] for row in by_cadence.values()),
        overdue_count=sum(row["late"] for row in by_cadence.values()),
    )
