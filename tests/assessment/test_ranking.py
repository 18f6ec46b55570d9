"""Ranking rules: standard competition ranking within groups, on rounded scores."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from gongjian.assessment.ranking import Placing, competition_rank, rank_within_groups

scores = st.decimals(min_value=-100, max_value=200, places=4, allow_nan=False)
score_maps = st.dictionaries(st.integers(0, 200), scores, max_size=40)


def test_tied_units_share_rank_and_skip_next() -> None:
    # given three units, two level on 90
    # when ranked
    placings = competition_rank({"a": Decimal(90), "b": Decimal(90), "c": Decimal(80)})
    # then 1, 1, 3
    assert placings == {
        "a": Placing(rank=1, tied=True, size=2),
        "b": Placing(rank=1, tied=True, size=2),
        "c": Placing(rank=3, tied=False, size=1),
    }


def test_scores_equal_after_rounding_are_tied() -> None:
    placings = competition_rank({"a": Decimal("89.996"), "b": Decimal("90.004")}, precision=2)
    assert (placings["a"].rank, placings["b"].rank) == (1, 1)
    assert placings["a"].tied and placings["b"].tied


def test_scores_that_differ_after_rounding_are_not_tied() -> None:
    placings = competition_rank({"a": Decimal("90.005"), "b": Decimal("90.004")}, precision=2)
    assert placings["a"] == Placing(1, False, 1)
    assert placings["b"] == Placing(2, False, 1)


@given(score_maps, st.randoms(use_true_random=False))
def test_permuting_input_order_changes_nothing(scores: dict[int, Decimal], rnd) -> None:
    items = list(scores.items())
    rnd.shuffle(items)
    assert competition_rank(dict(items)) == competition_rank(scores)


@given(score_maps, st.integers(0, 4))
def test_rank_is_one_plus_number_of_strictly_better_rounded_scores(
    scores: dict[int, Decimal], precision: int
) -> None:
    q = Decimal(1).scaleb(-precision)
    rounded = {k: v.quantize(q, rounding="ROUND_HALF_UP") for k, v in scores.items()}
    placings = competition_rank(scores, precision=precision)
    for key, placing in placings.items():
        better = sum(1 for v in rounded.values() if v > rounded[key])
        same = sum(1 for v in rounded.values() if v == rounded[key])
        assert placing.rank == better + 1
        assert placing.tied == (same > 1)
        assert placing.size == same


@given(score_maps)
def test_ties_skip_the_following_ranks(scores: dict[int, Decimal]) -> None:
    ranks = [p.rank for p in competition_rank(scores).values()]
    for rank in set(ranks):
        shared = ranks.count(rank)
        assert not any(rank < r < rank + shared for r in ranks)


@given(st.lists(st.tuples(st.integers(0, 300), st.sampled_from("ABC"), scores), max_size=60))
def test_groups_never_mix(rows: list[tuple[int, str, Decimal]]) -> None:
    unique = {key: (group, score) for key, group, score in rows}
    placings = rank_within_groups([(k, g, s) for k, (g, s) in unique.items()])
    for group in "ABC":
        alone = {k: s for k, (g, s) in unique.items() if g == group}
        assert {k: placings[k] for k in alone} == competition_rank(alone)


# The engine ranks whole rounds: composite and per line, within groups, over the units a line
# applies to. The same rules must hold there, for any order of the members.
round_values = st.lists(
    st.tuples(st.sampled_from("ABC"), st.lists(scores, min_size=3, max_size=3)),
    min_size=1,
    max_size=30,
)


@given(
    round_values, st.sets(st.integers(0, 29)), st.integers(0, 3), st.randoms(use_true_random=False)
)
def test_a_rounds_composite_and_line_ranks_follow_the_rules_in_any_member_order(
    rows: list[tuple[str, list[Decimal]]], only: set[int], precision: int, rnd
) -> None:
    from gongjian.assessment.engine import Indicator, Input, Member, Method, Rules, compute

    members = [Member(i, f"单位{i}", group) for i, (group, _v) in enumerate(rows)]
    partial = frozenset(m.unit_id for m in members if m.unit_id in only)
    indicators = [
        Indicator("a", "甲", "L1", Method.DIRECT, full_marks=Decimal(1000)),
        Indicator("b", "乙", "L1", Method.DIRECT, weight=Decimal("0.5"), full_marks=Decimal(1000)),
        Indicator("c", "丙", "L2", Method.DIRECT, full_marks=Decimal(1000), units=partial),
    ]
    values = {
        ind.code: {
            m.unit_id: Input(v[k])
            for m, (_g, v) in zip(members, rows, strict=True)
            if ind.applies(m.unit_id)
        }
        for k, ind in enumerate(indicators)
    }
    rules = Rules(indicators=indicators, precision=precision)
    shuffled = list(members)
    rnd.shuffle(shuffled)
    first = {o.unit_id: o for o in compute(rules, members, values)}
    again = {o.unit_id: o for o in compute(rules, shuffled, values)}
    assert {u: (o.score, o.rank, o.tied, o.lines) for u, o in first.items()} == {
        u: (o.score, o.rank, o.tied, o.lines) for u, o in again.items()
    }
    for o in first.values():
        peers = [p for p in first.values() if p.group == o.group]
        assert o.rank == 1 + sum(p.score > o.score for p in peers)
        assert o.tied == (sum(p.score == o.score for p in peers) > 1)
        assert ("L2" in o.lines) == (o.unit_id in partial)
        for name, line in o.lines.items():
            on_line = [p.lines[name].score for p in peers if name in p.lines]
            assert line.rank == 1 + sum(s > line.score for s in on_line)
            assert line.tied == (on_line.count(line.score) > 1)
