"""The scoring engine: a plan's rules over one round's values → scores, ranks, grades, trails.

Plain Python over dataclasses, free of the ORM: `services.compute_round` feeds it and stores what
it returns. Every number it produces carries its trail (inputs, rule, caps, veto), so the
explanation of a published score is what was computed, not a re-computation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

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


@dataclass(frozen=True)
class Input:
    value: Decimal
    target: Decimal | None = None
    trail: tuple[str, ...] = ()  # the notices, orders, rows behind the value
    source: str = ""


@dataclass(slots=True)
class Part:
    code: str
    name: str
    line: str
    method: str
    value: Decimal | None
    target: Decimal | None
    score: Decimal
    weight: Decimal
    points: Decimal
    notes: list[str]
    trail: tuple[str, ...]
    source: str


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
    q = quantum(rules.precision)
    _check_missing(rules, members, values)
    outcomes = {m.unit_id: Outcome(m.unit_id, m.name, m.group, []) for m in members}
    for indicator in rules.indicators:
        _score_indicator(indicator, rules, members, values.get(indicator.code, {}), outcomes)
    for outcome in outcomes.values():
        _total(outcome, rules, q)
    _rank(outcomes, rules)
    order = {m.unit_id: i for i, m in enumerate(members)}
    return sorted(outcomes.values(), key=lambda o: (o.group, o.rank, order[o.unit_id]))


def _check_missing(
    rules: Rules, members: Sequence[Member], values: Mapping[str, Mapping[int, Input]]
) -> None:
    if rules.missing_rule == MissingRule.ZERO:
        return
    missing = [
        (m, ind)
        for ind in rules.indicators
        for m in members
        if ind.applies(m.unit_id) and m.unit_id not in values.get(ind.code, {})
    ]
    if missing:
        raise MissingValues(missing)


def _score_indicator(
    ind: Indicator,
    rules: Rules,
    members: Sequence[Member],
    values: Mapping[int, Input],
    outcomes: dict[int, Outcome],
) -> None:
    applicable = [m for m in members if ind.applies(m.unit_id)]
    rank_points = (
        _rank_points(ind, applicable, values, rules.precision)
        if ind.method == Method.RANK_POINTS
        else {}
    )
    for m in applicable:
        given = values.get(m.unit_id)
        notes: list[str] = []
        if given is None:
            notes.append(_("缺报：按方案规定计零分"))
            part = Part(
                ind.code,
                ind.name,
                ind.line,
                ind.method,
                None,
                None,
                ZERO,
                ind.weight,
                ZERO,
                notes,
                (),
                "",
            )
            outcomes[m.unit_id].parts.append(part)
            continue
        score = _indicator_score(ind, given, notes, rank_points.get(m.unit_id), outcomes[m.unit_id])
        outcomes[m.unit_id].parts.append(
            Part(
                ind.code,
                ind.name,
                ind.line,
                ind.method,
                given.value,
                given.target,
                score,
                ind.weight,
                score * ind.weight,
                notes,
                given.trail,
                given.source,
            )
        )


def _indicator_score(
    ind: Indicator,
    given: Input,
    notes: list[str],
    placing: tuple[Placing, Decimal] | None,
    outcome: Outcome,
) -> Decimal:
    method = ind.method
    value = given.value
    if method == Method.DIRECT:
        if value > ind.full_marks:
            notes.append(_("超过满分，按满分%(full)s计") % {"full": ind.full_marks})
            return ind.full_marks
        return max(value, ZERO)
    if method == Method.COMPLETION:
        target = given.target if given.target is not None else ind.param("target", ZERO)
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
        return -total if method == Method.DEDUCTION else total
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
            v = values[m.unit_id].value
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
    base = bonus = deduction = ZERO
    for part in outcome.parts:
        if part.method == Method.BONUS:
            bonus += part.points
        elif part.method == Method.DEDUCTION:
            deduction -= part.points
        else:
            base += part.points
        line = outcome.lines.get(part.line)
        if line is None:
            line = outcome.lines[part.line] = LineOutcome(ZERO)
        line.score += part.points
        if part.method == Method.PASS_FAIL:
            passed = part.value is not None and part.value >= ONE
            line.completed = passed if line.completed is None else (line.completed and passed)
    outcome.base, outcome.bonus, outcome.deduction = base, bonus, deduction
    outcome.bonus_applied = bonus
    if rules.bonus_cap is not None and bonus > rules.bonus_cap:
        outcome.bonus_applied = rules.bonus_cap
        outcome.notes.append(_("加分合计封顶%(cap)s分") % {"cap": rules.bonus_cap})
    outcome.deduction_applied = deduction
    if rules.deduction_cap is not None and deduction > rules.deduction_cap:
        outcome.deduction_applied = rules.deduction_cap
        outcome.notes.append(_("扣分合计封顶%(cap)s分") % {"cap": rules.deduction_cap})
    outcome.raw = base + outcome.bonus_applied - outcome.deduction_applied
    outcome.score = outcome.raw.quantize(q, rounding=ROUND_HALF_UP)
    for line in outcome.lines.values():
        line.score = line.score.quantize(q, rounding=ROUND_HALF_UP)
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
    return None if value is None else format(value.normalize(), "f")


def explain(outcome: Outcome) -> dict[str, Any]:
    """The JSON-safe trail of one unit's result: what is stored and shown."""
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
        "parts": [
            {
                "code": p.code,
                "name": p.name,
                "line": p.line,
                "method": p.method,
                "value": _num(p.value),
                "target": _num(p.target),
                "score": _num(p.score),
                "weight": _num(p.weight),
                "points": _num(p.points),
                "notes": p.notes,
                "trail": list(p.trail),
                "source": p.source,
            }
            for p in outcome.parts
        ],
        "lines": {
            name: {
                "score": _num(line.score),
                "rank": line.rank,
                "tied": line.tied,
                "completed": line.completed,
            }
            for name, line in outcome.lines.items()
        },
    }


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
