"""The ledger's indicator providers for the assessment: investment done and red projects.

Both read the unit's projects (its subtree). Which campaigns is the indicator's param
`campaigns`: `own` (default) the round's campaign; `all` also every campaign run by a unit below
the plan's office that overlaps the round's month (a town's own 百日攻坚 under the district's
攻坚120天). A unit with no project there gets no value, so the round refuses it unless the plan
says how to count 缺报 — or, for the red-project count, `no_projects: zero` (param): a unit
without projects has no red one, said so in its trail.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from gongjian.assessment.providers import Provided, register
from gongjian.campaigns.models import Campaign
from gongjian.projects.models import Project
from gongjian.projects.warning_feed import warnings_for
from gongjian.projects.warnings import Colour

if TYPE_CHECKING:
    from gongjian.assessment.models import Round
    from gongjian.org.models import Unit

CAMPAIGNS = ("own", "all")
NO_PROJECTS = ("missing", "zero")


def _campaigns(round_: Round, scope: str) -> Q:
    own = round_.plan.campaign
    if scope != "all":
        return Q(campaign=own)
    below = Campaign.objects.filter(
        owner__path__startswith=own.owner.path,
        start_date__lte=round_.period_end,
        end_date__gte=round_.period_start,
    )
    return Q(campaign=own) | Q(campaign__in=below)


def _projects_by_unit(
    round_: Round, units: Sequence[Unit], scope: str = "own"
) -> dict[int, list[Project]]:
    # Each project counts for every unit on its unit's path: one pass, not units × projects.
    by_ancestor: dict[int, list[Project]] = defaultdict(list)
    rows = Project.objects.filter(_campaigns(round_, scope)).select_related("unit", "campaign")
    for p in rows.order_by("code", "pk"):
        for ancestor in p.unit.ancestor_ids():
            by_ancestor[ancestor].append(p)
    return {unit.pk: by_ancestor.get(unit.pk, []) for unit in units}


def _params(indicator: Any) -> Mapping[str, Any]:
    return getattr(indicator, "params", None) or {}


def investment_completed(
    round_: Round, units: Sequence[Unit], indicator: Any = None
) -> dict[int, Provided]:
    """Investment completed (万元) with the annual plan as the target, per unit."""
    scope = str(_params(indicator).get("campaigns", "own"))
    result = {}
    for unit_id, projects in _projects_by_unit(round_, units, scope).items():
        if not projects:
            continue
        done = sum((p.investment_completed_wan for p in projects), Decimal(0))
        plan = sum((p.annual_planned_wan for p in projects), Decimal(0))
        trail = tuple(
            f"{p.name}：完成 {p.investment_completed_wan} 万元 / 年度计划 {p.annual_planned_wan} 万元"
            for p in projects
        )
        result[unit_id] = Provided(done, trail, target=plan)
    return result


def red_projects(
    round_: Round, units: Sequence[Unit], indicator: Any = None
) -> dict[int, Provided]:
    """Projects red on the last day of the round's period, per unit, each with its campaign and
    reasons."""
    params = _params(indicator)
    by_unit = _projects_by_unit(round_, units, str(params.get("campaigns", "own")))
    every = {p.pk: p for projects in by_unit.values() for p in projects}
    warnings = warnings_for(list(every.values()), round_.period_end)
    result = {}
    for unit_id, projects in by_unit.items():
        if not projects:
            if params.get("no_projects") == "zero":
                result[unit_id] = Provided(Decimal(0), (_("本期无在库项目，按方案计0个"),))
            continue
        reds = [p for p in projects if warnings[p.pk].colour is Colour.RED]
        trail = tuple(
            f"{p.name}（{p.campaign.name if p.campaign else ''}）：{'；'.join(warnings[p.pk].reasons)}"
            for p in reds
        )
        result[unit_id] = Provided(Decimal(len(reds)), trail)
    return result


def _check(allowed: tuple[str, ...]) -> Any:
    def check(params: Mapping[str, Any]) -> list[tuple[str, str]]:
        errors = []
        if str(params.get("campaigns", "own")) not in CAMPAIGNS:
            errors.append(
                ("campaigns", _("campaigns 只能是 own（本行动）或 all（含下级单位的行动）"))
            )
        if (
            "no_projects" in allowed
            and str(params.get("no_projects", "missing")) not in NO_PROJECTS
        ):
            errors.append(("no_projects", _("no_projects 只能是 missing（无值）或 zero（计0个）")))
        errors += [(k, _("没有参数“%(k)s”") % {"k": k}) for k in params if k not in allowed]
        return errors

    return check


def register_providers() -> None:
    register(
        "ledger.investment_completed",
        _l("项目完成投资（万元，目标为年度计划）"),
        investment_completed,
        takes_indicator=True,
        check=_check(("campaigns", "target", "cap")),
    )
    register(
        "ledger.red_projects",
        _l("红灯项目数"),
        red_projects,
        takes_indicator=True,
        check=_check(("campaigns", "no_projects", "per", "cap")),
    )
