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
from django.db.models import Count, Q, Sum

from gongjian.core.errors import GongjianError
from gongjian.projects import reports
from gongjian.projects.models import (
    ProgressReport,
    Project,
    ReportSummary,
    WarningSnapshot,
    WarningTally,
)
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


def _started(org, unit, code):
    from tests.projects.factories import ProjectFactory

    return ProjectFactory(
        code=code,
        unit=unit,
        campaign=org.line.campaign,
        line=org.line,
        actual_start=dt.date(2026, 1, 5),
        status="under_construction",
    )  # 0 % when the plan says 50 %: red


def _staff(unit, username):
    from gongjian.org.models import Role
    from tests.factories import UserFactory

    return UserFactory(username=username, unit=unit, roles=[Role.UNIT_STAFF])


def _tallies_match_rows(on):
    """Every unit's tallies count its snapshot rows, red and green, as the surge checks."""
    rows = (
        WarningSnapshot.objects.filter(on=on)
        .values("unit_id")
        .annotate(
            n=Count("pk"),
            red=Count("pk", filter=Q(colour="red")),
            green=Count("pk", filter=Q(colour="green")),
        )
        .values_list("unit_id", "n", "red", "green")
        .order_by("unit_id")
    )
    tallied = (
        WarningTally.objects.filter(on=on)
        .values("unit_id")
        .annotate(n=Sum("projects"), red=Sum("red"), green=Sum("green"))
        .values_list("unit_id", "n", "red", "green")
        .order_by("unit_id")
    )
    return list(rows) == list(tallied)


def test_two_towns_reports_at_once_both_reach_the_snapshot_and_the_tallies(org):
    from gongjian.projects.models import PendingRefresh

    hunan, songxia = _started(org, org.hunan, "HN-R1"), _started(org, org.songxia, "SX-R1")
    snapshot_warnings(on=TODAY)
    people = {hunan.pk: org.hunan_staff, songxia.pk: _staff(org.songxia, "songxia")}

    def report(pk):
        project = Project.objects.get(pk=pk)
        return lambda: reports.submit_report(
            actor=people[pk], project=project, period_end=TODAY, percent_done=Decimal(45)
        )

    results = run_together(report(hunan.pk), report(songxia.pk))

    assert all(isinstance(r, ProgressReport) for r in results), results
    rows = WarningSnapshot.objects.filter(on=TODAY).order_by("project_id")
    assert list(rows.values_list("project_id", "colour", "percent_done")) == [
        (hunan.pk, "green", Decimal("45.00")),
        (songxia.pk, "green", Decimal("45.00")),
    ]
    assert _tallies_match_rows(TODAY)
    assert not PendingRefresh.objects.exists()


def test_a_refresh_skips_a_project_being_written_and_that_write_brings_it(org, monkeypatch):
    from gongjian.projects import refreshes
    from gongjian.projects.models import PendingRefresh

    held, other = _started(org, org.hunan, "HN-R2"), _started(org, org.hunan, "HN-R3")
    snapshot_warnings(on=TODAY)
    # Both marked, and left so: their refreshes after commit do nothing here.
    monkeypatch.setattr(refreshes, "work_off_soon", lambda: None)
    for p in (held, other):
        reports.submit_report(
            actor=org.hunan_staff, project=p, period_end=TODAY, percent_done=Decimal(30)
        )
    monkeypatch.undo()
    filed, refreshed = threading.Event(), threading.Event()
    order: list[str] = []

    def correction_held_open():
        project = Project.objects.get(pk=held.pk)
        with transaction.atomic():  # the correction's lock on its project lasts until here
            reports.submit_report(
                actor=org.hunan_staff,
                project=project,
                period_end=TODAY,
                percent_done=Decimal(45),
                expected_version=1,
            )
            filed.set()
            refreshed.wait(10)
            order.append("correction commits")
        return "corrected"

    def refresh_meanwhile():
        filed.wait(10)
        n = refreshes.work_off()
        order.append("refresh done")
        refreshed.set()
        return n

    assert run_together(correction_held_open, refresh_meanwhile) == ["corrected", 1]
    assert order == ["refresh done", "correction commits"]  # it did not wait for the lock
    rows = dict(WarningSnapshot.objects.filter(on=TODAY).values_list("project_id", "percent_done"))
    assert rows == {held.pk: Decimal("45.00"), other.pk: Decimal("30.00")}
    assert not PendingRefresh.objects.exists()
    assert _tallies_match_rows(TODAY)
