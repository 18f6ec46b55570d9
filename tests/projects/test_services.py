"""Ledger writes: scope, validation, history, optimistic locking; refusals change nothing."""

import datetime as dt
from decimal import Decimal

import pytest

from gongjian.core.errors import AlreadyExists, ConcurrentUpdate, PermissionDenied, ValidationFailed
from gongjian.projects import coordination, importing, reports
from gongjian.projects import ledger as ledger_service
from gongjian.projects.models import (
    CoordinationRequest,
    Milestone,
    PendingRefresh,
    ProgressReport,
    Project,
    ReportSummary,
    TeamMember,
)
from gongjian.projects.warnings import forecast_completion

D = dt.date


def snapshot():
    return (
        list(Project.objects.order_by("pk").values()),
        list(Milestone.objects.order_by("pk").values()),
        list(ProgressReport.objects.order_by("pk").values()),
        list(CoordinationRequest.objects.order_by("pk").values()),
        list(ReportSummary.objects.order_by("pk").values()),
        Project.history.count(),
    )


def test_unit_staff_creates_a_project_in_own_unit_with_history(org):
    project = ledger_service.create_project(
        actor=org.hunan_staff, code="HN-09", name="卫生院", level="district", unit=org.hunan
    )
    assert project.unit == org.hunan
    rec = project.history.get()
    assert rec.history_user == org.hunan_staff
    assert rec.history_change_reason == "新建项目"


def test_line_implies_its_campaign(org):
    project = ledger_service.create_project(
        actor=org.office, code="X", name="X", level="city", unit=org.hunan, line=org.line
    )
    assert project.campaign == org.line.campaign


def test_unit_staff_cannot_create_in_another_unit_and_nothing_changes(org, ledger):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        ledger_service.create_project(
            actor=org.hunan_staff, code="SX-09", name="X", level="district", unit=org.songxia
        )
    assert snapshot() == before


@pytest.mark.parametrize("who", ["leader", "inspector", "viewer", "lead"])
def test_read_only_roles_cannot_create(org, ledger, who):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        ledger_service.create_project(
            actor=getattr(org, who), code="N", name="N", level="district", unit=org.hunan
        )
    assert snapshot() == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": "HN-01"}, "code"),
        ({"name": "  "}, "name"),
        ({"level": "galaxy"}, "level"),
        (
            {"planned_start": D(2026, 5, 1), "planned_completion": D(2026, 4, 1)},
            "planned_completion",
        ),
        ({"total_investment_wan": Decimal(-1)}, "total_investment_wan"),
        ({"actual_start": D(2026, 7, 3)}, "actual_start"),
    ],
)
def test_invalid_project_is_refused_naming_the_field(org, ledger, changes, field):
    kwargs = {"code": "NEW", "name": "新项目", "level": "district", "unit": org.hunan}
    kwargs.update(changes)
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        ledger_service.create_project(actor=org.office, **kwargs)
    assert exc.value.details["field"] == field
    assert snapshot() == before


def test_update_bumps_version_and_records_old_and_new(org, ledger):
    p = ledger.hunan_project
    updated = ledger_service.update_project(
        actor=org.hunan_staff,
        project_id=p.pk,
        expected_version=p.version,
        changes={"location": "湖南村"},
    )
    assert updated.version == p.version + 1
    assert Project.objects.get(pk=p.pk).location == "湖南村"
    latest = updated.history.first()
    assert latest.history_change_reason == "修改项目台账"
    assert latest.history_user == org.hunan_staff


def test_second_of_two_concurrent_edits_is_refused(org, ledger):
    p = ledger.hunan_project
    ledger_service.update_project(
        actor=org.office, project_id=p.pk, expected_version=p.version, changes={"owner": "甲"}
    )
    before = snapshot()
    with pytest.raises(ConcurrentUpdate):
        ledger_service.update_project(
            actor=org.hunan_staff,
            project_id=p.pk,
            expected_version=p.version,
            changes={"owner": "乙"},
        )
    assert snapshot() == before
    assert Project.objects.get(pk=p.pk).owner == "甲"


