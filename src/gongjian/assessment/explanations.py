"""A round's explanations: what each unit's score is made of, as computed, stored and shown.

`explain` writes one outcome in full; `ExplanationWriter` encodes a round's outcomes as the JSON
text stored per unit (`services.store_outcomes`), leaving out what the plan's indicator already
says; `stored_parts` / `expand_parts` read a stored one back (both stored forms), and `gap` says
why a unit is behind the unit ranked just above it. Plain Python, as the engine is.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, Final

from django.utils.translation import gettext as _

from gongjian.assessment.engine import (
    IND,
    METHOD_LABELS,
    NOTES,
    POINTS,
    SCORE,
    SOURCE,
    TARGET,
    TRAIL,
    VALUE,
    Indicator,
    Method,
    Outcome,
    Part,
)


def _num(value: Decimal | None) -> str | None:
    return None if value is None else _plain(value)


@lru_cache(maxsize=65536)
def _plain(value: Decimal) -> str:
    """85.0000 → "85": scores repeat a lot across 10,000 units, so this is cached."""
    return _written(value)


def _written(value: Decimal) -> str:
    # -0 is 0: the cache above cannot tell them apart, so neither may the text.
    return format(value.normalize(), "f") if value else "0"


def explain(outcome: Outcome) -> dict[str, Any]:
    """The JSON-safe trail of one unit's result, every part in full (as `expand_parts` shows a
    stored one)."""
    parts = [
        {
            "code": p[IND].code,
            "value": _num(p[VALUE]),
            "score": _num(p[SCORE]),
            "points": _num(p[POINTS]),
            "source": p[SOURCE],
            "target": _num(p[TARGET]),
            "notes": list(p[NOTES]),
            "trail": list(p[TRAIL]),
            "name": p[IND].name,
            "line": p[IND].line,
            "method": str(p[IND].method),
            "weight": _num(p[IND].weight),
        }
        for p in outcome.parts
    ]
    return {**_totals(outcome), "parts": parts, "lines": _lines(outcome)}


def _totals(outcome: Outcome) -> dict[str, Any]:
    return {
        "unit_id": outcome.unit_id,
        "unit": outcome.name,
        "group": outcome.group,
        "base": _num(outcome.base),
        "bonus": _num(outcome.bonus),
        "bonus_applied": _num(outcome.bonus_applied),
        "deduction": _num(outcome.deduction),
        "deduction_applied": _num(outcome.deduction_applied),
        "raw": _num(outcome.raw),
        "score": _num(outcome.score),
        "rank": outcome.rank,
        "tied": outcome.tied,
        "grade": outcome.grade,
        "veto": outcome.veto,
        "notes": outcome.notes,
    }


def _lines(outcome: Outcome) -> dict[str, dict[str, Any]]:
    return {
        name: {
            "score": _num(line.score),
            "rank": line.rank,
            "tied": line.tied,
            "completed": line.completed,
        }
        for name, line in outcome.lines.items()
    }


# A stored part is a flat list in this order; target, notes and trail only when one is set.
# (Rounds computed before 2026-11 stored each part as a dict of these keys: both read the same.)
PART_KEYS: Final = ("code", "value", "score", "points", "source", "target", "notes", "trail")


_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_JSON = {True: "true", False: "false", None: "null"}


def _json_num(value: Decimal | None) -> str:
    """`_num` as JSON: a plain decimal needs no escaping, only quotes."""
    return "null" if value is None else f'"{_plain(value)}"'


class ExplanationWriter:
    """Encodes a round's results as the JSON text stored per unit: its line scores, and its
    explanation — `explain` without what the plan's indicator already says (name, line, method,
    weight), each part a flat list (`PART_KEYS`).

    A round has hundreds of thousands of parts: each is written out as text (no encoder call for
    the common short form), and a part the engine shared among units is written once.
    """

    def __init__(self) -> None:
        self._strings: dict[str, str] = {}
        # The engine gives units with the same input the same part tuple: known by its id, a
        # part costs one look-up. The tuples are kept so that no id is reused while we run.
        self._seen: dict[int, str] = {}
        self._kept: list[Part] = []
        self._line_items: dict[tuple[Any, ...], str] = {}

    def encode(self, outcome: Outcome) -> tuple[str, str]:
        """(lines, explanation) as JSON text."""
        get, part_text = self._seen.get, self._part_text
        encoded = [get(id(part)) or part_text(part) for part in outcome.parts]
        lines = self._lines(outcome)
        o, n = outcome, _json_num
        text = (
            f'{{"unit_id":{o.unit_id},"unit":{_dumps(o.name)},"group":{_dumps(o.group)},'
            f'"base":{n(o.base)},"bonus":{n(o.bonus)},"bonus_applied":{n(o.bonus_applied)},'
            f'"deduction":{n(o.deduction)},"deduction_applied":{n(o.deduction_applied)},'
            f'"raw":{n(o.raw)},"score":{n(o.score)},"rank":{o.rank},"tied":{_JSON[o.tied]},'
            f'"grade":{_dumps(str(o.grade))},"veto":{_dumps(str(o.veto))},'
            f'"notes":{_dumps(o.notes)},"parts":[{",".join(encoded)}],"lines":{lines}}}'
        )
        return lines, text

    def _part_text(self, part: Part) -> str:
        ind, value, target, score, points, notes, trail, source = part
        if value is not None and target is None and not notes and not trail:
            # The short form, written out. Not through `_plain`'s cache: the parts that get here
            # are the distinct ones, whose numbers mostly are too.
            strings, written = self._strings, _written
            value_text = written(value)
            score_text = value_text if score is value else written(score)
            text = (
                f'[{strings.get(ind.code) or self._string(ind.code)},"{value_text}",'
                f'"{score_text}","{written(points)}",{strings.get(source) or self._string(source)}]'
            )
        else:
            text = _dumps(_part_list(ind, value, target, score, points, notes, trail, source))
        self._seen[id(part)] = text
        self._kept.append(part)
        return text

    def _string(self, value: str) -> str:
        text = self._strings.get(value)
        if text is None:
            text = self._strings[value] = _dumps(value)
        return text

    def _lines(self, outcome: Outcome) -> str:
        """`_lines` as JSON text, written out: 10,000 units × their lines per round; most line
        entries repeat (same line, score and place), so each is written once."""
        items = self._line_items
        texts = []
        for name, line in outcome.lines.items():
            key = (name, line.score, line.rank, line.tied, line.completed)
            text = items.get(key)
            if text is None:
                text = items[key] = (
                    f'{_dumps(name)}:{{"score":{_json_num(line.score)},"rank":{line.rank},'
                    f'"tied":{_JSON[line.tied]},"completed":{_JSON[line.completed]}}}'
                )
            texts.append(text)
        return "{" + ",".join(texts) + "}"


def _part_list(
    ind: Indicator,
    value: Decimal | None,
    target: Decimal | None,
    score: Decimal,
    points: Decimal,
    notes: Sequence[str],
    trail: tuple[str, ...],
    source: str,
) -> list[Any]:
    row: list[Any] = [ind.code, _num(value), _num(score), _num(points), source]
    if target is not None or notes or trail:
        row += [_num(target), list(notes), list(trail)]
    return row


def stored_parts(explanation: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A stored explanation's parts as dicts of `PART_KEYS` (target, notes, trail when set)."""
    return [
        part if isinstance(part, dict) else dict(zip(PART_KEYS, part, strict=False))
        for part in explanation["parts"]
    ]


