"""Every write of supervision: orders and their steps, extensions, reminders, notices, inspections.

Each service checks scope (`org.scope`) and the order's state table (`supervision.flow`), validates,
writes in one transaction with the order row locked at the version the actor read, records the
trail (`OrderEvent`) and the model history, and queues the inbox messages and webhook deliveries
the step causes. `actor=None` means the system (`gongjian tick`), used only by this module.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from random import Random
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from gongjian.core import clock
from gongjian.core.concurrency import lock_for_update
from gongjian.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from gongjian.core.history import record
from gongjian.org.models import Role, Unit, User
from gongjian.org.scope import Action, scope_for
from gongjian.projects.models import Project
from gongjian.supervision import flow
from gongjian.supervision.flow import OPEN_STATES, Level, Side, State, Step
from gongjian.supervision.models import (
    EventKind,
    EvidenceKind,
    ExtensionRequest,
    ExtensionStatus,
    Hazard,
    Inspection,
    InspectionKind,
    Message,
    Notice,
    NoticeKind,
    NoticeState,
    OrderEvent,
    OrderEvidence,
    OrderSource,
    RandomDraw,
    Reminder,
    ReminderKind,
    SupervisionOrder,
)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def reminder_period_days() -> int:
    """Days between two 催办 of one overdue order (first one the day after the deadline)."""
    return int(getattr(settings, "GONGJIAN_REMINDER_PERIOD_DAYS", 3))


def auto_order_days() -> int:
    """Days a red project's automatic order gives the unit to answer."""
    return int(getattr(settings, "GONGJIAN_AUTO_ORDER_DAYS", 10))


def hazard_order_days() -> int:
    return int(getattr(settings, "GONGJIAN_HAZARD_ORDER_DAYS", 5))


DUE_SOON_DAYS = 1


# ---------------------------------------------------------------- permission and state checks


def _require_side(actor: Any, unit: Unit, side: Side) -> None:
    """Steps of the unit are taken by its own people; review steps never by the unit itself."""
    if actor is None or actor.is_superuser:
        return
    own = actor.unit is not None and actor.unit.path.startswith(unit.path)
    if side is Side.UNIT and not own:
        raise PermissionDenied(
            _("只有责任单位“%(unit)s”的人员可以签收、办理、反馈督办单或申请延期。")
            % {"unit": unit.name},
            action="side_unit",
        )
    if side is Side.REVIEWER and own:
        raise PermissionDenied(
            _("责任单位不能审核、催办自己的督办单，须由交办方办理。"), action="side_reviewer"
        )


def _check_step(actor: Any, order: SupervisionOrder, step: Step) -> flow.Rule:
    r = flow.rule(step)
    if actor is not None:
        scope_for(actor).require(r.action, order.unit)
    _require_side(actor, order.unit, r.side)
    if State(order.state) not in r.sources:
        raise InvalidTransition(
            _("督办单当前状态为“%(state)s”，不能执行“%(step)s”。")
            % {"state": State(order.state).label, "step": r.label},
            state=order.state,
            step=str(step),
        )
    return r


