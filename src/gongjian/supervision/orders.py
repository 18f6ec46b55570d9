"""Supervision orders: issuing, the unit's and the office's steps, extensions.

Each service checks scope (`org.scope`) and the order's state table (`supervision.flow`, through
`supervision.rules`), validates, writes in one transaction with the order row locked at the version
the actor read, records the trail (`OrderEvent`) and the model history, and queues the inbox
messages the step causes. `actor=None` means the system (`gongjian tick`)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from gongjian.core import clock
from gongjian.core.errors import PermissionDenied, ValidationFailed
from gongjian.core.files import check_upload
from gongjian.core.history import record
from gongjian.core.text import check_text, check_texts
from gongjian.org.models import Unit
from gongjian.org.scope import Action, scope_for
from gongjian.projects.models import Project
from gongjian.supervision.deadlines import mark_overdue
from gongjian.supervision.flow import Level, Side, State, Step
from gongjian.supervision.inbox import notify, unit_handlers, unit_leaders
from gongjian.supervision.models import (
    EventKind,
    EvidenceKind,
    ExtensionRequest,
    ExtensionStatus,
    LeaderInstruction,
    OrderCooperator,
    OrderEvent,
    OrderEvidence,
    OrderSource,
    SupervisionOrder,
    SupervisionSettings,
)
from gongjian.supervision.rules import (
    approval_required,
    check_reviewer,
    check_step,
    cooperator_of,
    missing_parts,
    require_owned,
    require_side,
)
from gongjian.supervision.selectors import orders_for
from gongjian.supervision.sources import check_source, instruction_for
from gongjian.supervision.trail import add_event, locked_order, save_order


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
    source: str = OrderSource.MANUAL,
    source_ref: str = "",
    instruction: LeaderInstruction | None = None,
    campaign: Any = None,
    cooperators: Sequence[Unit] = (),
) -> SupervisionOrder:
    """交办: the office or a linked leader gives an order to a unit, with a deadline and the
    source of the matter. Where the campaign asks for 领导审核, the order waits for it first."""
    scope = scope_for(actor)
    scope.require(Action.ISSUE_ORDER, unit)
    require_side(actor, unit, Side.REVIEWER)
    if project is not None:
        scope.require(Action.VIEW, project.unit)
    if actor.unit is None and not actor.is_superuser:
        raise PermissionDenied(_("交办人须属于某个单位。"))
    source_ref = check_source(actor, source, source_ref, instruction)
    check_cooperators(actor, unit, cooperators)
    if instruction is not None:
        instruction_for(actor, instruction.pk)  # refused if out of the actor's sight
    # Checked here, not in create_order: tick's own texts quote ledger names it must not refuse.
    texts = check_texts(
        SupervisionOrder,
        {
            "title": title or "",
            "content": content or "",
            "required_evidence": required_evidence or "",
        },
    )
    return create_order(
        actor=actor,
        issuing_unit=actor.unit or unit.parent or unit,
        unit=unit,
        title=texts["title"],
        content=texts["content"],
        deadline=deadline,
        project=project,
        line=line,
        required_evidence=texts["required_evidence"],
        level=level,
        source=source,
        source_ref=source_ref,
        instruction=instruction,
        campaign=campaign,
        cooperators=cooperators,
    )


def check_cooperators(actor: Any, unit: Unit, cooperators: Sequence[Unit]) -> None:
    """协办单位: other units than the lead, each once, each one the issuer may give orders to."""
    scope = scope_for(actor)
    seen: set[int] = set()
    for coop in cooperators:
        if coop.pk == unit.pk:
            raise ValidationFailed(
                _("“%(unit)s”已是主办单位，不能同时作为协办单位。") % {"unit": unit.name},
                field="cooperators",
            )
        if coop.pk in seen:
            raise ValidationFailed(
                _("协办单位“%(unit)s”重复。") % {"unit": coop.name}, field="cooperators"
            )
        seen.add(coop.pk)
        scope.require(Action.ISSUE_ORDER, coop)
        require_side(actor, coop, Side.REVIEWER)


def create_order(
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
    source_ref: str = "",
    instruction: LeaderInstruction | None = None,
    campaign: Any = None,
    cooperators: Sequence[Unit] = (),
    reopened_from: SupervisionOrder | None = None,
) -> SupervisionOrder:
    today = clock.today()
    title, content = title.strip(), content.strip()
    if not title:
        raise ValidationFailed(_("督办事项不能为空。"), field="title")
    if not content:
        raise ValidationFailed(_("督办内容不能为空。"), field="content")
    if not isinstance(deadline, dt.date) or deadline < today:
        raise ValidationFailed(_("办结时限不能早于今天。"), field="deadline")
    if level not in Level.__members__.values():
        raise ValidationFailed(_("未知的督查单颜色：%(level)s") % {"level": level}, field="level")
    if project is not None:
        require_owned(unit, project.unit, _("项目“%(name)s”") % {"name": project.name}, "project")
    campaign = order_campaign(campaign, project, line)
    draft = approval_required(actor, campaign)
    order = SupervisionOrder(
        code=f"tmp-{secrets.token_hex(8)}",
        title=title,
        content=content,
        required_evidence=required_evidence.strip(),
        unit=unit,
        issuing_unit=issuing_unit,
        project=project,
        line=line,
        source=source,
        source_ref=source_ref,
        instruction=instruction,
        campaign=campaign,
        reopened_from=reopened_from,
        level=str(level),
        state=State.PENDING_APPROVAL if draft else State.ISSUED,
        issued_on=today,
        deadline=deadline,
        original_deadline=deadline,
        issued_by=actor,
    )
    save_order(order, actor=actor, reason=_("交办"))
    # The number follows the row id, so two offices issuing at once never get the same code.
    order.code = f"DB{today:%Y}-{order.pk:05d}"
    SupervisionOrder.objects.filter(pk=order.pk).update(code=order.code)
    for coop in cooperators:
        row = OrderCooperator(order=order, unit=coop)
        record(row, actor=actor, reason=_("交办"))
        row.save()
    if draft:
        add_event(
            order,
            EventKind.SUBMITTED,
            actor=actor,
            to_state=State.PENDING_APPROVAL,
            new_deadline=deadline,
        )
        _ask_approval(order)
        return order
    add_event(order, EventKind.ISSUED, actor=actor, to_state=State.ISSUED, new_deadline=deadline)
    _tell_unit_issued(order)
    return order


def order_campaign(campaign: Any, project: Project | None, line: Any) -> Any:
    """The campaign whose settings an order follows: given, or its project's, or its line's."""
    if campaign is not None:
        return campaign
    if project is not None and project.campaign_id is not None:
        return project.campaign
    return line.campaign if line is not None else None


def _tell_unit_issued(order: SupervisionOrder) -> None:
    notify(
        unit_handlers(order.unit),
        order,
        lambda: (
            _("新督办单 %(code)s：%(title)s，请于 %(deadline)s 前办结。")
            % {"code": order.code, "title": order.title, "deadline": order.deadline.isoformat()}
        ),
    )
    for coop in order.cooperators.select_related("unit"):
        notify(
            unit_handlers(coop.unit),
            order,
            lambda: (
                _(
                    "督办单 %(code)s：%(title)s，由“%(lead)s”主办，贵单位协办，"
                    "请于 %(deadline)s 前签收并向主办单位提交协办意见。"
                )
                % {
                    "code": order.code,
                    "title": order.title,
                    "lead": order.unit.name,
                    "deadline": order.deadline.isoformat(),
                }
            ),
        )


@transaction.atomic
def co_acknowledge(
    *, actor: Any, order: SupervisionOrder, expected_version: int | None = None, note: str = ""
) -> SupervisionOrder:
    """协办签收: a co-operating unit confirms it has the order."""
    locked = locked_order(order, expected_version)
    check_step(actor, locked, Step.CO_ACKNOWLEDGE)
    note = check_text(OrderEvent, "note", note or "")
    coop = cooperator_of(actor, locked)
    assert coop is not None  # noqa: S101 - check_step refused anyone else
    coop.acknowledged_on = clock.today()
    record(coop, actor=actor, reason=_("协办签收"))
    coop.save()
    save_order(locked, actor=actor, reason=_("协办签收"))
    add_event(
        locked,
        EventKind.CO_ACKNOWLEDGED,
        actor=actor,
        note=_("%(unit)s：%(note)s") % {"unit": coop.unit.name, "note": note}
        if note
        else coop.unit.name,
    )
    return locked


@transaction.atomic
def give_part(
    *, actor: Any, order: SupervisionOrder, text: str, expected_version: int | None = None
) -> SupervisionOrder:
    """提交协办意见: a co-operating unit gives its part of the answer to the lead unit; given
    after the order's deadline, the part is late, and that counts against this unit."""
    locked = locked_order(order, expected_version)
    check_step(actor, locked, Step.CO_PART)
    text = check_text(OrderCooperator, "part_text", text or "").strip()
    if not text:
        raise ValidationFailed(_("请填写协办意见。"), field="text")
    coop = cooperator_of(actor, locked)
    assert coop is not None  # noqa: S101 - check_step refused anyone else
    today = clock.today()
    mark_overdue(locked, today)  # marks this part late too if the deadline is behind
    coop.refresh_from_db(fields=["overdue_on"])
    coop.part_text, coop.part_on, coop.part_by = text, today, actor
    record(coop, actor=actor, reason=_("提交协办意见"))
    coop.save()
    save_order(locked, actor=actor, reason=_("提交协办意见"))
    add_event(
        locked,
        EventKind.CO_PART,
        actor=actor,
        note=_("%(unit)s：%(text)s") % {"unit": coop.unit.name, "text": text},
    )
    notify(
        unit_handlers(locked.unit),
        locked,
        lambda: (
            _("督办单 %(code)s 的协办单位“%(unit)s”已提交协办意见。")
            % {"code": locked.code, "unit": coop.unit.name}
        ),
    )
    return locked


