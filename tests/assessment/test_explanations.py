"""Explanations: a unit's trail in full, as stored and read back, and the gap to the unit above."""

from __future__ import annotations

import json
from decimal import Decimal as D

from gongjian.assessment.engine import Indicator, Input, Member, Method, MissingRule
from gongjian.assessment.explanations import (
    ExplanationWriter,
    expand_parts,
    explain,
    gap,
    stored_parts,
)
from tests.assessment.test_engine import A, B, C, run, vals


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
