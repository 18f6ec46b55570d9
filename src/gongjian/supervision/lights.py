"""Lights on open orders (green / yellow from N working days before the deadline / red when late)
and the daily digest `gongjian tick` sends to everyone concerned: the lead unit's and the
co-operating units' handlers and the unit's leaders (分管领导, linked leaders) — one message per
person per day, only for lights that changed since that person was last told, none if nothing is.
Group robots get a digest of their unit's yellow and red orders only when an office turns
`GONGJIAN_ROBOT_LIGHT_DIGEST` on (one a day per unit).

Working days come from `deadlines.working_days_between`, the one working-day function (a holiday
calendar replaces it there)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings as django_settings
from django.db import transaction
from django.utils.translation import gettext as _

from gongjian.core import working_days
from gongjian.supervision.deadlines import working_days_between
from gongjian.supervision.flow import DEFAULT_YELLOW_WORKING_DAYS, OPEN_STATES, Light, light
from gongjian.supervision.inbox import notify, site_language, unit_handlers, unit_leaders
from gongjian.supervision.models import (
    DeliveryTopic,
    OrderLightSeen,
    SupervisionOrder,
    SupervisionSettings,
    WebhookDelivery,
)


def yellow_days_by_campaign() -> dict[int, int]:
    """Each campaign's yellow setting (one query; campaigns without a row use the default)."""
    return dict(SupervisionSettings.objects.values_list("campaign_id", "yellow_working_days"))


def order_light(
    order: SupervisionOrder, today: dt.date, settings: dict[int, int] | None = None
) -> Light | None:
    """The light of one order today (pages, API and the digest all ask this)."""
    if settings is None:
        settings = yellow_days_by_campaign()
    days = settings.get(order.campaign_id or 0, DEFAULT_YELLOW_WORKING_DAYS)
    left = working_days_between(today, order.deadline)
    return light(order.state, order.deadline, today, left, days)


def annotate_lights(orders: Iterable[SupervisionOrder], today: dt.date) -> None:
    """Set `order.light` on each (for lists): one settings query for any number of orders."""
    settings = yellow_days_by_campaign()
    with working_days.batch():
        for o in orders:
            o.light = order_light(o, today, settings)  # type: ignore[attr-defined]


def _concerned(order: SupervisionOrder) -> list[Any]:
    people = unit_handlers(order.unit) + unit_leaders(order.unit)
    for coop in order.cooperators.all():
        people += unit_handlers(coop.unit)
    return people


def send_digests(today: dt.date) -> int:
    """Tick's digest of yellow and red lights; returns how many people got one today."""
    settings = yellow_days_by_campaign()
    longest = max([DEFAULT_YELLOW_WORKING_DAYS, *settings.values()])
    # N working days are at most N + 2 * (N // 5 + 1) calendar days away (weekends).
    horizon = today + dt.timedelta(days=longest + 2 * (longest // 5 + 1))
    open_orders = (
        SupervisionOrder.objects.filter(state__in=list(OPEN_STATES), deadline__lte=horizon)
        .select_related("unit")
        .prefetch_related("cooperators__unit")
        .order_by("deadline", "pk")
    )
    due: dict[int, list[tuple[SupervisionOrder, Light]]] = defaultdict(list)
    users: dict[int, Any] = {}
    with working_days.batch():
        lit = [(order, order_light(order, today, settings)) for order in open_orders]
    for order, colour in lit:
        if colour not in (Light.YELLOW, Light.RED):
            continue
        for person in _concerned(order):
            users[person.pk] = person
            due[person.pk].append((order, colour))
    sent = 0
    for user_id, items in due.items():
        sent += _digest(users[user_id], items, today)
    if django_settings.GONGJIAN_ROBOT_LIGHT_DIGEST:
        by_unit: dict[int, list[tuple[SupervisionOrder, Light]]] = defaultdict(list)
        for order, colour in lit:
            if colour in (Light.YELLOW, Light.RED):
                by_unit[order.unit_id].append((order, colour))
        for items in by_unit.values():
            _robot_digest(items, today)
    return sent


@transaction.atomic
def _robot_digest(items: list[tuple[SupervisionOrder, Light]], today: dt.date) -> None:
    """The lead unit's robots get the day's yellow and red orders once a day (when configured)."""
    from gongjian.supervision import webhooks

    unit = items[0][0].unit
    day = today.isoformat()
    if WebhookDelivery.objects.filter(
        webhook__unit=unit, topic=DeliveryTopic.LIGHTS, period_key=day
    ).exists():
        return
    with site_language():
        text = _("督办亮灯提醒（%(day)s）：\n%(lines)s") % {"day": day, "lines": _lines(items)}
    webhooks.enqueue(unit, text, topic=DeliveryTopic.LIGHTS, period_key=day)


@transaction.atomic
def _digest(user: Any, items: list[tuple[SupervisionOrder, Light]], today: dt.date) -> int:
    seen = dict(
        OrderLightSeen.objects.filter(user=user, order__in=[o for o, _l in items]).values_list(
            "order_id", "light"
        )
    )
    if OrderLightSeen.objects.filter(user=user, on=today).exists():
        return 0  # one digest a day
    fresh = [(o, c) for o, c in items if seen.get(o.pk) != c.value]
    if not fresh:
        return 0
    with site_language():
        text = _("督办亮灯提醒（%(day)s）：\n%(lines)s") % {
            "day": today.isoformat(),
            "lines": _lines(fresh),
        }
    notify([user], None, text)
    for o, c in fresh:
        OrderLightSeen.objects.update_or_create(
            user=user, order=o, defaults={"light": c.value, "on": today}
        )
    return 1


def _lines(items: list[tuple[SupervisionOrder, Light]]) -> str:
    return "\n".join(
        _("%(light)s %(code)s %(title)s（%(unit)s，时限 %(deadline)s）")
        % {
            "light": c.label,
            "code": o.code,
            "title": o.title,
            "unit": o.unit.name,
            "deadline": o.deadline.isoformat(),
        }
        for o, c in items
    )
