"""A report's two history rows, copied in SQL (`core.history.save_with_history`): the rows
simple-history would write, with the actor and the reason."""

import datetime as dt
from decimal import Decimal

from gongjian.core.history import record, save_with_history
from gongjian.projects.models import ProgressReport, Project
from gongjian.projects.reports import submit_report_to


def _report_history(report_ids):
    skip = {"id", "history_id", "history_date", "reported_at"}
    rows = ProgressReport.history.filter(id__in=report_ids).order_by("history_id").values()
    return [{k: v for k, v in r.items() if k not in skip} for r in rows]


def test_a_save_with_history_writes_the_row_simple_history_would(org, ledger):
    def report(project, day):
        made = ProgressReport(
            project=project, period_end=day, reported_by=org.hunan_staff,
            percent_done=Decimal("12.50"), investment_period_wan=Decimal("3.2"),
            investment_to_date_wan=Decimal("3.2"), problems="征迁未完成",
        )  # fmt: skip
        record(made, actor=org.hunan_staff, reason="进度填报")
        return made

    theirs = report(ledger.hunan_project, dt.date(2026, 1, 31))
    theirs.save()
    ours = report(ledger.hunan_project, dt.date(2026, 2, 28))
    save_with_history(ours)
    mine, library = _report_history([ours.pk]), _report_history([theirs.pk])
    assert [{**r, "period_end": None} for r in mine] == [{**r, "period_end": None} for r in library]
    assert (mine[0]["history_type"], mine[0]["history_user_id"]) == ("+", org.hunan_staff.pk)
    assert mine[0]["history_change_reason"] == "进度填报"

    assert not hasattr(ours, "skip_history_when_saving")  # a later plain save records itself
    again = ProgressReport.objects.get(pk=ours.pk)
    again.percent_done = Decimal("20")
    record(again, actor=None, reason="更正进度填报")  # no actor, no request: no user, as theirs
    save_with_history(again, update_fields=["percent_done"])
    last = ProgressReport.history.filter(id=ours.pk).latest("history_id")
    assert (last.history_type, last.history_user, last.percent_done) == ("~", None, Decimal("20"))
    assert last.history_change_reason == "更正进度填报"


def test_a_filed_report_leaves_the_reports_and_the_projects_history_with_who_and_why(org, ledger):
    project = ledger.hunan_project
    before = project.history.count()
    report, _reached = submit_report_to(
        actor=org.hunan_staff, project_id=project.pk, period_end=dt.date(2026, 2, 28),
        percent_done=Decimal("30"), investment_period_wan=Decimal("1"),
    )  # fmt: skip
    made = ProgressReport.history.get(id=report.pk)
    assert (made.history_type, made.history_user, made.history_change_reason) == (
        "+", org.hunan_staff, "进度填报",
    )  # fmt: skip
    assert made.percent_done == Decimal("30")
    assert project.history.count() == before + 1
    moved = Project.history.filter(id=project.pk).latest("history_id")
    assert (moved.history_type, moved.history_user, moved.percent_done) == (
        "~", org.hunan_staff, Decimal("30"),
    )  # fmt: skip
    assert moved.history_change_reason == "进度填报更新项目进度"
    assert moved.version == Project.objects.get(pk=project.pk).version
