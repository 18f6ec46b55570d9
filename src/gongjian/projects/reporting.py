"""The reporting cadence (填报周期): the period a progress report is for, and which projects
owe one. A campaign reports by month or by 旬 (1st–10th, 11th–20th, 21st–end of month,
`Campaign.report_cadence`); the workbench, the API and any reminder ask `reports_due`, so
they count the same projects."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Q
from django.utils.translation import gettext as _

from gongjian.campaigns.models import ReportCadence
from gongjian.org.scope import Action
from gongjian.projects.models import Project, ProjectStatus
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
    due: list[Project]  # no report for this period yet
    overdue: list[Project]  # of those, no report for the last period either, which has ended


def reports_due(user: Any, on: dt.date, *, unit_path: str | None = None) -> ReportsDue:
    """Projects the user reports on (within `unit_path`, when given) in a running campaign that
    have no report for the current period of their campaign's cadence; overdue when the
    previous period, already inside the campaign, went without one too. One query whatever the
    number of projects. `period` is the monthly one, or the 旬 when every project due reports by
    旬."""
    periods = {c: reporting_period(on, c) for c in ReportCadence.values}
    owing = Q()
    for cadence, period in periods.items():
        owing |= Q(campaign__report_cadence=cadence) & (
            Q(last_report__isnull=True) | Q(last_report__lt=period.start)
        )
    month = periods[ReportCadence.MONTHLY]
    qs = (
        projects_for(user, Action.REPORT_PROGRESS)
        .filter(campaign__start_date__lte=on, campaign__end_date__gte=month.start)
        .exclude(status__in=NOT_REPORTING)
        .annotate(last_report=Max("reports__period_end"))
        .filter(owing)
        .select_related("campaign", "unit")
        .order_by("unit__sort_order", "unit_id", "code")
    )
    if unit_path is not None:
        qs = qs.filter(unit__path__startswith=unit_path)
    due: list[Project] = [
        p
        for p in qs
        if p.campaign is not None
        and p.campaign.end_date >= periods[p.campaign.report_cadence].start
    ]
    overdue = []
    for p in due:
        campaign = p.campaign
        if campaign is None:
            continue
        before = previous_period(periods[campaign.report_cadence])
        last = p.last_report  # type: ignore[attr-defined]
        if campaign.start_date <= before.end and (last is None or last < before.start):
            overdue.append(p)
    cadences = {p.campaign.report_cadence for p in due if p.campaign is not None}
    shown = periods[ReportCadence.DEKAD] if cadences == {ReportCadence.DEKAD} else month
    return ReportsDue(period=shown, due=due, overdue=overdue)
