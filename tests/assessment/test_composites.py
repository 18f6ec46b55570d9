"""How lines make a composite (issue 18, item 1): weighted 折算为百分制, sum, or none."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from gongjian.assessment import plan_file, services
from gongjian.assessment.engine import (
    NOTES,
    Composite,
    Indicator,
    Input,
    Member,
    Method,
    Rules,
    compute,
)
from gongjian.assessment.explanations import explain, gap
from gongjian.core.errors import ImportRejected
from tests.assessment.factories import import_plan, plan_dict

A, B = Member(1, "甲", "一"), Member(2, "乙", "一")
# Two lines of different full marks: 招商 out of 140 (100 + 0.4 × 100), 征迁 out of 20.
INDS = [
    Indicator("zs", "签约", "招商", Method.DIRECT),
    Indicator("ld", "落地", "招商", Method.DIRECT, weight=D("0.4")),
    Indicator("zq", "征迁", "征迁", Method.DIRECT, full_marks=D(20)),
    Indicator("by", "表扬", "加减分", Method.BONUS, params={"per": 1}),
]
VALUES = {
    "zs": {1: Input(D(70)), 2: Input(D(100))},
    "ld": {1: Input(D(70)), 2: Input(D(100))},
    "zq": {1: Input(D(20)), 2: Input(D(10))},
    "by": {1: Input(D(1)), 2: Input(D(0))},
}


def run(composite: Composite, **rules):  # type: ignore[no-untyped-def]
    out = compute(Rules(indicators=INDS, composite=composite, **rules), [A, B], VALUES)
    return {o.name: o for o in out}


def test_weighted_scores_each_line_out_of_its_full_marks_and_the_composite_out_of_100() -> None:
    out = run(Composite.WEIGHTED, line_weights={"招商": D(3), "征迁": D(1)})
    # 甲: (3 × 98/140 + 1 × 20/20) / 4 × 100 = 77.5, + 1 bonus; 乙: (3 × 1 + 1 × 0.5) / 4 × 100
    assert (out["甲"].base, out["甲"].score) == (D("77.5"), D("78.50"))
    assert out["乙"].score == D("87.50")
    assert [out["乙"].rank, out["甲"].rank] == [1, 2]
    assert "综合得分为各专项得分按满分折算、加权后的百分制得分" in out["甲"].notes


def test_sum_adds_line_scores_and_grades_on_its_implied_full_marks() -> None:
    out = run(Composite.SUM)
    # 乙: 100 + 40 + 10 = 150 of 160 → 93.75 on a 100-point scale: 优秀; 甲: 70 + 28 + 20 + 1
    assert (out["乙"].score, out["乙"].grade) == (D("150.00"), "优秀")
    assert (out["甲"].score, out["甲"].grade) == (D("119.00"), "合格")  # 74.4 of 100


def test_none_ranks_lines_only_with_no_composite_grade_or_rank() -> None:
    out = run(Composite.NONE)
    for o in out.values():
        assert (o.score, o.rank, o.grade) == (D(0), 0, "")
    assert (out["乙"].lines["招商"].rank, out["甲"].lines["征迁"].rank) == (1, 1)


def test_a_completion_line_above_full_marks_carries_the_note_that_allowed_it() -> None:
    ind = Indicator("wc", "完成率", "L", Method.COMPLETION, params={"target": 10, "cap": "1.5"})
    (o,) = compute(Rules(indicators=[ind]), [A], {"wc": {1: Input(D(14))}})
    assert o.lines["L"].score == D("140.00")
    assert list(o.parts[0][NOTES]) == ["超过满分：方案允许完成率计至150.0%"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.decimals(0, 100, places=2), st.decimals(0, 20, places=2), st.integers(0, 3)),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from([Composite.SUM, Composite.WEIGHTED]),
)
def test_every_point_of_a_summed_composite_is_in_its_parts_and_weighted_stays_within_100(
    rows: list[tuple[D, D, int]], composite: Composite
) -> None:
    members = [Member(i, f"单位{i}", "一") for i in range(len(rows))]
    inds = [INDS[0], INDS[2], INDS[3]]
    values = {
        "zs": {i: Input(r[0]) for i, r in enumerate(rows)},
        "zq": {i: Input(r[1]) for i, r in enumerate(rows)},
        "by": {i: Input(D(r[2])) for i, r in enumerate(rows)},
    }
    for o in compute(Rules(indicators=inds, composite=composite), members, values):
        if composite == Composite.SUM:
            assert o.raw == sum((p[4] for p in o.parts), D(0))
        else:
            assert 0 <= o.base <= 100
            assert o.raw == o.base + o.bonus_applied - o.deduction_applied


def test_why_am_i_nth_compares_only_what_both_units_are_assessed_on() -> None:
    def expl(unit: str, score: str, parts: list[tuple[str, str, str]]) -> dict:  # type: ignore[type-arg]
        return {
            "unit": unit, "rank": 1, "score": score, "bonus_applied": "0",
            "deduction_applied": "0",
            "parts": [{"code": c, "name": c, "line": line, "points": p, "method": "direct"}
                      for c, line, p in parts],
        }  # fmt: skip

    me = expl("乙", "90", [("a", "招商", "90")])
    above = expl("甲", "95", [("a", "招商", "88"), ("b", "科技", "93")])
    g = gap(me, above)
    assert g.by_indicator == [("a", D(-2))]
    assert g.not_compared == ["“科技”不适用于乙，未作比较"]


def test_why_am_i_nth_in_a_weighted_plan_gives_the_gap_in_weighted_points() -> None:
    lw = {"招商": D(3), "征迁": D(1)}
    out = run(Composite.WEIGHTED, line_weights=lw)
    me, above = explain(out["甲"]), explain(out["乙"])
    g = gap(me, above, weighted={i.code: i for i in INDS}, line_weights=lw)
    # 征迁 is 20 of 20 for 甲 and 10 for 乙: worth 1/4 of 100, so 甲 is 12.5 折算分 ahead there,
    # not the 10 raw line points; 签约 (3/4 × 100 / 140 a point) costs 甲 30 × 75/140.
    by = dict(g.by_indicator)
    assert by["征迁"] == D("-12.5")
    assert by["签约"].quantize(D("0.0001")) == D("16.0714")
    assert by["加分"] == D(-1)
    assert g.weighted and g.points == D(9)
    assert sum(by.values(), D(0)).quantize(D("0.01")) == g.points


def test_a_weighted_gap_names_a_line_that_applies_to_one_unit_only() -> None:
    inds = {
        "a": Indicator("a", "招商", "招商", Method.DIRECT),
        "b": Indicator("b", "科技", "科技", Method.DIRECT),
    }

    def expl(unit: str, score: str, parts: list[tuple[str, str]]) -> dict:  # type: ignore[type-arg]
        return {
            "unit": unit, "rank": 1, "score": score, "bonus_applied": "0",
            "deduction_applied": "0",
            "parts": [{"code": c, "name": inds[c].name, "line": inds[c].line, "points": p,
                       "method": "direct"} for c, p in parts],
        }  # fmt: skip

    me = expl("乙", "80", [("a", "80")])  # 招商 only: 80 of 100 is the whole composite
    above = expl("甲", "90", [("a", "90"), ("b", "90")])  # two lines, each half of it
    g = gap(me, above, weighted=inds)
    assert g.by_indicator == [("招商", D(45) - D(80))]
    assert g.not_compared == ["“科技”不适用于乙，未作比较"]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.decimals(0, 100, places=2), st.decimals(0, 20, places=2), st.integers(0, 3)),
        min_size=2,
        max_size=5,
    ),
    st.decimals(1, 5, places=1),
)
def test_a_weighted_gap_adds_up_to_the_difference_of_the_composites(
    rows: list[tuple[D, D, int]], weight: D
) -> None:
    members = [Member(i, f"单位{i}", "一") for i in range(len(rows))]
    inds = [INDS[0], INDS[2], INDS[3]]
    values = {
        "zs": {i: Input(r[0]) for i, r in enumerate(rows)},
        "zq": {i: Input(r[1]) for i, r in enumerate(rows)},
        "by": {i: Input(D(r[2])) for i, r in enumerate(rows)},
    }
    lw = {"招商": weight}
    out = compute(
        Rules(indicators=inds, composite=Composite.WEIGHTED, line_weights=lw), members, values
    )
    me, above = explain(out[-1]), explain(out[0])
    g = gap(me, above, weighted={i.code: i for i in inds}, line_weights=lw)
    raw = D(above["raw"]) - D(me["raw"])
    assert abs(sum((d for _n, d in g.by_indicator), D(0)) - raw) < D("0.000001")


# --- the plan file ------------------------------------------------------------------------------


@pytest.mark.parametrize("composite", ["weighted", "sum", "none"])
def test_composite_and_line_weights_round_trip_through_yaml_and_xlsx(org, composite) -> None:  # type: ignore[no-untyped-def]
    lines = [{"name": "重大项目建设提速攻坚", "weight": 2,
              "indicators": [{"code": "tz", "name": "投资", "method": "direct"}]},
             {"name": "征迁交地攻坚", "indicators": [{"code": "zq", "name": "征迁", "method": "direct"}]}]  # fmt: skip
    report = {"style": "lines"}
    plan = import_plan(composite=composite, lines=lines, report=report)
    assert plan.composite == composite
    assert [pl.weight for pl in plan.lines.all()] == [D(2), D(1)]
    doc = services.plan_document(plan)
    for again in (plan_file.read_yaml(plan_file.write_yaml(doc)), plan_file.read_xlsx(plan_file.write_xlsx(doc))):  # fmt: skip
        assert again.composite == composite
        assert [line.weight for line in again.lines] == [D(2), D(1)]


def test_an_unknown_composite_or_a_line_only_plan_with_a_composite_bulletin_is_refused(org) -> None:  # type: ignore[no-untyped-def]
    for overrides, field in (
        ({"composite": "average"}, "composite"),
        ({"composite": "none", "report": {"style": "composite"}}, "report.style"),
    ):
        with pytest.raises(ImportRejected) as caught:
            plan_file.read_yaml(yaml.safe_dump(plan_dict(**overrides), allow_unicode=True))
        assert [e.field for e in caught.value.errors] == [field]
