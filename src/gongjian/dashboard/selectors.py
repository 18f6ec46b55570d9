"""Reads of the battle map: campaign overview, drill-down lists, unit and leader views, briefing.

Figures come from the day's warning snapshot (one indexed table) and its tallies per unit and
line, in a few aggregate queries, so a page costs the same number of queries whatever the number
of projects.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils.translation import gettext as _

from gongjian.assessment import selectors as assessment_selectors
from gongjian.assessment.models import PlanGroup, PlanLine, Round, RoundState, UnitResult
from gongjian.campaigns.models import Campaign
from gongjian.core.errors import NotFound
from gongjian.org.models import Unit
from gongjian.org.scope import Action, scope_for
from gongjian.projects import refreshes
from gongjian.projects.models import (
    CoordinationRequest,
    CoordinationStatus,
    Milestone,
    Project,
    WarningSnapshot,
    WarningTally,
)
from gongjian.projects.selectors import snapshot_state
from gongjian.projects.snapshots import snapshot_warnings, store_tallies
from gongjian.supervision import visits as visit_selectors
from gongjian.supervision.models import SupervisionOrder
from gongjian.supervision.selectors import OPEN, orders_for, overdue_q

COLOURS = ("red", "yellow", "green")
SEVERITY = {"red": 0, "yellow": 1, "green": 2}


def _reads(days: Callable[[dt.date], tuple[dt.date, ...]]) -> Callable[[Any], Any]:
    """Run a reader of the day's snapshot inside `reading_days` of the days it reads."""

    def decorate(reader: Any) -> Any:
        signature = inspect.signature(reader)

        @functools.wraps(reader)
        def read(*args: Any, **kwargs: Any) -> Any:
            on = signature.bind(*args, **kwargs).arguments["on"]
            with reading_days(*days(on)):
                return reader(*args, **kwargs)

        return read

    return decorate


def _the_day(on: dt.date) -> tuple[dt.date, ...]:
    return (on,)


def _the_day_and_the_day_before(on: dt.date) -> tuple[dt.date, ...]:
    return (on, on - dt.timedelta(days=1))


@contextmanager
def reading_days(*days: dt.date) -> Iterator[None]:
    """Read the battle map of `days` as stored by `gongjian tick` and the ledger's writes; a
    day it has not stored (a past date, or before tonight's run), or the rows of a day still
    marked behind the ledger (a report filed a moment ago, projects/refreshes.py), is worked
    out for this read only, in a transaction rolled back at the end, so a GET stores nothing and
    never shows a colour older than a report already filed. Every public reader of the day's
    snapshot runs inside it and returns plain data or lists, never a lazy queryset."""
    stored = {d: snapshot_state(d, of=WarningTally) for d in days}
    missing = [d for d, state in stored.items() if state is None]
    behind = [d for d, state in stored.items() if state]
    if not missing and not behind:
        yield
        return
    with transaction.atomic():
        for on in missing:
            if WarningSnapshot.objects.filter(on=on).exists():
                store_tallies(on=on)  # a day snapshotted before there were tallies
            elif Project.objects.exists():
                snapshot_warnings(on=on)
        refreshes.apply_pending(behind)
        yield
        transaction.set_rollback(True)


def snapshots_for(user: Any, on: dt.date, campaign: Campaign | None) -> QuerySet[WarningSnapshot]:
    qs = WarningSnapshot.objects.filter(on=on)
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return scope_for(user).filter(qs, Action.VIEW, via="unit")


@dataclass(frozen=True)
class CampaignClock:
    days_total: int
    days_elapsed: int
    days_left: int


def campaign_clock(campaign: Campaign, on: dt.date) -> CampaignClock:
    total = campaign.days
    elapsed = min(max((on - campaign.start_date).days + 1, 0), total)
    return CampaignClock(days_total=total, days_elapsed=elapsed, days_left=total - elapsed)


def _wan(value: Decimal | None) -> float:
    return float(value or 0)


def tallies_for(user: Any, on: dt.date, campaign: Campaign) -> QuerySet[WarningTally]:
    """The day's tallies of a campaign (one row per unit and line) in the user's scope."""
    return scope_for(user).filter(
        WarningTally.objects.filter(on=on, campaign=campaign), Action.VIEW, via="unit"
    )