def _ask_approval(order: SupervisionOrder) -> None:
    notify(
        unit_leaders(order.unit),
        order,
        lambda: (
            _("督办单 %(code)s“%(title)s”待您审核后下发。")
            % {"code": order.code, "title": order.title}
        ),
    )


@transaction.atomic
def approve(
    *,
    actor: Any,
    order: SupervisionOrder,
    note: str = "",
    deadline: dt.date | None = None,
    expected_version: int | None = None,
) -> SupervisionOrder:
    """领导审核同意: the unit's leader lets the draft go to the unit, perhaps with a new deadline;
    it is issued today."""
    locked = locked_order(order, expected_version)
    check_step(actor, locked, Step.APPROVE)
    note = check_text(OrderEvent, "note", note or "")
    today = clock.today()
    old = locked.deadline
    new = deadline or locked.deadline
    if not isinstance(new, dt.date) or new < today:
        raise ValidationFailed(
            _("办结时限 %(deadline)s 已过，审核时请改定新的办结时限。")
            % {"deadline": old.isoformat()}
            if deadline is None
            else _("办结时限不能早于今天。"),
            field="deadline",
        )
    locked.state = State.ISSUED
    locked.issued_on = today
    locked.deadline = new
    locked.original_deadline = new
    locked.approved_by = actor
    locked.approved_on = today
    save_order(locked, actor=actor, reason=_("领导审核同意"))
    add_event(
        locked,
        EventKind.APPROVED,
        actor=actor,
        from_state=State.PENDING_APPROVAL,
        to_state=State.ISSUED,
        note=note,
        old_deadline=old if new != old else None,
        new_deadline=new,
    )
    _tell_unit_issued(locked)
    return locked


