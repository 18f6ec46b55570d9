"""Who may assess whom: the one rule for entering, importing and correcting indicator values.

A unit is never its own judge. Scope grants `ENTER_SCORES` on a user's subtree (an office) or on
the units a lead unit's lines cover; of those, the user's own unit and every unit above it are
taken out, so the office of a level assesses only the units strictly below it (长乐区's office
may not enter 长乐区's value in the city's round). Value entry (form and API), values import,
objections and the entry buttons all ask here.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gongjian.assessment.models import PlanMember, Round, RoundState
from gongjian.core.errors import PermissionDenied
from gongjian.org.models import Unit
from gongjian.org.scope import Action, scope_for


def _own_line(actor: Any) -> list[int]:
    """The actor's unit and its ancestors: the units the actor may never assess."""
    unit = getattr(actor, "unit", None)
    return unit.ancestor_ids() if unit is not None else []


def refusal(actor: Any, unit: Unit) -> str | None:
    """Why `actor` may not enter, import or correct a value for `unit`; None when it may
    (`actor` None: system work, the demo loader and the bench)."""
    if actor is None:
        return None
    if not scope_for(actor).can(Action.ENTER_SCORES, unit):
        return _("无权录入“%(u)s”的指标") % {"u": unit.name}
    if unit.pk in _own_line(actor):
        return _("不能为本单位或上级单位“%(u)s”录入、导入或更正考评指标值") % {"u": unit.name}
    return None


def may_assess(actor: Any, unit: Unit) -> bool:
    return refusal(actor, unit) is None


def require_may_assess(actor: Any, unit: Unit) -> None:
    if actor is None:
        return
    scope_for(actor).require(Action.ENTER_SCORES, unit)
    problem = refusal(actor, unit)
    if problem is not None:
        raise PermissionDenied(f"{problem}。", action=str(Action.ENTER_SCORES))


def assessable_units(actor: Any) -> QuerySet[Unit]:
    """Every unit `actor` may assess, as a query (entry sheets, round lists)."""
    return scope_for(actor).units(Action.ENTER_SCORES).exclude(pk__in=_own_line(actor))


def _assesses_members_q(actor: Any) -> Q:
    members = PlanMember.objects.filter(unit__in=assessable_units(actor)).values("plan_id")
    return Q(plan_id__in=members)


def entry_rounds_q(actor: Any) -> Q:
    """Rounds still open for values in which `actor` may assess at least one member."""
    return Q(state__in=[RoundState.DRAFT, RoundState.COMPUTED]) & _assesses_members_q(actor)


def require_may_enter_round(actor: Any, round_: Round) -> None:
    """Whether `actor` may assess anyone in the round; checked before an uploaded file is read,
    so a refusal costs no parsing. (A published round is refused by the service, as Immutable.)"""
    if actor is None:
        return
    if not Round.objects.filter(_assesses_members_q(actor), pk=round_.pk).exists():
        raise PermissionDenied(
            _("无权向该考评期录入或导入指标值。"), action=str(Action.ENTER_SCORES)
        )
