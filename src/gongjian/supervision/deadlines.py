"""Deadlines of orders: working days late, the first overdue day and the colour it escalates to.

Working days are China's (core/working_days.py: holidays, make-up days, the office's table)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from gongjian.core.history import record
from gongjian.core.working_days import working_days_between
from gongjian.supervision import flow
from gongjian.supervision.flow import OPEN_STATES, Level, State
from gongjian.supervision.inbox import site_language
from gongjian.supervision.models import (
    EventKind,
    SupervisionOrder,
)
from gongjian.supervision.trail import add_event


def mark_overdue(order: SupervisionOrder, today: dt.date) -> bool:
    """Record the first day an open order is past its deadline; escalate its colour; and mark late
    each co-operating part not given by then (that lateness is the co-operating unit's).
    Idempotent."""
    if State(order.state) not in OPEN_STATES or today <= order.deadline:
        return False
    with site_language():
        _mark_parts_overdue(order, today)
        return _mark_overdue_now(order, today)


def _mark_parts_overdue(order: SupervisionOrder, today: dt.date) -> None:
    for coop in order.cooperators.filter(part_on__isnull=True, overdue_on__isnull=True):
        coop.overdue_on = today
        record(coop, actor=None, reason=_("协办逾期"))
        coop.save(update_fields=["overdue_on"])
        add_event(
            order,
            EventKind.OVERDUE,
            actor=None,
            note=_("协办单位“%(unit)s”超过时限 %(d)s 未提交协办意见")
            % {"unit": coop.unit.name, "d": order.deadline},
        )


def _mark_overdue_now(order: SupervisionOrder, today: dt.date) -> bool:
    changed = False
    if order.overdue_on is None:
        order.overdue_on = today
        add_event(
            order,
            EventKind.OVERDUE,
            actor=None,
            note=_("超过办结时限 %(d)s") % {"d": order.deadline},
        )
        changed = True
    level = flow.escalated_level(order.level, working_days_between(order.deadline, today))
    if level != order.level:
        add_event(
            order,
            EventKind.ESCALATED,
            actor=None,
            note=_("%(old)s 升级为 %(new)s")
            % {"old": Level(order.level).label, "new": level.label},
        )
        order.level = level
        changed = True
    if changed:
        record(order, actor=None, reason=_("逾期"))
        order.save(update_fields=["overdue_on", "level", "updated_at"])
    return changed
