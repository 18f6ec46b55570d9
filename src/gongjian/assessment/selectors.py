"""Reads of the assessment, each through `visibility` (what of a round a reader may see).

Published rounds are public (bulletins are read by everyone signed in); before publication the
owning office sees everything and, while the round is under review, each unit its own row. A
lead unit also knows the rounds it enters values in (`assessing`), without seeing their results.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gongjian.assessment import assessing, explanations, feed, visibility
from gongjian.assessment.models import (
    Objection,
    ObjectionState,
    Plan,
    Round,
    RoundState,
    UnitResult,
)
from gongjian.core.errors import NotFound
from gongjian.org.models import Unit
from gongjian.org.scope import Action, scope_for


def number(value: Any) -> int | float | None:
    """A stored Decimal (or its string) as a JSON number: 85, 96.5."""
    if value is None:
        return None
    d = Decimal(str(value))
    return int(d) if d == d.to_integral_value() else float(d)


def all_rounds() -> QuerySet[Round]:
    return Round.objects.select_related("plan__campaign__owner").order_by(
        "-period", "plan__campaign_id", "plan_id", "edition"
    )


def visible_rounds(user: Any) -> QuerySet[Round]:
    """Rounds a user may know exist: seen in full or own row, or open to his or her entries."""
    known = (
        visibility.full_rounds_q(user)
        | visibility.own_rounds_q(user)
        | assessing.entry_rounds_q(user)
    )
    return all_rounds().filter(pk__in=Round.objects.filter(known).values("pk"))


def get_round(user: Any, round_id: int) -> Round:
    round_ = visible_rounds(user).filter(pk=round_id).first()
    if round_ is None:
        raise NotFound(_("找不到该考评期，或无权查看。"))
    return round_


def require_full_sight(user: Any, round_: Round) -> None:
    """The bulletin ranks every unit: only for readers who see the whole round."""
    if not visibility.sight(user, round_).full:
        raise NotFound(_("找不到该考评期的通报，或无权查看。"))


def full_round_ids(user: Any, rounds: QuerySet[Round]) -> set[int]:
    return set(rounds.filter(visibility.full_rounds_q(user)).values_list("pk", flat=True))


def can_manage(user: Any, round_: Round) -> bool:
    return visibility.owns(user, round_)


def can_enter(user: Any, round_: Round) -> bool:
    """Whether the entry form has cells for this user (the 指标录入 link)."""
    return Round.objects.filter(assessing.entry_rounds_q(user), pk=round_.pk).exists()


def round_rows(rounds: QuerySet[Round]) -> list[dict[str, Any]]:
    return [
        {
            "id": r.pk,
            "plan": r.plan.name,
            "plan_id": r.plan_id,
            "plan_edition": r.plan.edition,
            "campaign": r.plan.campaign.name,
            "owner": r.plan.campaign.owner.name,
            "period": r.period,
            "title": r.title,
            "edition": r.edition,
            "corrects": r.corrects_id,
            "state": r.state,
            "state_label": str(r.get_state_display()),
            "published_at": r.published_at.isoformat() if r.published_at else None,
        }
        for r in rounds
    ]


def results(user: Any, round_: Round) -> QuerySet[UnitResult]:
    qs = UnitResult.objects.filter(round=round_).select_related("unit")
    seen = visibility.sight(user, round_)
    if not seen.full:
        qs = qs.filter(unit_id__in=seen.unit_ids)
    return qs.order_by("group", "rank", "unit__sort_order", "unit__pk")


def _result_row(r: UnitResult) -> dict[str, Any]:
    return {
        "unit_id": r.unit_id,
        "unit": r.unit.name,
        "group": r.group,
        "score": number(r.score),
        "rank": r.rank,
        "tied": r.tied,
        "grade": r.grade,
        "veto": r.veto,
        "lines": {
            name: {"score": number(v["score"]), "rank": v["rank"], "tied": v["tied"]}
            for name, v in r.lines.items()
        },
    }


def result_rows(round_: Round, user: Any = None) -> list[dict[str, Any]]:
    qs = (
        results(user, round_)
        if user is not None
        else UnitResult.objects.filter(round=round_).select_related("unit")
    )
    order = {g.name: i for i, g in enumerate(round_.plan.groups.all())}
    ordered = sorted(
        qs.defer("explanation"),
        key=lambda r: (order.get(r.group, 99), r.rank, r.unit.sort_order, r.unit_id),
    )
    return [_result_row(r) for r in ordered]


def explanation(user: Any, round_: Round, unit: Unit) -> dict[str, Any]:
    """Every number of a unit's result with its inputs and rules, and why it is not higher."""
    result = results(user, round_).filter(unit=unit).first()
    if result is None:
        raise NotFound(_("没有该单位本期的考评结果，或无权查看。"))
    rules, _members, _rows = feed.rules_for(round_.plan)
    indicators = {i.code: i for i in rules.indicators}
    data = explanations.expand_parts(result.explanation, indicators)
    data["round_id"] = round_.pk
    data["state"] = round_.state
    data["gap"] = None
    # The gap names the unit above and its points: part of the whole round, not of one row.
    if result.rank > 1 and visibility.sight(user, round_).full:
        # The unit(s) just above: the worst rank better than this one, in the same group.
        above = (
            UnitResult.objects.filter(round=round_, group=result.group, rank__lt=result.rank)
            .order_by("-rank", "unit__sort_order", "unit_id")
            .first()
        )
        if above is not None:
            g = explanations.gap(data, explanations.expand_parts(above.explanation, indicators))
            data["gap"] = {
                "above": g.above,
                "above_rank": g.above_rank,
                "points": number(g.points),
                "by_indicator": [
                    {"indicator": name, "points": number(d)} for name, d in g.by_indicator
                ],
            }
    return data