def test_moving_a_project_needs_rights_on_the_target_unit(org, ledger):
    p = ledger.hunan_project
    before = snapshot()
    with pytest.raises(PermissionDenied):
        ledger_service.update_project(
            actor=org.hunan_staff,
            project_id=p.pk,
            expected_version=p.version,
            changes={"unit": org.songxia},
        )
    assert snapshot() == before


def test_unknown_field_is_refused(org, ledger):
    p = ledger.hunan_project
    with pytest.raises(ValidationFailed):
        ledger_service.update_project(
            actor=org.office, project_id=p.pk, expected_version=p.version, changes={"code": "Z"}
        )
    assert Project.objects.get(pk=p.pk).code == "HN-01"


def test_set_team_replaces_members_and_duties(org, ledger):
    ledger_service.set_team(
        actor=org.hunan_staff,
        project=ledger.hunan_project,
        members=[(ledger.town_leader, "包项目"), (ledger.team_member, "征迁")],
    )
    assert sorted(
        TeamMember.objects.filter(project=ledger.hunan_project).values_list("person__name", "duty")
    ) == [("王书记", "包项目"), ("陈干部", "征迁")]
    ledger_service.set_team(
        actor=org.hunan_staff, project=ledger.hunan_project, members=[(ledger.town_leader, "")]
    )
    assert list(
        TeamMember.objects.filter(project=ledger.hunan_project).values_list(
            "person__name", flat=True
        )
    ) == ["王书记"]


def test_milestone_names_are_unique_per_project(org, ledger):
    before = snapshot()
    with pytest.raises(ValidationFailed):
        ledger_service.add_milestone(
            actor=org.hunan_staff,
            project=ledger.hunan_project,
            name="主体完工",
            planned_date=D(2026, 8, 1),
        )
    assert snapshot() == before


def test_added_milestone_takes_the_next_seq(org, ledger):
    m = ledger_service.add_milestone(
        actor=org.hunan_staff,
        project=ledger.hunan_project,
        name="竣工",
        planned_date=D(2026, 12, 31),
    )
    assert m.seq == 2


def test_report_sets_reached_milestones_and_project_progress(org, ledger):
    report = reports.submit_report(
        actor=org.hunan_staff,
        project=ledger.hunan_project,
        period_end=D(2026, 6, 30),
        percent_done=Decimal("45.5"),
        investment_period_wan=Decimal(300),
        milestones_reached=[ledger.milestone],
        problems="用电未接通",
        coordination=[coordination.CoordinationInput("utilities", "施工用电", org.fagai)],
    )
    p = Project.objects.get(pk=ledger.hunan_project.pk)
    assert p.percent_done == Decimal("45.50")
    assert p.investment_completed_wan == Decimal(300)
    assert Milestone.objects.get(pk=ledger.milestone.pk).actual_date == D(2026, 6, 30)
    assert report.reported_by == org.hunan_staff
    c = CoordinationRequest.objects.get()
    assert (c.category, c.handling_unit, c.report, c.status) == (
        "utilities",
        org.fagai,
        report,
        "open",
    )


def test_investment_to_date_accumulates_the_periods(org, ledger):
    p = ledger.hunan_project
    reports.submit_report(
        actor=org.hunan_staff,
        project=p,
        period_end=D(2026, 5, 31),
        percent_done=Decimal(30),
        investment_period_wan=Decimal(100),
    )
    second = reports.submit_report(
        actor=org.hunan_staff,
        project=p,
        period_end=D(2026, 6, 30),
        percent_done=Decimal(40),
        investment_period_wan=Decimal(50),
    )
    assert second.investment_to_date_wan == Decimal(150)