@transaction.atomic
def return_draft(
    *, actor: Any, order: SupervisionOrder, note: str, expected_version: int | None = None
) -> SupervisionOrder:
    """领导审核退回: the leader sends the draft back to the office with a note."""
    locked = locked_order(order, expected_version)
    check_step(actor, locked, Step.RETURN_DRAFT)
    note = check_text(OrderEvent, "note", note or "")
    if not note.strip():
        raise ValidationFailed(_("审核退回须写明意见。"), field="note")
    locked.state = State.RETURNED
    save_order(locked, actor=actor, reason=_("领导审核退回"))
    add_event(
        locked,
        EventKind.RETURNED,
        actor=actor,
        from_state=State.PENDING_APPROVAL,
        to_state=State.RETURNED,
        note=note,
    )
    notify(
        [locked.issued_by],
        locked,
        lambda: _("督办单 %(code)s 被领导审核退回：%(note)s") % {"code": locked.code, "note": note},
    )
    return locked


@transaction.atomic
def resubmit(
    *,
    actor: Any,
    order: SupervisionOrder,
    title: str = "",
    content: str = "",
    deadline: dt.date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> SupervisionOrder:
    """修改后重新提交: the office revises a returned draft (blank fields stay) and submits it again."""
    locked = locked_order(order, expected_version)
    check_step(actor, locked, Step.RESUBMIT)
    texts = check_texts(
        SupervisionOrder, {"title": (title or "").strip(), "content": (content or "").strip()}
    )
    note = check_text(OrderEvent, "note", note or "")
    if deadline is not None and (not isinstance(deadline, dt.date) or deadline < clock.today()):
        raise ValidationFailed(_("办结时限不能早于今天。"), field="deadline")
    old = locked.deadline
    locked.title = texts["title"] or locked.title
    locked.content = texts["content"] or locked.content
    if deadline is not None:
        locked.deadline = locked.original_deadline = deadline
    locked.state = State.PENDING_APPROVAL
    save_order(locked, actor=actor, reason=_("修改后重新提交审核"))
    add_event(
        locked,
        EventKind.SUBMITTED,
        actor=actor,
        from_state=State.RETURNED,
        to_state=State.PENDING_APPROVAL,
        note=note,
        old_deadline=old if locked.deadline != old else None,
        new_deadline=locked.deadline,
    )
    _ask_approval(locked)
    return locked


def _simple_step(
    *,
    actor: Any,
    order: SupervisionOrder,
    step: Step,
    kind: str,
    expected_version: int | None,
    note: str = "",
) -> SupervisionOrder:
    locked = locked_order(order, expected_version)
    r = check_step(actor, locked, step)
    note = check_text(OrderEvent, "note", note or "")
    mark_overdue(locked, clock.today())
    before = locked.state
    assert r.target is not None  # noqa: S101 - only moving steps come here
    locked.state = r.target
    save_order(locked, actor=actor, reason=str(r.label))
    add_event(locked, kind, actor=actor, from_state=before, to_state=r.target, note=note)
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
    explanations: Mapping[int, str] | None = None,
) -> SupervisionOrder:
    """反馈: the unit reports the matter done, with its evidence (text, photos, files). With
    co-operating units, complete only when each part is in or `explanations[unit_id]` says why not."""
    locked = locked_order(order, expected_version)
    check_step(actor, locked, Step.FEEDBACK)
    text = check_text(OrderEvent, "note", text or "")
    if not text:
        raise ValidationFailed(_("请填写办理情况。"), field="text")
    explained = _explained_parts(locked, explanations or {})
    for f in files:
        if f.kind not in EvidenceKind.values:
            raise ValidationFailed(_("未知的佐证类型。"), field="files")
    # By what the bytes are (a photo Pillow decodes, a document's signature), not by the name;
    # stored under a random name with the extension of what it really is.
    checked = [check_upload(f.file, kind=f.kind) for f in files]
    captions = [check_text(OrderEvidence, "caption", f.caption or "") for f in files]
    # A late answer still counts as late, even if tick has not run since the deadline.
    mark_overdue(locked, clock.today())
    before = locked.state
    locked.state = State.FEEDBACK
    locked.feedback_on = clock.today()
    save_order(locked, actor=actor, reason=_("反馈"))
    event = add_event(
        locked,
        EventKind.FEEDBACK,
        actor=actor,
        from_state=before,
        to_state=State.FEEDBACK,
        note=text,
    )
    for coop, why in explained:
        coop.explanation = why
        record(coop, actor=actor, reason=_("反馈"))
        coop.save(update_fields=["explanation"])
    for f, caption, real in zip(files, captions, checked, strict=True):
        f.file.name = "evidence" + real.extension
        OrderEvidence.objects.create(event=event, kind=f.kind, file=f.file, caption=caption)
    notify(
        [locked.issued_by],
        locked,
        lambda: _("督办单 %(code)s 已反馈，请审核。") % {"code": locked.code},
    )
    return locked


