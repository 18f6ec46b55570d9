"""The pure engine: each scoring method, caps, vetoes, missing values, explanations."""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest

from gongjian.assessment.engine import (
    NOTES,
    POINTS,
    VALUE,
    ExplanationWriter,
    Indicator,
    Input,
    Member,
    Method,
    MissingRule,
    MissingValues,
    Rules,
    compute,
    expand_parts,
    explain,
    gap,
    stored_parts,
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


def test_gap_names_the_unit_above_and_the_indicators_that_cost_most() -> None:
    inds = [Indicator("p", "进度", "L", Method.DIRECT), Indicator("q", "质量", "L", Method.DIRECT),
            Indicator("d", "督办逾期", "L", Method.DEDUCTION)]  # fmt: skip
    out = run(
        inds, {"p": vals(a=90, b=80), "q": vals(a=70, b=75), "d": vals(a=0, b=1)}, members=(A, B)
    )
    g = gap(explain(out["乙镇"]), explain(out["甲镇"]))
    assert (g.above, g.above_rank, g.points) == ("甲镇", 1, D("6"))
    assert g.by_indicator == [("进度", D(10)), ("扣分", D(1)), ("质量", D(-5))]
    assert sum(d for _name, d in g.by_indicator) == g.points


def every_kind_of_part() -> dict[str, object]:
    """A round with each method, notes, trails, targets, a missing value, caps, vetoes, and
    names JSON must escape."""
    inds = [
        Indicator("p", "进度", "L1", Method.DIRECT, weight=D("0.6"), full_marks=D(95)),
        Indicator("r", "完成率", "L1", Method.COMPLETION, params={"target": 10, "cap": "1.2"}),
        Indicator("k", "开工数", "L2", Method.RANK_POINTS, full_marks=D(20), params={"step": 2}),
        Indicator("w", "任务", "城乡品质", Method.PASS_FAIL),
        Indicator("d", "督办逾期", "L2", Method.DEDUCTION, params={"per": "0.5", "cap": 1}),
        Indicator("b", "通报表扬", "L2", Method.BONUS),
        Indicator("v", "否优项", "L2", Method.VETO, params={"level": "no_excellent"}),
    ]
    quoted = Member(5, '戊"镇\\', "一")
    values = {
        "p": {1: Input(D("96.5")), 2: Input(D("80.0000")), 3: Input(D(-1)), 5: Input(D(88))},
        "r": {1: Input(D(15), None, ("台账：项目甲", "台账：项目乙"), "system"),
              2: Input(D(6), D(6)), 3: Input(D(0), D(0)), 5: Input(D(9))},
        "k": {1: Input(D(9)), 2: Input(D(9)), 3: Input(D(4)), 5: Input(D(1))},
        "w": {1: Input(D(1)), 2: Input(D(0)), 3: Input(D(1)), 5: Input(D(1))},
        "d": {1: Input(D(3), trail=("长督〔2026〕1号",), source="system"), 2: Input(D(0))},
        "b": {1: Input(D(4)), 2: Input(D(0)), 5: Input(D(1))},
        "v": {1: Input(D(0)), 2: Input(D(1)), 3: Input(D(0)), 5: Input(D(0))},
    }  # fmt: skip
    return run(inds, values, members=(A, B, C, quoted), missing_rule=MissingRule.ZERO,
               bonus_cap=D(2), lines=["L2", "L1"])  # fmt: skip


def _old_compact(full: dict[str, object]) -> dict[str, object]:
    """What rounds computed before parts were lists stored: dict parts, empty keys left out."""
    parts = []
    for part in full["parts"]:  # type: ignore[attr-defined]
        kept = {k: part[k] for k in ("code", "value", "score", "points", "source")}
        kept.update({k: part[k] for k in ("target", "notes", "trail") if part[k]})
        parts.append(kept)
    return {**full, "parts": parts}


def test_a_stored_explanation_reads_back_as_explain_says() -> None:
    out = every_kind_of_part()
    indicators = {p[0].code: p[0] for o in out.values() for p in o.parts}
    writer = ExplanationWriter()
    for o in out.values():
        lines, text = writer.encode(o)
        stored = json.loads(text)
        full = explain(o)
        # the part lists hold only what the plan's indicator does not say
        assert [p["code"] for p in stored_parts(stored)] == [p["code"] for p in full["parts"]]
        assert json.loads(lines) == full["lines"]
        shown = expand_parts(stored, indicators)
        assert shown == {
            **full,
            "parts": [{**p, "method_label": shown["parts"][i]["method_label"]}
                      for i, p in enumerate(full["parts"])],
        }  # fmt: skip
        assert list(shown) == list(full)  # same keys, same order
        # and a round stored before parts were lists reads the same
        assert expand_parts(_old_compact(full), indicators) == shown
    assert json.loads(writer.encode(out['戊"镇\\'])[1])["unit"] == '戊"镇\\'
    assert stored_parts(json.loads(writer.encode(out["甲镇"])[1]))[1] == {
        "code": "r", "value": "15", "score": "120", "points": "120", "source": "system",
        "target": None, "notes": ["完成率封顶120.0%"], "trail": ["台账：项目甲", "台账：项目乙"],
    }  # fmt: skip
    assert stored_parts(json.loads(writer.encode(out["甲镇"])[1]))[0] == {
        "code": "p", "value": "96.5", "score": "95", "points": "57", "source": "",
        "target": None, "notes": ["超过满分，按满分95计"], "trail": [],
    }  # fmt: skip


def test_a_negative_zero_is_explained_and_stored_as_zero() -> None:
    ind = Indicator("p", "进度", "L", Method.DIRECT)
    out = run([ind], {"p": {1: Input(D("-0")), 2: Input(D("-0.00")), 3: Input(D(5))}})
    writer = ExplanationWriter()
    for name in ("甲镇", "乙镇"):
        _lines, text = writer.encode(out[name])
        assert json.loads(text)["parts"][0][:4] == ["p", "0", "0", "0"]
        assert explain(out[name])["parts"][0]["value"] == "0"