def test_progress_cannot_go_backwards_and_nothing_changes(org, ledger):
    p = ledger.hunan_project
    reports.submit_report(
        actor=org.hunan_staff, project=p, period_end=D(2026, 5, 31), percent_done=Decimal(30)
    )
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        reports.submit_report(
            actor=org.hunan_staff, project=p, period_end=D(2026, 6, 30), percent_done=Decimal(29)
        )
    assert exc.value.details["field"] == "percent_done"
    assert snapshot() == before


def test_report_for_a_future_period_is_refused(org, ledger):
    before = snapshot()
    with pytest.raises(ValidationFailed):
        reports.submit_report(
            actor=org.hunan_staff,
            project=ledger.hunan_project,
            period_end=D(2026, 7, 3),
            percent_done=Decimal(50),
        )
    assert snapshot() == before


def test_a_second_report_for_the_same_period_needs_the_version(org, ledger):
    p = ledger.hunan_project
    first = reports.submit_report(
        actor=org.hunan_staff, project=p, period_end=D(2026, 6, 30), percent_done=Decimal(40)
    )
    with pytest.raises(AlreadyExists):  # 409: the period's report is there (issue 12.7)
        reports.submit_report(
            actor=org.hunan_staff, project=p, period_end=D(2026, 6, 30), percent_done=Decimal(41)
        )
    corrected = reports.submit_report(
        actor=org.hunan_staff,
        project=p,
        period_end=D(2026, 6, 30),
        percent_done=Decimal(42),
        expected_version=first.version,
    )
    assert (corrected.pk, corrected.version, corrected.percent_done) == (first.pk, 2, Decimal(42))
    assert ProgressReport.objects.count() == 1


def test_other_units_staff_cannot_report_and_nothing_changes(org, ledger):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        reports.submit_report(
            actor=org.hunan_staff,
            project=ledger.songxia_project,
            period_end=D(2026, 6, 30),
            percent_done=Decimal(10),
        )
    assert snapshot() == before


def test_handling_unit_resolves_a_coordination_request_with_who_and_when(org, ledger):
    c = coordination.raise_coordination(
        actor=org.hunan_staff,
        project=ledger.hunan_project,
        category="land",
        description="交地",
        handling_unit=org.songxia,
    )
    songxia_staff = type(org.hunan_staff).objects.create(username="sx", unit=org.songxia)
    songxia_staff.roles.create(role="unit_staff")
    done = coordination.resolve_coordination(
        actor=songxia_staff, request_id=c.pk, expected_version=c.version, resolution="已交地"
    )
    assert (done.status, done.resolution, done.resolved_by) == ("resolved", "已交地", songxia_staff)
    assert done.resolved_at is not None


def test_viewer_cannot_resolve_and_nothing_changes(org, ledger):
    c = coordination.raise_coordination(
        actor=org.hunan_staff, project=ledger.hunan_project, category="funds", description="资金"
    )
    before = snapshot()
    with pytest.raises(PermissionDenied):
        coordination.resolve_coordination(
            actor=org.viewer, request_id=c.pk, expected_version=c.version, resolution="x"
        )
    assert snapshot() == before


def test_unknown_coordination_category_is_refused(org, ledger):
    before = snapshot()
    with pytest.raises(ValidationFailed):
        coordination.raise_coordination(
            actor=org.hunan_staff, project=ledger.hunan_project, category="x", description="y"
        )
    assert snapshot() == before


def summary_of(project):
    return ReportSummary.objects.values_list(
        "reports", "latest_period_end", "latest_percent", "forecast_completion"
    ).get(project=project)


def summary_from_reports(project):
    """What the summary must say: worked out from the project's reports, the plain way."""
    reports = sorted(project.reports.values_list("period_end", "percent_done"))
    latest = reports[-1] if reports else (None, None)
    return (len(reports), *latest, forecast_completion(reports))


def test_a_new_project_is_summarised_as_having_no_reports(org):
    project = ledger_service.create_project(
        actor=org.hunan_staff, code="HN-09", name="卫生院", level="district", unit=org.hunan
    )
    assert summary_of(project) == (0, None, None, None)


