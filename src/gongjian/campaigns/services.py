"""Writes to campaigns and their lines; idempotent `ensure_*` so demo steps can share them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gongjian.campaigns.models import Campaign, Line
from gongjian.core.errors import ValidationFailed
from gongjian.core.history import record
from gongjian.org.models import Unit
from gongjian.org.scope import Action, scope_for


def _require(actor: Any, unit: Unit) -> None:
    if actor is None:  # system work: the demo loader
        return
    scope_for(actor).require(Action.MANAGE_CAMPAIGN, unit)


@transaction.atomic
def ensure_campaign(
    *,
    actor: Any,
    owner: Unit,
    name: str,
    start_date: dt.date,
    end_date: dt.date,
    description: str = "",
) -> Campaign:
    """The campaign (owner, name), created if missing; an existing one is returned unchanged."""
    _require(actor, owner)
    name = name.strip()
    if not name:
        raise ValidationFailed(_("攻坚行动名称不能为空。"), field="name")
    if end_date < start_date:
        raise ValidationFailed(_("结束日期不能早于开始日期。"), field="end_date")
    existing = Campaign.objects.filter(owner=owner, name=name).first()
    if existing is not None:
        return existing
    campaign = Campaign(
        owner=owner, name=name, start_date=start_date, end_date=end_date, description=description
    )
    record(campaign, actor=actor, reason=_("新建攻坚行动"))
    campaign.save()
    return campaign


@transaction.atomic
def ensure_line(
    *,
    actor: Any,
    campaign: Campaign,
    name: str,
    lead_unit: Unit,
    covered_units: Iterable[Unit] = (),
    sort_order: int = 0,
) -> Line:
    """The line (campaign, name), created if missing; covered units are added, never removed."""
    _require(actor, campaign.owner)
    name = name.strip()
    if not name:
        raise ValidationFailed(_("专项名称不能为空。"), field="name")
    line = Line.objects.filter(campaign=campaign, name=name).first()
    if line is None:
        line = Line(campaign=campaign, name=name, lead_unit=lead_unit, sort_order=sort_order)
        record(line, actor=actor, reason=_("新建攻坚专项"))
        line.save()
    covered = list(covered_units)
    if covered:
        line.covered_units.add(*covered)
    return line


@transaction.atomic
def set_thresholds(
    *,
    actor: Any,
    campaign: Campaign,
    yellow_gap: Decimal,
    red_gap: Decimal,
    not_started_red_months: int,
    milestone_red_days: int,
) -> Campaign:
    """Change a campaign's warning thresholds (红黄绿灯阈值)."""
    _require(actor, campaign.owner)
    if yellow_gap < 0 or red_gap < 0 or not_started_red_months < 0 or milestone_red_days < 0:
        raise ValidationFailed(_("预警阈值不能为负数。"), field="thresholds")
    if yellow_gap > red_gap:
        raise ValidationFailed(_("黄灯阈值不能大于红灯阈值。"), field="yellow_gap")
    row = Campaign.objects.select_for_update().get(pk=campaign.pk)
    row.warn_yellow_gap = yellow_gap
    row.warn_red_gap = red_gap
    row.warn_not_started_red_months = not_started_red_months
    row.warn_milestone_red_days = milestone_red_days
    record(row, actor=actor, reason=_("修改预警阈值"))
    row.save()
    return row
