"""Data scope: the one place that decides which units a user may see and change, and how.

Every selector filters through `Scope.filter`, every service calls `Scope.require`. A unit's
reach is its subtree (materialised path prefix), so a scope is a short list of path prefixes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from gongjian.core.errors import PermissionDenied
from gongjian.org.models import Role, Unit

if TYPE_CHECKING:
    from gongjian.org.models import User

M = TypeVar("M", bound=Model)


class Action(StrEnum):
    VIEW = "view"
    EDIT_LEDGER = "edit_ledger"
    REPORT_PROGRESS = "report_progress"
    ISSUE_ORDER = "issue_order"
    HANDLE_ORDER = "handle_order"
    REVIEW_ORDER = "review_order"
    INSPECT = "inspect"
    ENTER_SCORES = "enter_scores"
    OBJECT = "object"
    MANAGE_CAMPAIGN = "manage_campaign"
    MANAGE_ORG = "manage_org"


ACTION_LABELS = {
    Action.VIEW: _l("查看"),
    Action.EDIT_LEDGER: _l("维护项目台账"),
    Action.REPORT_PROGRESS: _l("填报进度"),
    Action.ISSUE_ORDER: _l("交办督办单"),
    Action.HANDLE_ORDER: _l("办理督办单"),
    Action.REVIEW_ORDER: _l("审核督办单"),
    Action.INSPECT: _l("督查检查"),
    Action.ENTER_SCORES: _l("录入考评指标"),
    Action.OBJECT: _l("提出考评异议"),
    Action.MANAGE_CAMPAIGN: _l("管理攻坚行动与考评"),
    Action.MANAGE_ORG: _l("管理组织机构"),
}

# What each role may do within its own unit's subtree.
OWN_SUBTREE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.OFFICE_ADMIN: frozenset(Action),
    Role.LEAD_STAFF: frozenset({Action.VIEW, Action.ENTER_SCORES, Action.OBJECT}),
    Role.UNIT_STAFF: frozenset(
        {
            Action.VIEW,
            Action.EDIT_LEDGER,
            Action.REPORT_PROGRESS,
            Action.HANDLE_ORDER,
            Action.OBJECT,
        }
    ),
    Role.LEADER: frozenset({Action.VIEW, Action.ISSUE_ORDER}),
    Role.INSPECTOR: frozenset({Action.VIEW, Action.INSPECT}),
    Role.VIEWER: frozenset({Action.VIEW}),
}
# What a leader may do in the units he or she is linked to (挂钩).
LINKED_UNIT_ACTIONS = frozenset({Action.VIEW, Action.ISSUE_ORDER})
# What lead-unit staff may do in the units their lines cover (牵头单位考评所辖单位).
LED_UNIT_ACTIONS = frozenset({Action.VIEW, Action.ENTER_SCORES})


@dataclass
class Scope:
    user_id: int | None
    person_id: int | None
    is_superuser: bool
    roles: frozenset[str]
    paths: dict[Action, set[str]] = field(default_factory=dict)

    def _grant(self, actions: frozenset[Action], path: str) -> None:
        for action in actions:
            self.paths.setdefault(action, set()).add(path)

    def roots(self, action: Action = Action.VIEW) -> list[str]:
        """The minimal set of subtree prefixes for an action (nested ones removed)."""
        paths = sorted(self.paths.get(action, set()))
        minimal: list[str] = []
        for p in paths:
            if not any(p.startswith(m) for m in minimal):
                minimal.append(p)
        return minimal

    def can(self, action: Action, unit: Unit | None) -> bool:
        if self.is_superuser:
            return True
        if unit is None:
            return False
        return any(unit.path.startswith(p) for p in self.paths.get(action, ()))

    def require(self, action: Action, unit: Unit | None) -> None:
        if not self.can(action, unit):
            raise PermissionDenied(
                _("无权对“%(unit)s”执行“%(action)s”操作。")
                % {"unit": unit.name if unit else "-", "action": ACTION_LABELS[action]},
                action=str(action),
            )

    def require_somewhere(self, action: Action) -> None:
        """Refuse a user who may not do `action` on any unit (imports ask before reading a file)."""
        if not self.is_superuser and not self.roots(action):
            raise PermissionDenied(
                _("无权执行“%(action)s”操作。") % {"action": ACTION_LABELS[action]},
                action=str(action),
            )

    def q(self, action: Action = Action.VIEW, *, via: str = "unit") -> Q:
        """A Q over a relation to Unit (`via`) that keeps only rows in scope for `action`."""
        if self.is_superuser:
            return Q()
        prefix = f"{via}__path__startswith" if via else "path__startswith"
        roots = self.roots(action)
        if not roots:
            return Q(pk__in=[])
        q = Q()
        for root in roots:
            q |= Q(**{prefix: root})
        return q

    def filter(
        self, qs: QuerySet[M], action: Action = Action.VIEW, *, via: str = "unit"
    ) -> QuerySet[M]:
        if self.is_superuser:
            return qs
        if not self.roots(action):
            return qs.none()
        return qs.filter(self.q(action, via=via))

    def units(self, action: Action = Action.VIEW) -> QuerySet[Unit]:
        return self.filter(Unit.objects.all(), action, via="")


def scope_for(user: Any) -> Scope:
    """The user's scope, computed once per user object (so once per request)."""
    cached = getattr(user, "_gongjian_scope", None)
    if cached is not None:
        return cached
    scope = _build_scope(user)
    if user is not None:
        user._gongjian_scope = scope
    return scope


def _build_scope(user: User | None) -> Scope:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope(user_id=None, person_id=None, is_superuser=False, roles=frozenset())
    roles = user.role_set
    scope = Scope(
        user_id=user.pk,
        person_id=user.person_id,
        is_superuser=user.is_superuser,
        roles=roles,
    )
    unit = user.unit
    if unit is None:
        return scope
    for role in roles:
        scope._grant(OWN_SUBTREE_ACTIONS[role], unit.path)
    if Role.LEADER in roles and user.person_id:
        for path in Unit.objects.filter(linked_leaders=user.person_id).values_list(
            "path", flat=True
        ):
            scope._grant(LINKED_UNIT_ACTIONS, path)
    if Role.LEAD_STAFF in roles:
        for path in _units_led_by(unit):
            scope._grant(LED_UNIT_ACTIONS, path)
    return scope


# Who leads which units is the campaigns' knowledge (a line's lead unit and covered units), and
# campaigns import org: so campaigns hand org the lookup at start-up (`CampaignsConfig.ready`),
# the way apps hand the assessment their providers, and org never imports campaigns.
LedUnitsLookup = Callable[[Unit], Iterable[str]]
_led_units_lookups: list[LedUnitsLookup] = []


def register_led_units(lookup: LedUnitsLookup) -> None:
    """Add a source of "units this lead unit covers" (their paths); registering twice is a no-op."""
    if lookup not in _led_units_lookups:
        _led_units_lookups.append(lookup)


def _units_led_by(unit: Unit) -> list[str]:
    paths: set[str] = set()
    for lookup in _led_units_lookups:
        paths.update(lookup(unit))
    return sorted(paths)


def is_office(user: Any) -> bool:
    """The campaign office (or a superuser): the admin site and every menu entry are theirs."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_superuser or Role.OFFICE_ADMIN in user.role_set)
    )