def test_every_report_filed_or_corrected_keeps_the_report_summary(org, ledger):
    p = ledger.hunan_project
    reports.submit_report(
        actor=org.hunan_staff, project=p, period_end=D(2026, 5, 31), percent_done=Decimal(30)
    )
    assert summary_of(p) == (1, D(2026, 5, 31), Decimal(30), None)
    june = reports.submit_report(
        actor=org.hunan_staff, project=p, period_end=D(2026, 6, 30), percent_done=Decimal(40)
    )
    # 10 points in 30 days: the 60 left take 180 more
    assert summary_of(p) == (2, D(2026, 6, 30), Decimal(40), D(2026, 12, 27))
    reports.submit_report(  # an earlier period filed late
        actor=org.hunan_staff, project=p, period_end=D(2026, 4, 30), percent_done=Decimal(25)
    )
    reports.submit_report(
        actor=org.hunan_staff,
        project=p,
        period_end=D(2026, 6, 30),
        percent_done=Decimal("55.5"),
        expected_version=june.version,
    )
    assert summary_of(p) == summary_from_reports(p)
    assert summary_of(p)[:3] == (3, D(2026, 6, 30), Decimal("55.50"))
    assert summary_of(ledger.songxia_project) == (0, None, None, None)  # others untouched


def test_a_refused_report_leaves_the_summary_as_it_was(org, ledger):
    p = ledger.hunan_project
    reports.submit_report(
        actor=org.hunan_staff, project=p, period_end=D(2026, 5, 31), percent_done=Decimal(30)
    )
    before = summary_of(p)
    with pytest.raises(ValidationFailed):
        reports.submit_report(
            actor=org.hunan_staff, project=p, period_end=D(2026, 6, 30), percent_done=Decimal(20)
        )
    assert summary_of(p) == before


def test_refreshing_every_summary_works_each_out_from_its_reports(org, ledger):
    p = ledger.hunan_project
    for month, percent in ((3, 10), (4, 18), (5, 31), (6, 33)):
        ProgressReport.objects.create(
            project=p, period_end=D(2026, month, 28), percent_done=Decimal(percent)
        )  # past the service: its summary is now out of date
    ReportSummary.objects.filter(project=ledger.songxia_project).delete()
    assert reports.refresh_report_summaries() == 2
    assert summary_of(p) == summary_from_reports(p)
    assert summary_of(p)[:3] == (4, D(2026, 6, 28), Decimal(33))
    assert summary_of(ledger.songxia_project) == (0, None, None, None)


def test_projects_imported_new_are_summarised_as_having_no_reports(org, ledger):
    row = importing.ProjectInput(
        row=2, code="HN-10", values={"name": "卫生院", "level": "district", "unit": org.hunan}
    )
    assert importing.import_ledger(actor=org.office, projects=[row]).created == 1
    assert summary_of(Project.objects.get(code="HN-10")) == (0, None, None, None)


def test_a_snapshot_refresh_failing_after_commit_leaves_the_report_filed_without_error(
    org, ledger, monkeypatch, django_capture_on_commit_callbacks
):
    from django.db import DatabaseError

    def broken(**kwargs):
        raise DatabaseError("snapshot_unique_per_day")

    monkeypatch.setattr("gongjian.projects.refreshes.refresh_project_snapshot", broken)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = reports.submit_report(
            actor=org.hunan_staff,
            project=ledger.hunan_project,
            period_end=D(2026, 6, 30),
            percent_done=Decimal(30),
        )
    assert callbacks  # the refresh ran, and failed, after the commit
    assert ProgressReport.objects.get(pk=report.pk).percent_done == Decimal(30)
    # its mark stays, for the next try (projects/refreshes.py)
    assert PendingRefresh.objects.filter(project=ledger.hunan_project).exists()
