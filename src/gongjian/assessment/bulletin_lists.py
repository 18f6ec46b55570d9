"""What a round's lists and rank movement add to its bulletin, kept apart from `bulletin`'s
layout, which calls `tables` (the attachments) and `paragraphs` (its section) once each.

Each list is one attachment table (分组, 名次, 单位, 依据; the 黑榜 with its exemptions beside
it); the movement is one sentence per section, in the bulletin's words ("位次较上期上升2位").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from gongjian.assessment import lists, movement

if TYPE_CHECKING:
    from gongjian.assessment.bulletin import Table
    from gongjian.assessment.models import Round


def tables(rounds: Sequence[Round], captions: Sequence[str]) -> list[Table]:
    from gongjian.assessment.bulletin import Table

    found: list[Table] = []
    for r, caption in zip(rounds, captions, strict=True):
        for entry in lists.round_lists(r):
            rows = []
            for group in entry["groups"]:
                for u in group["units"]:
                    cells = [group["name"], str(u["rank"]), u["unit"], u["reason"]]
                    if entry["kind"] == lists.BLACK:
                        cells.append(f"不可抗力豁免：{u['exempt_reason']}" if u["exempt"] else "—")
                    rows.append(cells)
            columns = ["分组", "名次", "单位", "依据"]
            if entry["kind"] == lists.BLACK:
                columns.append("豁免")
            found.append(Table(caption=f"{caption}{entry['name']}", columns=columns, rows=rows))
    return found


def paragraphs(round_: Round) -> list[str]:
    """The movement in words, per group: who rose most and who fell most since the previous
    comparable round ("湖南镇位次较上期上升2位"). None for a line-by-line plan (no composite
    rank) or a first round."""
    from gongjian.assessment.models import UnitResult

    if round_.previous_round_id is None or round_.plan.report_style == "lines":
        return []
    order = {g.name: i for i, g in enumerate(round_.plan.groups.all())}
    by_group: dict[str, list[tuple[int, str, str]]] = {}
    results = UnitResult.objects.filter(round=round_).select_related("unit").defer("explanation")
    for r in sorted(results, key=lambda r: (order.get(r.group, 99), r.rank, r.unit.sort_order)):
        m = movement.move(r.rank, r.previous_rank, compared=True)
        if m.change:
            by_group.setdefault(r.group, []).append((m.change, r.unit.name, m.phrase))
    sentences = []
    several = len(order) > 1
    for group, moves in by_group.items():
        up = max(c for c, _n, _p in moves)
        down = min(c for c, _n, _p in moves)
        said = [f"{n}{p}" for c, n, p in moves if c == up and up > 0]
        said += [f"{n}{p}" for c, n, p in moves if c == down and down < 0]
        if said:
            sentences.append((f"{group}中，" if several else "") + "，".join(said))
    return ["与上期相比，" + "；".join(sentences) + "。"] if sentences else []
