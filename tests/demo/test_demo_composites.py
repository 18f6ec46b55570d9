"""The demo's composites (issue 18, item 1): the departments' plan ranks lines only, the lead
units' plan is weighted; no result shows a composite above 100 nor a round where all are 优秀."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from gongjian.assessment import selectors
from gongjian.assessment.demo import load_assessment
from gongjian.assessment.models import Round, UnitResult
from gongjian.dashboard import selectors as board
from gongjian.demo.org_loader import load_org
from gongjian.org.models import User
from tests.worlds import built_once

DEPTS = "区直部门专项考评方案"
LEADS = "牵头单位综合考评方案"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    yield from built_once(django_db_blocker, lambda: load_assessment(load_org()), key="assessment")


@pytest.fixture
def rounds(world, db) -> dict[str, Round]:  # type: ignore[no-untyped-def]
    return {r.plan.name: r for r in Round.objects.select_related("plan").filter(period="2026-12")}


def test_no_demo_composite_is_above_100_and_no_round_is_all_excellent(rounds) -> None:  # type: ignore[no-untyped-def]
    for r in Round.objects.select_related("plan"):
        results = list(UnitResult.objects.filter(round=r))
        if not r.plan.has_composite:
            assert {x.grade for x in results} == {""}, r
            continue
        assert max(x.score for x in results) <= 100, r
        assert {x.grade for x in results} != {"优秀"}, r


def test_the_departments_round_has_line_ranks_only_on_every_reading(rounds) -> None:  # type: ignore[no-untyped-def]
    depts = rounds[DEPTS]
    assert depts.plan.composite == "none"
    rows = selectors.result_rows(depts)
    assert {(r["score"], r["rank"], r["grade"]) for r in rows} == {(None, None, "")}
    zone = next(r for r in rows if r["unit"] == "福州新区长乐功能区办")
    assert zone["lines"]["全员大招商招大商攻坚"] == {"score": "140.00", "rank": 1, "tied": False}
    viewer = User.objects.get(username="viewer")
    client = Client()
    client.force_login(viewer)
    api = client.get(f"/api/assessment/rounds/{depts.pk}/results").json()["items"]
    assert {(r["score"], r["rank"], r["grade"]) for r in api} == {(None, None, "")}
    page = client.get(f"/assessment/rounds/{depts.pk}/").content.decode()
    assert "只按专项排名，不计综合得分、等次和综合名次" in page
    assert "综合得分</th>" not in page and "等次</th>" not in page
    ranking = client.get(f"/dashboard/ranking/?round={depts.pk}").content.decode()
    assert "综合得分</th>" not in ranking and "全员大招商招大商攻坚 140.00（第1名）" in ranking
    unit = rows[0]["unit_id"]
    why = client.get(f"/api/assessment/rounds/{depts.pk}/units/{unit}/explanation").json()
    assert (why["score"], why["rank"], why["gap"]) == (None, None, None)
    assert all(t["plan"] != DEPTS for t in selectors.trend(viewer, depts.results.first().unit))
    assert all(
        g["rows"][0]["movement"] is None for g in board.ranking_board(viewer, depts.pk)["groups"]
    )


def test_a_line_score_above_full_marks_carries_the_note_that_allowed_it(rounds) -> None:  # type: ignore[no-untyped-def]
    viewer = User.objects.get(username="viewer")
    zone = rounds[DEPTS].results.get(unit__name="福州新区长乐功能区办").unit
    why = selectors.explanation(viewer, rounds[DEPTS], zone)
    (part,) = [p for p in why["parts"] if p["line"] == "全员大招商招大商攻坚"]
    assert Decimal(part["score"]) == 140
    assert part["notes"] == ["超过满分：方案允许完成率计至150.0%"]


def test_the_lead_units_plan_is_weighted_and_says_so_on_its_round_page(rounds) -> None:  # type: ignore[no-untyped-def]
    leads = rounds[LEADS]
    assert leads.plan.composite == "weighted"
    client = Client()
    client.force_login(User.objects.get(username="viewer"))
    page = client.get(f"/assessment/rounds/{leads.pk}/").content.decode()
    assert "各专项按满分折算、加权，综合得分折算为百分制（满分100）" in page
    first = selectors.result_rows(leads)[:2]
    assert [r["unit"] for r in first] == ["区发改局", "区自然资源和规划局"]
