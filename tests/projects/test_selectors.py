"""Ledger reads: scope per role (leaders also by project), filters, warnings in few queries."""

import datetime as dt
from decimal import Decimal

import pytest

from gongjian.projects import selectors
from gongjian.projects.models import TeamMember
from tests.factories import PersonFactory, UserFactory
from tests.projects.conftest import TODAY
from tests.projects.factories import MilestoneFactory, ProjectFactory, ReportFactory

D = dt.date


@pytest.mark.parametrize(
    ("who", "codes"),
    [
        ("office", ["HN-01", "SX-01"]),
        ("city_office", ["HN-01", "SX-01"]),
        ("hunan_staff", ["HN-01"]),
        ("lead", ["HN-01", "SX-01"]),
        ("leader", ["HN-01"]),
        ("inspector", ["HN-01", "SX-01"]),
        ("viewer", ["HN-01"]),
    ],
)
def test_projects_for_each_role(org, ledger, who, codes):
    assert list(selectors.projects_for(getattr(org, who)).values_list("code", flat=True)) == codes


def test_a_leader_also_sees_projects_he_leads_or_is_in_outside_his_units(org, ledger):
    person = PersonFactory(name="黄副区长", unit=org.caizheng, is_leader=True)
    user = UserFactory(username="huang", unit=org.caizheng, roles=["leader"], person=person)
    led = ProjectFactory(code="SX-02", unit=org.songxia, leader=person)
    TeamMember.objects.create(project=ledger.songxia_project, person=person)
    assert sorted(selectors.projects_for(user).values_list("code", flat=True)) == ["SX-01", "SX-02"]
    assert led.code == "SX-02"


def test_anonymous_sees_nothing(ledger):
    from django.contrib.auth.models import AnonymousUser

    assert list(selectors.projects_for(AnonymousUser())) == []


def test_edit_scope_excludes_leader_links(org, ledger):
    from gongjian.org.scope import Action

    assert list(selectors.projects_for(org.leader, Action.EDIT_LEDGER)) == []


@pytest.mark.parametrize(
    ("filters", "codes"),
    [
        ({"q": "安置"}, ["HN-01"]),
        ({"q": "sx-"}, ["SX-01"]),
        ({"level": "city"}, ["HN-01"]),
        ({"colour": "red"}, ["SX-01"]),
        ({"colour": "yellow"}, ["HN-01"]),
        ({"colour": "green"}, []),
    ],
)
def test_ledger_filters(org, ledger, filters, codes):
    # HN-01: milestone 21 days overdue → yellow; SX-01: started, no report → yellow, but
    # give it a far-behind report → red.
    ReportFactory(
        project=ledger.songxia_project, period_end=D(2026, 6, 30), percent_done=Decimal(5)
    )
    ReportFactory(project=ledger.hunan_project, period_end=D(2026, 6, 30), percent_done=Decimal(50))
    rows = selectors.ledger(org.office, selectors.LedgerFilter(**filters), TODAY)
    assert [r.project.code for r in rows] == codes


def test_ledger_filters_by_unit_subtree_campaign_line_and_leader(org, ledger):
    f = selectors.LedgerFilter(
        unit=org.changle.pk,
        campaign=org.line.campaign_id,
        line=org.line.pk,
        leader=ledger.town_leader.pk,
    )
    assert [r.project.code for r in selectors.ledger(org.office, f, TODAY)] == ["HN-01"]


def test_warnings_for_many_projects_take_three_queries(org, ledger, django_assert_num_queries):
    for i in range(20):
        p = ProjectFactory(code=f"Z-{i}", unit=org.hunan, actual_start=D(2026, 1, 2))
        MilestoneFactory(project=p, seq=1, name="开工", planned_date=D(2026, 1, 1))
        ReportFactory(project=p, period_end=D(2026, 6, 30), percent_done=Decimal(i))
    projects = list(selectors.projects_for(org.office).select_related("campaign"))
    with django_assert_num_queries(2):
        warnings = selectors.warnings_for(projects, TODAY)
    assert len(warnings) == 22


def test_warnings_for_ignores_milestones_reached_before_the_date(org, ledger):
    ledger.milestone.actual_date = D(2026, 6, 20)
    ledger.milestone.save()
    ReportFactory(project=ledger.hunan_project, period_end=D(2026, 6, 30), percent_done=Decimal(50))
    w = selectors.warnings_for([ledger.hunan_project], TODAY)[ledger.hunan_project.pk]
    assert w.colour.value == "green"
    late = selectors.warnings_for([ledger.hunan_project], D(2026, 6, 19))[ledger.hunan_project.pk]
    assert "主体完工节点逾期 8 天" in late.reasons


def test_campaign_thresholds_apply(org, ledger):
    campaign = org.line.campaign
    campaign.warn_milestone_red_days = 20
    campaign.save()
    ReportFactory(project=ledger.hunan_project, period_end=D(2026, 6, 30), percent_done=Decimal(50))
    w = selectors.warnings_for(selectors.projects_for(org.office).filter(code="HN-01"), TODAY)
    assert w[ledger.hunan_project.pk].colour.value == "red"
    assert w[ledger.hunan_project.pk].reasons[0] == "主体完工节点逾期 21 天"


def test_warning_rows_carry_the_contract_keys(org, ledger):
    rows = selectors.warning_rows(selectors.projects_for(org.office), TODAY)
    assert [r["project_code"] for r in rows] == ["HN-01", "SX-01"]
    assert rows[0]["unit"] == "湖南镇"
    assert rows[0]["level"] == "city"
    assert rows[0]["colour"] == "yellow"
    assert rows[0]["reasons"] == ["已开工但尚无进度填报", "主体完工节点逾期 21 天"]
    assert rows[0]["forecast_completion"] is None


def test_history_lists_project_milestone_and_report_changes_with_old_and_new(org, ledger):
    from gongjian.projects import services

    p = ledger.hunan_project
    services.update_project(
        actor=org.hunan_staff,
        project_id=p.pk,
        expected_version=p.version,
        changes={"owner": "建投"},
    )
    changes = selectors.history_of(p)
    edit = next(c for c in changes if c.reason == "修改项目台账")
    assert edit.who == str(org.hunan_staff)
    assert ("业主单位", "—", "建投") in edit.fields