def trend(user: Any, unit: Unit, plan_name: str | None = None) -> list[dict[str, Any]]:
    """A unit's score and rank over the rounds of its plans (latest edition of each period)."""
    qs = UnitResult.objects.filter(visibility.results_q(user), unit=unit).select_related(
        "round__plan__campaign"
    )
    if plan_name:
        qs = qs.filter(round__plan__name=plan_name)
    latest: dict[tuple[int, str, str], UnitResult] = {}
    for r in qs.defer("explanation").order_by("round__period", "round__edition"):
        latest[(r.round.plan.campaign_id, r.round.plan.name, r.round.period)] = r
    return [
        {
            "campaign": r.round.plan.campaign.name,
            "plan": r.round.plan.name,
            "period": r.round.period,
            "round_id": r.round_id,
            "edition": r.round.edition,
            "score": number(r.score),
            "rank": r.rank,
            "tied": r.tied,
            "group": r.group,
        }
        for r in latest.values()
    ]


def correction_diff(user: Any, round_: Round) -> list[dict[str, Any]]:
    """For a correction: every unit whose score or rank differs from the edition it corrects,
    of the rows the reader may see of the correction (`user` None: the operator, every row)."""
    if round_.corrects_id is None:
        return []
    old = {r.unit_id: r for r in UnitResult.objects.filter(round_id=round_.corrects_id)}
    new: QuerySet[UnitResult] = (
        results(user, round_)
        if user is not None
        else UnitResult.objects.filter(round=round_).select_related("unit")
    )
    rows = []
    for r in new.order_by("group", "rank"):
        before = old.get(r.unit_id)
        if before is None or before.score != r.score or before.rank != r.rank:
            rows.append(
                {
                    "unit": r.unit.name,
                    "group": r.group,
                    "old_score": number(before.score) if before else None,
                    "new_score": number(r.score),
                    "old_rank": before.rank if before else None,
                    "new_rank": r.rank,
                    "delta": number(r.score - (before.score if before else Decimal(0))),
                }
            )
    return rows


def objections(user: Any, round_: Round) -> list[Objection]:
    """A round's objections and their answers, of the units whose rows the reader sees."""
    qs = round_.objections.select_related("unit")
    seen = visibility.sight(user, round_)
    if not seen.full:
        qs = qs.filter(unit_id__in=seen.unit_ids)
    return list(qs)


def plans(user: Any) -> QuerySet[Plan]:
    return scope_for(user).filter(
        Plan.objects.select_related("campaign__owner"), Action.VIEW, via="campaign__owner"
    )


def manageable_plans(user: Any) -> QuerySet[Plan]:
    """Plans whose rounds this user may open: those of campaigns his or her office owns."""
    return (
        scope_for(user)
        .filter(
            Plan.objects.select_related("campaign"), Action.MANAGE_CAMPAIGN, via="campaign__owner"
        )
        .order_by("campaign__name", "name", "-edition")
    )


def entry_sheet(user: Any, round_: Round) -> dict[str, Any]:
    """The entry form of a round for a user: the units and entered indicators he may fill in."""
    from gongjian.assessment.models import Indicator, IndicatorValue, PlanMember

    allowed = assessing.assessable_units(user)
    members = list(
        PlanMember.objects.filter(plan=round_.plan_id, unit__in=allowed)
        .select_related("unit", "group")
        .order_by("group__sort_order", "sort_order", "pk")
    )
    indicators = list(
        Indicator.objects.filter(plan=round_.plan_id, source="entered")
        .select_related("line")
        .prefetch_related("line__units")
    )
    # An indicator applies to its line's units, or to every member when the line names none.
    applies = {i.pk: {u.pk for u in i.line.units.all()} for i in indicators}
    current = {
        (v.indicator_id, v.unit_id): v.value
        for v in IndicatorValue.objects.filter(round=round_, unit__in=[m.unit_id for m in members])
    }
    rows = []
    for m in members:
        cells = []
        for i in indicators:
            value = current.get((i.pk, m.unit_id))
            cells.append(
                {
                    "indicator": i,
                    "open": not applies[i.pk] or m.unit_id in applies[i.pk],
                    "name": f"v_{m.unit_id}_{i.code}",
                    "value": "" if value is None else number(value),
                }
            )
        rows.append({"member": m, "cells": cells})
    return {"indicators": indicators, "rows": rows}


# ---------------------------------------------------------------- what waits for a user


def objections_to_answer(user: Any) -> QuerySet[Objection]:
    """Open objections the user's office must answer: rounds its campaigns own, not yet
    published, of units it may assess (never its own: `resolve_objection` refuses that)."""
    return (
        scope_for(user)
        .filter(
            Objection.objects.filter(
                state=ObjectionState.OPEN,
                round__state__in=[RoundState.DRAFT, RoundState.COMPUTED],
                unit__in=assessing.assessable_units(user),
            ),
            Action.MANAGE_CAMPAIGN,
            via="round__plan__campaign__owner",
        )
        .select_related("round__plan", "unit")
        .order_by("created_at", "pk")
    )


def values_to_enter(user: Any) -> list[dict[str, Any]]:
    """Rounds still open for values where the user has empty cells to fill: each round with the
    number of its empty cells (the entry sheet's own cells, so the count is the form's)."""
    if not scope_for(user).roots(Action.ENTER_SCORES):
        return []
    rounds = all_rounds().filter(assessing.entry_rounds_q(user))
    waiting = []
    for round_ in rounds:
        sheet = entry_sheet(user, round_)
        empty = sum(
            1 for row in sheet["rows"] for c in row["cells"] if c["open"] and c["value"] == ""
        )
        if empty:
            waiting.append({"round": round_, "empty": empty})
    return waiting
