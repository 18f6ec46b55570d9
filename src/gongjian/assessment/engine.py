"""The scoring engine: a plan's rules over one round's values → scores, ranks, grades, trails.

Plain Python over dataclasses, free of the ORM: `services.compute_round` feeds it and stores what
it returns. Every number it produces carries its trail (inputs, rule, caps, veto), so the
explanation of a published score is what was computed, not a re-computation.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import lru_cache
from typing import Any, Final, NamedTuple

from django.utils.translation import gettext as _

from gongjian.assessment.ranking import Placing, competition_rank, quantum

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)


class Method(StrEnum):
    DIRECT = "direct"  # 直接打分
    COMPLETION = "completion"  # 完成率：实际 ÷ 目标，封顶，× 满分
    RANK_POINTS = "rank_points"  # 按排名赋分
    PASS_FAIL = "pass_fail"  # noqa: S105 - 完成 / 未完成
    DEDUCTION = "deduction"  # 按次扣分
    BONUS = "bonus"  # 按次加分
    VETO = "veto"  # 一票否决 / 一票否优


METHOD_LABELS = {
    Method.DIRECT: "直接打分",
    Method.COMPLETION: "完成率",
    Method.RANK_POINTS: "按排名赋分",
    Method.PASS_FAIL: "完成/未完成",
    Method.DEDUCTION: "按次扣分",
    Method.BONUS: "按次加分",
    Method.VETO: "一票否决",
}


class MissingRule(StrEnum):
    REFUSE = "refuse"  # 缺值拒绝计算
    ZERO = "zero"  # 缺报计零分（在说明中注明）


class VetoLevel(StrEnum):
    FAIL = "fail"  # 一票否决：定为最低等次
    NO_EXCELLENT = "no_excellent"  # 一票否优：不得评为最高等次


@dataclass(frozen=True)
class Grade:
    name: str
    min_score: Decimal


DEFAULT_GRADES = (
    Grade("优秀", Decimal(90)),
    Grade("良好", Decimal(80)),
    Grade("合格", Decimal(60)),
    Grade("不合格", Decimal("-Infinity")),
)


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    line: str
    method: Method
    weight: Decimal = ONE
    full_marks: Decimal = HUNDRED
    params: Mapping[str, Any] = field(default_factory=dict)
    units: frozenset[int] | None = None  # the units it applies to; None = every member

    def applies(self, unit_id: int) -> bool:
        return self.units is None or unit_id in self.units

    def param(self, name: str, default: Decimal) -> Decimal:
        raw = self.params.get(name)
        return default if raw is None else Decimal(str(raw))


@dataclass(frozen=True)
class Rules:
    indicators: Sequence[Indicator]
    precision: int = 2
    missing_rule: MissingRule = MissingRule.REFUSE
    grades: Sequence[Grade] = DEFAULT_GRADES
    bonus_cap: Decimal | None = None
    deduction_cap: Decimal | None = None
    lines: Sequence[str] = ()  # line order for display; lines not named come after


@dataclass(frozen=True)
class Member:
    unit_id: int
    name: str
    group: str


class Input(NamedTuple):
    """One value with its target and trail. The ORM feeds plain tuples in this order (faster)."""

    value: Decimal
    target: Decimal | None = None
    trail: tuple[str, ...] = ()  # the notices, orders, rows behind the value
    source: str = ""


# One indicator's contribution to one unit: a plain tuple, as there are hundreds of thousands
# per round. (indicator, value, target, score, points, notes, trail, source)
Part = tuple[
    Indicator, Decimal | None, Decimal | None, Decimal, Decimal, Sequence[str], tuple[str, ...], str
]
IND: Final = 0
VALUE: Final = 1
TARGET: Final = 2
SCORE: Final = 3
POINTS: Final = 4
NOTES: Final = 5
TRAIL: Final = 6
SOURCE: Final = 7


@dataclass
class LineOutcome:
    score: Decimal
    rank: int = 0
    tied: bool = False
    completed: bool | None = None  # for lines scored only by 完成/未完成


@dataclass
class Outcome:
    unit_id: int
    name: str
    group: str
    parts: list[Part]
    base: Decimal = ZERO
    bonus: Decimal = ZERO
    bonus_applied: Decimal = ZERO
    deduction: Decimal = ZERO
    deduction_applied: Decimal = ZERO
    raw: Decimal = ZERO
    score: Decimal = ZERO
    rank: int = 0
    tied: bool = False
    grade: str = ""
    veto: str = ""
    notes: list[str] = field(default_factory=list)
    lines: dict[str, LineOutcome] = field(default_factory=dict)


class MissingValues(Exception):
    """Values a plan needs but nobody entered; nothing was computed."""

    def __init__(self, missing: list[tuple[Member, Indicator]]) -> None:
        self.missing = missing
        super().__init__(
            "; ".join(f"{m.name} · {i.name}" for m, i in missing[:20])
            + (" …" if len(missing) > 20 else "")
        )


def compute(
    rules: Rules, members: Sequence[Member], values: Mapping[str, Mapping[int, Input]]
) -> list[Outcome]:
    """Score every member, rank within groups (composite and per line), grade; return outcomes."""
    with paused_gc():
        return _compute(rules, members, values)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a round's hundreds of thousands of small objects
    are built: they all stay alive, and repeated full collections over them cost more than the
    scoring itself."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            # Hand what was built straight to the oldest generation (freeze, then unfreeze):
            # else the first young collection after enabling walks all of it, for nothing.
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def _compute(
    rules: Rules, members: Sequence[Member], values: Mapping[str, Mapping[int, Input]]
) -> list[Outcome]:
    q = quantum(rules.precision)
    _check_missing(rules, members, values)
    outcomes = {m.unit_id: Outcome(m.unit_id, m.name, m.group, []) for m in members}
    ids = list(outcomes)
    sums: dict[str, dict[int, Decimal]] = {k: dict.fromkeys(ids, ZERO) for k in _KINDS}
    line_sums: dict[str, dict[int, Decimal]] = {}
    passed: dict[str, dict[int, bool]] = {}
    parts_of = {unit_id: o.parts for unit_id, o in outcomes.items()}
    for ind in rules.indicators:
        applicable = (
            members if ind.units is None else [m for m in members if m.unit_id in ind.units]
        )
        scored = _score_indicator(ind, rules, applicable, values.get(ind.code, {}), outcomes)
        acc = sums[_KIND_OF.get(ind.method, "base")]
        line_acc = line_sums.setdefault(ind.line, {})
        get = line_acc.get
        for unit_id, part in scored:
            parts_of[unit_id].append(part)
            points = part[POINTS]
            acc[unit_id] += points
            line_acc[unit_id] = get(unit_id, ZERO) + points
        if ind.method == Method.PASS_FAIL:
            done = passed.setdefault(ind.line, {})
            for unit_id, part in scored:
                value = part[VALUE]
                done[unit_id] = done.get(unit_id, True) and value is not None and value >= ONE
    for unit_id, o in outcomes.items():
        o.base, o.bonus = sums["base"][unit_id], sums["bonus"][unit_id]
        o.deduction = ZERO - sums["deduction"][unit_id]  # never -0
        _total(o, rules, q)
    for line, scores in line_sums.items():
        done = passed.get(line, {})
        for unit_id, score in scores.items():
            outcomes[unit_id].lines[line] = LineOutcome(
                score.quantize(q, rounding=ROUND_HALF_UP), completed=done.get(unit_id)
            )
    _rank(outcomes, rules)
    order = {m.unit_id: i for i, m in enumerate(members)}
    return sorted(outcomes.values(), key=lambda o: (o.group, o.rank, order[o.unit_id]))


_KINDS = ("base", "bonus", "deduction")
_KIND_OF = {Method.BONUS: "bonus", Method.DEDUCTION: "deduction"}
NO_NOTES: tuple[str, ...] = ()


def _check_missing(
    rules: Rules, members: Sequence[Member], values: Mapping[str, Mapping[int, Input]]
) -> None:
    if rules.missing_rule == MissingRule.ZERO:
        return
    missing: list[tuple[Member, Indicator]] = []
    everyone = {m.unit_id for m in members}
    for ind in rules.indicators:
        given = values.get(ind.code, {})
        absent = (everyone if ind.units is None else everyone & ind.units) - given.keys()
        if not absent:
            continue
        missing.extend((m, ind) for m in members if m.unit_id in absent)
    if missing:
        order = {m.unit_id: i for i, m in enumerate(members)}
        rank = {ind.code: i for i, ind in enumerate(rules.indicators)}
        missing.sort(key=lambda mi: (rank[mi[1].code], order[mi[0].unit_id]))
        raise MissingValues(missing)


def _score_indicator(
    ind: Indicator,
    rules: Rules,
    applicable: Sequence[Member],
    values: Mapping[int, Input],
    outcomes: dict[int, Outcome],
) -> list[tuple[int, Part]]:
    if ind.method == Method.DIRECT:
        return _score_direct(ind, applicable, values)
    rank_points = (
        _rank_points(ind, applicable, values, rules.precision)
        if ind.method == Method.RANK_POINTS
        else {}
    )
    scored: list[tuple[int, Part]] = []
    for m in applicable:
        given = values.get(m.unit_id)
        if given is None:
            scored.append((m.unit_id, _missing_part(ind)))
            continue
        notes: list[str] = []
        score = _indicator_score(ind, given, notes, rank_points.get(m.unit_id), outcomes[m.unit_id])
        part = (ind, given[0], given[1], score, score * ind.weight, notes, given[2], given[3])
        scored.append((m.unit_id, part))
    return scored


def _missing_part(ind: Indicator) -> Part:
    return (ind, None, None, ZERO, ZERO, [_("缺报：按方案规定计零分")], (), "")


def _score_direct(
    ind: Indicator, applicable: Sequence[Member], values: Mapping[int, Input]
) -> list[tuple[int, Part]]:
    """The common case, kept tight: hundreds of thousands of values per round."""
    full, weight = ind.full_marks, ind.weight
    scored: list[tuple[int, Part]] = []
    append = scored.append
    for m in applicable:
        unit_id = m.unit_id
        given = values.get(unit_id)
        if given is None:
            append((unit_id, _missing_part(ind)))
            continue
        v = given[0]
        notes: Sequence[str] = NO_NOTES
        if v > full:
            notes = [_("超过满分，按满分%(full)s计") % {"full": full}]
            score = full
        else:
            score = v if v >= ZERO else ZERO
        append((unit_id, (ind, v, given[1], score, score * weight, notes, given[2], given[3])))
    return scored


def _indicator_score(
    ind: Indicator,
    given: Input,
    notes: list[str],
    placing: tuple[Placing, Decimal] | None,
    outcome: Outcome,
) -> Decimal:
    method = ind.method
    value = given[0]
    if method == Method.COMPLETION:
        target = given[1] if given[1] is not None else ind.param("target", ZERO)
        if target <= 0:
            notes.append(_("目标值缺失或为零，计零分"))
            return ZERO
        ratio = value / target
        cap = ind.param("cap", ONE)
        if ratio > cap:
            notes.append(_("完成率封顶%(cap)s%%") % {"cap": cap * HUNDRED})
            ratio = cap
        return max(ratio, ZERO) * ind.full_marks
    if method == Method.PASS_FAIL:
        if value >= ONE:
            return ind.full_marks
        notes.append(_("未完成"))
        return ind.param("fail_points", ZERO)
    if method in (Method.DEDUCTION, Method.BONUS):
        per = ind.param("per", ONE)
        total = value * per
        raw_cap = ind.params.get("cap")
        if raw_cap is not None and total > Decimal(str(raw_cap)):
            notes.append(_("单项封顶%(cap)s分") % {"cap": raw_cap})
            total = Decimal(str(raw_cap))
        return ZERO - total if method == Method.DEDUCTION else total  # never -0
    if method == Method.VETO:
        if value > 0:
            level = ind.params.get("level", VetoLevel.FAIL)
            outcome.veto = VetoLevel.FAIL if outcome.veto == VetoLevel.FAIL else level
            notes.append(_("触发否决项"))
        return ZERO
    if method == Method.RANK_POINTS:
        if placing is None:  # every applicable unit with a value was ranked
            raise ValueError(ind.code)
        rank, points = placing
        notes.append(
            _("本项第%(rank)s名") % {"rank": rank.rank} + ("（并列）" if rank.tied else "")
        )
        return points
    raise ValueError(method)


def _rank_points(
    ind: Indicator, applicable: Sequence[Member], values: Mapping[int, Input], precision: int
) -> dict[int, tuple[Placing, Decimal]]:
    """按排名赋分 within each group: step down from full marks, or linear down to a floor."""
    lower_is_better = ind.params.get("order") == "asc"
    by_group: dict[str, dict[int, Decimal]] = {}
    for m in applicable:
        if m.unit_id in values:
            v = values[m.unit_id][0]
            by_group.setdefault(m.group, {})[m.unit_id] = -v if lower_is_better else v
    step = ind.param("step", ONE)
    floor = ind.param("floor", ZERO)
    linear = ind.params.get("mode") == "linear"
    result: dict[int, tuple[Placing, Decimal]] = {}
    for scores in by_group.values():
        placings = competition_rank(scores, precision=precision)
        n = len(scores)
        for unit_id, placing in placings.items():
            if linear:
                span = ind.full_marks - floor
                points = (
                    ind.full_marks
                    if n == 1
                    else ind.full_marks - span * (placing.rank - 1) / Decimal(n - 1)
                )
            else:
                points = max(ind.full_marks - step * (placing.rank - 1), floor)
            result[unit_id] = (placing, points)
    return result


def _total(outcome: Outcome, rules: Rules, q: Decimal) -> None:
    bonus, deduction = outcome.bonus, outcome.deduction
    outcome.bonus_applied = bonus
    if rules.bonus_cap is not None and bonus > rules.bonus_cap:
        outcome.bonus_applied = rules.bonus_cap
        outcome.notes.append(_("加分合计封顶%(cap)s分") % {"cap": rules.bonus_cap})
    outcome.deduction_applied = deduction
    if rules.deduction_cap is not None and deduction > rules.deduction_cap:
        outcome.deduction_applied = rules.deduction_cap
        outcome.notes.append(_("扣分合计封顶%(cap)s分") % {"cap": rules.deduction_cap})
    outcome.raw = outcome.base + outcome.bonus_applied - outcome.deduction_applied
    outcome.score = outcome.raw.quantize(q, rounding=ROUND_HALF_UP)
    outcome.grade = _grade(outcome, rules.grades)


def _grade(outcome: Outcome, grades: Sequence[Grade]) -> str:
    ordered = sorted(grades, key=lambda g: g.min_score, reverse=True)
    if outcome.veto == VetoLevel.FAIL:
        outcome.notes.append(_("一票否决：定为最低等次"))
        return ordered[-1].name
    for i, grade in enumerate(ordered):
        if outcome.score >= grade.min_score:
            if i == 0 and outcome.veto == VetoLevel.NO_EXCELLENT and len(ordered) > 1:
                outcome.notes.append(_("一票否优：不得评为%(grade)s") % {"grade": grade.name})
                return ordered[1].name
            return grade.name
    return ordered[-1].name


def _rank(outcomes: dict[int, Outcome], rules: Rules) -> None:
    groups: dict[str, dict[int, Decimal]] = {}
    lines: dict[tuple[str, str], dict[int, Decimal]] = {}
    for o in outcomes.values():
        groups.setdefault(o.group, {})[o.unit_id] = o.score
        for name, line in o.lines.items():
            lines.setdefault((name, o.group), {})[o.unit_id] = line.score
    for scores in groups.values():
        for unit_id, placing in competition_rank(scores, precision=rules.precision).items():
            outcomes[unit_id].rank, outcomes[unit_id].tied = placing.rank, placing.tied
    for (name, _group), scores in lines.items():
        for unit_id, placing in competition_rank(scores, precision=rules.precision).items():
            line = outcomes[unit_id].lines[name]
            line.rank, line.tied = placing.rank, placing.tied


# --- explanations -----------------------------------------------------------------------------


def _num(value: Decimal | None) -> str | None:
    return None if value is None else _plain(value)


@lru_cache(maxsize=65536)
def _plain(value: Decimal) -> str:
    """85.0000 → "85": scores repeat a lot across 10,000 units, so this is cached."""
    return format(value.normalize(), "f")


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

    A round has hundreds of thousands of parts and most repeat (the same indicator, value and
    score for many units), so each distinct part is encoded once.
    """

    def __init__(self) -> None:
        self._parts: dict[tuple[Any, ...], str] = {}
        self._names: dict[str, str] = {}

    def encode(self, outcome: Outcome) -> tuple[str, str]:
        """(lines, explanation) as JSON text."""
        cache = self._parts
        get = cache.get
        encoded: list[str] = []
        append = encoded.append
        for ind, value, target, score, points, notes, trail, source in outcome.parts:
            if notes or trail:
                append(_dumps(_part_list(ind, value, target, score, points, notes, trail, source)))
                continue
            key = (ind.code, value, target, score, source)  # points = score × weight
            text = get(key)
            if text is None:
                text = cache[key] = _dumps(
                    _part_list(ind, value, target, score, points, notes, trail, source)
                )
            append(text)
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

    def _lines(self, outcome: Outcome) -> str:
        """`_lines` as JSON text, written out: 10,000 units × their lines per round."""
        names = self._names
        items = []
        for name, line in outcome.lines.items():
            key = names.get(name) or names.setdefault(name, _dumps(name))
            items.append(
                f'{key}:{{"score":{_json_num(line.score)},"rank":{line.rank},'
                f'"tied":{_JSON[line.tied]},"completed":{_JSON[line.completed]}}}'
            )
        return "{" + ",".join(items) + "}"


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
            "method_label": METHOD_LABELS[indicators[part["code"]].method],
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