@_reads(_the_day)
def overview(user: Any, campaign: Campaign, on: dt.date) -> dict[str, Any]:
    """Everything on the campaign overview, for one user's scope, in a handful of queries."""
    tallies = tallies_for(user, on, campaign)
    # The day's tallies (a few thousand rows at province scale, not 100,000 projects): summed per
    # line they give the colours, the trend warnings and the investment (exact decimals).
    line_rows = list(
        tallies.values("line_id", "line__name")
        .annotate(
            n=Sum("projects"),
            red=Sum("red"),
            yellow=Sum("yellow"),
            green=Sum("green"),
            at_risk=Sum("at_risk"),
            total=Sum("total_investment_wan"),
            annual=Sum("annual_planned_wan"),
            done=Sum("investment_completed_wan"),
        )
        .order_by("line__sort_order", "line_id")
    )
    colour_counts = {
        "red": sum(row["red"] for row in line_rows),
        "yellow": sum(row["yellow"] for row in line_rows),
        "green": sum(row["green"] for row in line_rows),
    }
    at_risk = sum(row["at_risk"] for row in line_rows)
    money = {
        "total": sum((row["total"] for row in line_rows), Decimal(0)),
        "annual": sum((row["annual"] for row in line_rows), Decimal(0)),
        "done": sum((row["done"] for row in line_rows), Decimal(0)),
    }
    by_line = [
        {
            "line_id": row["line_id"],
            "line": row["line__name"] or "（未分专项）",
            "projects": row["n"],
            "annual_planned_wan": _wan(row["annual"]),
            "completed_wan": _wan(row["done"]),
        }
        for row in line_rows
    ]
    clock = campaign_clock(campaign, on)
    open_requests = scope_for(user).filter(
        CoordinationRequest.objects.filter(
            project__campaign=campaign, status=CoordinationStatus.OPEN
        ),
        Action.VIEW,
        via="project__unit",
    )
    orders = campaign_orders(user, campaign)
    return {
        "campaign": {"id": campaign.pk, "name": campaign.name, "owner": campaign.owner.name},
        "orders": {
            "open": orders.filter(state__in=OPEN).count(),
            "overdue": orders.filter(overdue_q(on)).count(),
        },
        "on": on.isoformat(),
        "days_total": clock.days_total,
        "days_elapsed": clock.days_elapsed,
        "days_left": clock.days_left,
        "projects": sum(colour_counts.values()),
        "colours": colour_counts,
        "at_risk": at_risk,
        "investment": {
            "total_wan": _wan(money["total"]),
            "annual_planned_wan": _wan(money["annual"]),
            "completed_wan": _wan(money["done"]),
            "percent_of_annual": round(_wan(money["done"]) * 100 / _wan(money["annual"]), 1)
            if money["annual"]
            else None,
            "percent_of_total": round(_wan(money["done"]) * 100 / _wan(money["total"]), 1)
            if money["total"]
            else None,
        },
        "by_line": by_line,
        "top_units": top_units(user, campaign),
        "lagging_units": lagging_units(tallies),
        "open_requests": open_requests.count(),
    }


def lagging_units(tallies: QuerySet[WarningTally], limit: int = 10) -> list[dict[str, Any]]:
    """The units with red or yellow projects, most reds first, then most yellows."""
    rows = (
        tallies.values("unit_id", "unit__name")
        .annotate(red=Sum("red"), yellow=Sum("yellow"), total=Sum("projects"))
        .filter(Q(red__gt=0) | Q(yellow__gt=0))
        .order_by("-red", "-yellow", "unit__name", "unit_id")[:limit]
    )
    return [
        {
            "unit_id": r["unit_id"],
            "unit": r["unit__name"],
            "red": r["red"],
            "yellow": r["yellow"],
            "total": r["total"],
        }
        for r in rows
    ]


