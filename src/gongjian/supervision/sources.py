"""Where a matter comes from: the source every order names, and the register of leaders'
instructions (领导批示件) with what became of each (filed, waiting, or the orders it became)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from gongjian.core import clock
from gongjian.core.errors import NotFound, ValidationFailed
from gongjian.core.history import record
from gongjian.core.text import check_text, check_texts
from gongjian.org.models import Person
from gongjian.org.scope import Action, scope_for
from gongjian.supervision.models import (
    InstructionKind,
    LeaderInstruction,
    OrderSource,
    SupervisionOrder,
)

# Sources a person may choose when issuing; the others are raised by `gongjian tick` only.
MANUAL_SOURCES = frozenset(
    {
        OrderSource.MANUAL,
        OrderSource.LEADER_INSTRUCTION,
        OrderSource.MEETING,
        OrderSource.UPPER,
        OrderSource.INSPECTION,
        OrderSource.PUBLIC,
    }
)
# The number each source must cite, and the words asking for it.
REF_REQUIRED = {
    OrderSource.UPPER: _l("上级交办须填写上级交办文件的文号。"),
    OrderSource.PUBLIC: _l("群众反映须填写工单编号（如12345热线工单号）。"),
    OrderSource.MEETING: _l("会议议定事项须填写会议纪要编号或会议名称。"),
}


def check_source(
    actor: Any, source: str, source_ref: str, instruction: LeaderInstruction | None
) -> str:
    """Refuse a source an order cannot have; returns the cleaned reference."""
    if source not in OrderSource.values:
        raise ValidationFailed(_("未知的督办来源：%(s)s") % {"s": source}, field="source")
    if source not in MANUAL_SOURCES:
        raise ValidationFailed(
            _("“%(s)s”由系统自动生成，不能手工选择。") % {"s": OrderSource(source).label},
            field="source",
        )
    ref = check_text(SupervisionOrder, "source_ref", source_ref or "").strip()
    if source in REF_REQUIRED and not ref:
        raise ValidationFailed(str(REF_REQUIRED[OrderSource(source)]), field="source_ref")
    if source == OrderSource.LEADER_INSTRUCTION:
        if instruction is None:
            raise ValidationFailed(_("来源为领导批示时须选择登记的批示件。"), field="instruction")
        if instruction.kind == InstructionKind.REFERENCE:
            raise ValidationFailed(_("参阅性批示只存档备查，不交办督办单。"), field="instruction")
    elif instruction is not None:
        raise ValidationFailed(
            _("只有来源为“领导批示”的督办单可以关联批示件。"), field="instruction"
        )
    return ref


@transaction.atomic
def record_instruction(
    *,
    actor: Any,
    leader: Person,
    text: str,
    given_on: dt.date,
    kind: str,
    document_ref: str = "",
) -> LeaderInstruction:
    """登记领导批示: the office (or a leader) registers an instruction in its own unit's register."""
    scope = scope_for(actor)
    unit = actor.unit
    if unit is None:
        raise ValidationFailed(_("登记人须属于某个单位。"), field="unit")
    scope.require(Action.ISSUE_ORDER, unit)
    if not leader.is_leader:
        raise ValidationFailed(
            _("“%(name)s”不是领导干部，不能作为批示领导。") % {"name": leader.name}, field="leader"
        )
    if kind not in InstructionKind.values:
        raise ValidationFailed(_("未知的批示类别：%(k)s") % {"k": kind}, field="kind")
    if not isinstance(given_on, dt.date) or given_on > clock.today():
        raise ValidationFailed(_("批示日期不能晚于今天。"), field="given_on")
    texts = check_texts(LeaderInstruction, {"text": text or "", "document_ref": document_ref or ""})
    if not texts["text"].strip():
        raise ValidationFailed(_("批示内容不能为空。"), field="text")
    instruction = LeaderInstruction(
        leader=leader,
        text=texts["text"].strip(),
        given_on=given_on,
        kind=kind,
        document_ref=texts["document_ref"].strip(),
        unit=unit,
        recorded_by=actor,
    )
    record(instruction, actor=actor, reason=_("登记领导批示"))
    instruction.save()
    return instruction


def leaders_for(user: Any) -> QuerySet[Person]:
    """The leaders whose instructions this user may register: those in scope, and oneself."""
    visible = scope_for(user).q(Action.VIEW, via="unit")
    if getattr(user, "person_id", None):
        visible |= Q(pk=user.person_id)
    return Person.objects.filter(visible, is_leader=True).select_related("unit").order_by("pk")


def instructions_for(user: Any) -> QuerySet[LeaderInstruction]:
    """Instructions registered in the user's scope, and a leader's own ones, with their orders
    (only those the user may see)."""
    scope = scope_for(user)
    visible = scope.q(Action.VIEW, via="unit")
    if getattr(user, "person_id", None):
        visible |= Q(leader_id=user.person_id)
    from gongjian.supervision.selectors import orders_for

    return (
        LeaderInstruction.objects.filter(visible)
        .select_related("leader", "unit")
        .prefetch_related(
            Prefetch(
                "orders",
                queryset=orders_for(user).select_related("unit").order_by("pk"),
            )
        )
        .order_by("-given_on", "-pk")
    )


def instruction_for(user: Any, pk: int) -> LeaderInstruction:
    found = instructions_for(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("领导批示不存在，或不在您的查看范围内。"))
    return found


@dataclass(frozen=True)
class Outcome:
    """What became of an instruction: filed (参阅), waiting for an order, or the orders it became."""

    status: str
    orders: list[SupervisionOrder]


def outcome(instruction: LeaderInstruction) -> Outcome:
    orders = list(instruction.orders.all())
    if instruction.kind == InstructionKind.REFERENCE:
        return Outcome(_("存档备查"), [])
    if not orders:
        return Outcome(_("待交办"), [])
    if all(o.state == "closed" for o in orders):
        return Outcome(_("已办结"), orders)
    return Outcome(_("督办中"), orders)
