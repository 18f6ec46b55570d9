"""On the demo world: the ranking board states the seed's first places, the overview its orders."""

import datetime as dt

import pytest

from gongjian.assessment.models import Round
from gongjian.dashboard import selectors
from gongjian.demo.builder import build_demo
from gongjian.org.models import User

ON = dt.date(2026, 12, 31)


@pytest.fixture
def demo(db):
    build_demo()
    return {u.username: u for u in User.objects.all()}


def test_ranking_board_shows_each_town_group_with_the_seed_first_places(demo):
    towns = Round.objects.get(plan__name="乡镇（街道）攻坚120天考评方案")
    board = selectors.ranking_board(demo["viewer"], towns.pk)
    firsts = {g["name"]: [r["unit"] for r in g["rows"][:2]] for g in board["groups"]}
    assert firsts == {
        "第一方阵": ["湖南镇", "文武砂街道"],
        "第二方阵": ["松下镇", "江田镇"],
        "第三方阵": ["潭头镇", "玉田镇"],
    }
    assert all(r["movement"] is None for g in board["groups"] for r in g["rows"])  # first period


def test_overview_counts_open_and_overdue_orders_and_lists_top_units(demo):
    from gongjian.campaigns.models import Campaign
    from gongjian.supervision.models import SupervisionOrder
    from gongjian.supervision.selectors import OPEN

    campaign = Campaign.objects.get(owner__name="湖南镇", name="百日攻坚")
    data = selectors.overview(demo["changle_office"], campaign, ON)
    orders = SupervisionOrder.objects.filter(project__campaign=campaign)
    assert data["orders"]["open"] == orders.filter(state__in=OPEN).count()
    assert data["orders"]["overdue"] == orders.filter(state__in=OPEN, deadline__lt=ON).count()
    assert data["orders"]["overdue"] >= 1

    changle = Campaign.objects.get(owner__name="长乐区", name="攻坚120天")
    top = selectors.overview(demo["changle_office"], changle, ON)["top_units"]
    towns = next(t for t in top if t["plan"] == "乡镇（街道）攻坚120天考评方案")
    first = next(g for g in towns["groups"] if g["group"] == "第一方阵")
    assert first["units"][0]["unit"] == "湖南镇"


def test_briefing_lists_the_overdue_orders(demo):
    data = selectors.briefing(demo["changle_office"], ON)
    assert data["overdue_orders"]
    assert all(o["deadline"] < ON.isoformat() for o in data["overdue_orders"])