def top_units(user: Any, campaign: Campaign, per_group: int = 3) -> list[dict[str, Any]]:
    """The latest published round of each of the campaign's plans: the first places by group."""
    published = assessment_selectors.visible_rounds(user).filter(
        state=RoundState.PUBLISHED, plan__campaign=campaign
    )
    latest: dict[str, Round] = {}
    for r in published.order_by("-period", "-edition"):
        latest.setdefault(r.plan.name, r)
    if not latest:
        return []
    ranked = [r for r in latest.values() if r.plan.has_composite]
    results = (
        UnitResult.objects.filter(round__in=ranked, rank__lte=per_group)
        .select_related("unit")
        .order_by("round_id", "group", "rank", "unit__sort_order")
    )
    by_round: dict[int, dict[str, list[dict[str, Any]]]] = {}
    for res in results.defer("explanation"):
        by_round.setdefault(res.round_id, {}).setdefault(res.group, []).append(
            {"unit": res.unit.name, "rank": res.rank, "tied": res.tied}
        )
    by_round.update(_line_firsts([r for r in latest.values() if not r.plan.has_composite]))
    # Groups in the plan's own order (第一、第二、第三方阵), not the names' code-point order.
    order = {
        (plan_id, name): i
        for plan_id, name, i in PlanGroup.objects.filter(
            plan__in=[r.plan_id for r in latest.values()]
        ).values_list("plan_id", "name", "sort_order")
    }

    def in_plan_order(r: Round) -> list[dict[str, Any]]:
        groups = by_round.get(r.pk, {})
        if not r.plan.has_composite:  # its lines, already in the plan's order
            return [{"group": g, "units": units} for g, units in groups.items()]
        names = sorted(groups, key=lambda g: order.get((r.plan_id, g), 1 << 30))
        return [{"group": g, "units": groups[g]} for g in names]

    return [
        {"round_id": r.pk, "plan": r.plan.name, "period": r.period, "groups": in_plan_order(r)}
        for r in latest.values()
    ]


def _line_firsts(rounds: list[Round]) -> dict[int, dict[str, list[dict[str, Any]]]]:
    """A line-only plan has no overall rank: each line's first place(s), lines in plan order
    (资金运作攻坚：区税务局、区财政局并列第1)."""
    if not rounds:
        return {}
    lines = {
        r.pk: list(PlanLine.objects.filter(plan_id=r.plan_id).values_list("name", flat=True))
        for r in rounds
    }
    firsts: dict[int, dict[str, list[str]]] = {r.pk: {} for r in rounds}
    counted: dict[tuple[int, str], int] = {}
    unfinished: set[tuple[int, str]] = set()
    for round_id, unit, cells in (
        UnitResult.objects.filter(round__in=rounds)
        .order_by("round_id", "unit__sort_order", "unit_id")
        .values_list("round_id", "unit__name", "lines")
    ):
        for line, cell in (cells or {}).items():
            if not isinstance(cell, dict):
                continue
            counted[(round_id, line)] = counted.get((round_id, line), 0) + 1
            if cell.get("completed") is not True:
                unfinished.add((round_id, line))
            if cell.get("rank") == 1:
                firsts[round_id].setdefault(line, []).append(unit)

    def entries(round_id: int, line: str, units: list[str]) -> list[dict[str, Any]]:
        if len(units) > 1 and len(units) == counted[(round_id, line)]:
            # everyone first: as the bulletin says it, not a list of every unit
            done = (round_id, line) not in unfinished
            return [{"all": _("均完成任务") if done else _("全部并列第一")}]
        return [{"unit": u, "rank": 1, "tied": len(units) > 1} for u in units]

    return {
        round_id: {
            line: entries(round_id, line, units)
            for line in lines[round_id]
            if (units := by_line.get(line))
        }
        for round_id, by_line in firsts.items()
    }


def campaign_orders(user: Any, campaign: Campaign) -> QuerySet[SupervisionOrder]:
    """Orders about the campaign's projects or lines, in the user's scope."""
    return orders_for(user).filter(Q(project__campaign=campaign) | Q(line__campaign=campaign))


def overdue_orders(user: Any, on: dt.date, *, unit: Unit | None = None) -> list[SupervisionOrder]:
    qs = orders_for(user).filter(overdue_q(on)).select_related("unit", "project")
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    return list(qs.order_by("deadline", "pk")[:500])


