"""The overview sums the day's tallies per unit and line: they must give the same figures as the
snapshot and the ledger themselves, in every user's scope, and follow each change at once."""

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection

from gongjian.campaigns.models import Line
from gongjian.dashboard import selectors
from gongjian.org.scope import scope_for
from gongjian.projects import ledger as ledger_service
from gongjian.projects import reports
from gongjian.projects.models import ProgressReport, Project, WarningSnapshot, WarningTally
from gongjian.projects.snapshots import snapshot_warnings
from tests.dashboard.conftest import ON, make_project

USERS = ["office", "city_office", "hunan_staff", "leader", "lead", "viewer"]


@pytest.fixture
def lines(ledger, org):
    """Two lines, projects on each in three units (one outside the campaign owner's district)."""
    org.line.campaign = ledger.campaign
    org.line.save()
    second = Line.objects.create(
        campaign=ledger.campaign, name="民生实事攻坚", lead_unit=org.fagai, sort_order=-1
    )
    start, end = dt.date(2026, 1, 1), dt.date(2027, 12, 31)
    extra = [
        ("L1", org.hunan, org.line, "40", "1200.10", "300.05", "5000"),
        ("L2", org.songxia, org.line, "20", "800.33", "100.11", "0"),
        ("L3", org.songxia, second, "50", "99.99", "99.99", "120.5"),
        ("L4", org.hunan_village, second, None, "10", "0", "10"),
        ("L5", org.gulou_caizheng, org.line, "60", "700", "450.45", "900"),
    ]
    for code, unit, line, percent, annual, done, total in extra:
        make_project(
            code, unit, ledger.campaign, start=start, end=end, percent=percent, line=line,
            annual_planned_wan=Decimal(annual), investment_completed_wan=Decimal(done),
            total_investment_wan=Decimal(total), started=percent is not None,
        )  # fmt: skip
    Project.objects.filter(pk=ledger.yellow.pk).update(line=second)
    return org.line, second


def expected_overview(user, campaign, on):
    """The overview's figures the slow way: every snapshot row and every project in scope."""
    scope = scope_for(user)
    snaps = list(
        scope.filter(WarningSnapshot.objects.filter(on=on, campaign=campaign)).select_related(
            "unit"
        )
    )
    projects = list(scope.filter(Project.objects.filter(campaign=campaign)).select_related("line"))
    # Projects without a line come where the database sorts NULL (last on PostgreSQL).
    none_at = (1 << 30) * (1 if connection.features.nulls_order_largest else -1)
    lines: dict[int | None, list[Project]] = {}
    for p in sorted(projects, key=lambda p: (p.line.sort_order if p.line else none_at, p.line_id)):
        lines.setdefault(p.line_id, []).append(p)
    per_unit: dict[int, Counter[str]] = {}
    for s in snaps:
        per_unit.setdefault(s.unit_id, Counter())[s.colour] += 1
    names = {s.unit_id: s.unit.name for s in snaps}
    lagging = sorted(
        (u for u, c in per_unit.items() if c["red"] or c["yellow"]),
        key=lambda u: (-per_unit[u]["red"], -per_unit[u]["yellow"], names[u], u),
    )
    return {
        "colours": {c: sum(1 for s in snaps if s.colour == c) for c in ("red", "yellow", "green")},
        "at_risk": sum(1 for s in snaps if s.at_risk and s.colour != "red"),
        "by_line": [
            {
                "line_id": line_id,
                "line": rows[0].line.name if rows[0].line else "（未分专项）",
                "projects": len(rows),
                "annual_planned_wan": float(sum(p.annual_planned_wan for p in rows)),
                "completed_wan": float(sum(p.investment_completed_wan for p in rows)),
            }
            for line_id, rows in lines.items()
        ],
        "total_wan": float(sum(p.total_investment_wan for p in projects)),
        "lagging_units": [
            {
                "unit_id": u,
                "unit": names[u],
                "red": per_unit[u]["red"],
                "yellow": per_unit[u]["yellow"],
                "total": sum(per_unit[u].values()),
            }
            for u in lagging
        ][:10],
    }


def figures(data):
    return {
        "colours": data["colours"],
        "at_risk": data["at_risk"],
        "by_line": data["by_line"],
        "total_wan": data["investment"]["total_wan"],
        "lagging_units": data["lagging_units"],
    }


@pytest.mark.parametrize("user", USERS)
def test_overview_from_tallies_equals_the_snapshot_and_ledger_in_each_scope(
    ledger, org, lines, user
):
    who = getattr(org, user)
    snapshot_warnings(on=ON)  # tick's run
    data = selectors.overview(who, ledger.campaign, ON)
    assert figures(data) == expected_overview(who, ledger.campaign, ON)


def test_tallies_hold_one_row_per_campaign_unit_and_line(ledger, lines):
    snapshot_warnings(on=ON)
    groups = set(
        WarningSnapshot.objects.filter(on=ON).values_list("campaign_id", "unit_id", "project__line")
    )
    assert WarningTally.objects.filter(on=ON).count() == len(groups) == 8


def test_a_county_office_sees_only_its_subtree(ledger, org, lines):
    data = selectors.overview(org.office, ledger.campaign, ON)
    assert data["projects"] == 8  # the four of the ledger and L1–L4; not 鼓楼's L5
    assert {row["unit"] for row in data["lagging_units"]} == {"湖南镇", "松下镇", "湖南村"}
    assert data["investment"]["total_wan"] == 5130.5
    city = selectors.overview(org.city_office, ledger.campaign, ON)
    assert city["projects"] == 9
    assert city["investment"]["total_wan"] == 6030.5


