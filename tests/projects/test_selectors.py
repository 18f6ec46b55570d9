"""Ledger reads: scope per role (leaders also by project), filters, warnings in few queries."""

import datetime as dt
from decimal import Decimal

import pytest

from gongjian.projects import selectors, warning_feed
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
        warnings = warning_feed.warnings_for(projects, TODAY)
    assert len(warnings) == 22


def test_warnings_for_a_queryset_take_four_queries(org, ledger, django_assert_num_queries):
    for i in range(20):
        p = ProjectFactory(code=f"Z-{i}", unit=org.hunan, actual_start=D(2026, 1, 2))
        ReportFactory(project=p, period_end=D(2026, 6, 30), percent_done=Decimal(i))
    projects = selectors.projects_for(org.office)
    with django_assert_num_queries(4):  # projects, thresholds, overdue milestones, report sums
        warnings = warning_feed.warnings_for(projects, TODAY)
    assert len(warnings) == 22
    # A forecast the sums could not decide (exactly 85.5 days) is in the project's summary.
    tie = ProjectFactory(code="TIE", unit=org.hunan, actual_start=D(2026, 1, 2))
    ReportFactory(project=tie, period_end=D(2026, 3, 2), percent_done=Decimal("82.71"))
    ReportFactory(project=tie, period_end=D(2026, 5, 22), percent_done=Decimal("99.09"))
    with django_assert_num_queries(4):
        warnings = warning_feed.warnings_for(projects, TODAY)
    assert warnings[tie.pk].forecast_completion == D(2026, 5, 26)
    with django_assert_num_queries(0):
        assert warning_feed.warnings_for(projects.none(), TODAY) == {}


def test_warnings_before_a_projects_newest_report_sum_its_reports_up_to_the_date(
    org, ledger, django_assert_num_queries
):
    tie = ProjectFactory(code="TIE", unit=org.hunan, actual_start=D(2026, 1, 2))
    ReportFactory(project=tie, period_end=D(2026, 3, 2), percent_done=Decimal("82.71"))
    ReportFactory(project=tie, period_end=D(2026, 5, 22), percent_done=Decimal("99.09"))
    ReportFactory(project=tie, period_end=D(2026, 6, 30), percent_done=Decimal("99.50"))
    projects = selectors.projects_for(org.office)
    # projects, thresholds, overdue milestones, summaries, the report sums of TIE, and its
    # reports: exactly 85.5 days to 100 % from the two reports up to 2026-06-01
    with django_assert_num_queries(6):
        warnings = warning_feed.warnings_for(projects, D(2026, 6, 1))
    assert warnings[tie.pk].forecast_completion == D(2026, 5, 26)
    assert warnings[tie.pk].percent_done == Decimal("99.09")
    assert warning_feed.warnings_for(projects, TODAY)[tie.pk].percent_done == Decimal("99.50")


def test_a_project_without_a_report_summary_is_warned_from_its_reports(
    org, ledger, django_assert_num_queries
):
    from gongjian.projects.models import ReportSummary

    p = ledger.hunan_project
    ReportFactory(project=p, period_end=D(2026, 5, 31), percent_done=Decimal(20))
    ReportFactory(project=p, period_end=D(2026, 6, 30), percent_done=Decimal(30))
    summarised = warning_feed.warnings_for(selectors.projects_for(org.office), TODAY)
    ReportSummary.objects.filter(project=p).delete()  # e.g. reports written past the services
    with django_assert_num_queries(5):  # and the report sums of that one project
        unsummarised = warning_feed.warnings_for(selectors.projects_for(org.office), TODAY)
    assert unsummarised == summarised
    assert unsummarised[p.pk].percent_done == Decimal(30)
    assert unsummarised[p.pk].at_risk


def _facts(project, on):
    """The project's facts read the plain way, for `assess` itself."""
    from gongjian.projects.warnings import MilestoneFacts, ProjectFacts

    return ProjectFacts(
        planned_start=project.planned_start,
        planned_completion=project.planned_completion,
        actual_start=project.actual_start,
        actual_completion=project.actual_completion,
        not_started_reason=project.not_started_reason,
        milestones=[
            MilestoneFacts(m.name, m.planned_date, m.actual_date)
            for m in project.milestones.order_by("seq")
        ],
        reports=list(project.reports.values_list("period_end", "percent_done")),
    )


