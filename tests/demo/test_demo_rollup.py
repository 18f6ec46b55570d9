"""The demo's towns' 11—12月 roll-up and its 红黑榜: read from the two published month rounds,
published with its lists, while the month rounds (and the seed's results) stay as they were."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest

from gongjian.assessment import selectors
from gongjian.assessment.demo import ROLLUP_PLAN, ROLLUP_TITLE, load_assessment, load_rollups
from gongjian.assessment.models import ListEntry, Round, RoundState, UnitResult
from gongjian.demo.org_loader import load_org
from gongjian.org.models import Unit, User
from tests.worlds import built_once

TOWNS = "乡镇（街道）攻坚120天考评方案"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    yield from built_once(
        django_db_blocker, lambda: (load_assessment(load_org()), load_rollups()), key="rollup"
    )


@pytest.fixture
def rollup(world, db) -> Round:  # type: ignore[no-untyped-def]
    return Round.objects.get(plan__name=ROLLUP_PLAN)


def test_the_rollup_is_published_and_each_score_is_the_mean_of_the_two_months(
    rollup: Round,
) -> None:
    assert rollup.state == RoundState.PUBLISHED
    assert rollup.title == ROLLUP_TITLE
    months = {}
    for r in UnitResult.objects.filter(round__plan__name=TOWNS):
        months.setdefault(r.unit_id, []).append(r.score)
    for r in rollup.results.all():
        mean = (sum(months[r.unit_id], Decimal(0)) / 2).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
        assert r.score == mean
    # the seed's town result still holds in the month round
    december = UnitResult.objects.get(
        round__plan__name=TOWNS, round__period="2026-12", unit__name="湖南镇"
    )
    assert (december.group, december.rank) == ("第一方阵", 1)


def test_the_rollup_explains_down_to_each_month_and_carries_its_lists(rollup: Round) -> None:
    hunan = Unit.objects.get(name="湖南镇")
    office = User.objects.filter(unit__name="长乐区").first()
    x = selectors.explanation(office, rollup, hunan)
    sources = x["parts"][0]["sources"]
    assert [s["period"] for s in sources] == ["2026-11", "2026-12"]
    red = ListEntry.objects.filter(round=rollup, kind="red")
    assert red.exists()
    for entry in red:
        result = rollup.results.get(unit=entry.unit)
        assert result.score >= 90 and result.rank <= 2
    for entry in ListEntry.objects.filter(round=rollup, kind="black"):
        assert rollup.results.get(unit=entry.unit).score < 90
