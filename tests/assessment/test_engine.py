"""The pure engine: each scoring method, caps, vetoes, missing values."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from gongjian.assessment.engine import (
    NOTES,
    POINTS,
    VALUE,
    Indicator,
    Input,
    Member,
    Method,
    MissingRule,
    MissingValues,
    Rules,
    compute,
)

A, B, C, X = (Member(1, "甲镇", "一"), Member(2, "乙镇", "一"), Member(3, "丙镇", "一"),
              Member(4, "丁镇", "二"))  # fmt: skip


def run(indicators, values, members=(A, B, C), **rules):  # type: ignore[no-untyped-def]
    outcomes = compute(Rules(indicators=indicators, **rules), list(members), values)
    return {o.name: o for o in outcomes}


def vals(**by_unit: object) -> dict[int, Input]:
    ids = {"a": 1, "b": 2, "c": 3, "x": 4}
    return {ids[k]: Input(D(str(v))) for k, v in by_unit.items()}


def test_weighted_direct_scores_sum_to_the_composite() -> None:
    inds = [Indicator("p", "进度", "L1", Method.DIRECT, weight=D("0.6")),
            Indicator("q", "质量", "L2", Method.DIRECT, weight=D("0.4"))]  # fmt: skip
    out = run(inds, {"p": vals(a=90, b=80, c=70), "q": vals(a=50, b=100, c=70)})
    assert (out["甲镇"].score, out["乙镇"].score, out["丙镇"].score) == (
        D("74.00"),
        D("88.00"),
        D("70.00"),
    )
    assert [out[n].rank for n in ("乙镇", "甲镇", "丙镇")] == [1, 2, 3]
    assert out["甲镇"].lines["L1"].score == D("54.00") and out["甲镇"].lines["L1"].rank == 1


def test_completion_rate_is_capped_then_times_full_marks() -> None:
    ind = Indicator("r", "完成率", "L", Method.COMPLETION, params={"target": 10, "cap": "1.2"})
    out = run([ind], {"r": vals(a=15, b=10, c=5)})
    assert (out["甲镇"].score, out["乙镇"].score, out["丙镇"].score) == (
        D("120.00"),
        D("100.00"),
        D("50.00"),
    )
    assert out["甲镇"].parts[0][NOTES] == ["完成率封顶120.0%"]


def test_per_unit_target_overrides_the_plan_target() -> None:
    ind = Indicator("r", "完成率", "L", Method.COMPLETION, params={"target": 10})
    values = {"r": {1: Input(D(6), target=D(6)), 2: Input(D(6)), 3: Input(D(0))}}
    out = run([ind], values)
    assert (out["甲镇"].score, out["乙镇"].score) == (D("100.00"), D("60.00"))


def test_rank_points_step_down_share_on_ties_and_skip() -> None:
    ind = Indicator("k", "开工数", "L", Method.RANK_POINTS, full_marks=D(60), params={"step": 3})
    out = run([ind], {"k": vals(a=9, b=9, c=4)})
    assert (out["甲镇"].score, out["乙镇"].score, out["丙镇"].score) == (
        D("60.00"),
        D("60.00"),
        D("54.00"),
    )


def test_rank_points_linear_runs_from_full_marks_to_the_floor_per_group() -> None:
    ind = Indicator("k", "开工数", "L", Method.RANK_POINTS, full_marks=D(50),
                    params={"mode": "linear", "floor": 30})  # fmt: skip
    out = run([ind], {"k": vals(a=3, b=2, c=1, x=0)}, members=(A, B, C, X))
    assert [out[n].score for n in ("甲镇", "乙镇", "丙镇")] == [D("50.00"), D("40.00"), D("30.00")]
    assert out["丁镇"].score == D("50.00")  # alone in its group: first


def test_pass_fail_line_completed_by_everyone_is_marked_completed() -> None:
    ind = Indicator("w", "任务", "城乡品质", Method.PASS_FAIL)
    out = run([ind], {"w": vals(a=1, b=1, c=1)})
    assert all(o.lines["城乡品质"].completed is True for o in out.values())
    assert {o.lines["城乡品质"].rank for o in out.values()} == {1}
    failed = run([ind], {"w": vals(a=1, b=0, c=1)})
    assert failed["乙镇"].lines["城乡品质"].completed is False
    assert failed["乙镇"].score == D("0.00")


def test_deductions_and_bonuses_are_capped_per_item_and_in_total() -> None:
    inds = [
        Indicator("base", "基本分", "L", Method.DIRECT),
        Indicator("d", "通报批评", "L", Method.DEDUCTION, params={"per": 2, "cap": 5}),
        Indicator("e", "督办逾期", "L", Method.DEDUCTION, params={"per": 1}),
        Indicator("b", "通报表扬", "L", Method.BONUS, params={"per": 1}),
    ]
    out = run(inds, {"base": vals(a=90), "d": vals(a=4), "e": vals(a=3), "b": vals(a=4)},
              members=(A,), bonus_cap=D(2), deduction_cap=D(6))  # fmt: skip
    o = out["甲镇"]
    assert (o.deduction, o.deduction_applied, o.bonus, o.bonus_applied) == (D(8), D(6), D(4), D(2))
    assert o.score == D("86.00")
    assert o.notes == ["加分合计封顶2分", "扣分合计封顶6分"]


def test_veto_sets_lowest_grade_whatever_the_score_and_no_excellent_caps_it() -> None:
    inds = [Indicator("s", "得分", "L", Method.DIRECT),
            Indicator("v", "重大事故", "L", Method.VETO),
            Indicator("n", "通报批评", "L", Method.VETO, params={"level": "no_excellent"})]  # fmt: skip
    out = run(
        inds, {"s": vals(a=99, b=99, c=99), "v": vals(a=1, b=0, c=0), "n": vals(a=0, b=1, c=0)}
    )
    assert (out["甲镇"].grade, out["乙镇"].grade, out["丙镇"].grade) == ("不合格", "良好", "优秀")
    assert out["甲镇"].score == D("99.00") and out["甲镇"].rank == 1


def test_missing_value_is_refused_naming_unit_and_indicator() -> None:
    ind = Indicator("s", "得分", "L", Method.DIRECT)
    with pytest.raises(MissingValues) as caught:
        run([ind], {"s": vals(a=1, c=2)})
    assert [(m.name, i.name) for m, i in caught.value.missing] == [("乙镇", "得分")]


def test_missing_value_under_the_zero_rule_scores_zero_with_a_note() -> None:
    ind = Indicator("s", "得分", "L", Method.DIRECT)
    out = run([ind], {"s": vals(a=1, c=2)}, missing_rule=MissingRule.ZERO)
    part = out["乙镇"].parts[0]
    assert (part[VALUE], part[POINTS], part[NOTES]) == (None, D(0), ["缺报：按方案规定计零分"])


def test_indicator_applies_only_to_its_units() -> None:
    ind = Indicator("s", "得分", "L", Method.DIRECT, units=frozenset({1}))
    out = run([ind], {"s": vals(a=5)})
    assert out["乙镇"].parts == [] and "L" not in out["乙镇"].lines
