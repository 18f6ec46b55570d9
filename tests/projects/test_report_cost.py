"""Filing a report costs the same however long the project's history is, and what it leaves
behind is what the full recomputation would write (summary, latest progress, battle map)."""

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongjian.projects import reports
from gongjian.projects.models import ProgressReport, Project, ReportSummary
from gongjian.projects.reports import refresh_report_summaries
from gongjian.projects.snapshots import WarningSnapshot, snapshot_warnings
from tests.projects.conftest import TODAY

MONTH_ENDS = [dt.date(2025, m, 28) for m in range(1, 13)] + [dt.date(2026, m, 28) for m in (1, 2)]


def _history(project, n):
    for i, day in enumerate(MONTH_ENDS[:n]):
        ProgressReport.objects.create(project=project, period_end=day, percent_done=Decimal(i))
    refresh_report_summaries(project_ids=[project.pk])


def _file(org, project, day, percent):
    with CaptureQueriesContext(connection) as ctx:
        reports.submit_report(
            actor=org.hunan_staff, project=project, period_end=day, percent_done=Decimal(percent)
        )
    return len(ctx.captured_queries)


def test_a_report_costs_the_same_queries_after_two_or_fourteen_earlier_reports(org, ledger):
    short, long = ledger.hunan_project, ledger.songxia_project
    Project.objects.filter(pk=long.pk).update(unit=org.hunan)
    long.refresh_from_db()
    _history(short, 2)
    _history(long, 14)
    snapshot_warnings(on=TODAY)

    assert _file(org, short, TODAY, 30) == _file(org, long, TODAY, 30)


def test_a_filed_report_leaves_the_summary_a_full_recomputation_writes(
    org, ledger, django_capture_on_commit_callbacks
):
    project = ledger.hunan_project
    _history(project, 5)
    snapshot_warnings(on=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        _file(org, project, dt.date(2026, 6, 30), 40)
    kept = ReportSummary.objects.filter(project=project).values().get()

    refresh_report_summaries(project_ids=[project.pk])

    assert ReportSummary.objects.filter(project=project).values().get() == kept
    assert kept["reports"] == 6
    assert kept["latest_percent"] == Decimal("40.00")
    project.refresh_from_db()
    assert project.percent_done == Decimal("40.00")
    assert project.version == 2
    assert WarningSnapshot.objects.get(project=project, on=TODAY).percent_done == Decimal("40.00")


def test_a_report_between_two_periods_keeps_the_latest_progress_and_counts_once(org, ledger):
    project = ledger.hunan_project
    _history(project, 3)  # 0, 1, 2 % at the end of Jan, Feb, Mar 2025
    Project.objects.filter(pk=project.pk).update(percent_done=Decimal(2))
    _file(org, project, dt.date(2025, 2, 15), Decimal("0.5"))

    project.refresh_from_db()
    assert project.percent_done == Decimal(2)
    summary = ReportSummary.objects.get(project=project)
    assert (summary.reports, summary.latest_period_end) == (4, dt.date(2025, 3, 28))
