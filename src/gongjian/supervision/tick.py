"""The scheduled work (`gongjian tick`): automatic orders for red projects and late hazards, overdue
marks and colours, reminders and webhook deliveries. Running it twice on one day changes nothing more."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from gongjian.core import clock
from gongjian.core.history import record
from gongjian.core.working_days import add_working_days
from gongjian.projects.models import Project
from gongjian.supervision.deadlines import mark_overdue
from gongjian.supervision.flow import OPEN_STATES, Level, State
from gongjian.supervision.inbox import site_language
from gongjian.supervision.models import (
    Hazard,
    OrderSource,
    ReminderKind,
    SupervisionOrder,
)
from gongjian.supervision.orders import create_order
from gongjian.supervision.reminders import default_reminder_text, send_reminder


def reminder_period_days() -> int:
    """Days between two 催办 of one overdue order (first one the day after the deadline)."""
    return int(getattr(settings, "GONGJIAN_REMINDER_PERIOD_DAYS", 3))


def auto_order_days() -> int:
    """Days a red project's automatic order gives the unit to answer."""
    return int(getattr(settings, "GONGJIAN_AUTO_ORDER_DAYS", 10))


def hazard_order_days() -> int:
    return int(getattr(settings, "GONGJIAN_HAZARD_ORDER_DAYS", 5))


DUE_SOON_DAYS = 1  # working days


@dataclass
class TickReport:
    today: dt.date
    auto_orders: int = 0
    hazard_orders: int = 0
    marked_overdue: int = 0
    reminders: int = 0
    deliveries_sent: int = 0
    deliveries_failed: int = 0
    light_digests: int = 0

    def as_text(self) -> str:
        return _(
            "%(today)s：红灯项目自动督办 %(auto)s 件，隐患转督办 %(hazard)s 件，新标记逾期或升级 %(overdue)s 件，"
            "催办 %(reminders)s 次，亮灯提醒 %(digests)s 人，推送成功 %(sent)s 条、失败 %(failed)s 条。"
        ) % {
            "digests": self.light_digests,
            "today": self.today.isoformat(),
            "auto": self.auto_orders,
            "hazard": self.hazard_orders,
            "overdue": self.marked_overdue,
            "reminders": self.reminders,
            "sent": self.deliveries_sent,
            "failed": self.deliveries_failed,
        }


def tick(*, deliver: bool = True) -> TickReport:
    """The scheduled work. Running it again on the same day changes nothing more."""
    from gongjian.supervision import webhooks

    with site_language():
        # Robots get the run's messages at the end, folded into digests, not one by one.
        with webhooks.held():
            report = _tick()
        if deliver:
            report.deliveries_sent, report.deliveries_failed = webhooks.deliver_due()
        return report


