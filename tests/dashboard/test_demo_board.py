"""On the demo world: the ranking board states the seed's first places, the overview its orders."""

import datetime as dt
import json

import pytest

from gongjian.assessment.models import Round
from gongjian.dashboard import selectors
from gongjian.org.models import User

ON = dt.date(2026, 12, 31)


@pytest.fixture
def demo(demo):  # the demo's users by name, over the demo built once for this module
    return {u.username: u for u in User.objects.all()}


def test_ranking_board_shows_each_town_group_with_the_seed_first_places(demo):
    towns = Round.objects.get(plan__name="乡镇（街道）攻坚120天考评方案", period="2026-12")
    board = selectors.ranking_board(demo["viewer"], towns.pk)
    firsts = {g["name"]: [r["unit"] for r in g["rows"][:2]] for g in board["groups"]}
    assert firsts == {
        "第一方阵": ["湖南镇", "文武砂街道"],
        "第二方阵": ["松下镇", "江田镇"],
        "第三方阵": ["潭头镇", "玉田镇"],
    }
    # since November: up (+) or down (−) by places
    assert board["previous"].period == "2026-11"
    movement = {g["name"]: {r["unit"]: r["movement"] for r in g["rows"]} for g in board["groups"]}
    assert movement["第一方阵"] == {
        "湖南镇": 1, "文武砂街道": -1, "航城街道": 1, "吴航街道": -1, "营前街道": 0, "漳港街道": 0,
    }  # fmt: skip
    assert movement["第二方阵"] == {
        "松下镇": 0,
        "江田镇": 0,
        "首占镇": 0,
        "金峰镇": 1,
        "古槐镇": -1,
    }
    assert set(movement["第三方阵"].values()) == {0}
    # and the default board is a December round: the latest published
    assert selectors.ranking_board(demo["viewer"])["round"].period == "2026-12"


def test_a_towns_trend_page_has_two_points_per_plan(demo, client):
    from gongjian.org.models import Unit

    hunan = Unit.objects.get(name="湖南镇")
    client.force_login(demo["viewer"])
    page = client.get(f"/assessment/units/{hunan.pk}/trend/")
    assert page.status_code == 200
    series = json.loads(page.context["series_json"])
    assert series["乡镇（街道）攻坚120天考评方案"] == [["2026-11", 2], ["2026-12", 1]]
    assert series["乡镇（街道）“抓项目促提升”主题竞赛考评方案"] == [["2026-11", 4], ["2026-12", 2]]


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
    # In the plan's order, not the code points' (第一、第三、第二方阵).
    assert [g["group"] for g in towns["groups"]] == ["第一方阵", "第二方阵", "第三方阵"]


def test_overview_names_each_lines_first_places_for_a_plan_without_an_overall_rank(demo):
    from gongjian.campaigns.models import Campaign

    changle = Campaign.objects.get(owner__name="长乐区", name="攻坚120天")
    top = selectors.overview(demo["changle_office"], changle, ON)["top_units"]
    departments = next(t for t in top if t["plan"] == "区直部门专项考评方案")
    lines = {g["group"]: g["units"] for g in departments["groups"]}
    # the seed: 资金运作攻坚是区税务局、区财政局并列第一 (no "第0" of a composite it has not)
    assert sorted(u["unit"] for u in lines["资金运作攻坚"]) == sorted(["区税务局", "区财政局"])
    assert all(u["tied"] for u in lines["资金运作攻坚"])
    assert all(u.get("rank", 1) == 1 for units in lines.values() for u in units)
    assert "第0" not in str(top)
    # a line every department completed reads as the seed says it (所有区直部门均完成任务)
    assert [{"all": "均完成任务"}] in lines.values()


def test_briefing_lists_the_overdue_orders(demo):
    data = selectors.briefing(demo["changle_office"], ON)
    assert data["overdue_orders"]
    assert all(o["deadline"] < ON.isoformat() for o in data["overdue_orders"])
