"""Who may do what to an order or a hazard: one function a rule, called by the services (to
refuse), the selectors behind the buttons, the API and the pages, so they cannot drift apart."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from gongjian.core import clock
from gongjian.core.errors import (
    GongjianError,
    InvalidTransition,
    PermissionDenied,
    ValidationFailed,
)
from gongjian.org.models import Role, Unit
from gongjian.org.scope import Action, scope_for
from gongjian.supervision import flow
from gongjian.supervision.flow import RULES, Side, State, Step
from gongjian.supervision.models import (
    ExtensionStatus,
    Hazard,
    OrderCooperator,
    SupervisionOrder,
    SupervisionSettings,
)


def require_side(actor: Any, unit: Unit, side: Side) -> None:
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
    if side is Side.LEADER and (own or Role.LEADER not in scope_for(actor).roles):
        raise PermissionDenied(
            _("只有“%(unit)s”的分管领导可以审核督办单是否下发。") % {"unit": unit.name},
            action="side_leader",
        )


def approval_required(actor: Any, campaign: Any) -> bool:
    """Whether a new order waits for 领导审核 before it reaches the unit: the campaign's setting
    (automatic orders follow it too), except for an order a leader issues, who is the approver."""
    if campaign is None:
        return False
    settings = SupervisionSettings.objects.filter(campaign=campaign).first()
    if settings is None or not settings.approval_required:
        return False
    return actor is None or Role.LEADER not in scope_for(actor).roles


def require_owned(unit: Unit, owner: Unit, what: str, field: str) -> None:
    """An order or a notice about `unit` links only objects of `unit` (or below it): a link to
    another unit's object would show that unit's data to the target and blame the wrong unit."""
    if not owner.path.startswith(unit.path):
        raise ValidationFailed(
            _("%(what)s属于“%(owner)s”，不属于“%(unit)s”，不能关联。")
            % {"what": what, "owner": owner.name, "unit": unit.name},
            field=field,
        )


def has_pending_extension(order: SupervisionOrder) -> bool:
    # Through `.all()` so the order detail's prefetch answers it without a query a step.
    return any(e.status == ExtensionStatus.PENDING for e in order.extensions.all())


def check_step(
    actor: Any, order: SupervisionOrder, step: Step, today: dt.date | None = None
) -> flow.Rule:
    """The step's rule if `actor` (None: the system) may take `step` on `order` now; else the
    refusal: scope, side of the order, state, and for extensions the deadline and the pending one."""
    r = flow.rule(step)
    if r.side is Side.COOPERATOR:
        return _check_cooperator_step(actor, order, r)
    if actor is not None and not is_named_reviewer(actor, order, r.step):
        scope_for(actor).require(r.action, order.unit)
    require_side(actor, order.unit, r.side)
    _check_state(order, r)
    if r.step is Step.REQUEST_EXTENSION:
        if (today or clock.today()) > order.deadline:
            raise ValidationFailed(
                _("延期须在办结时限（%(deadline)s）前申请，现已逾期。")
                % {"deadline": order.deadline.isoformat()},
                field="new_deadline",
            )
        if has_pending_extension(order):
            raise InvalidTransition(_("已有一份延期申请在等待审批。"), step="request_extension")
    if r.step is Step.REVISIT and order.revisited_on is not None:
        raise InvalidTransition(
            _("该督办单已于 %(d)s 回访。") % {"d": order.revisited_on.isoformat()}, step="revisit"
        )
    if r.step is Step.DECIDE_EXTENSION and not has_pending_extension(order):
        raise InvalidTransition(_("没有待审批的延期申请。"), step="decide_extension")
    return r


# What the inspector an office names (指定复核人) may do on that order besides the office itself.
NAMED_REVIEWER_STEPS = frozenset({Step.CLOSE, Step.SEND_BACK, Step.REVISIT})


def is_named_reviewer(actor: Any, order: SupervisionOrder, step: Step) -> bool:
    return (
        step in NAMED_REVIEWER_STEPS
        and order.reviewer_id is not None
        and order.reviewer_id == getattr(actor, "pk", None)
    )


def check_reviewer(actor: Any, order: SupervisionOrder, reviewer: Any) -> None:
    """The inspector (or office member) named to review: someone who inspects or reviews the unit,
    from outside it, and active."""
    scope = scope_for(reviewer)
    if not reviewer.is_active or not (
        scope.can(Action.INSPECT, order.unit) or scope.can(Action.REVIEW_ORDER, order.unit)
    ):
        raise ValidationFailed(
            _("“%(user)s”不是可以督查“%(unit)s”的人员，不能指定为复核人。")
            % {"user": str(reviewer), "unit": order.unit.name},
            field="reviewer",
        )
    require_side(reviewer, order.unit, Side.REVIEWER)


def cooperator_of(actor: Any, order: SupervisionOrder) -> OrderCooperator | None:
    """The co-operating unit of `order` the actor belongs to (its own subtree), if any."""
    unit = getattr(actor, "unit", None)
    if unit is None:
        return None
    # Through `.all()` so the order detail's prefetch answers it without a query a step.
    return next((c for c in order.cooperators.all() if unit.path.startswith(c.unit.path)), None)


def _check_state(order: SupervisionOrder, r: flow.Rule) -> None:
    if State(order.state) not in r.sources:
        raise InvalidTransition(
            _("督办单当前状态为“%(state)s”，不能执行“%(step)s”。")
            % {"state": State(order.state).label, "step": r.label},
            state=order.state,
            step=str(r.step),
        )


def _check_cooperator_step(actor: Any, order: SupervisionOrder, r: flow.Rule) -> flow.Rule:
    """协办签收 / 提交协办意见: by a co-operating unit's own handlers, once each, while it is open."""
    coop = cooperator_of(actor, order)
    if actor is not None:
        scope_for(actor).require(r.action, coop.unit if coop else order.unit)
    if coop is None:
        raise PermissionDenied(
            _("只有本督办单协办单位的人员可以协办签收或提交协办意见。"), action="side_cooperator"
        )
    _check_state(order, r)
    if r.step is Step.CO_ACKNOWLEDGE and coop.acknowledged_on is not None:
        raise InvalidTransition(
            _("“%(unit)s”已协办签收。") % {"unit": coop.unit.name}, step=str(r.step)
        )
    if r.step is Step.CO_PART:
        if coop.acknowledged_on is None:
            raise InvalidTransition(_("请先协办签收。"), step=str(r.step))
        if coop.part_on is not None:
            raise InvalidTransition(
                _("“%(unit)s”已提交协办意见。") % {"unit": coop.unit.name}, step=str(r.step)
            )
    return r