def _explained_parts(
    order: SupervisionOrder, explanations: Mapping[int, str]
) -> list[tuple[OrderCooperator, str]]:
    """Each co-operating part not in, with the lead unit's explanation; refused if one is missing."""
    explained = []
    for coop in missing_parts(order):
        why = check_text(OrderCooperator, "explanation", explanations.get(coop.unit_id) or "")
        if not why.strip():
            raise ValidationFailed(
                _("协办单位“%(unit)s”尚未提交协办意见，请待其提交，或在反馈中说明原因。")
                % {"unit": coop.unit.name},
                field="explanations",
            )
        explained.append((coop, why.strip()))
    return explained


@transaction.atomic
def close(
    *, actor: Any, order: SupervisionOrder, note: str = "", expected_version: int | None = None
) -> SupervisionOrder:
    """销号: the office accepts the feedback; the order stays on the closed list."""
    locked = locked_order(order, expected_version)
    check_step(actor, locked, Step.CLOSE)
    note = check_text(OrderEvent, "note", note or "")
    today = clock.today()
    locked.state = State.CLOSED
    locked.closed_on = today
    locked.closed_on_time = locked.feedback_on is not None and locked.feedback_on <= locked.deadline
    days = revisit_after_days(locked.campaign_id)
    locked.revisit_due = today + dt.timedelta(days=days) if days else None
    save_order(locked, actor=actor, reason=_("审核销号"))
    add_event(
        locked,
        EventKind.CLOSED,
        actor=actor,
        from_state=State.FEEDBACK,
        to_state=State.CLOSED,
        note=note,
    )
    notify(
        unit_handlers(locked.unit),
        locked,
        lambda: _("督办单 %(code)s 已审核销号。") % {"code": locked.code},
    )
    return locked