def test_warnings_for_are_assess_of_each_project_with_its_reports(org, ledger):
    from gongjian.projects.models import Project
    from gongjian.projects.warnings import assess

    series = {
        # the last six of eleven monthly reports, rising unevenly
        "LONG": [(D(2025, 9 + m, 1) if m < 4 else D(2026, m - 3, 1), Decimal(m * 6 + m % 3))
                 for m in range(11)],
        # exactly 85.5 days to 100 % (the sums leave it to the reports), and one after the date
        "TIE": [(D(2026, 3, 2), Decimal("82.71")), (D(2026, 5, 22), Decimal("99.09")),
                (D(2026, 7, 31), Decimal("99.50"))],
        "FLAT": [(D(2026, m, 28), Decimal("33.33")) for m in (2, 3, 4, 5)],
        "SLOW": [(D(2026, 5, 31), Decimal(38)), (D(2026, 6, 30), Decimal("42.01"))],
        "DONE": [(D(2026, 5, 31), Decimal(90)), (D(2026, 6, 30), Decimal(100))],
        "FALLING": [(D(2026, 5, 31), Decimal(50)), (D(2026, 6, 30), Decimal("49.99"))],
        "ONE": [(D(2026, 6, 30), Decimal("0.05"))],
        "NONE": [],
    }  # fmt: skip
    for code, reports in series.items():
        p = ProjectFactory(code=code, unit=org.hunan, actual_start=D(2026, 1, 2))
        for period_end, percent in reports:
            ReportFactory(project=p, period_end=period_end, percent_done=percent)
    MilestoneFactory(project=Project.objects.get(code="SLOW"), seq=1, planned_date=D(2026, 6, 1))
    ProjectFactory(code="LATER", unit=org.hunan, planned_start=D(2026, 3, 20))
    ProjectFactory(code="EXCUSED", unit=org.hunan, planned_start=D(2026, 1, 20),
                   not_started_reason="用地报批中")  # fmt: skip
    ProjectFactory(code="FINISHED", unit=org.hunan, actual_start=D(2026, 1, 2),
                   actual_completion=D(2026, 6, 1))  # fmt: skip
    campaign = org.line.campaign
    campaign.warn_yellow_gap, campaign.warn_red_gap = Decimal(5), Decimal(8)
    campaign.save()
    Project.objects.filter(code__in=["LONG", "SLOW"]).update(campaign=campaign)

    for on in (TODAY, D(2026, 5, 31), D(2025, 12, 31)):
        qs = selectors.projects_for(org.office).select_related("campaign")
        from_qs = warning_feed.warnings_for(qs, on)
        from_list = warning_feed.warnings_for(list(qs), on)
        expected = {p.pk: assess(_facts(p, on), on, warning_feed.thresholds_of(p)) for p in qs}
        assert from_qs == expected
        assert from_list == expected
    tie = Project.objects.get(code="TIE")
    assert from_qs[tie.pk].forecast_completion is None  # on 2025-12-31: no report yet
    assert warning_feed.warnings_for([tie], TODAY)[tie.pk].forecast_completion == D(2026, 5, 26)


def test_warnings_for_a_long_list_are_read_in_parts(org, ledger, monkeypatch):
    for i in range(5):
        p = ProjectFactory(code=f"Z-{i}", unit=org.hunan, actual_start=D(2026, 1, 2))
        ReportFactory(project=p, period_end=D(2026, 5, 31), percent_done=Decimal(i * 9))
        ReportFactory(project=p, period_end=D(2026, 6, 30), percent_done=Decimal(i * 10))
    projects = list(selectors.projects_for(org.office).select_related("campaign"))
    whole = warning_feed.warnings_for(projects, TODAY)
    monkeypatch.setattr(warning_feed, "_IDS_PER_QUERY", 2)
    assert warning_feed.warnings_for(projects, TODAY) == whole
    assert len(whole) == 7


def test_warnings_for_ignores_milestones_reached_before_the_date(org, ledger):
    ledger.milestone.actual_date = D(2026, 6, 20)
    ledger.milestone.save()
    ReportFactory(project=ledger.hunan_project, period_end=D(2026, 6, 30), percent_done=Decimal(50))
    w = warning_feed.warnings_for([ledger.hunan_project], TODAY)[ledger.hunan_project.pk]
    assert w.colour.value == "green"
    late = warning_feed.warnings_for([ledger.hunan_project], D(2026, 6, 19))[
        ledger.hunan_project.pk
    ]
    assert "主体完工节点逾期 8 天" in late.reasons


def test_campaign_thresholds_apply(org, ledger):
    campaign = org.line.campaign
    campaign.warn_milestone_red_days = 20
    campaign.save()
    ReportFactory(project=ledger.hunan_project, period_end=D(2026, 6, 30), percent_done=Decimal(50))
    w = warning_feed.warnings_for(selectors.projects_for(org.office).filter(code="HN-01"), TODAY)
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
    from gongjian.projects import ledger as ledger_service

    p = ledger.hunan_project
    ledger_service.update_project(
        actor=org.hunan_staff,
        project_id=p.pk,
        expected_version=p.version,
        changes={"owner": "建投"},
    )
    changes = selectors.history_of(p)
    edit = next(c for c in changes if c.reason == "修改项目台账")
    assert edit.who == str(org.hunan_staff)
    assert ("业主单位", "—", "建投") in edit.fields


def test_nameable_people_are_leaders_the_ledger_units_people_and_the_projects_own(org, ledger):
    """What the project sheet offers and the Excel import reads: every leader, the people of the
    units the user keeps a ledger for, and whoever the project already names."""
    PersonFactory(name="张副市长", unit=org.city, is_leader=True)
    PersonFactory(name="赵强", unit=org.gulou_caizheng)
    team_member = PersonFactory(name="周干事", unit=org.songxia)
    milestone_person = PersonFactory(name="郑干部", unit=org.songxia)
    TeamMember.objects.create(project=ledger.songxia_project, person=team_member)
    MilestoneFactory(project=ledger.songxia_project, seq=1, person=milestone_person)
    MilestoneFactory(project=ledger.songxia_project, seq=2, person=milestone_person)

    def names(project=None):
        people = selectors.nameable_people(org.hunan_staff, project)
        return sorted(people.values_list("name", flat=True))

    assert names() == sorted(["林副区长", "王书记", "陈干部", "张副市长"])
    assert names(ledger.songxia_project) == sorted(
        ["林副区长", "王书记", "陈干部", "张副市长", "周干事", "郑干部"]
    )
    named = [(code, p.pk) for code, p in selectors.people_named_on(["SX-01", "NEW-01"])]
    assert sorted(named) == sorted([("SX-01", team_member.pk), ("SX-01", milestone_person.pk)])