def expand_parts(
    explanation: Mapping[str, Any], indicators: Mapping[str, Indicator]
) -> dict[str, Any]:
    """A stored explanation with each part's indicator name, line, method and weight."""
    full = dict(explanation)
    full["parts"] = [
        {
            "target": None,
            "notes": [],
            "trail": [],
            **part,
            "name": indicators[part["code"]].name,
            "line": indicators[part["code"]].line,
            "method": str(indicators[part["code"]].method),
            "method_label": str(METHOD_LABELS[indicators[part["code"]].method]),
            "weight": _num(indicators[part["code"]].weight),
        }
        for part in stored_parts(explanation)
    ]
    return full


@dataclass(frozen=True)
class Gap:
    """Why a unit is behind the unit ranked just above it: the points, and where they went."""

    above: str
    above_rank: int
    points: Decimal
    by_indicator: list[tuple[str, Decimal]]  # (indicator name, points the unit above got more)
    not_compared: list[str] = field(default_factory=list)  # lines only one of them is assessed on
    weighted: bool = False  # the points are 折算 points of a composite out of 100


def gap(
    me: Mapping[str, Any],
    above: Mapping[str, Any],
    *,
    weighted: Mapping[str, Indicator] | None = None,
    line_weights: Mapping[str, Decimal] | None = None,
) -> Gap:
    """Compare two stored explanations; the indicators that cost most come first. For a weighted
    composite (`weighted`: the plan's indicators by code) each indicator's points are counted as
    they reach the composite —折算 to 100 over the lines that apply to that unit, by the line's
    weight (`line_weights`, 1 unless the plan says) — so the differences add up to the gap."""
    # Bonuses and deductions count through their capped totals, so the differences add up.
    totals = (Method.BONUS, Method.DEDUCTION)
    names = {p["code"]: p["name"] for p in [*me["parts"], *above["parts"]]}
    mine, theirs = (_points(unit, totals, weighted, line_weights or {}) for unit in (me, above))
    # Only what both units are assessed on is compared; a line one of them has not is named.
    diffs = [(names[code], theirs[code] - mine[code]) for code in theirs if code in mine]
    return Gap(
        above=above["unit"],
        above_rank=above["rank"],
        points=Decimal(above["score"]) - Decimal(me["score"]),
        by_indicator=_sorted_diffs(diffs, me, above),
        not_compared=_not_compared(me, above),
        weighted=weighted is not None,
    )