def missing_parts(order: SupervisionOrder) -> list[OrderCooperator]:
    """The co-operating units whose part the lead unit has not received (the lead's 反馈 must
    explain each of them)."""
    return [c for c in order.cooperators.all() if c.part_on is None]


def allowed_steps(user: Any, order: SupervisionOrder) -> list[Step]:
    """The steps `check_step` lets this user take now (the page and the API show only these)."""
    today = clock.today()
    steps = []
    for step in RULES:
        try:
            check_step(user, order, step, today)
        except GongjianError:
            continue
        steps.append(step)
    return steps


def check_rectify(actor: Any, hazard: Hazard) -> None:
    """A hazard is reported rectified by the inspected unit's own people (its subtree, as for the
    order it would turn into) with the right to answer orders, while it is open and not an order."""
    unit = hazard.inspection.unit
    scope_for(actor).require(Action.HANDLE_ORDER, unit)
    require_side(actor, unit, Side.UNIT)
    if hazard.rectified_on is not None:
        raise InvalidTransition(_("该隐患已整改。"), step="rectify")
    if hazard.order_id is not None:
        raise InvalidTransition(_("该隐患已逾期转为督办单，请在督办单中反馈。"), step="rectify")


def may_rectify(actor: Any, hazard: Hazard) -> bool:
    """Whether the page shows the rectify form: `check_rectify` would let it through."""
    try:
        check_rectify(actor, hazard)
    except GongjianError:
        return False
    return True
