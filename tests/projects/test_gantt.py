"""projects.gantt: a planned and an actual bar per milestone, and the state in the right column."""

from __future__ import annotations

import datetime as dt

from gongjian.projects.gantt import gantt_rows
from gongjian.projects.models import Milestone, Project

D = dt.date
ON = D(2026, 12, 2)


def _project(pk, **dates):
    return Project(pk=pk, name=f"项目{pk}", **dates)


def _m(project, seq, planned, actual=None):
    return Milestone(
        project=project, seq=seq, name=f"节点{seq}", planned_date=planned, actual_date=actual
    )


def test_each_bar_starts_where_the_previous_milestone_ended():
    p = _project(1, planned_start=D(2026, 3, 1), actual_start=D(2026, 3, 10))
    rows = gantt_rows([_m(p, 1, D(2026, 5, 1), D(2026, 5, 6)), _m(p, 2, D(2027, 2, 1))], ON)
    assert [(r["planned_from"], r["planned_to"]) for r in rows] == [
        ("2026-03-01", "2026-05-01"),
        ("2026-05-01", "2027-02-01"),
    ]
    assert [(r["actual_from"], r["actual_to"]) for r in rows] == [
        ("2026-03-10", "2026-05-06"),
        ("2026-05-06", "2026-12-02"),  # under way: the actual bar runs to today
    ]
    assert [(r["state"], r["status"]) for r in rows] == [
        ("done_late", "晚5天完成"),
        ("under_way", "进行中，剩61天"),
    ]


def test_an_open_milestone_past_its_date_is_overdue_up_to_today():
    p = _project(1, planned_start=D(2026, 3, 1))  # never started
    (row,) = gantt_rows([_m(p, 1, D(2026, 11, 1))], ON)
    assert (row["state"], row["days"], row["status"]) == ("overdue", 31, "逾期31天")
    assert (row["actual_from"], row["actual_to"]) == ("2026-11-01", "2026-12-02")


def test_a_step_not_started_has_no_actual_bar_and_early_completion_says_so():
    p = _project(1, planned_start=D(2026, 3, 1), actual_start=D(2026, 3, 1))
    q = _project(2, planned_start=D(2027, 1, 1))
    rows = gantt_rows([_m(p, 1, D(2026, 6, 1), D(2026, 5, 29)), _m(q, 1, D(2027, 3, 1))], ON)
    assert (rows[0]["state"], rows[0]["status"]) == ("done", "提前3天完成")
    # a new project: its first bar starts at its own planned start, not the other project's
    assert (rows[1]["planned_from"], rows[1]["actual_from"], rows[1]["state"]) == (
        "2027-01-01",
        None,
        "not_started",
    )


def test_a_plan_without_start_draws_a_one_day_bar_at_its_date():
    p = _project(1)
    (row,) = gantt_rows([_m(p, 1, D(2027, 1, 5))], ON)
    assert (row["planned_from"], row["planned_to"]) == ("2027-01-05", "2027-01-05")
