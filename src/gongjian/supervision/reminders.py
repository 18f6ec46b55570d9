"""催办: reminders by hand and by tick, with their inbox messages and webhook deliveries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gongjian.core import clock
from gongjian.core.text import check_text
from gongjian.supervision.flow import Step
from gongjian.supervision.inbox import notify, site_language, unit_handlers
from gongjian.supervision.models import (
    EventKind,
    Reminder,
    ReminderKind,
    SupervisionOrder,
)
from gongjian.supervision.rules import check_step
from gongjian.supervision.trail import add_event


@transaction.atomic
def remind(*, actor: Any, order: SupervisionOrder, text: str = "") -> Reminder:
    """催办 by hand: the office presses a unit about an open order."""
    locked = SupervisionOrder.objects.select_for_update().get(pk=order.pk)
    check_step(actor, locked, Step.REMIND)
    n = locked.reminders.filter(kind=ReminderKind.MANUAL).count() + 1
    with site_language():
        body = check_text(Reminder, "text", text or "") or default_reminder_text(
            locked, clock.today()
        )
    return send_reminder(locked, ReminderKind.MANUAL, str(n), body, actor=actor)


def default_reminder_text(order: SupervisionOrder, today: dt.date) -> str:
    if today > order.deadline:
        return _(
            "【催办】督办单 %(code)s“%(title)s”已超过办结时限 %(deadline)s（逾期 %(days)s 天），请立即办理并反馈。"
        ) % {
            "code": order.code,
            "title": order.title,
            "deadline": order.deadline.isoformat(),
            "days": (today - order.deadline).days,
        }
    return _("【提醒】督办单 %(code)s“%(title)s”将于 %(deadline)s 到期，请按时办结并反馈。") % {
        "code": order.code,
        "title": order.title,
        "deadline": order.deadline.isoformat(),
    }


def send_reminder(
    order: SupervisionOrder, kind: str, period_key: str, text: str, *, actor: Any
) -> Reminder:
    from gongjian.supervision import webhooks

    reminder = Reminder.objects.create(
        order=order,
        kind=kind,
        period_key=period_key,
        sent_on=clock.today(),
        sent_by=actor,
        text=text,
    )
    add_event(order, EventKind.REMINDED, actor=actor, note=text)
    notify(unit_handlers(order.unit), order, text, reminder=reminder)
    webhooks.enqueue(order.unit, text, reminder=reminder)
    return reminder
