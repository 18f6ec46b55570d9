"""The battle map's figures agree with the ledger, within each user's scope."""

import datetime as dt
from decimal import Decimal

from gongjian.dashboard import selectors
from gongjian.projects.models import ProgressReport, WarningSnapshot
from gongjian.projects.snapshots import refresh_project_snapshot, snapshot_warnings
from tests.dashboard.conftest import ON


def test_office_overview_counts_every_project_by_colour(ledger, org):
    data = selectors.overview(org.office, ledger.campaign, ON)
    assert data["colours"] == {"red": 2, "yellow": 1, "green": 1}
    assert data["projects"] == 4
    assert (data["days_total"], data["days_elapsed"], data["days_left"]) == (100, 100, 0)


def test_town_overview_counts_only_its_own_projects(ledger, org):
    data = selectors.overview(org.hunan_staff, ledger.campaign, ON)
    assert data["colours"] == {"red": 1, "yellow": 1, "green": 1}
    assert data["investment"]["annual_planned_wan"] == 1500.5
    assert data["investment"]["completed_wan"] == 350.25
    assert data["investment"]["percent_of_annual"] == 23.3
    assert data["investment"]["percent_of_total"] is None  # no total investment entered


def test_lagging_units_are_worst_first(ledger, org):
    data = selectors.overview(org.office, ledger.campaign, ON)
    assert [(u["unit"], u["red"], u["yellow"]) for u in data["lagging_units"]] == [
        ("湖南镇", 1, 1),
        ("松下镇", 1, 0),
    ]


def test_campaign_clock_counts_days_elapsed_and_left(ledger):
    clock = selectors.campaign_clock(ledger.campaign, dt.date(2026, 10, 2))
    assert (clock.days_elapsed, clock.days_left) == (10, 90)


def test_snapshot_twice_is_the_same_as_once(ledger):
    first = snapshot_warnings(on=ON)
    second = snapshot_warnings(on=ON)
    assert first == second
    assert WarningSnapshot.objects.filter(on=ON).count() == 4


def test_a_new_report_refreshes_the_days_colour(ledger):
    snapshot_warnings(on=ON)
    ProgressReport.objects.filter(project=ledger.yellow).update(percent_done=Decimal("55"))
    refresh_project_snapshot(project_ids=[ledger.yellow.pk], on=ON)
    assert WarningSnapshot.objects.get(project=ledger.yellow, on=ON).colour == "yellow"  # milestone
    ledger.yellow.milestones.update(actual_date=dt.date(2026, 12, 9))
    refresh_project_snapshot(project_ids=[ledger.yellow.pk], on=ON)
    assert WarningSnapshot.objects.get(project=ledger.yellow, on=ON).colour == "green"


def test_drill_down_lists_the_projects_behind_a_colour(ledger, org):
    rows = selectors.drill_projects(org.office, ON, campaign=ledger.campaign, colour="red")
    assert [r.project.code for r in rows] == ["P1", "P4"]


def test_leader_sees_linked_unit_projects_worst_first(ledger, org):
    rows = selectors.leader_projects(org.leader, ON)
    assert [(r.project.code, r.colour) for r in rows] == [
        ("P1", "red"),
        ("P2", "yellow"),
        ("P3", "green"),
    ]


def test_leader_sees_a_project_he_leads_outside_his_units(ledger, org):
    ledger.songxia.leader = org.leader.person
    ledger.songxia.save()
    assert "P4" in [r.project.code for r in selectors.leader_projects(org.leader, ON)]


def test_briefing_lists_projects_that_turned_red_since_yesterday(ledger, org):
    snapshot_warnings(on=ON - dt.timedelta(days=1))
    WarningSnapshot.objects.filter(project=ledger.songxia).update(colour="yellow")
    data = selectors.briefing(org.office, ON)
    assert [s.project.code for s in data["new_reds"]] == ["P4"]


def test_overview_costs_the_same_queries_for_more_projects(
    ledger, org, django_assert_max_num_queries
):
    snapshot_warnings(on=ON)
    with django_assert_max_num_queries(12):
        selectors.overview(org.office, ledger.campaign, ON)


def test_a_report_through_the_service_updates_the_battle_map_at_once(
    ledger, org, settings, django_capture_on_commit_callbacks
):
    from gongjian.projects import reports

    settings.GONGJIAN_TODAY = ON.isoformat()
    snapshot_warnings(on=ON)
    assert WarningSnapshot.objects.get(project=ledger.songxia, on=ON).colour == "red"
    songxia_staff = type(org.hunan_staff).objects.create(username="sx", unit=org.songxia)
    songxia_staff.roles.create(role="unit_staff")
    with django_capture_on_commit_callbacks(execute=True):
        reports.submit_report(
            actor=songxia_staff,
            project=ledger.songxia,
            period_end=ON,
            percent_done=Decimal("48"),
            expected_version=ProgressReport.objects.get(project=ledger.songxia).version,
        )
    assert WarningSnapshot.objects.get(project=ledger.songxia, on=ON).colour == "green"


def test_tick_stores_the_days_snapshot_once_however_often_it_runs(ledger, settings):
    from io import StringIO

    from django.core.management import call_command

    settings.GONGJIAN_TODAY = ON.isoformat()
    for _ in range(2):
        out = StringIO()
        call_command("tick", "--no-deliver", stdout=out)
        assert "预警快照：红灯 2，黄灯 1，绿灯 1" in out.getvalue()
    assert WarningSnapshot.objects.filter(on=ON).count() == 4
