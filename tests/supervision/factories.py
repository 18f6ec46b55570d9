"""Builders for supervision tests: projects that are red or green on a date, and orders in any state."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from gongjian.org.models import Unit
from gongjian.projects.models import Project
from gongjian.supervision import orders
from gongjian.supervision.flow import State
from gongjian.supervision.models import SupervisionOrder

_codes = itertools.count(1)


def make_project(unit: Unit, *, name: str = "", red: bool = False, **extra: Any) -> Project:
    """A project; `red=True` makes one not started 6 months after its planned start (red in Dec 2026)."""
    n = next(_codes)
    fields: dict[str, Any] = {
        "code": f"XM-{n:04d}",
        "name": name or f"测试项目{n}",
        "level": "district",
        "unit": unit,
    }
    if red:
        fields.update(planned_start=dt.date(2026, 6, 1), planned_completion=dt.date(2027, 6, 30))
    else:
        fields.update(planned_start=dt.date(2027, 3, 1), planned_completion=dt.date(2028, 3, 1))
    fields.update(extra)
    return Project.objects.create(**fields)


def make_order(
    org: Any,
    *,
    state: State = State.ISSUED,
    deadline: dt.date | None = None,
    unit: Unit | None = None,
    project: Project | None = None,
    title: str = "加快征迁交地进度",
) -> SupervisionOrder:
    """An order issued by the district office to 湖南镇, walked through the real services to `state`."""
    from gongjian.core import clock

    order = orders.issue_order(
        actor=org.office,
        unit=unit or org.hunan,
        title=title,
        content="限期完成剩余征迁工作并反馈。",
        deadline=deadline or clock.today() + dt.timedelta(days=10),
        project=project,
        required_evidence="交地确认书、现场照片",
    )
    path = [State.ACKNOWLEDGED, State.IN_PROGRESS, State.FEEDBACK, State.CLOSED]
    staff = org.hunan_staff
    for target in path[: path.index(state) + 1] if state in path else []:
        if target is State.ACKNOWLEDGED:
            order = orders.acknowledge(actor=staff, order=order)
        elif target is State.IN_PROGRESS:
            order = orders.start(actor=staff, order=order)
        elif target is State.FEEDBACK:
            order = orders.feedback(actor=staff, order=order, text="已完成征迁并交地。")
        elif target is State.CLOSED:
            order = orders.close(actor=org.office, order=order, note="材料齐全，同意销号。")
    return order
