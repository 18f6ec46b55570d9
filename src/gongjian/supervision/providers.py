"""Supervision's indicator providers for the assessment: what each unit owes and earned.

Values come from `selectors.unit_counts` (the one definition of each count); the trail lists the
orders and notices behind a number, so a unit can see which ones cost it points.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from gongjian.assessment.providers import Provided, ProviderFn, register
from gongjian.core import clock
from gongjian.supervision.models import (
    Notice,
    NoticeKind,
    NoticeState,
    OrderCooperator,
    SupervisionOrder,
)
from gongjian.supervision.selectors import (
    overdue_in_period_q,
    parts_overdue_in_period_q,
    unit_counts,
)

if TYPE_CHECKING:
    from gongjian.assessment.models import Round
    from gongjian.org.models import Unit


def _trails(kind: str, round_: Round, ids: list[int]) -> dict[int, list[str]]:
    trails: dict[int, list[str]] = {i: [] for i in ids}
    start, end = round_.period_start, round_.period_end
    if kind in (NoticeKind.CRITICISM, NoticeKind.PRAISE):
        notices = Notice.objects.filter(
            unit_id__in=ids,
            kind=kind,
            state=NoticeState.PUBLISHED,
            published_on__range=(start, end),
        ).order_by("published_on", "pk")
        for n in notices:
            trails[n.unit_id].append(f"{n.published_on:%Y-%m-%d} {n.title}")
        return trails
    orders = SupervisionOrder.objects.filter(unit_id__in=ids).order_by("deadline", "pk")
    if kind == "overdue":
        orders = orders.filter(overdue_in_period_q(start, end, clock.today()))
    elif kind == "closed_on_time":
        orders = orders.filter(closed_on__range=(start, end), closed_on_time=True)
    for o in orders:
        trails[o.unit_id].append(f"{o.code} {o.title}（时限 {o.deadline:%Y-%m-%d}）")
    if kind == "overdue":
        parts = (
            OrderCooperator.objects.filter(unit_id__in=ids)
            .filter(parts_overdue_in_period_q(start, end, clock.today()))
            .select_related("order")
            .order_by("order__deadline", "pk")
        )
        for p in parts:
            o = p.order
            trails[p.unit_id].append(f"{o.code} {o.title}（协办部分，时限 {o.deadline:%Y-%m-%d}）")
    return trails


def _provider(field: str, trail_kind: str) -> ProviderFn:
    def provide(round_: Round, units: Sequence[Unit]) -> dict[int, Provided]:
        ids = [u.pk for u in units]
        counts = unit_counts(units, round_.period_start, round_.period_end)
        trails = _trails(trail_kind, round_, ids)
        result = {}
        for unit_id in ids:
            value = getattr(counts[unit_id], field) if unit_id in counts else 0
            result[unit_id] = Provided(Decimal(value), tuple(trails[unit_id]))
        return result

    return provide


def register_providers() -> None:
    register(
        "supervision.orders_overdue", _("督办单逾期件数"), _provider("orders_overdue", "overdue")
    )
    register(
        "supervision.orders_closed_on_time",
        _("督办单按时办结件数"),
        _provider("orders_closed_on_time", "closed_on_time"),
    )
    register(
        "supervision.criticism_notices",
        _("通报批评次数（督查）"),
        _provider("criticism_notices", NoticeKind.CRITICISM),
    )
    register(
        "supervision.praise_notices",
        _("通报表扬次数（督查）"),
        _provider("praise_notices", NoticeKind.PRAISE),
    )