def gap(me: Mapping[str, Any], above: Mapping[str, Any]) -> Gap:
    """Compare two stored explanations; the indicators that cost most come first."""
    # Bonuses and deductions count through their capped totals, so the differences add up.
    totals = (Method.BONUS, Method.DEDUCTION)
    mine = {p["code"]: Decimal(p["points"]) for p in me["parts"] if p["method"] not in totals}
    names = {p["code"]: p["name"] for p in [*me["parts"], *above["parts"]]}
    theirs = {p["code"]: Decimal(p["points"]) for p in above["parts"] if p["method"] not in totals}
    diffs = [
        (names[code], theirs.get(code, ZERO) - mine.get(code, ZERO))
        for code in dict.fromkeys([*theirs, *mine])
    ]
    for label, key in ((_("加分"), "bonus_applied"), (_("扣分"), "deduction_applied")):
        sign = -1 if key == "deduction_applied" else 1
        d = sign * (Decimal(above[key]) - Decimal(me[key]))
        if d:
            diffs.append((label, d))
    diffs = [d for d in diffs if d[1] != 0]
    diffs.sort(key=lambda d: d[1], reverse=True)
    return Gap(
        above=above["unit"],
        above_rank=above["rank"],
        points=Decimal(above["score"]) - Decimal(me["score"]),
        by_indicator=diffs,
    )