def revisit_after_days(campaign_id: int | None) -> int | None:
    """The campaign's 回访 setting: days after 销号, or None for no planned revisit."""
    if campaign_id is None:
        return None
    return (
        SupervisionSettings.objects.filter(campaign_id=campaign_id)
        .values_list("revisit_after_days", flat=True)
        .first()
    )


@transaction.atomic
def assign_reviewer(
    *, actor: Any, order: SupervisionOrder, reviewer: Any, expected_version: int | None = None
) -> SupervisionOrder:
    """指定复核人: the office names an inspector to review the feedback (and to revisit)."""
    locked = locked_order(order, expected_version)
    check_step(actor, locked, Step.ASSIGN_REVIEWER)
    check_reviewer(actor, locked, reviewer)
    locked.reviewer = reviewer
    save_order(locked, actor=actor, reason=_("指定复核人"))
    add_event(locked, EventKind.REVIEWER_ASSIGNED, actor=actor, note=str(reviewer))
    notify(
        [reviewer],
        locked,
        lambda: _("您被指定为督办单 %(code)s 的复核人。") % {"code": locked.code},
    )
    return locked


@transaction.atomic
def revisit(
    *,
    actor: Any,
    order: SupervisionOrder,
    held: bool,
    note: str,
    new_deadline: dt.date | None = None,
    expected_version: int | None = None,
) -> SupervisionOrder:
    """回访: after 销号, whether the result held; if not, the matter is given again as a new
    order linked to this one (same unit, co-operating units, source). Returns the closed order."""
    locked = locked_order(order, expected_version)
    check_step(actor, locked, Step.REVISIT)
    note = check_text(OrderEvent, "note", note or "").strip()
    if not note:
        raise ValidationFailed(_("请填写回访情况。"), field="note")
    if not held and (not isinstance(new_deadline, dt.date) or new_deadline < clock.today()):
        raise ValidationFailed(
            _("回访发现成效未巩固，须给出重新交办的办结时限（不早于今天）。"),
            field="new_deadline",
        )
    locked.revisited_on = clock.today()
    locked.revisit_held = held
    save_order(locked, actor=actor, reason=_("回访"))
    add_event(
        locked,
        EventKind.REVISITED,
        actor=actor,
        note=(_("成效巩固：%(note)s") if held else _("成效未巩固，重新交办：%(note)s"))
        % {"note": note},
    )
    if not held:
        assert new_deadline is not None  # noqa: S101 - checked above
        create_order(
            actor=actor,
            issuing_unit=locked.issuing_unit,
            unit=locked.unit,
            title=(_("回访未巩固：%(title)s") % {"title": locked.title})[:200],
            content=note,
            deadline=new_deadline,
            project=locked.project,
            line=locked.line,
            required_evidence=locked.required_evidence,
            level=locked.level,
            source=locked.source,
            source_ref=locked.source_ref,
            instruction=locked.instruction,
            campaign=locked.campaign,
            cooperators=[c.unit for c in locked.cooperators.select_related("unit")],
            reopened_from=locked,
        )
    return locked


