"""The demo's assessment: every plan has a published November and December round; December is
the latest, and a month of history gives the trend two points and the ranks some movement."""

from __future__ import annotations

import datetime as dt

import pytest

from gongjian.assessment import selectors
from gongjian.assessment.bulletin import build_bulletin
from gongjian.assessment.demo import load_assessment
from gongjian.assessment.models import Round, RoundState, UnitResult
from gongjian.demo.org_loader import load_org
from gongjian.org.models import Unit, User
from tests.worlds import built_once

TOWNS = "乡镇（街道）攻坚120天考评方案"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    yield from built_once(django_db_blocker, lambda: load_assessment(load_org()), key="assessment")


@pytest.fixture
def rounds(world, db) -> list[Round]:  # type: ignore[no-untyped-def]
    return list(Round.objects.select_related("plan").order_by("plan__name", "period"))


def test_every_plan_has_a_published_november_and_december_round(rounds: list[Round]) -> None:
    by_plan: dict[str, list[str]] = {}
    for r in rounds:
        assert r.state == RoundState.PUBLISHED
        by_plan.setdefault(r.plan.name, []).append(r.period)
    assert len(by_plan) == 7
    assert set(map(tuple, by_plan.values())) == {("2026-11", "2026-12")}
    # one plan per name: November and December are rounds of the same (frozen) plan
    assert len({r.plan_id for r in rounds}) == 7


def test_the_latest_published_round_of_each_plan_is_december(rounds: list[Round]) -> None:
    latest = {}
    for r in selectors.all_rounds().filter(state=RoundState.PUBLISHED):
        latest.setdefault(r.plan_id, r)
    assert {r.period for r in latest.values()} == {"2026-12"}


def test_november_was_published_in_early_december_with_its_own_bulletin(rounds) -> None:  # type: ignore[no-untyped-def]
    november = next(r for r in rounds if r.plan.name == TOWNS and r.period == "2026-11")
    assert november.published_on == dt.date(2026, 12, 5)
    bulletin = build_bulletin(november)
    assert bulletin.title == "关于长乐区乡镇（街道）攻坚120天2026年11月考评情况的通报"
    assert bulletin.date == dt.date(2026, 12, 5)


def test_a_towns_trend_has_two_points_and_ranks_move(rounds: list[Round]) -> None:
    viewer = User.objects.create_user(username="trend_viewer", password="x")
    hunan = Unit.objects.get(name="湖南镇")
    trend = selectors.trend(viewer, hunan, plan_name=TOWNS)
    assert [(t["period"], t["rank"]) for t in trend] == [("2026-11", 2), ("2026-12", 1)]
    ranks = {
        (r.round.period, r.unit.name): r.rank
        for r in UnitResult.objects.filter(round__plan__name=TOWNS).select_related("round", "unit")
    }
    moved = {
        u for (p, u), rank in ranks.items() if p == "2026-12" and ranks[("2026-11", u)] != rank
    }
    assert moved == {"湖南镇", "文武砂街道", "航城街道", "吴航街道", "金峰镇", "古槐镇"}
