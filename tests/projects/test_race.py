"""A real race on PostgreSQL: two reports of one project filed at the same moment.

The report service locks the project before it works the report summary out again, so the
second writer's summary counts the first writer's report too (PostgreSQL only, as
tests/supervision/test_race.py explains).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from gongjian.projects import reports
from gongjian.projects.models import Project, ReportSummary
from gongjian.projects.warnings import forecast_completion
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
