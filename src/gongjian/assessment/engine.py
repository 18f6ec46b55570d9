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
from itertools import repeat
from operator import add, itemgetter
from typing import Any, Final, NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from gongjian.assessment.ranking import Placing, competition_rank, quantum, rank_list
from gongjian.core.gc import paused_gc

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
    Method.DIRECT: _l("直接打分"),
    Method.COMPLETION: _l("完成率"),
    Method.RANK_POINTS: _l("按排名赋分"),
    Method.PASS_FAIL: _l("完成/未完成"),
    Method.DEDUCTION: _l("按次扣分"),
    Method.BONUS: _l("按次加分"),
    Method.VETO: _l("一票否决"),
}


class MissingRule(StrEnum):
    REFUSE = "refuse"  # 缺值拒绝计算
    ZERO = "zero"  # 缺报计零分（在说明中注明）


class Composite(StrEnum):
    """How a plan's lines make a composite (docs/assessment.md, 综合得分方式)."""

    WEIGHTED = "weighted"  # 各专项按满分折算、加权，综合得分折算为百分制
    SUM = "sum"  # 各项得分相加，满分为各项满分之和
    NONE = "none"  # 只按专项排名：无综合得分、等次与综合名次


COMPOSITE_LABELS = {
    Composite.WEIGHTED: _l("加权折算为百分制"),
    Composite.SUM: _l("各项得分相加"),
    Composite.NONE: _l("只按专项排名，不计综合得分"),
}


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
    composite: Composite = Composite.SUM
    line_weights: Mapping[str, Decimal] = field(default_factory=dict)  # weighted: default 1


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


@dataclass(slots=True)  # 80,000 per round
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


def _compute(
    rules: Rules, members: Sequence[Member], values: Mapping[str, Mapping[int, Input]]
) -> list[Outcome]:
    q = quantum(rules.precision)
    _check_missing(rules, members, values)
    # Members by position: an indicator's parts, points and line sums are columns aligned with
    # `members`, so the sums over 400,000 parts run as whole-column additions, not per part.
    outcomes = [Outcome(m.unit_id, m.name, m.group, []) for m in members]
    by_id = {o.unit_id: o for o in outcomes}
    n = len(outcomes)
    position = {m.unit_id: i for i, m in enumerate(members)}
    everyone = [m.unit_id for m in members]
    sums = {k: [ZERO] * n for k in _KINDS}
    line_sums: dict[str, list[Decimal]] = {}
    line_has: dict[str, bytearray] = {}  # which members the line applies to
    passed: dict[str, dict[int, bool]] = {}
    columns: list[list[Part | None]] = []
    for ind in rules.indicators:
        applicable = (
            members if ind.units is None else [m for m in members if m.unit_id in ind.units]
        )
        ids = everyone if ind.units is None else [m.unit_id for m in applicable]
        scored = _score_indicator(ind, rules, applicable, ids, values.get(ind.code, {}), by_id)
        kind = _KIND_OF.get(ind.method, "base")
        line_acc = line_sums.setdefault(ind.line, [ZERO] * n)
        has = line_has.setdefault(ind.line, bytearray(n))
        if ind.units is None:
            points = list(map(_points, scored))
            sums[kind] = list(map(add, sums[kind], points))
            line_sums[ind.line] = list(map(add, line_acc, points))
            has[:] = _ALL * n
            columns.append(scored)  # type: ignore[arg-type]
        else:
            column: list[Part | None] = [None] * n
            acc = sums[kind]
            for unit_id, part in zip(ids, scored, strict=True):
                i = position[unit_id]
                column[i] = part
                acc[i] += part[POINTS]
                line_acc[i] += part[POINTS]
                has[i] = 1
            columns.append(column)
        if ind.method == Method.PASS_FAIL:
            done = passed.setdefault(ind.line, {})
            for unit_id, part in zip(ids, scored, strict=True):
                value = part[VALUE]
                done[unit_id] = done.get(unit_id, True) and value is not None and value >= ONE
    grades = sorted(rules.grades, key=lambda g: g.min_score, reverse=True)
    base, bonus, deduction = sums["base"], sums["bonus"], sums["deduction"]
    rows = zip(*columns, strict=True) if columns else [()] * n
    for i, (o, row) in enumerate(zip(outcomes, rows, strict=True)):
        o.parts = list(filter(None, row))
        o.base, o.bonus = base[i], bonus[i]
        o.deduction = ZERO - deduction[i]  # never -0
        if rules.composite == Composite.WEIGHTED:
            o.base = weighted_base(o, rules)
        _total(o, rules, q, grades)
    in_group: dict[str, list[int]] = {}  # members' positions, group by group
    for i, m in enumerate(members):
        in_group.setdefault(m.group, []).append(i)
    for positions in in_group.values() if rules.composite != Composite.NONE else ():
        placings = rank_list([outcomes[i].score for i in positions])
        for i, placing in zip(positions, placings, strict=True):
            outcomes[i].rank, outcomes[i].tied = placing.rank, placing.tied
    for line, line_scores in line_sums.items():
        _line_outcomes(line, outcomes, line_scores, line_has[line], passed.get(line), q, in_group)
    return sorted(outcomes, key=lambda o: (o.group, o.rank, position[o.unit_id]))


