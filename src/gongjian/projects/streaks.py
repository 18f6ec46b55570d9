"""Projects of a colour at the end of N consecutive months, from the warning snapshots: the
ledger's facts for the assessment's repeat-offence rules (连续N个月红灯 / 黄灯).

A month counts a project's last snapshot in it (its colour on the month's last recorded day);
a month without a snapshot breaks the run. Registered for the assessment from AppConfig.ready:
`ledger.red_streak` (an indicator provider: a deduction per project) and the offence facts
`ledger.red_streak` / `ledger.yellow_streak` (a list, such as 专函督办).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from gongjian.assessment import offences
from gongjian.assessment.providers import Provided, register
from gongjian.projects.models import Project, SnapshotColour, WarningSnapshot

if TYPE_CHECKING:
    from gongjian.assessment.models import Round
    from gongjian.org.models import Unit

COLOUR_WORDS = {SnapshotColour.RED: _l("红灯"), SnapshotColour.YELLOW: _l("黄灯")}


def months_back(period: str, months: int) -> list[tuple[str, dt.date, dt.date]]:
    """(period, first day, last day) of the `months` months ending with `period`, oldest first."""
    year, month = (int(p) for p in period.split("-"))
    index = year * 12 + month - 1
    found = []
    for i in range(index - months + 1, index + 1):
        y, m = divmod(i, 12)
        first = dt.date(y, m + 1, 1)
        nxt = dt.date(y + (m == 11), (m + 1) % 12 + 1, 1)
        found.append((f"{y:04d}-{m + 1:02d}", first, nxt - dt.timedelta(days=1)))
    return found


def streak_projects(
    round_: Round, units: Sequence[Unit], months: int, colour: str
) -> dict[int, list[tuple[Project, list[str]]]]:
    """Per unit (its subtree, in the round's campaign): the projects `colour` at the end of
    each of the `months` months ending with the round's period, with those months."""
    span = months_back(round_.period, months)
    projects = list(Project.objects.filter(campaign=round_.plan.campaign_id).select_related("unit"))
    last: dict[tuple[int, str], str] = {}
    rows = (
        WarningSnapshot.objects.filter(
            project__in=projects, on__gte=span[0][1], on__lte=span[-1][2]
        )
        .order_by("on")
        .values_list("project_id", "on", "colour")
    )
    for project_id, on, snap_colour in rows:
        last[(project_id, f"{on:%Y-%m}")] = snap_colour  # the month's latest snapshot wins
    periods = [p for p, _first, _last in span]
    hit = [p for p in projects if all(last.get((p.pk, m)) == colour for m in periods)]
    wanted = {u.pk for u in units}
    found: dict[int, list[tuple[Project, list[str]]]] = defaultdict(list)
    for p in hit:
        for ancestor in p.unit.ancestor_ids():
            if ancestor in wanted:
                found[ancestor].append((p, periods))
    return {u.pk: found.get(u.pk, []) for u in units}


def _line(project: Project, periods: list[str], colour: str) -> str:
    return _("%(name)s：连续%(n)s个月%(c)s（%(m)s）") % {
        "name": project.name,
        "n": len(periods),
        "c": COLOUR_WORDS[SnapshotColour(colour)],
        "m": "、".join(periods),
    }


def _months(params: Any) -> int:
    try:
        return max(1, min(int(str(params.get("months", 2))), 60))
    except ValueError:
        return 2


def red_streak(round_: Round, units: Sequence[Unit], indicator: Any) -> dict[int, Provided]:
    """The provider: how many of a unit's projects were red at the end of `months` (param,
    default 2) consecutive months; 0 with an empty trail for a unit with none."""
    found = streak_projects(round_, units, _months(indicator.params), SnapshotColour.RED)
    return {
        unit_id: Provided(
            Decimal(len(hits)), tuple(_line(p, m, SnapshotColour.RED) for p, m in hits)
        )
        for unit_id, hits in found.items()
    }


def _fact(colour: str) -> offences.FactFn:
    def fact(round_: Round, units: Sequence[Unit], months: int) -> dict[int, list[str]]:
        found = streak_projects(round_, units, months, colour)
        return {u: [_line(p, m, colour) for p, m in hits] for u, hits in found.items() if hits}

    return fact


def check_months(params: Any) -> list[tuple[str, str]]:
    raw = params.get("months", 2)
    ok = not isinstance(raw, bool) and str(raw).strip().isdigit() and 1 <= int(str(raw)) <= 60
    extra = [k for k in params if k not in ("months", "per", "cap")]
    errors = [] if ok else [("months", _("months 应为 1 到 60 之间的整数"))]
    return errors + [(k, _("没有参数“%(k)s”") % {"k": k}) for k in extra]


def register_streaks() -> None:
    register(
        "ledger.red_streak",
        _l("连续N个月红灯的项目数"),
        red_streak,
        takes_indicator=True,
        check=check_months,
    )
    offences.register_fact(
        "ledger.red_streak", _l("连续N个月红灯的项目"), _fact(SnapshotColour.RED)
    )
    offences.register_fact(
        "ledger.yellow_streak", _l("连续N个月黄灯的项目"), _fact(SnapshotColour.YELLOW)
    )
