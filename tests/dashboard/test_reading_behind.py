"""The battle map never shows a colour older than a report already filed: a report whose refresh
has not run yet (projects/refreshes.py) is worked out by the reader for its own read, which
stores nothing."""

from __future__ import annotations

from decimal import Decimal

from gongjian.dashboard import selectors
from gongjian.projects import reports
from gongjian.projects.models import PendingRefresh, ProgressReport, WarningSnapshot, WarningTally
from gongjian.projects.snapshots import snapshot_warnings
from tests.dashboard.conftest import ON


def _songxia_reports_48(org, ledger):
    songxia_staff = type(org.hunan_staff).objects.create(username="sx", unit=org.songxia)
    songxia_staff.roles.create(role="unit_staff")
    reports.submit_report(
        actor=songxia_staff,
        project=ledger.songxia,
        period_end=ON,
        percent_done=Decimal("48"),
        expected_version=ProgressReport.objects.get(project=ledger.songxia).version,
    )  # its refresh, after commit, has not run: the test's transaction never commits


def test_the_overview_counts_a_report_whose_refresh_has_not_run_and_stores_nothing(
    ledger, org, settings
):
    settings.GONGJIAN_TODAY = ON.isoformat()
    snapshot_warnings(on=ON)
    before = selectors.overview(org.office, ledger.campaign, ON)["colours"]
    tallies = list(WarningTally.objects.filter(on=ON).values().order_by("pk"))

    _songxia_reports_48(org, ledger)
    after = selectors.overview(org.office, ledger.campaign, ON)["colours"]

    assert before == {"red": 2, "yellow": 1, "green": 1}
    assert after == {"red": 1, "yellow": 1, "green": 2}
    # The read stored nothing: the row, the tallies and the mark wait for the refresh.
    assert WarningSnapshot.objects.get(project=ledger.songxia, on=ON).colour == "red"
    assert list(WarningTally.objects.filter(on=ON).values().order_by("pk")) == tallies
    assert PendingRefresh.objects.filter(project=ledger.songxia, on=ON).exists()


def test_the_drill_down_lists_a_marked_project_under_its_new_colour(ledger, org, settings):
    settings.GONGJIAN_TODAY = ON.isoformat()
    snapshot_warnings(on=ON)
    _songxia_reports_48(org, ledger)

    reds = selectors.drill_projects(org.office, ON, campaign=ledger.campaign, colour="red")
    greens = selectors.drill_projects(org.office, ON, campaign=ledger.campaign, colour="green")

    assert ledger.songxia.pk not in [row.project_id for row in reds]
    assert ledger.songxia.pk in [row.project_id for row in greens]
    assert [r.percent_done for r in greens if r.project_id == ledger.songxia.pk] == [Decimal(48)]
