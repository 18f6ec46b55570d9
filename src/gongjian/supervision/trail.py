"""The order's trail and row: the event, the locked row at the version read, the saved history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from gongjian.core import clock
from gongjian.core.concurrency import lock_for_update
from gongjian.core.history import record
from gongjian.supervision.models import (
    OrderEvent,
    SupervisionOrder,
)


def add_event(
    order: SupervisionOrder,
    kind: str,
    *,
    actor: Any,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    old_deadline: dt.date | None = None,
    new_deadline: dt.date | None = None,
) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order,
        kind=kind,
        actor=actor if actor is not None else None,
        at=clock.now(),
        on=clock.today(),
        from_state=from_state,
        to_state=to_state,
        note=note,
        old_deadline=old_deadline,
        new_deadline=new_deadline,
    )


def locked_order(order: SupervisionOrder, expected_version: int | None) -> SupervisionOrder:
    """The order's row, locked, at the version the actor read (the loaded instance's by default)."""
    version = order.version if expected_version is None else expected_version
    return lock_for_update(SupervisionOrder, order.pk, expected_version=version)


def save_order(order: SupervisionOrder, *, actor: Any, reason: str) -> None:
    record(order, actor=actor, reason=reason)
    order.save()
