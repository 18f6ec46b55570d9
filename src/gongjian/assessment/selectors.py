"""Reads of the assessment, each through `visibility` (what of a round a reader may see).

Published rounds are public (bulletins are read by everyone signed in); before publication the
owning office sees everything and, while the round is under review, each unit its own row. A
lead unit also knows the rounds it enters values in (`assessing`), without seeing their results.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongjian.assessment import (
    assessing,
    explanations,
    feed,
    lists,
    movement,
    rollups,
    visibility,
)
from gongjian.assessment.engine import DEFAULT_GRADES, Composite, Method
from gongjian.assessment.models import (
    Objection,
    ObjectionState,
    Plan,
    Round,
    RoundState,
    UnitResult,
)
from gongjian.assessment.ranking import quantum
from gongjian.core import paging
from gongjian.core.errors import NotFound
from gongjian.org.models import Unit
from gongjian.org.scope import Action, scope_for


def number(value: Any) -> int | float | None:
    """A stored Decimal (or its string) as a JSON number: 85, 96.5 (values, not scores)."""
    if value is None:
        return None
    d = Decimal(str(value))
    return int(d) if d == d.to_integral_value() else float(d)


def score_text(value: Any, precision: int) -> str | None:
    """A score as the plan prints it, with its precision: "99.50", "86" (precision 0).

    A string, in JSON too: a number would lose the trailing zeros the bulletin shows."""
    if value is None:
        return None
    return str(Decimal(str(value)).quantize(quantum(precision), rounding=ROUND_HALF_UP))


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


def round_rows(rounds: Iterable[Round]) -> list[dict[str, Any]]:
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


ROUND_SORTS = paging.Sorts(
    keys=(
        paging.SortKey("period", "period", gettext_lazy("考评期")),
        paging.SortKey("published_at", "published_at", gettext_lazy("发布时间"), nullable=True),
        paging.SortKey("title", "title", gettext_lazy("标题")),
    ),
    default="-period",
)


def rounds_page(
    user: Any,
    req: paging.PageRequest,
    *,
    state: str | None = None,
    plan_id: int | None = None,
    campaign_id: int | None = None,
) -> tuple[paging.Page[Round], list[dict[str, Any]]]:
    """One page of the rounds a user may know exist, and their rows for the API."""
    qs = visible_rounds(user)
    if paging.choice("state", state, RoundState.values):
        qs = qs.filter(state=state)
    if plan_id:
        qs = qs.filter(plan_id=plan_id)
    if campaign_id:
        qs = qs.filter(plan__campaign_id=campaign_id)
    found = paging.page(qs, req, ROUND_SORTS)
    return found, round_rows(found.items)


RESULT_SORTS = paging.Sorts(
    keys=(
        paging.SortKey("rank", "rank", gettext_lazy("名次（按组）")),
        paging.SortKey("score", "score", gettext_lazy("得分"), nullable=True),
        paging.SortKey("unit", "unit", gettext_lazy("单位名称")),
    ),
    default="rank",
    tiebreak="unit_id",
)
# A plan without a composite scores its units per line only: there is no one score to sort by.
LINE_ONLY_SORTS = paging.Sorts(
    keys=tuple(k for k in RESULT_SORTS.keys if k.name != "score"),
    default=RESULT_SORTS.default,
    tiebreak=RESULT_SORTS.tiebreak,
)


def result_sorts(plan: Any) -> paging.Sorts:
    """The sorts a round's results offer: by score only where the plan has a composite."""
    return RESULT_SORTS if plan.has_composite else LINE_ONLY_SORTS


def results_page(
    user: Any,
    round_: Round,
    req: paging.PageRequest,
    *,
    group: str | None = None,
    grade: str | None = None,
) -> paging.Page[dict[str, Any]]:
    """One page of the round's results the user may see (`result_rows`, the engine's order by
    group and rank): a round holds at most a few thousand units, so they are paged in Python,
    with the same sorts, cursors and counts as every other list."""
    rows = result_rows(round_, user)
    if group:
        rows = [r for r in rows if r["group"] == group]
    if grade:
        rows = [r for r in rows if r["grade"] == grade]
    position = {r["unit_id"]: i for i, r in enumerate(rows)}

    def value(row: dict[str, Any], key: str) -> Any:
        if key == "rank":
            return position[row["unit_id"]]
        if key == "score":
            return None if row["score"] is None else Decimal(str(row["score"]))
        return row["unit"]

    return paging.page_of_list(rows, req, result_sorts(round_.plan), value, lambda r: r["unit_id"])


def result_groups(round_: Round) -> list[str]:
    """The round's groups in the plan's order, for the results page's filter."""
    return [g.name for g in round_.plan.groups.all()]


def result_grades(round_: Round) -> list[str]:
    """The grades the plan gives (the engine's defaults when it names none), for the results
    page's filter."""
    named = [str(g["name"]) for g in round_.plan.grades or [] if "name" in g]
    return named or [g.name for g in DEFAULT_GRADES]


def objectable_units(user: Any, round_: Round) -> list[dict[str, Any]]:
    """The units of a computed round's results the user may raise an objection for, in the
    results' order: one query, whatever the number of results."""
    if round_.state != RoundState.COMPUTED:
        return []
    allowed = scope_for(user).q(Action.OBJECT, via="unit")
    return [
        {"unit_id": pk, "unit": name}
        for pk, name in results(user, round_).filter(allowed).values_list("unit_id", "unit__name")
    ]