@_reads(_the_day)
def drill_projects(
    user: Any,
    on: dt.date,
    *,
    campaign: Campaign | None,
    colour: str | None = None,
    unit: Unit | None = None,
    line_id: int | None = None,
    at_risk: bool = False,
) -> list[WarningSnapshot]:
    """The projects behind a figure, worst first, with their warnings."""
    qs = snapshots_for(user, on, campaign).select_related("project", "project__line", "unit")
    if colour:
        qs = qs.filter(colour=colour)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if line_id:
        qs = qs.filter(project__line_id=line_id)
    if at_risk:
        qs = qs.filter(at_risk=True).exclude(colour="red")
    rows = list(qs[:2000])
    rows.sort(key=lambda s: (SEVERITY[s.colour], s.project.code))
    return rows


def _by_colour(snaps: QuerySet[WarningSnapshot]) -> dict[str, int]:
    """How many of `snaps` are of each colour (every colour present, 0 when none), one query."""
    counts = {c: 0 for c in COLOURS}
    for row in snaps.values("colour").annotate(n=Count("id")).order_by():
        counts[row["colour"]] = row["n"]
    return counts


@_reads(_the_day)
def colour_counts(user: Any, on: dt.date, *, unit: Unit) -> dict[str, int]:
    """The day's projects of `unit`'s subtree in the user's scope, by colour: the counts of the
    drill list `drill_projects(unit=..., colour=...)`, in one aggregate query."""
    return _by_colour(snapshots_for(user, on, None).filter(unit__path__startswith=unit.path))


def _leader_snapshots(user: Any, on: dt.date) -> QuerySet[WarningSnapshot]:
    """The day's snapshots of a leader's projects: led, on the team, or in linked units."""
    person_id = getattr(user, "person_id", None)
    mine = (
        Q(project__leader_id=person_id) | Q(project__team__id=person_id)
        if person_id
        else Q(pk__in=[])
    )
    linked = scope_for(user).q(Action.VIEW, via="unit")
    return WarningSnapshot.objects.filter(on=on).filter(mine | linked)


@_reads(_the_day)
def leader_projects(user: Any, on: dt.date) -> list[WarningSnapshot]:
    """A leader's projects (led, on the team, or in linked units), what needs them first."""
    qs = _leader_snapshots(user, on).select_related("project", "unit", "project__leader").distinct()
    rows = list(qs[:2000])
    rows.sort(key=lambda s: (SEVERITY[s.colour], not s.at_risk, s.project.code))
    return rows


@_reads(_the_day)
def leader_colour_counts(user: Any, on: dt.date) -> dict[str, int]:
    """`leader_projects` by colour, counted in one query (every one, not the first 2,000)."""
    # by id: the leader's filter joins the team, which can repeat a project
    return _by_colour(
        WarningSnapshot.objects.filter(pk__in=_leader_snapshots(user, on).values("pk"))
    )


# A unit view lists this many of the subtree's projects (worst first), open requests and open
# orders, and draws the Gantt of the first GANTT_PROJECTS of those projects; the rest are counted
# and a link leads to the full list. A town has a few dozen projects, a county a thousand.
UNIT_ROWS = 100
GANTT_PROJECTS = 15


def _worst_first() -> Case:
    return Case(
        *(When(colour=c, then=Value(n)) for c, n in SEVERITY.items()),
        default=Value(len(SEVERITY)),
        output_field=IntegerField(),
    )