def _points(
    unit: Mapping[str, Any],
    totals: tuple[Method, ...],
    weighted: Mapping[str, Indicator] | None,
    line_weights: Mapping[str, Decimal],
) -> dict[str, Decimal]:
    points = {p["code"]: Decimal(p["points"]) for p in unit["parts"] if p["method"] not in totals}
    if weighted is None:
        return points
    scored = [p for p in unit["parts"] if p["method"] not in (*totals, Method.VETO)]
    full: dict[str, Decimal] = {}
    for p in scored:
        ind = weighted[p["code"]]
        full[p["line"]] = full.get(p["line"], Decimal(0)) + ind.weight * ind.full_marks
    lines = {line: marks for line, marks in full.items() if marks > 0}
    weights = sum((line_weights.get(line, Decimal(1)) for line in lines), Decimal(0))
    if not weights:
        return points
    return {
        code: (
            value
            * Decimal(100)
            * line_weights.get(weighted[code].line, Decimal(1))
            / (lines[weighted[code].line] * weights)
            if weighted[code].line in lines
            else value
        )
        for code, value in points.items()
    }


def _not_compared(me: Mapping[str, Any], above: Mapping[str, Any]) -> list[str]:
    lines_of = {
        unit["unit"]: dict.fromkeys(p["line"] for p in unit["parts"]) for unit in (me, above)
    }
    notes = []
    for unit, other in ((me, above), (above, me)):
        for line in lines_of[other["unit"]]:
            if line not in lines_of[unit["unit"]]:
                notes.append(
                    _("“%(line)s”不适用于%(unit)s，未作比较") % {"line": line, "unit": unit["unit"]}
                )
    return notes


def _sorted_diffs(
    diffs: list[tuple[str, Decimal]], me: Mapping[str, Any], above: Mapping[str, Any]
) -> list[tuple[str, Decimal]]:
    for label, key in ((_("加分"), "bonus_applied"), (_("扣分"), "deduction_applied")):
        sign = -1 if key == "deduction_applied" else 1
        d = sign * (Decimal(above[key]) - Decimal(me[key]))
        if d:
            diffs.append((label, d))
    diffs = [d for d in diffs if d[1] != 0]
    diffs.sort(key=lambda d: d[1], reverse=True)
    return diffs
