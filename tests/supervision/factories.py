"""Builders for supervision tests: projects that are red or green on a date, and orders in any state."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from typing import Any

from gongjian.org.models import Unit
from gongjian.projects.models import Project
from gongjian.supervision import orders
from gongjian.supervision.flow import DRAFT_STATES, State
from gongjian.supervision.models import SupervisionOrder, SupervisionSettings

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
    cooperators: Sequence[Unit] = (),
) -> SupervisionOrder:
    """An order issued by the district office to 湖南镇 (with co-operating units, whose staff
    give their parts before the feedback), walked through the real services to `state`."""
    from gongjian.core import clock

    if state in DRAFT_STATES:
        return make_draft(
            org, state=state, deadline=deadline, unit=unit, title=title, cooperators=cooperators
        )
    order = orders.issue_order(
        actor=org.office,
        unit=unit or org.hunan,
        title=title,
        content="限期完成剩余征迁工作并反馈。",
        deadline=deadline or clock.today() + dt.timedelta(days=10),
        project=project,
        required_evidence="交地确认书、现场照片",
        cooperators=cooperators,
    )
    path = [State.ACKNOWLEDGED, State.IN_PROGRESS, State.FEEDBACK, State.CLOSED]
    staff = org.hunan_staff
    for target in path[: path.index(state) + 1] if state in path else []:
        if target is State.ACKNOWLEDGED:
            order = orders.acknowledge(actor=staff, order=order)
        elif target is State.IN_PROGRESS:
            order = orders.start(actor=staff, order=order)
        elif target is State.FEEDBACK:
            for coop in cooperators:
                helper = unit_staff(coop)
                order = orders.co_acknowledge(actor=helper, order=order)
                order = orders.give_part(actor=helper, order=order, text="已配合完成")
            order = orders.feedback(actor=staff, order=order, text="已完成征迁并交地。")
        elif target is State.CLOSED:
            order = orders.close(actor=org.office, order=order, note="材料齐全，同意销号。")
    return order


def require_approval(campaign: Any, on: bool = True) -> None:
    SupervisionSettings.objects.update_or_create(
        campaign=campaign, defaults={"approval_required": on}
    )


def make_draft(
    org: Any,
    *,
    state: State = State.PENDING_APPROVAL,
    deadline: dt.date | None = None,
    unit: Unit | None = None,
    title: str = "加快征迁交地进度",
    cooperators: Sequence[Unit] = (),
) -> SupervisionOrder:
    """An order drafted by the district office in a campaign that wants 领导审核, waiting for the
    linked leader (or returned by him, for `State.RETURNED`)."""
    from gongjian.core import clock

    campaign = org.line.campaign
    require_approval(campaign)
    order = orders.issue_order(
        actor=org.office,
        unit=unit or org.hunan,
        title=title,
        content="限期完成剩余征迁工作并反馈。",
        deadline=deadline or clock.today() + dt.timedelta(days=10),
        campaign=campaign,
        cooperators=cooperators,
    )
    if state is State.RETURNED:
        order = orders.return_draft(actor=org.leader, order=order, note="时限过紧，请重新研判。")
    return order


def unit_staff(unit: Unit) -> Any:
    """The unit's handler (created once, named after the unit's id) — for co-operating units."""
    from gongjian.org.models import Role, User
    from tests.factories import UserFactory

    existing = User.objects.filter(unit=unit, roles__role=Role.UNIT_STAFF).first()
    return existing or UserFactory(username=f"staff{unit.pk}", unit=unit, roles=[Role.UNIT_STAFF])