def _tick() -> TickReport:
    from gongjian.supervision import lights

    today = clock.today()
    report = TickReport(today=today)
    report.auto_orders = _raise_red_project_orders(today)
    report.hazard_orders = _raise_hazard_orders(today)
    ids = list(
        SupervisionOrder.objects.filter(state__in=list(OPEN_STATES), deadline__lt=today)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pk in ids:
        marked, reminded = _tick_overdue(pk, today)
        report.marked_overdue += marked
        report.reminders += reminded
    soon = add_working_days(today, DUE_SOON_DAYS)  # Friday reminds of Monday's deadline
    for pk in SupervisionOrder.objects.filter(
        state__in=list(OPEN_STATES), deadline__gte=today, deadline__lte=soon
    ).values_list("pk", flat=True):
        report.reminders += _tick_due_soon(pk, today)
    report.light_digests = lights.send_digests(today)
    return report


@transaction.atomic
def _tick_overdue(pk: int, today: dt.date) -> tuple[int, int]:
    order = SupervisionOrder.objects.select_for_update().select_related("unit").get(pk=pk)
    if State(order.state) not in OPEN_STATES or order.deadline >= today:
        return 0, 0
    marked = int(mark_overdue(order, today))
    period = (today - order.deadline - dt.timedelta(days=1)).days // reminder_period_days()
    if order.reminders.filter(kind=ReminderKind.OVERDUE, period_key=str(period)).exists():
        return marked, 0
    send_reminder(
        order, ReminderKind.OVERDUE, str(period), default_reminder_text(order, today), actor=None
    )
    return marked, 1


@transaction.atomic
def _tick_due_soon(pk: int, today: dt.date) -> int:
    order = SupervisionOrder.objects.select_for_update().select_related("unit").get(pk=pk)
    if State(order.state) not in OPEN_STATES:
        return 0
    key = order.deadline.isoformat()
    if order.reminders.filter(kind=ReminderKind.DUE_SOON, period_key=key).exists():
        return 0
    send_reminder(
        order, ReminderKind.DUE_SOON, key, default_reminder_text(order, today), actor=None
    )
    return 1


def _raise_red_project_orders(today: dt.date) -> int:
    from gongjian.projects.models import ProjectStatus
    from gongjian.projects.warning_feed import warnings_for
    from gongjian.projects.warnings import Colour

    projects = Project.objects.exclude(
        status__in=[ProjectStatus.COMPLETED, ProjectStatus.IN_PRODUCTION]
    ).select_related("unit", "campaign__owner")
    busy = set(
        SupervisionOrder.objects.filter(project__isnull=False)
        .exclude(state=State.CLOSED)
        .values_list("project_id", flat=True)
    )
    candidates = [p for p in projects if p.pk not in busy]
    warnings = warnings_for(candidates, today)
    raised = 0
    for p in candidates:
        w = warnings[p.pk]
        if w.colour != Colour.RED:
            continue
        raised += int(_raise_red_project_order(p, "；".join(w.reasons), today))
    return raised


@transaction.atomic
def _raise_red_project_order(project: Project, reasons: str, today: dt.date) -> bool:
    # Lock the project so two ticks at once cannot both raise; the partial unique index backs it.
    Project.objects.select_for_update().filter(pk=project.pk).first()
    if SupervisionOrder.objects.filter(project=project).exclude(state=State.CLOSED).exists():
        return False
    issuing = project.campaign.owner if project.campaign else (project.unit.parent or project.unit)
    create_order(
        actor=None,
        issuing_unit=issuing,
        unit=project.unit,
        title=_("红灯项目督办：%(name)s") % {"name": project.name},
        content=_("项目“%(name)s”亮红灯（%(reasons)s）。请查明原因，制定赶超措施并限期反馈。")
        % {"name": project.name, "reasons": reasons},
        deadline=today + dt.timedelta(days=auto_order_days()),
        project=project,
        line=project.line,
        required_evidence=_("整改措施、最新形象进度及现场照片"),
        level=Level.ORANGE,
        source=OrderSource.RED_PROJECT,
    )
    return True


def _raise_hazard_orders(today: dt.date) -> int:
    raised = 0
    for pk in Hazard.objects.filter(
        rectified_on__isnull=True, order__isnull=True, rectify_by__lt=today
    ).values_list("pk", flat=True):
        raised += int(_raise_hazard_order(pk, today))
    return raised


@transaction.atomic
def _raise_hazard_order(pk: int, today: dt.date) -> bool:
    hazard = (
        Hazard.objects.select_for_update(of=("self",))
        .select_related("inspection__unit", "inspection__project")
        .get(pk=pk)
    )
    if hazard.order_id is not None or hazard.rectified_on is not None:
        return False
    insp = hazard.inspection
    order = create_order(
        actor=None,
        issuing_unit=insp.unit.parent or insp.unit,
        unit=insp.unit,
        title=_("安全隐患逾期未整改：%(d)s") % {"d": hazard.description[:60]},
        content=_(
            "%(date)s 督查发现安全隐患“%(d)s”，整改时限 %(by)s 已过仍未整改。请立即整改并反馈。"
        )
        % {
            "date": insp.inspected_on.isoformat(),
            "d": hazard.description,
            "by": hazard.rectify_by.isoformat(),
        },
        deadline=today + dt.timedelta(days=hazard_order_days()),
        project=insp.project,
        line=None,
        required_evidence=_("整改前后对比照片、整改报告"),
        level=Level.RED,
        source=OrderSource.HAZARD,
    )
    hazard.order = order
    record(hazard, actor=None, reason=_("逾期未整改，转督办"))
    hazard.save(update_fields=["order"])
    return True
