"""Who may take which step of an order: one function each, called by the services (to refuse),
the selectors behind the buttons, the API and the pages."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from gongjian.core.errors import InvalidTransition, PermissionDenied
from gongjian.org.models import Unit
from gongjian.org.scope import scope_for
from gongjian.supervision import flow
from gongjian.supervision.flow import Side, State, Step
from gongjian.supervision.models import (
    SupervisionOrder,
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


def check_step(actor: Any, order: SupervisionOrder, step: Step) -> flow.Rule:
    r = flow.rule(step)
    if actor is not None:
        scope_for(actor).require(r.action, order.unit)
    require_side(actor, order.unit, r.side)
    if State(order.state) not in r.sources:
        raise InvalidTransition(
            _("督办单当前状态为“%(state)s”，不能执行“%(step)s”。")
            % {"state": State(order.state).label, "step": r.label},
            state=order.state,
            step=str(step),
        )
    return r