def _event(
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


def _locked(order: SupervisionOrder, expected_version: int | None) -> SupervisionOrder:
    """The order's row, locked, at the version the actor read (the loaded instance's by default)."""
    version = order.version if expected_version is None else expected_version
    return lock_for_update(SupervisionOrder, order.pk, expected_version=version)


def _save(order: SupervisionOrder, *, actor: Any, reason: str) -> None:
    record(order, actor=actor, reason=reason)
    order.save()


def _clean(text: str | None) -> str:
    return (text or "").strip()


# ---------------------------------------------------------------- inbox


def unit_handlers(unit: Unit) -> list[User]:
    """The people who answer a unit's orders: its active unit staff."""
    return list(
        User.objects.filter(unit=unit, is_active=True, roles__role=Role.UNIT_STAFF).distinct()
    )


@contextmanager
def site_language() -> Iterator[None]:
    """Texts stored for others to read (inbox, reminders, system notes) are in the site's
    language, whatever the language of the person whose action caused them."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


def _notify(
    users: Iterable[Any],
    order: SupervisionOrder | None,
    text: str | Callable[[], str],
    **extra: Any,
) -> int:
    if callable(text):
        with site_language():
            text = text()
    now = clock.now()
    rows = [
        Message(user=u, order=order, text=text, created_at=now, **extra)
        for u in {u.pk: u for u in users if u is not None}.values()
    ]
    Message.objects.bulk_create(rows)
    return len(rows)


# ---------------------------------------------------------------- orders


@transaction.atomic
def issue_order(
    *,
    actor: Any,
    unit: Unit,
    title: str,
    content: str,
    deadline: dt.date,
    project: Project | None = None,
    line: Any = None,
    required_evidence: str = "",
    level: str = Level.BLUE,
) -> SupervisionOrder:
    """交办: the office or a linked leader gives an order to a unit, with a deadline."""
    scope = scope_for(actor)
    scope.require(Action.ISSUE_ORDER, unit)
    _require_side(actor, unit, Side.REVIEWER)
    if project is not None:
        scope.require(Action.VIEW, project.unit)
    if actor.unit is None and not actor.is_superuser:
        raise PermissionDenied(_("交办人须属于某个单位。"))
    return _create_order(
        actor=actor,
        issuing_unit=actor.unit or unit.parent or unit,
        unit=unit,
        title=title,
        content=content,
        deadline=deadline,
        project=project,
        line=line,
        required_evidence=required_evidence,
        level=level,
        source=OrderSource.MANUAL,
    )


def _create_order(
    *,
    actor: Any,
    issuing_unit: Unit,
    unit: Unit,
    title: str,
    content: str,
    deadline: dt.date,
    project: Project | None,
    line: Any,
    required_evidence: str,
    level: str,
    source: str,
) -> SupervisionOrder:
    today = clock.today()
    title, content = _clean(title), _clean(content)
    if not title:
        raise ValidationFailed(_("督办事项不能为空。"), field="title")
    if not content:
        raise ValidationFailed(_("督办内容不能为空。"), field="content")
    if not isinstance(deadline, dt.date) or deadline < today:
        raise ValidationFailed(_("办结时限不能早于今天。"), field="deadline")
    if level not in Level.__members__.values():
        raise ValidationFailed(_("未知的督查单颜色：%(level)s") % {"level": level}, field="level")
    order = SupervisionOrder(
        code=f"tmp-{secrets.token_hex(8)}",
        title=title,
        content=content,
        required_evidence=_clean(required_evidence),
        unit=unit,
        issuing_unit=issuing_unit,
        project=project,
        line=line,
        source=source,
        level=str(level),
        state=State.ISSUED,
        issued_on=today,
        deadline=deadline,
        original_deadline=deadline,
        issued_by=actor,
    )
    _save(order, actor=actor, reason=_("交办"))
    # The number follows the row id, so two offices issuing at once never get the same code.
    order.code = f"DB{today:%Y}-{order.pk:05d}"
    SupervisionOrder.objects.filter(pk=order.pk).update(code=order.code)
    _event(order, EventKind.ISSUED, actor=actor, to_state=State.ISSUED, new_deadline=deadline)
    _notify(
        unit_handlers(unit),
        order,
        lambda: (
            _("新督办单 %(code)s：%(title)s，请于 %(deadline)s 前办结。")
            % {"code": order.code, "title": title, "deadline": deadline.isoformat()}
        ),
    )
    return order


def _simple_step(
    *,
    actor: Any,
    order: SupervisionOrder,
    step: Step,
    kind: str,
    expected_version: int | None,
    note: str = "",
) -> SupervisionOrder:
    locked = _locked(order, expected_version)
    r = _check_step(actor, locked, step)
    _mark_overdue(locked, clock.today())
    before = locked.state
    assert r.target is not None  # noqa: S101 - only moving steps come here
    locked.state = r.target
    _save(locked, actor=actor, reason=str(r.label))
    _event(locked, kind, actor=actor, from_state=before, to_state=r.target, note=_clean(note))
    return locked


@transaction.atomic
def acknowledge(
    *, actor: Any, order: SupervisionOrder, expected_version: int | None = None, note: str = ""
) -> SupervisionOrder:
    """签收: the responsible unit confirms it has the order."""
    return _simple_step(
        actor=actor,
        order=order,
        step=Step.ACKNOWLEDGE,
        kind=EventKind.ACKNOWLEDGED,
        expected_version=expected_version,
        note=note,
    )


@transaction.atomic
def start(
    *, actor: Any, order: SupervisionOrder, expected_version: int | None = None, note: str = ""
) -> SupervisionOrder:
    """办理: the unit starts working on it."""
    return _simple_step(
        actor=actor,
        order=order,
        step=Step.START,
        kind=EventKind.STARTED,
        expected_version=expected_version,
        note=note,
    )


@dataclass(frozen=True)
class EvidenceFile:
    file: UploadedFile
    kind: str = EvidenceKind.DOCUMENT
    caption: str = ""


@transaction.atomic
def feedback(
    *,
    actor: Any,
    order: SupervisionOrder,
    text: str,
    files: Sequence[EvidenceFile] = (),
    expected_version: int | None = None,
) -> SupervisionOrder:
    """反馈: the unit reports the matter done, with its evidence (text, photos, files)."""
    locked = _locked(order, expected_version)
    _check_step(actor, locked, Step.FEEDBACK)
    text = _clean(text)
    if not text:
        raise ValidationFailed(_("请填写办理情况。"), field="text")
    for f in files:
        if f.kind not in EvidenceKind.values:
            raise ValidationFailed(_("未知的佐证类型。"), field="files")
        if f.file.size is not None and f.file.size > MAX_UPLOAD_BYTES:
            raise ValidationFailed(
                _("文件“%(name)s”超过 20MB。") % {"name": f.file.name}, field="files"
            )
    # A late answer still counts as late, even if tick has not run since the deadline.
    _mark_overdue(locked, clock.today())
    before = locked.state
    locked.state = State.FEEDBACK
    locked.feedback_on = clock.today()
    _save(locked, actor=actor, reason=_("反馈"))
    event = _event(
        locked,
        EventKind.FEEDBACK,
        actor=actor,
        from_state=before,
        to_state=State.FEEDBACK,
        note=text,
    )
    for f in files:
        OrderEvidence.objects.create(event=event, kind=f.kind, file=f.file, caption=f.caption)
    _notify(
        [locked.issued_by],
        locked,
        lambda: _("督办单 %(code)s 已反馈，请审核。") % {"code": locked.code},
    )
    return locked


@transaction.atomic
def close(
    *, actor: Any, order: SupervisionOrder, note: str = "", expected_version: int | None = None
) -> SupervisionOrder:
    """销号: the office accepts the feedback; the order stays on the closed list."""
    locked = _locked(order, expected_version)
    _check_step(actor, locked, Step.CLOSE)
    today = clock.today()
    locked.state = State.CLOSED
    locked.closed_on = today
    locked.closed_on_time = locked.feedback_on is not None and locked.feedback_on <= locked.deadline
    _save(locked, actor=actor, reason=_("审核销号"))
    _event(
        locked,
        EventKind.CLOSED,
        actor=actor,
        from_state=State.FEEDBACK,
        to_state=State.CLOSED,
        note=_clean(note),
    )
    _notify(
        unit_handlers(locked.unit),
        locked,
        lambda: _("督办单 %(code)s 已审核销号。") % {"code": locked.code},
    )
    return locked


@transaction.atomic
def send_back(
    *, actor: Any, order: SupervisionOrder, reason: str, expected_version: int | None = None
) -> SupervisionOrder:
    """退回: the office refuses the feedback, with a reason; the order is back in progress."""
    locked = _locked(order, expected_version)
    _check_step(actor, locked, Step.SEND_BACK)
    reason = _clean(reason)
    if not reason:
        raise ValidationFailed(_("退回须写明理由。"), field="reason")
    locked.state = State.IN_PROGRESS
    locked.times_sent_back += 1
    _save(locked, actor=actor, reason=_("退回"))
    _event(
        locked,
        EventKind.SENT_BACK,
        actor=actor,
        from_state=State.FEEDBACK,
        to_state=State.IN_PROGRESS,
        note=reason,
    )
    _notify(
        unit_handlers(locked.unit),
        locked,
        lambda: _("督办单 %(code)s 被退回：%(reason)s") % {"code": locked.code, "reason": reason},
    )
    _mark_overdue(locked, clock.today())
    return locked


@transaction.atomic
def request_extension(
    *,
    actor: Any,
    order: SupervisionOrder,
    reason: str,
    new_deadline: dt.date,
    expected_version: int | None = None,
) -> ExtensionRequest:
    """延期申请: asked before the deadline, with a reason and a new date."""
    locked = _locked(order, expected_version)
    _check_step(actor, locked, Step.REQUEST_EXTENSION)
    today = clock.today()
    reason = _clean(reason)
    if today > locked.deadline:
        raise ValidationFailed(
            _("延期须在办结时限（%(deadline)s）前申请，现已逾期。")
            % {"deadline": locked.deadline.isoformat()},
            field="new_deadline",
        )
    if not reason:
        raise ValidationFailed(_("请写明延期理由。"), field="reason")
    if not isinstance(new_deadline, dt.date) or new_deadline <= locked.deadline:
        raise ValidationFailed(
            _("申请的新时限须晚于现时限 %(deadline)s。")
            % {"deadline": locked.deadline.isoformat()},
            field="new_deadline",
        )
    if locked.extensions.filter(status=ExtensionStatus.PENDING).exists():
        raise InvalidTransition(_("已有一份延期申请在等待审批。"), step="request_extension")
    _save(locked, actor=actor, reason=_("申请延期"))
    ext = ExtensionRequest(
        order=locked,
        reason=reason,
        old_deadline=locked.deadline,
        new_deadline=new_deadline,
        requested_by=actor,
        requested_on=today,
    )
    record(ext, actor=actor, reason=_("申请延期"))
    ext.save()
    _event(
        locked,
        EventKind.EXTENSION_REQUESTED,
        actor=actor,
        note=reason,
        old_deadline=locked.deadline,
        new_deadline=new_deadline,
    )
    _notify(
        [locked.issued_by],
        locked,
        lambda: (
            _("督办单 %(code)s 申请延期至 %(date)s，请审批。")
            % {"code": locked.code, "date": new_deadline.isoformat()}
        ),
    )
    return ext


@transaction.atomic
def decide_extension(
    *,
    actor: Any,
    order: SupervisionOrder,
    approve: bool,
    note: str = "",
    expected_version: int | None = None,
) -> SupervisionOrder:
    """The office approves or refuses the pending extension; the trail keeps both deadlines."""
    locked = _locked(order, expected_version)
    _check_step(actor, locked, Step.DECIDE_EXTENSION)
    ext = locked.extensions.filter(status=ExtensionStatus.PENDING).first()
    if ext is None:
        raise InvalidTransition(_("没有待审批的延期申请。"), step="decide_extension")
    today = clock.today()
    note = _clean(note)
    if not approve and not note:
        raise ValidationFailed(_("不同意延期须写明理由。"), field="note")
    old = locked.deadline
    ext.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    ext.decided_by = actor
    ext.decided_on = today
    ext.decision_note = note
    record(ext, actor=actor, reason=_("审批延期"))
    ext.save()
    if approve:
        locked.deadline = ext.new_deadline
        # Asked in time: a lateness marked while the office was deciding is lifted.
        if locked.overdue_on is not None and today <= locked.deadline:
            locked.overdue_on = None
    _save(locked, actor=actor, reason=_("审批延期"))
    _event(
        locked,
        EventKind.EXTENSION_APPROVED if approve else EventKind.EXTENSION_REFUSED,
        actor=actor,
        note=note,
        old_deadline=old,
        new_deadline=ext.new_deadline,
    )
    _notify(
        unit_handlers(locked.unit),
        locked,
        lambda: (
            (
                _("督办单 %(code)s 延期申请已同意，新时限 %(date)s。")
                if approve
                else _("督办单 %(code)s 延期申请未同意，仍按 %(date)s 办结。")
            )
            % {"code": locked.code, "date": locked.deadline.isoformat()}
        ),
    )
    return locked


@transaction.atomic
def remind(*, actor: Any, order: SupervisionOrder, text: str = "") -> Reminder:
    """催办 by hand: the office presses a unit about an open order."""
    locked = SupervisionOrder.objects.select_for_update().get(pk=order.pk)
    _check_step(actor, locked, Step.REMIND)
    n = locked.reminders.filter(kind=ReminderKind.MANUAL).count() + 1
    with site_language():
        body = _clean(text) or _default_reminder_text(locked, clock.today())
    return _send_reminder(locked, ReminderKind.MANUAL, str(n), body, actor=actor)


def _default_reminder_text(order: SupervisionOrder, today: dt.date) -> str:
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


def _send_reminder(
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
    _event(order, EventKind.REMINDED, actor=actor, note=text)
    _notify(unit_handlers(order.unit), order, text, reminder=reminder)
    webhooks.enqueue(order.unit, text, reminder=reminder)
    return reminder


# ---------------------------------------------------------------- deadlines (run by tick)


def working_days_between(after: dt.date, until: dt.date) -> int:
    """Working days (Mon–Fri) in (after, until]; public holidays are not known here."""
    if until <= after:
        return 0
    days = (until - after).days
    full_weeks, rest = divmod(days, 7)
    count = full_weeks * 5
    for i in range(1, rest + 1):
        if (after + dt.timedelta(days=full_weeks * 7 + i)).weekday() < 5:
            count += 1
    return count


def _mark_overdue(order: SupervisionOrder, today: dt.date) -> bool:
    """Record the first day an open order is past its deadline; escalate its colour. Idempotent."""
    if State(order.state) not in OPEN_STATES or today <= order.deadline:
        return False
    with site_language():
        return _mark_overdue_now(order, today)


def _mark_overdue_now(order: SupervisionOrder, today: dt.date) -> bool:
    changed = False
    if order.overdue_on is None:
        order.overdue_on = today
        _event(
            order,
            EventKind.OVERDUE,
            actor=None,
            note=_("超过办结时限 %(d)s") % {"d": order.deadline},
        )
        changed = True
    level = flow.escalated_level(order.level, working_days_between(order.deadline, today))
    if level != order.level:
        _event(
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
        order.save(update_fields=["overdue_on", "level"])
    return changed


@dataclass
class TickReport:
    today: dt.date
    auto_orders: int = 0
    hazard_orders: int = 0
    marked_overdue: int = 0
    reminders: int = 0
    deliveries_sent: int = 0
    deliveries_failed: int = 0

    def as_text(self) -> str:
        return _(
            "%(today)s：红灯项目自动督办 %(auto)s 件，隐患转督办 %(hazard)s 件，新标记逾期或升级 %(overdue)s 件，"
            "催办 %(reminders)s 次，推送成功 %(sent)s 条、失败 %(failed)s 条。"
        ) % {
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
    with site_language():
        return _tick(deliver=deliver)


def _tick(*, deliver: bool) -> TickReport:
    from gongjian.supervision import webhooks

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
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    for pk in SupervisionOrder.objects.filter(
        state__in=list(OPEN_STATES), deadline__gte=today, deadline__lte=soon
    ).values_list("pk", flat=True):
        report.reminders += _tick_due_soon(pk, today)
    if deliver:
        sent, failed = webhooks.deliver_due()
        report.deliveries_sent, report.deliveries_failed = sent, failed
    return report


@transaction.atomic
def _tick_overdue(pk: int, today: dt.date) -> tuple[int, int]:
    order = SupervisionOrder.objects.select_for_update().select_related("unit").get(pk=pk)
    if State(order.state) not in OPEN_STATES or order.deadline >= today:
        return 0, 0
    marked = int(_mark_overdue(order, today))
    period = (today - order.deadline - dt.timedelta(days=1)).days // reminder_period_days()
    if order.reminders.filter(kind=ReminderKind.OVERDUE, period_key=str(period)).exists():
        return marked, 0
    _send_reminder(
        order, ReminderKind.OVERDUE, str(period), _default_reminder_text(order, today), actor=None
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
    _send_reminder(
        order, ReminderKind.DUE_SOON, key, _default_reminder_text(order, today), actor=None
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
    _create_order(
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
    order = _create_order(
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


# ---------------------------------------------------------------- notices


@transaction.atomic
def create_notice(
    *,
    actor: Any,
    kind: str,
    unit: Unit,
    title: str,
    reason: str,
    person_name: str = "",
    orders: Iterable[SupervisionOrder] = (),
    projects: Iterable[Project] = (),
    inspections: Iterable[Inspection] = (),
    publish: bool = False,
) -> Notice:
    """通报: the office drafts praise or criticism of a unit (or a person in it)."""
    scope = scope_for(actor)
    scope.require(Action.MANAGE_CAMPAIGN, unit)
    _require_side(actor, unit, Side.REVIEWER)
    if kind not in NoticeKind.values:
        raise ValidationFailed(_("未知的通报类型。"), field="kind")
    title, reason = _clean(title), _clean(reason)
    if not title:
        raise ValidationFailed(_("通报标题不能为空。"), field="title")
    if not reason:
        raise ValidationFailed(_("通报须写明事由。"), field="reason")
    orders, projects, inspections = list(orders), list(projects), list(inspections)
    for linked_unit in (
        [o.unit for o in orders] + [p.unit for p in projects] + [i.unit for i in inspections]
    ):
        scope.require(Action.VIEW, linked_unit)
    notice = Notice(
        kind=kind,
        unit=unit,
        title=title,
        reason=reason,
        person_name=_clean(person_name),
        issuing_unit=actor.unit or unit,
        created_by=actor,
    )
    record(notice, actor=actor, reason=_("起草通报"))
    notice.save()
    notice.orders.set(orders)
    notice.projects.set(projects)
    notice.inspections.set(inspections)
    if publish:
        return publish_notice(actor=actor, notice=notice)
    return notice


@transaction.atomic
def publish_notice(*, actor: Any, notice: Notice, expected_version: int | None = None) -> Notice:
    """Publish a draft; a published notice is what the assessment counts, and never changes."""
    version = notice.version if expected_version is None else expected_version
    locked = lock_for_update(Notice, notice.pk, expected_version=version)
    scope_for(actor).require(Action.MANAGE_CAMPAIGN, locked.unit)
    if locked.state != NoticeState.DRAFT:
        raise InvalidTransition(_("该通报已发布，不能再次发布。"), step="publish")
    locked.state = NoticeState.PUBLISHED
    locked.published_on = clock.today()
    record(locked, actor=actor, reason=_("发布通报"))
    locked.save()
    label = NoticeKind(locked.kind).label
    _notify(
        unit_handlers(locked.unit),
        None,
        lambda: _("%(kind)s：%(title)s") % {"kind": label, "title": locked.title},
    )
    return locked


# ---------------------------------------------------------------- inspections


@dataclass(frozen=True)
class HazardIn:
    description: str
    rectify_by: dt.date


@transaction.atomic
def record_inspection(
    *,
    actor: Any,
    kind: str,
    unit: Unit | None = None,
    project: Project | None = None,
    team: str,
    inspected_on: dt.date,
    findings: str,
    hazards: Sequence[HazardIn] = (),
    draw: RandomDraw | None = None,
) -> Inspection:
    """督查/抽查: an inspector records a check of a project or a unit, with any safety hazards."""
    if project is not None:
        unit = project.unit
    if unit is None:
        raise ValidationFailed(_("请选择被检查的单位或项目。"), field="unit")
    scope_for(actor).require(Action.INSPECT, unit)
    today = clock.today()
    if kind not in InspectionKind.values:
        raise ValidationFailed(_("未知的检查类型。"), field="kind")
    team, findings = _clean(team), _clean(findings)
    if not team:
        raise ValidationFailed(_("请填写督查组。"), field="team")
    if not findings:
        raise ValidationFailed(_("请填写检查发现。"), field="findings")
    if inspected_on > today:
        raise ValidationFailed(_("检查日期不能晚于今天。"), field="inspected_on")
    for h in hazards:
        if not _clean(h.description):
            raise ValidationFailed(_("隐患描述不能为空。"), field="hazards")
        if h.rectify_by < inspected_on:
            raise ValidationFailed(_("整改时限不能早于检查日期。"), field="hazards")
    if draw is not None and (project is None or project.pk not in draw.picked_ids):
        raise ValidationFailed(_("该项目不在这次抽签的抽中名单中。"), field="draw")
    insp = Inspection(
        kind=kind,
        unit=unit,
        project=project,
        team=team,
        inspected_on=inspected_on,
        findings=findings,
        draw=draw,
        recorded_by=actor,
    )
    record(insp, actor=actor, reason=_("记录督查"))
    insp.save()
    for h in hazards:
        row = Hazard(inspection=insp, description=_clean(h.description), rectify_by=h.rectify_by)
        record(row, actor=actor, reason=_("发现安全隐患"))
        row.save()
    if hazards:
        _notify(
            unit_handlers(unit),
            None,
            lambda: (
                _("督查发现 %(n)s 处安全隐患，请在时限内整改：%(list)s")
                % {
                    "n": len(hazards),
                    "list": "；".join(f"{h.description}（{h.rectify_by}）" for h in hazards),
                }
            ),
        )
    return insp


@transaction.atomic
def rectify_hazard(
    *, actor: Any, hazard: Hazard, note: str, expected_version: int | None = None
) -> Hazard:
    """The unit reports a hazard rectified (before it turns into an order)."""
    version = hazard.version if expected_version is None else expected_version
    locked = lock_for_update(Hazard, hazard.pk, expected_version=version)
    unit = locked.inspection.unit
    scope_for(actor).require(Action.HANDLE_ORDER, unit)
    _require_side(actor, unit, Side.UNIT)
    if locked.rectified_on is not None:
        raise InvalidTransition(_("该隐患已整改。"), step="rectify")
    if locked.order_id is not None:
        raise InvalidTransition(_("该隐患已逾期转为督办单，请在督办单中反馈。"), step="rectify")
    note = _clean(note)
    if not note:
        raise ValidationFailed(_("请填写整改情况。"), field="note")
    locked.rectified_on = clock.today()
    locked.rectification_note = note
    record(locked, actor=actor, reason=_("隐患整改"))
    locked.save()
    return locked


@transaction.atomic
def draw_random_check(
    *,
    actor: Any,
    scope_unit: Unit,
    count: int,
    seed: str | None = None,
    level: str = "",
    unit: Unit | None = None,
) -> RandomDraw:
    """不定期抽查: draw `count` projects from a filter, fairly and repeatably.

    The candidates are the filter's projects ordered by id; a seeded generator samples them. The
    draw keeps the filter, the candidate list and the seed, so anyone can redo it and get the same
    picks (`redo_draw`).
    """
    scope = scope_for(actor)
    scope.require(Action.INSPECT, scope_unit)
    if unit is not None:
        scope.require(Action.INSPECT, unit)
    if count < 1:
        raise ValidationFailed(_("抽取数量至少为 1。"), field="count")
    qs = Project.objects.filter(unit__path__startswith=(unit or scope_unit).path)
    if level:
        qs = qs.filter(level=level)
    candidates = list(qs.order_by("pk").values_list("pk", flat=True))
    if not candidates:
        raise ValidationFailed(_("筛选条件下没有可抽取的项目。"), field="count")
    if count > len(candidates):
        raise ValidationFailed(
            _("抽取数量 %(n)s 超过候选项目数 %(m)s。") % {"n": count, "m": len(candidates)},
            field="count",
        )
    seed = _clean(seed) or secrets.token_hex(8)
    draw = RandomDraw(
        drawn_on=clock.today(),
        seed=seed,
        criteria={"scope_unit": scope_unit.pk, "unit": unit.pk if unit else None, "level": level},
        candidate_ids=candidates,
        picked_ids=pick(candidates, count, seed),
        drawn_by=actor,
        scope_unit=scope_unit,
    )
    draw.save()
    return draw


def pick(candidates: Sequence[int], count: int, seed: str) -> list[int]:
    """The seeded sample: the same candidates, count and seed always give the same picks."""
    # Not for secrets: fairness here means reproducible and uniform, which Random(seed) is.
    return sorted(Random(seed).sample(sorted(candidates), count))  # noqa: S311


def redo_draw(draw: RandomDraw) -> list[int]:
    return pick(draw.candidate_ids, len(draw.picked_ids), draw.seed)
