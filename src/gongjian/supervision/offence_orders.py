"""The assessment's repeat-offence action `supervision.order`: a 专函督办 order for each unit a
rule lists (e.g. a project yellow at the end of 2 consecutive months), raised through the
supervision service when the round is published, once: an order of the same title for the same
project (or unit) is never raised again, whether the round is recomputed, corrected or
published anew. Registered from AppConfig.ready (assessment may not import supervision).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from gongjian.assessment import offences
from gongjian.core import clock
from gongjian.projects.models import SnapshotColour
from gongjian.projects.streaks import streak_projects
from gongjian.supervision.flow import Level
from gongjian.supervision.models import OrderSource, SupervisionOrder
from gongjian.supervision.orders import create_order
from gongjian.supervision.tick import auto_order_days

if TYPE_CHECKING:
    from gongjian.assessment.models import ListEntry, Round

PROJECT_FACTS = {
    "ledger.yellow_streak": SnapshotColour.YELLOW,
    "ledger.red_streak": SnapshotColour.RED,
}


def _rule(round_: Round, name: str) -> dict[str, Any] | None:
    return next((r for r in round_.plan.offences or [] if r.get("name") == name), None)


def raise_orders(round_: Round, entry: ListEntry) -> None:
    """One 专函督办 order per listed project (or per unit when the fact is not a project's)."""
    rule = _rule(round_, entry.name) or {}
    deadline = clock.today() + dt.timedelta(days=auto_order_days())
    issuing = round_.plan.campaign.owner
    colour = PROJECT_FACTS.get(str(rule.get("fact")))
    if colour is None:
        targets: list[Any] = [None]
    else:
        months = int(str(rule.get("months", 2)))
        targets = [
            p for p, _m in streak_projects(round_, [entry.unit], months, colour)[entry.unit_id]
        ]
    # The order cites the rule that raised it: plan, period and list (考评规则 · 连续预警).
    source_ref = f"{round_.plan.name} {round_.period} {entry.name}"[:100]
    for project in targets:
        what = project.name if project is not None else entry.unit.name
        title = _("专函督办：%(what)s（%(name)s，%(period)s）") % {
            "what": what, "name": entry.name, "period": round_.period,
        }  # fmt: skip
        title = title[:200]
        if SupervisionOrder.objects.filter(unit=entry.unit, project=project, title=title).exists():
            continue
        create_order(
            actor=None,
            issuing_unit=issuing,
            unit=project.unit if project is not None else entry.unit,
            title=title,
            content=_("%(plan)s %(period)s：%(reason)s。请查明原因，制定整改措施并限期反馈。")
            % {"plan": round_.plan.name, "period": round_.period, "reason": entry.reason},
            deadline=deadline,
            project=project,
            line=project.line if project is not None else None,
            required_evidence=_("整改措施及最新进展"),
            level=Level.ORANGE,
            source=OrderSource.ASSESSMENT_RULE,
            source_ref=source_ref,
        )


def register_offence_orders() -> None:
    offences.register_action("supervision.order", _l("专函督办（督办单）"), raise_orders)
