"""Real races on PostgreSQL: reports of one project filed at the same moment (12.7).

The report service locks the project before it works the report summary out again, so the
second writer's summary counts the first writer's report too (PostgreSQL only, as
tests/supervision/test_race.py explains).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction

from gongjian.core.errors import GongjianError
from gongjian.projects import reports
from gongjian.projects.models import ProgressReport, Project, ReportSummary, WarningSnapshot
from gongjian.projects.snapshots import refresh_project_snapshot, snapshot_warnings
from gongjian.projects.warnings import forecast_completion
from tests.projects.conftest import TODAY
from tests.supervision.test_race import run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="需要 PostgreSQL：两个连接同时写入"
    ),
]


def test_two_earlier_reports_filed_at_once_are_both_in_the_summary(org, ledger):
    # Both are earlier than the June report, so neither takes over the project's latest
    # percent (which locks the project too): only the summary's own lock orders them.
    reports.submit_report(
        actor=org.hunan_staff,
        project=ledger.hunan_project,
        period_end=dt.date(2026, 6, 30),
        percent_done=Decimal(60),
    )

    def report(period_end: dt.date, percent: int):
        project = Project.objects.get(pk=ledger.hunan_project.pk)
        return lambda: reports.submit_report(
            actor=org.hunan_staff,
            project=project,
            period_end=period_end,
            percent_done=Decimal(percent),
        )

    results = run_together(report(dt.date(2026, 4, 30), 30), report(dt.date(2026, 5, 31), 40))
    assert not [r for r in results if isinstance(r, Exception)], results
    filed = sorted(ledger.hunan_project.reports.values_list("period_end", "percent_done"))
    summary = ReportSummary.objects.get(project=ledger.hunan_project)
    assert (summary.reports, summary.latest_period_end, summary.latest_percent) == (
        3,
        dt.date(2026, 6, 30),
        Decimal(60),
    )
    assert summary.forecast_completion == forecast_completion(filed)
    assert summary.forecast_completion is not None


def test_twenty_reports_for_one_period_at_once_store_one_and_tell_the_others(org, ledger):
    def report():
        project = Project.objects.get(pk=ledger.hunan_project.pk)
        return lambda: reports.submit_report(
            actor=org.hunan_staff,
            project=project,
            period_end=dt.date(2026, 6, 30),
            percent_done=Decimal(40),
        )

    results = run_together(*[report() for _ in range(20)])
    stored = [r for r in results if isinstance(r, ProgressReport)]
    refused = [r for r in results if isinstance(r, GongjianError)]
    assert len(stored) == 1, results
    assert len(refused) == 19, results
    assert {r.message for r in refused} == {"2026-06-30 的进度已填报；如需更正，请在原填报上修改。"}
    assert {r.http_status for r in refused} == {409}
    assert ledger.hunan_project.reports.count() == 1
    assert ReportSummary.objects.get(project=ledger.hunan_project).reports == 1


def test_reports_committed_together_each_refresh_the_days_snapshot_without_failing(org, ledger):
    snapshot_warnings(on=TODAY)
    periods = [dt.date(2026, 6, day) for day in range(10, 30, 2)]

    def report(period_end: dt.date):
        project = Project.objects.get(pk=ledger.hunan_project.pk)
        return lambda: reports.submit_report(
            actor=org.hunan_staff, project=project, period_end=period_end, percent_done=Decimal(50)
        )

    results = run_together(*[report(d) for d in periods])
    assert all(isinstance(r, ProgressReport) for r in results), results
    rows = WarningSnapshot.objects.filter(on=TODAY, project=ledger.hunan_project)
    assert rows.count() == 1
    assert rows.get().percent_done == Decimal(50)


def test_two_refreshes_of_one_projects_snapshot_overlapping_both_succeed(org, ledger):
    # The first refresh has written the row but not committed when the second starts: the
    # second cannot see (so cannot delete) it, and must not fail on the day's unique row.
    snapshot_warnings(on=TODAY)
    first_written, second_started = threading.Event(), threading.Event()
    ids = [ledger.hunan_project.pk]

    def first():
        with transaction.atomic():
            refresh_project_snapshot(project_ids=ids, on=TODAY)
            first_written.set()
            second_started.wait(10)
            time.sleep(0.5)  # the second is now waiting on this row
        return "first"

    def second():
        first_written.wait(10)
        second_started.set()
        refresh_project_snapshot(project_ids=ids, on=TODAY)
        return "second"

    assert run_together(first, second) == ["first", "second"]
    assert WarningSnapshot.objects.filter(on=TODAY, project_id__in=ids).count() == 1
