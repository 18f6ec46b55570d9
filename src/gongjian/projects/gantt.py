"""The milestone Gantt chart's rows: per milestone a planned bar and an actual bar, and its state.

One rule for the unit view and the project page. A milestone's planned bar runs from the previous
milestone's planned date (the first from the project's planned start) to its own; its actual bar
from the previous milestone's completion (the first from the actual start) to its completion, or
to today while it is under way. An open milestone past its date is overdue: its lateness runs on
to today, in red.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from gongjian.projects.models import Milestone

DONE, DONE_LATE, OVERDUE, UNDER_WAY, NOT_STARTED = (
    "done",
    "done_late",
    "overdue",
    "under_way",
    "not_started",
)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _state(m: Milestone, actual_from: dt.date | None, on: dt.date) -> tuple[str, int, str]:
    """(state, days late or early, the words for the right-hand column)."""
    if m.actual_date is not None:
        days = (m.actual_date - m.planned_date).days
        if days > 0:
            return DONE_LATE, days, _("晚%(n)s天完成") % {"n": days}
        if days < 0:
            return DONE, days, _("提前%(n)s天完成") % {"n": -days}
        return DONE, 0, _("按期完成")
    if m.planned_date < on:
        days = (on - m.planned_date).days
        return OVERDUE, days, _("逾期%(n)s天") % {"n": days}
    left = (m.planned_date - on).days
    if actual_from is not None and actual_from <= on:
        return UNDER_WAY, -left, _("进行中，剩%(n)s天") % {"n": left}
    return NOT_STARTED, -left, _("未开始，剩%(n)s天") % {"n": left}


def gantt_rows(milestones: Iterable[Milestone], on: dt.date) -> list[dict[str, Any]]:
    """Rows in the order given (a project's milestones by seq); milestones carry their project."""
    rows: list[dict[str, Any]] = []
    previous: Milestone | None = None
    for m in milestones:
        project = m.project
        same = previous is not None and previous.project_id == m.project_id
        planned_from = previous.planned_date if same and previous else project.planned_start
        if planned_from is None or planned_from > m.planned_date:
            planned_from = m.planned_date
        actual_from = previous.actual_date if same and previous else project.actual_start
        if actual_from is not None and m.actual_date is not None and actual_from > m.actual_date:
            actual_from = m.actual_date
        state, days, words = _state(m, actual_from, on)
        actual_to = m.actual_date or (on if state in (UNDER_WAY, OVERDUE) else None)
        if actual_to is not None and actual_from is None:
            # No recorded start: a completed step's bar starts where its plan did, an overdue
            # one's shows only its lateness (its date to today).
            actual_from = m.planned_date if state == OVERDUE else min(planned_from, actual_to)
        rows.append(
            {
                "project": project.name,
                "name": f"{m.seq}. {m.name}",
                "planned_from": planned_from.isoformat(),
                "planned_to": m.planned_date.isoformat(),
                "actual_from": _iso(actual_from) if actual_to else None,
                "actual_to": _iso(actual_to),
                "done": m.actual_date is not None,
                "state": state,
                "days": days,
                "status": words,
            }
        )
        previous = m
    return rows