def _line_outcomes(
    line: str,
    outcomes: Sequence[Outcome],
    scores: Sequence[Decimal],
    present: bytearray,
    passed: Mapping[int, bool] | None,
    q: Decimal,
    in_group: Mapping[str, list[int]],
) -> None:
    """Each member's score and rank on one line, ranked within its group."""
    rounded = list(map(Decimal.quantize, scores, repeat(q), repeat(ROUND_HALF_UP)))
    everyone = all(present)
    for positions in in_group.values():
        here = positions if everyone else [i for i in positions if present[i]]
        for i, placing in zip(here, rank_list([rounded[i] for i in here]), strict=True):
            o = outcomes[i]
            o.lines[line] = LineOutcome(
                rounded[i],
                placing.rank,
                placing.tied,
                None if passed is None else passed.get(o.unit_id),
            )


_points = itemgetter(POINTS)
_ALL = b"\x01"


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
    ids: Sequence[int],
    values: Mapping[int, Input],
    outcomes: dict[int, Outcome],
) -> list[Part]:
    """One part per applicable member (`ids` are theirs), in their order."""
    if ind.method == Method.DIRECT:
        return _score_direct(ind, ids, values)
    rank_points = (
        _rank_points(ind, applicable, values, rules.precision)
        if ind.method == Method.RANK_POINTS
        else {}
    )
    scored: list[Part] = []
    for m in applicable:
        given = values.get(m.unit_id)
        if given is None:
            scored.append(_missing_part(ind))
            continue
        notes: list[str] = []
        score = _indicator_score(ind, given, notes, rank_points.get(m.unit_id), outcomes[m.unit_id])
        scored.append(
            (ind, given[0], given[1], score, score * ind.weight, notes, given[2], given[3])
        )
    return scored


def _missing_part(ind: Indicator) -> Part:
    return (ind, None, None, ZERO, ZERO, [_("缺报：按方案规定计零分")], (), "")


