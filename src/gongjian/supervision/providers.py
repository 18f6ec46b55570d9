"""Supervision's indicator providers for the assessment: what each unit owes and earned.

Values come from `selectors.unit_counts` (the one definition of each count) and from the
notices and hazards themselves; the trail lists the orders (by number) and notices (by document
number) behind a number, so a unit can see which ones cost it points. Each fact counts in the
round of the month it happened: a notice in the month it was published, an order or a hazard in
the month it became overdue, a problem an inspection found in the month of the inspection — and
so once (本月计分后下月不再计分).

Notices count by issuing level, one provider a level (`supervision.criticism_notices.city` …), so
a plan gives each level its own points: one indicator a level, each with its `per`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from gongjian.assessment.providers import (
    Provided,
    ProviderFn,
    register,
    register_counted_references,
)
from gongjian.core import clock
from gongjian.supervision.models import (
    Hazard,
    IssuingLevel,
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


def _notice_line(n: Notice) -> str:
    number = f"（{n.doc_number}）" if n.doc_number else ""
    level = IssuingLevel(n.issuing_level).label
    return f"{n.published_on:%Y-%m-%d} {n.title}{number}，{level}"


def _published(kind: str, ids: Sequence[int], start: dt.date, end: dt.date) -> Any:
    return Notice.objects.filter(
        unit_id__in=ids, kind=kind, state=NoticeState.PUBLISHED, published_on__range=(start, end)
    ).order_by("published_on", "pk")


def _trails(kind: str, round_: Round, ids: list[int]) -> dict[int, list[str]]:
    trails: dict[int, list[str]] = {i: [] for i in ids}
    start, end = round_.period_start, round_.period_end
    if kind in (NoticeKind.CRITICISM, NoticeKind.PRAISE):
        for n in _published(kind, ids, start, end):
            trails[n.unit_id].append(_notice_line(n))
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


def _notices_at(kind: str, level: str) -> ProviderFn:
    """Published notices of one kind and issuing level in the round's month, by document number."""

    def provide(round_: Round, units: Sequence[Unit]) -> dict[int, Provided]:
        ids = [u.pk for u in units]
        trails: dict[int, list[str]] = {i: [] for i in ids}
        for n in _published(kind, ids, round_.period_start, round_.period_end).filter(
            issuing_level=level
        ):
            trails[n.unit_id].append(_notice_line(n))
        return {i: Provided(Decimal(len(t)), tuple(t)) for i, t in trails.items()}

    return provide


def hazards_overdue(round_: Round, units: Sequence[Unit]) -> dict[int, Provided]:
    """Hazards found in an inspection of the unit whose rectification date passed in the round's
    month without being rectified by then: counted in that month, once. A hazard turned into a
    supervision order counts through the order (supervision.orders_overdue), not twice."""
    ids = [u.pk for u in units]
    start, end = round_.period_start, round_.period_end
    day = dt.timedelta(days=1)  # a hazard is overdue from the day after its date
    trails: dict[int, list[str]] = {i: [] for i in ids}
    hazards = (
        Hazard.objects.filter(
            inspection__unit_id__in=ids,
            rectify_by__range=(start - day, min(end, clock.today()) - day),
            order__isnull=True,
        )
        .select_related("inspection")
        .order_by("rectify_by", "pk")
    )
    for h in hazards:
        if h.rectified_on is not None and h.rectified_on <= h.rectify_by:
            continue
        trails[h.inspection.unit_id].append(
            f"{h.inspection.inspected_on:%Y-%m-%d} {h.inspection.team}：{h.description[:40]}"
            f"（整改时限 {h.rectify_by:%Y-%m-%d}）"
        )
    return {i: Provided(Decimal(len(t)), tuple(t)) for i, t in trails.items()}


def inspection_findings(round_: Round, units: Sequence[Unit]) -> dict[int, Provided]:
    """Problems found (督查发现问题) in the inspections of the unit dated in the round's month: each
    problem recorded with its rectification date is one finding, counted in that month, once,
    and traced to its inspection (date, kind, team, project). The inspection's summary text is
    not counted: a check that found nothing to rectify costs nothing."""
    ids = [u.pk for u in units]
    trails: dict[int, list[str]] = {i: [] for i in ids}
    hazards = (
        Hazard.objects.filter(
            inspection__unit_id__in=ids,
            inspection__inspected_on__range=(round_.period_start, round_.period_end),
        )
        .select_related("inspection", "inspection__project")
        .order_by("inspection__inspected_on", "inspection_id", "pk")
    )
    for h in hazards:
        i = h.inspection
        what = f" {i.project.name}" if i.project is not None else ""
        trails[i.unit_id].append(
            f"{i.inspected_on:%Y-%m-%d} {i.team}{i.get_kind_display()}{what}：{h.description[:60]}"
            f"（整改时限 {h.rectify_by:%Y-%m-%d}）"
        )
    return {i: Provided(Decimal(len(t)), tuple(t)) for i, t in trails.items()}


def counted_numbers(
    unit_ids: Sequence[int], start: dt.date, end: dt.date, used: frozenset[str]
) -> set[tuple[int, str]]:
    """The numbers of the facts these providers count in the period, among the providers the
    plan uses (`used`), for de-duplication: the published notices' document numbers, and the
    numbers of the orders that became overdue (an office event citing DB2026-00001 is that
    order). Inspection findings carry no number, so nothing can match them."""
    found: set[tuple[int, str]] = set()
    rows = Notice.objects.filter(
        unit_id__in=unit_ids, state=NoticeState.PUBLISHED, published_on__range=(start, end)
    ).exclude(doc_number="")
    for unit_id, number, kind, level in rows.values_list(
        "unit_id", "doc_number", "kind", "issuing_level"
    ):
        if {f"supervision.{kind}_notices", f"supervision.{kind}_notices.{level}"} & used:
            found.add((unit_id, number))
    if "supervision.orders_overdue" in used:
        late = SupervisionOrder.objects.filter(unit_id__in=unit_ids).filter(
            overdue_in_period_q(start, end, clock.today())
        )
        found |= set(late.values_list("unit_id", "code"))
    return found


LEVEL_LABELS = {
    IssuingLevel.NATIONAL: _("国家级"),
    IssuingLevel.PROVINCE: _("省级"),
    IssuingLevel.CITY: _("市级"),
    IssuingLevel.DISTRICT: _("区（县）级"),
}


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
    for level, label in LEVEL_LABELS.items():
        register(
            f"supervision.criticism_notices.{level}",
            _("%(level)s通报批评次数") % {"level": label},
            _notices_at(NoticeKind.CRITICISM, level),
        )
        register(
            f"supervision.praise_notices.{level}",
            _("%(level)s通报表扬次数") % {"level": label},
            _notices_at(NoticeKind.PRAISE, level),
        )
    register("supervision.hazards_overdue", _("安全隐患逾期未整改项数"), hazards_overdue)
    register("supervision.inspection_findings", _("督查发现问题数"), inspection_findings)
    register_counted_references(counted_numbers)