@transaction.atomic
def send_back(
    *, actor: Any, order: SupervisionOrder, reason: str, expected_version: int | None = None
) -> SupervisionOrder:
    """退回: the office refuses the feedback, with a reason; the order is back in progress."""
    locked = locked_order(order, expected_version)
    check_step(actor, locked, Step.SEND_BACK)
    reason = check_text(OrderEvent, "note", reason or "")
    if not reason:
        raise ValidationFailed(_("退回须写明理由。"), field="reason")
    locked.state = State.IN_PROGRESS
    locked.times_sent_back += 1
    save_order(locked, actor=actor, reason=_("退回"))
    add_event(
        locked,
        EventKind.SENT_BACK,
        actor=actor,
        from_state=State.FEEDBACK,
        to_state=State.IN_PROGRESS,
        note=reason,
    )
    notify(
        unit_handlers(locked.unit),
        locked,
        lambda: _("督办单 %(code)s 被退回：%(reason)s") % {"code": locked.code, "reason": reason},
    )
    mark_overdue(locked, clock.today())
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
    locked = locked_order(order, expected_version)
    today = clock.today()
    check_step(actor, locked, Step.REQUEST_EXTENSION, today)
    reason = check_text(ExtensionRequest, "reason", reason or "")
    if not reason:
        raise ValidationFailed(_("请写明延期理由。"), field="reason")
    if not isinstance(new_deadline, dt.date) or new_deadline <= locked.deadline:
        raise ValidationFailed(
            _("申请的新时限须晚于现时限 %(deadline)s。")
            % {"deadline": locked.deadline.isoformat()},
            field="new_deadline",
        )
    save_order(locked, actor=actor, reason=_("申请延期"))
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
    add_event(
        locked,
        EventKind.EXTENSION_REQUESTED,
        actor=actor,
        note=reason,
        old_deadline=locked.deadline,
        new_deadline=new_deadline,
    )
    notify(
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
    locked = locked_order(order, expected_version)
    check_step(actor, locked, Step.DECIDE_EXTENSION)
    ext = locked.extensions.get(status=ExtensionStatus.PENDING)
    today = clock.today()
    note = check_text(ExtensionRequest, "decision_note", note or "")
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
    save_order(locked, actor=actor, reason=_("审批延期"))
    add_event(
        locked,
        EventKind.EXTENSION_APPROVED if approve else EventKind.EXTENSION_REFUSED,
        actor=actor,
        note=note,
        old_deadline=old,
        new_deadline=ext.new_deadline,
    )
    notify(
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


def may_see_evidence(user: Any, name: str) -> bool | None:
    """For `/media/`: an order's evidence may be seen by whoever sees the order."""
    order_id = (
        OrderEvidence.objects.filter(file=name).values_list("event__order_id", flat=True).first()
    )
    if order_id is None:
        return None
    return orders_for(user).filter(pk=order_id).exists()