def _score_direct(ind: Indicator, ids: Sequence[int], values: Mapping[int, Input]) -> list[Part]:
    """The common case, kept tight: hundreds of thousands of values per round. Units with the
    same input get the same part (one tuple, one multiplication): in a round most values repeat.
    """
    full, weight = ind.full_marks, ind.weight
    made: dict[Input | None, Part] = {}

    def make(given: Input | None) -> Part:
        if given is None:
            part = _missing_part(ind)
        else:
            v = given[0]
            notes: Sequence[str] = NO_NOTES
            if v > full:
                notes = [_("超过满分，按满分%(full)s计") % {"full": full}]
                score = full
            elif v < ZERO:
                notes = [_("得分为负（%(v)s），按0分计") % {"v": v}]
                score = ZERO
            else:
                score = v
            part = (ind, v, given[1], score, score * weight, notes, given[2], given[3])
        made[given] = part
        return part

    known = made.get
    return [known(given) or make(given) for given in map(values.get, ids)]


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
        elif ratio > ONE:
            notes.append(_("超过满分：方案允许完成率计至%(cap)s%%") % {"cap": cap * HUNDRED})
        return max(ratio, ZERO) * ind.full_marks
    if method == Method.PASS_FAIL:
        if value >= ONE:
            return ind.full_marks
        notes.append(_("未完成"))
        return ind.param("fail_points", ZERO)
    if method in (Method.DEDUCTION, Method.BONUS, Method.VETO) and value < ZERO:
        notes.append(_("次数为负（%(v)s），按0次计") % {"v": value})
        value = ZERO
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


def line_full_marks(parts: Sequence[Part]) -> dict[str, Decimal]:
    """Each line's full marks over the parts a unit has: Σ weight × full marks of the scored
    indicators (bonuses, deductions and vetoes have none)."""
    full: dict[str, Decimal] = {}
    for part in parts:
        ind = part[IND]
        if ind.method not in _NOT_SCORED:
            full[ind.line] = full.get(ind.line, ZERO) + ind.weight * ind.full_marks
    return full


def weighted_base(outcome: Outcome, rules: Rules) -> Decimal:
    """折算为百分制: each line's points out of its full marks, weighted by the line's weight
    (1 unless the plan says), over the lines that apply to the unit, times 100."""
    full = line_full_marks(outcome.parts)
    points: dict[str, Decimal] = {}
    for part in outcome.parts:
        if part[IND].method not in _NOT_SCORED:
            points[part[IND].line] = points.get(part[IND].line, ZERO) + part[POINTS]
    total = weights = ZERO
    for line, marks in full.items():
        if marks > 0:
            weight = rules.line_weights.get(line, ONE)
            total += weight * points[line] / marks
            weights += weight
    outcome.notes.append(_("综合得分为各专项得分按满分折算、加权后的百分制得分"))
    return total * HUNDRED / weights if weights else ZERO


def composite_full_marks(outcome: Outcome, rules: Rules) -> Decimal:
    """The full marks of a unit's composite: 100 when weighted, Σ of its lines' when summed."""
    if rules.composite == Composite.WEIGHTED:
        return HUNDRED
    return sum(line_full_marks(outcome.parts).values(), ZERO)


_NOT_SCORED = (Method.BONUS, Method.DEDUCTION, Method.VETO)


def _total(outcome: Outcome, rules: Rules, q: Decimal, grades: Sequence[Grade]) -> None:
    """Caps, total, rounding and grade; `grades` from the highest down."""
    if rules.composite == Composite.NONE:  # line ranks only
        return
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
    outcome.grade = _grade(outcome, grades, _graded_score(outcome, rules))


def _graded_score(outcome: Outcome, rules: Rules) -> Decimal:
    """Grades are set on a 100-point scale: a summed composite of other full marks is scaled."""
    full = composite_full_marks(outcome, rules)
    if full in (ZERO, HUNDRED):
        return outcome.score
    return outcome.score * HUNDRED / full


def _grade(outcome: Outcome, ordered: Sequence[Grade], score: Decimal) -> str:
    if outcome.veto == VetoLevel.FAIL:
        outcome.notes.append(_("一票否决：定为最低等次"))
        return ordered[-1].name
    for i, grade in enumerate(ordered):
        if score >= grade.min_score:
            if i == 0 and outcome.veto == VetoLevel.NO_EXCELLENT and len(ordered) > 1:
                outcome.notes.append(_("一票否优：不得评为%(grade)s") % {"grade": grade.name})
                return ordered[1].name
            return grade.name
    return ordered[-1].name