@_reads(_the_day)
def unit_projects(user: Any, unit: Unit, on: dt.date) -> dict[str, Any]:
    """A unit's battle map: the day's projects of its subtree in the user's scope by colour
    and the worst of them, the Gantt of the worst few, open requests and orders; a fixed
    number of queries and rows whatever the size of the subtree."""
    if not scope_for(user).can(Action.VIEW, unit):
        # Out of scope reads as absent: the page does not confirm that the unit exists.
        raise NotFound(_("该单位不存在，或不在您的查看范围内。"))
    day = snapshots_for(user, on, None).filter(unit__path__startswith=unit.path)
    colours = _by_colour(day)
    # The worst first by a narrow sort (ids only), then those rows whole: sorting the whole
    # rows of a province's 100,000 projects to keep 100 costs several times more.
    worst = list(
        day.order_by(_worst_first(), "project__code", "pk").values_list("pk", flat=True)[:UNIT_ROWS]
    )
    place = {pk: i for i, pk in enumerate(worst)}
    snaps = sorted(
        WarningSnapshot.objects.filter(pk__in=worst).select_related(
            "project", "project__line", "unit"
        ),
        key=lambda s: place[s.pk],
    )
    charted = [s.project_id for s in snaps[:GANTT_PROJECTS]]
    milestones = list(
        Milestone.objects.filter(project_id__in=charted)
        .select_related("project")
        .order_by("project__code", "seq")
    )
    requests = scope_for(user).filter(
        CoordinationRequest.objects.filter(
            status=CoordinationStatus.OPEN, project__unit__path__startswith=unit.path
        ),
        Action.VIEW,
        via="project__unit",
    )
    orders = orders_for(user).filter(unit__path__startswith=unit.path, state__in=OPEN)
    return {
        "snapshots": snaps,
        "colours": colours,
        "projects": sum(colours.values()),
        "charted": len(charted),
        "milestones": milestones,
        "requests": list(
            requests.select_related("project", "handling_unit").order_by(
                F("deadline").asc(nulls_last=True), "pk"
            )[:UNIT_ROWS]
        ),
        "request_count": requests.count(),
        "orders": list(orders.select_related("project").order_by("deadline", "pk")[:UNIT_ROWS]),
        "order_count": orders.count(),
        "ranks": assessment_selectors.trend(user, unit),
    }


@_reads(_the_day_and_the_day_before)
def briefing(user: Any, on: dt.date) -> dict[str, Any]:
    """每日会商: what changed since yesterday within the user's scope."""
    yesterday = on - dt.timedelta(days=1)
    today_snaps = snapshots_for(user, on, None)
    before = dict(
        scope_for(user)
        .filter(WarningSnapshot.objects.filter(on=yesterday), Action.VIEW, via="unit")
        .values_list("project_id", "colour")
    )
    new_reds, recovered = [], []
    for snap in today_snaps.select_related("project", "unit"):
        previous = before.get(snap.project_id)
        if snap.colour == "red" and previous != "red":
            new_reds.append(snap)
        elif snap.colour == "green" and previous in ("red", "yellow"):
            recovered.append(snap)
    resolved = list(
        scope_for(user)
        .filter(
            CoordinationRequest.objects.filter(
                status=CoordinationStatus.RESOLVED,
                resolved_at__date__gt=yesterday,
                resolved_at__date__lte=on,
            ),
            Action.VIEW,
            via="project__unit",
        )
        .select_related("project", "resolved_by")
    )
    colour_counts = _by_colour(today_snaps)
    return {
        "overdue_orders": [
            {
                "title": o.title,
                "unit": o.unit.name,
                "deadline": o.deadline.isoformat(),
                "code": o.code,
            }
            for o in overdue_orders(user, on)
        ],
        "on": on,
        "yesterday": yesterday,
        "new_reds": new_reds,
        "recovered": recovered,
        "resolved_requests": resolved,
        "visits": visit_selectors.visits_between(user, yesterday, on),
        "colours": colour_counts,
    }


def ranking_board(user: Any, round_id: int | None = None) -> dict[str, Any]:
    """The latest published round (or a chosen one) by group, with each unit's movement since
    the plan's previous published period; a correction replaces the edition it corrects."""
    published = assessment_selectors.visible_rounds(user).filter(state=RoundState.PUBLISHED)
    latest: dict[int, Round] = {}
    for r in published.order_by("-period", "-edition"):
        latest.setdefault(r.plan_id, r)
    choices = sorted(latest.values(), key=lambda r: (r.plan.campaign.owner.path, r.plan.name))
    if round_id is not None:
        current = published.filter(pk=round_id).first()
    else:
        current = choices[0] if choices else None
    if current is None:
        return {"choices": choices, "round": None, "groups": []}
    # Each result carries its movement since the round's previous comparable round, fixed
    # when it was computed (assessment.movement).
    previous = current.previous_round
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in assessment_selectors.result_rows(current, user):
        groups.setdefault(row["group"], []).append(row)
    return {
        "choices": choices,
        "round": current,
        "previous": previous,
        "groups": [{"name": name, "rows": rows} for name, rows in groups.items()],
        "lists": assessment_selectors.round_lists(user, current),
    }