def results(user: Any, round_: Round) -> QuerySet[UnitResult]:
    qs = UnitResult.objects.filter(round=round_).select_related("unit")
    seen = visibility.sight(user, round_)
    if not seen.full:
        qs = qs.filter(unit_id__in=seen.unit_ids)
    return qs.order_by("group", "rank", "unit__sort_order", "unit__pk")


def composite_statement(plan: Plan) -> str:
    """How the plan makes its composite, as the round page states it."""
    if plan.composite == Composite.WEIGHTED:
        return _("各专项按满分折算、加权，综合得分折算为百分制（满分100）")
    if plan.composite == Composite.NONE:
        return _("只按专项排名，不计综合得分、等次和综合名次")
    full = sum(
        (i.weight * i.full_marks for i in plan.indicators.all() if i.method in _SCORED),
        Decimal(0),
    )
    return _("各项得分相加（满分%(full)s）") % {"full": score_text(full, plan.precision)}


_SCORED = tuple(m for m in Method if m not in (Method.BONUS, Method.DEDUCTION, Method.VETO))


def _result_row(
    r: UnitResult, precision: int, composite: bool = True, compared: bool = False
) -> dict[str, Any]:
    moved = movement.move(
        r.rank, r.previous_rank, compared=compared, previous_score=r.previous_score
    )
    return {
        "unit_id": r.unit_id,
        "unit": r.unit.name,
        "group": r.group,
        # A line-only plan (composite: none) has no composite score, rank or grade.
        "score": score_text(r.score, precision) if composite else None,
        "rank": r.rank if composite else None,
        "tied": r.tied and composite,
        "grade": r.grade if composite else "",
        "veto": r.veto,
        "lines": {
            name: {"score": score_text(v["score"], precision), "rank": v["rank"], "tied": v["tied"]}
            for name, v in r.lines.items()
        },
        # A line-only plan has no composite rank to move.
        "previous_rank": r.previous_rank if composite else None,
        "previous_score": number(r.previous_score) if composite else None,
        "movement": moved.change if composite else None,
        "movement_label": moved.label if composite else "",
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
    precision, composite = round_.plan.precision, round_.plan.has_composite
    compared = round_.previous_round_id is not None
    return [_result_row(r, precision, composite, compared) for r in ordered]


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
    data["has_composite"] = round_.plan.has_composite
    data["gap"] = None
    moved = movement.move(
        result.rank,
        result.previous_rank,
        compared=round_.previous_round_id is not None,
        previous_score=result.previous_score,
    )
    previous = round_.previous_round
    data["movement"] = {
        "previous_round_id": round_.previous_round_id,
        "previous_period": previous.period if previous else None,
        "previous_rank": result.previous_rank,
        "previous_score": number(result.previous_score),
        "change": moved.change,
        "label": moved.label,
        "phrase": moved.phrase,
    }
    # A roll-up's parts go down to each round they read, and from there to its inputs.
    sources = rollups.source_scores(round_, unit.pk)
    for part in data["parts"]:
        part["sources"] = sources.get(part["code"], [])
    if not round_.plan.has_composite:  # line ranks only: no composite to explain
        data.update(score=None, rank=None, tied=False, grade="")
    # The gap names the unit above and its points: part of the whole round, not of one row.
    if result.rank > 1 and visibility.sight(user, round_).full:
        # The unit(s) just above: the worst rank better than this one, in the same group.
        above = (
            UnitResult.objects.filter(round=round_, group=result.group, rank__lt=result.rank)
            .order_by("-rank", "unit__sort_order", "unit_id")
            .first()
        )
        if above is not None:
            weighted = rules.composite == Composite.WEIGHTED
            g = explanations.gap(
                data,
                explanations.expand_parts(above.explanation, indicators),
                weighted=indicators if weighted else None,
                line_weights=rules.line_weights,
            )
            data["gap"] = {
                "above": g.above,
                "above_rank": g.above_rank,
                "points": score_text(g.points, rules.precision),
                "by_indicator": [
                    {"indicator": name, "points": score_text(d, rules.precision)}
                    for name, d in g.by_indicator
                ],
                "not_compared": g.not_compared,
                "weighted": g.weighted,
            }
    return data


def trend(user: Any, unit: Unit, plan_name: str | None = None) -> list[dict[str, Any]]:
    """A unit's score and rank over the rounds of its plans (latest edition of each period)."""
    qs = UnitResult.objects.filter(visibility.results_q(user), unit=unit).select_related(
        "round__plan__campaign"
    )
    qs = qs.exclude(round__plan__composite=Composite.NONE)  # line-only plans rank no composite
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
            "score": score_text(r.score, r.round.plan.precision),
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
    precision = round_.plan.precision
    for r in new.order_by("group", "rank"):
        before = old.get(r.unit_id)
        if before is None or before.score != r.score or before.rank != r.rank:
            rows.append(
                {
                    "unit": r.unit.name,
                    "group": r.group,
                    "old_score": score_text(before.score, precision) if before else None,
                    "new_score": score_text(r.score, precision),
                    "old_rank": before.rank if before else None,
                    "new_rank": r.rank,
                    "delta": score_text(
                        r.score - (before.score if before else Decimal(0)), precision
                    ),
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


def round_lists(user: Any, round_: Round) -> list[dict[str, Any]]:
    """The round's 红黑榜 and repeat-offence lists, of the rows the reader may see."""
    seen = visibility.sight(user, round_)
    return lists.round_lists(round_, None if seen.full else set(seen.unit_ids))


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