def test_a_leader_sees_only_the_units_he_is_linked_to_and_his_own(ledger, org, lines):
    data = selectors.overview(org.leader, ledger.campaign, ON)
    # 林副区长 is linked to 湖南镇 (P1–P3, L1, L4 in 湖南村) and works in 区财政局 (none).
    assert data["projects"] == 5
    assert {row["unit_id"] for row in data["lagging_units"]} <= {org.hunan.pk, org.hunan_village.pk}
    assert sorted((row["line"], row["projects"]) for row in data["by_line"]) == [
        ("民生实事攻坚", 2),
        ("重大项目建设提速攻坚", 1),
        ("（未分专项）", 2),
    ]


def _today(settings):
    settings.GONGJIAN_TODAY = ON.isoformat()


def test_a_report_through_the_service_updates_the_overview_at_once(
    ledger, org, lines, settings, django_capture_on_commit_callbacks
):
    _today(settings)
    snapshot_warnings(on=ON)  # tick's run
    before = selectors.overview(org.office, ledger.campaign, ON)
    l2 = Project.objects.get(code="L2")
    was = WarningSnapshot.objects.get(project=l2, on=ON).colour
    assert was != "green"
    with django_capture_on_commit_callbacks(execute=True):
        reports.submit_report(
            actor=org.office,
            project=l2,
            period_end=ON,
            percent_done=Decimal("60"),
            investment_to_date_wan=Decimal("500.11"),
            expected_version=ProgressReport.objects.get(project=l2).version,
        )
    after = selectors.overview(org.office, ledger.campaign, ON)
    assert after["colours"]["green"] == before["colours"]["green"] + 1
    assert after["colours"][was] == before["colours"][was] - 1
    assert after["investment"]["completed_wan"] == before["investment"]["completed_wan"] + 400
    assert figures(after) == expected_overview(org.office, ledger.campaign, ON)


def test_moving_a_project_to_another_unit_and_line_moves_it_in_the_tallies(
    ledger, org, lines, settings, django_capture_on_commit_callbacks
):
    _today(settings)
    first = lines[0]
    snapshot_warnings(on=ON)  # tick's run: today's snapshot and tallies
    l4 = Project.objects.get(code="L4")
    with django_capture_on_commit_callbacks(execute=True):
        ledger_service.update_project(
            actor=org.office,
            project_id=l4.pk,
            expected_version=l4.version,
            changes={"unit": org.songxia, "line": first},
        )
    assert not WarningTally.objects.filter(on=ON, unit=org.hunan_village).exists()
    for user in USERS:
        who = getattr(org, user)
        assert figures(selectors.overview(who, ledger.campaign, ON)) == expected_overview(
            who, ledger.campaign, ON
        )


def test_a_new_project_enters_the_days_tallies_at_once(
    ledger, org, lines, settings, django_capture_on_commit_callbacks
):
    _today(settings)
    snapshot_warnings(on=ON)  # tick's run
    before = selectors.overview(org.hunan_staff, ledger.campaign, ON)
    with django_capture_on_commit_callbacks(execute=True):
        ledger_service.create_project(
            actor=org.hunan_staff,
            code="N1",
            name="新项目",
            level="city",
            unit=org.hunan,
            line=lines[1],
            annual_planned_wan=Decimal("66.6"),
            planned_start=dt.date(2027, 3, 1),
            planned_completion=dt.date(2027, 12, 1),
        )
    after = selectors.overview(org.hunan_staff, ledger.campaign, ON)
    assert after["projects"] == before["projects"] + 1
    assert after["investment"]["annual_planned_wan"] == pytest.approx(
        before["investment"]["annual_planned_wan"] + 66.6
    )
    assert figures(after) == expected_overview(org.hunan_staff, ledger.campaign, ON)


def test_a_day_snapshotted_before_there_were_tallies_is_summed_on_read_without_storing(
    ledger, org, lines
):
    snapshot_warnings(on=ON)
    WarningTally.objects.all().delete()
    data = selectors.overview(org.office, ledger.campaign, ON)
    assert data["projects"] == 8
    assert figures(data) == expected_overview(org.office, ledger.campaign, ON)
    assert WarningSnapshot.objects.filter(on=ON).count() == 9  # the snapshot was kept
    assert not WarningTally.objects.exists()  # a read stores nothing (12.7)


def test_a_day_never_snapshotted_is_worked_out_for_the_read_and_nothing_is_stored(
    ledger, org, lines
):
    data = selectors.overview(org.office, ledger.campaign, ON)
    assert not WarningSnapshot.objects.exists()
    assert not WarningTally.objects.exists()
    snapshot_warnings(on=ON)  # what tick would store: the read showed the same
    assert figures(data) == expected_overview(org.office, ledger.campaign, ON)


def test_a_viewers_overview_by_api_for_a_past_date_stores_no_snapshot(client, ledger, org, lines):
    client.force_login(org.viewer)
    response = client.get(
        "/api/dashboard/overview", {"campaign": ledger.campaign.pk, "on": "2026-11-30"}
    )
    assert response.status_code == 200
    assert not WarningSnapshot.objects.exists()
    assert not WarningTally.objects.exists()
