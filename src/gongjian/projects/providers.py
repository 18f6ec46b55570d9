"""The ledger's indicator providers for the assessment: investment done and red projects.

Both read the unit's projects (its subtree) in the round's campaign. A unit with no project
there gets no value, so the round refuses it unless the plan says how to count 缺报.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from gongjian.assessment.providers import Provided, register
from gongjian.projects.models import Project
from gongjian.projects.warning_feed import warnings_for
from gongjian.projects.warnings import Colour

if TYPE_CHECKING:
    from gongjian.assessment.models import Round
    from gongjian.org.models import Unit


def _projects_by_unit(round_: Round, units: Sequence[Unit]) -> dict[int, list[Project]]:
    # Each project counts for every unit on its unit's path: one pass, not units × projects.
    by_ancestor: dict[int, list[Project]] = defaultdict(list)
    for p in Project.objects.filter(campaign=round_.plan.campaign).select_related(
        "unit", "campaign"
    ):
        for ancestor in p.unit.ancestor_ids():
            by_ancestor[ancestor].append(p)
    return {unit.pk: by_ancestor.get(unit.pk, []) for unit in units}


def investment_completed(round_: Round, units: Sequence[Unit]) -> dict[int, Provided]:
    """Investment completed (万元) with the annual plan as the target, per unit."""
    result = {}
    for unit_id, projects in _projects_by_unit(round_, units).items():
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


def red_projects(round_: Round, units: Sequence[Unit]) -> dict[int, Provided]:
    """Projects red on the last day of the round's period, per unit, with their reasons."""
    by_unit = _projects_by_unit(round_, units)
    every = {p.pk: p for projects in by_unit.values() for p in projects}
    warnings = warnings_for(list(every.values()), round_.period_end)
    result = {}
    for unit_id, projects in by_unit.items():
        if not projects:
            continue
        reds = [p for p in projects if warnings[p.pk].colour is Colour.RED]
        trail = tuple(f"{p.name}：{'；'.join(warnings[p.pk].reasons)}" for p in reds)
        result[unit_id] = Provided(Decimal(len(reds)), trail)
    return result


def register_providers() -> None:
    register(
        "ledger.investment_completed",
        _("项目完成投资（万元，目标为年度计划）"),
        investment_completed,
    )
    register("ledger.red_projects", _("红灯项目数"), red_projects)
