"""The round page's results a page at a time: the API's selector (`selectors.results_page`), the
ranking order by default, group and grade filters and the sort kept in every pager link, each
role's sight of an unpublished round on every page, and a query count that does not grow with
the page size."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gongjian.assessment import services
from gongjian.assessment.models import Round
from tests.assessment.factories import enter, import_plan
from tests.factories import PASSWORD, UnitFactory

TOWNS = [
    "江田镇",
    "潭头镇",
    "玉田镇",
    "文岭镇",
    "金峰镇",
    "古槐镇",
    "鹤上镇",
    "首占镇",
    "罗联乡",
    "漳港街道",
]
# Ties in both groups: equal scores share a rank (1, 1, 3).
SCORES = [90, 90, 85, 80, 80, 70]


def as_user(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def big_round(org: Any) -> Round:
    towns = [UnitFactory(name=name, kind="town", parent=org.changle) for name in TOWNS]
    first = [org.hunan.name, org.songxia.name, *TOWNS[:4]]
    second = TOWNS[4:]
    plan = import_plan(groups={"第一方阵": first, "第二方阵": second})
    round_ = services.create_round(actor=None, plan=plan, period="2026-11", title="11月考评")
    units = [org.hunan, org.songxia, *towns]
    for i, unit in enumerate(units):
        enter(round_, unit, "tz", str(SCORES[i % 6]))
    services.compute_round(actor=None, round=round_)
    round_.refresh_from_db()
    return round_


def _url(round_: Round) -> str:
    return f"/assessment/rounds/{round_.pk}/"


def _walk(client: Client, round_: Round, params: dict[str, str]) -> tuple[list[int], list[Any]]:
    seen: list[int] = []
    pagers = []
    query = params
    while True:
        response = client.get(_url(round_), query, headers={"HX-Request": "true"})
        assert response.status_code == 200
        seen += [int(u) for u in re.findall(r'data-unit="(\d+)"', response.content.decode())]
        pager = response.context["pager"]
        pagers.append(pager)
        if not pager.next_query:
            return seen, pagers
        query = dict(parse_qsl(pager.next_query))


def _api(client: Client, round_: Round, **params: str) -> list[int]:
    body = client.get(
        f"/api/assessment/rounds/{round_.pk}/results", {"limit": "500", **params}
    ).json()
    return [r["unit_id"] for r in body["items"]]


def test_the_pages_read_every_result_once_in_ranking_order(org: Any, big_round: Round) -> None:
    client = as_user(org.office)
    seen, pagers = _walk(client, big_round, {"limit": "5"})
    assert len(pagers) == 3
    assert seen == _api(client, big_round)
    assert len(seen) == len(set(seen)) == 12
    first = client.get(_url(big_round), {"limit": "5"})
    html = first.content.decode()
    assert html.index("<h3>第一方阵</h3>") < html.index(f'data-unit="{org.hunan.pk}"')
    assert "共 12 条" in html


def test_filters_and_sort_stay_in_every_pager_link(org: Any, big_round: Round) -> None:
    client = as_user(org.office)
    params = {"group": "第二方阵", "sort": "-score", "limit": "2"}
    seen, pagers = _walk(client, big_round, params)
    assert seen == _api(client, big_round, group="第二方阵", sort="-score")
    assert len(seen) == 6
    for pager in pagers[:-1]:
        kept = dict(parse_qsl(pager.next_query))
        assert {k: kept[k] for k in params} == params
    html = client.get(_url(big_round), params).content.decode()
    assert "<th>考评组</th>" in html  # another sort than the ranking: one table names the group
    score_link = next(s for s in pagers[0].sort_links if s.active)
    assert dict(parse_qsl(score_link.query)) == {"group": "第二方阵", "sort": "score", "limit": "2"}


def test_the_grade_filter_keeps_only_its_results(org: Any, big_round: Round) -> None:
    client = as_user(org.office)
    seen, _pagers = _walk(client, big_round, {"grade": "优秀", "limit": "3"})
    assert seen == _api(client, big_round, grade="优秀")
    assert len(seen) == 4  # the two 90s of each group


def test_a_unit_sees_only_its_own_row_of_an_unpublished_round(org: Any, big_round: Round) -> None:
    seen, pagers = _walk(as_user(org.hunan_staff), big_round, {"limit": "1"})
    assert (seen, len(pagers)) == ([org.hunan.pk], 1)
    assert _walk(as_user(org.lead), big_round, {"limit": "1"})[0] == []


def test_a_bad_sort_is_refused_in_chinese(org: Any, big_round: Round) -> None:
    response = as_user(org.office).get(_url(big_round), {"sort": "budget"})
    assert response.status_code == 422
    assert "参数 sort 无效" in response.content.decode()


def test_query_count_does_not_grow_with_the_page_size(org: Any, big_round: Round) -> None:
    client = as_user(org.office)

    def queries(limit: int) -> list[str]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(_url(big_round), {"limit": str(limit)})
        assert response.status_code == 200
        assert response.content.decode().count("data-unit=") == limit
        return [q["sql"][:60] for q in ctx.captured_queries]

    client.get(_url(big_round))  # the first request of a session reads more (its caches)
    assert queries(2) == queries(12)


def test_a_line_only_plan_offers_no_sort_by_score_and_refuses_one(org: Any) -> None:
    lines = [{"name": "重大项目建设提速攻坚", "indicators": [{"code": "tz", "name": "投资", "method": "direct"}]}]  # fmt: skip
    plan = import_plan(composite="none", lines=lines, report={"style": "lines"})
    round_ = services.create_round(actor=None, plan=plan, period="2026-11", title="11月考评")
    for unit, value in ((org.hunan, "80"), (org.songxia, "90")):
        enter(round_, unit, "tz", value)
    services.compute_round(actor=None, round=round_)
    client = as_user(org.office)

    page = client.get(_url(round_))
    assert page.status_code == 200
    assert [link.label for link in page.context["pager"].sort_links] == ["名次（按组）", "单位名称"]
    refused = client.get(_url(round_), {"sort": "-score"})
    assert refused.status_code == 422 and "参数 sort 无效" in refused.content.decode()
    api = client.get(f"/api/assessment/rounds/{round_.pk}/results", {"sort": "score"})
    assert api.status_code == 422 and "rank、unit" in api.json()["message"]
    by_unit = client.get(f"/api/assessment/rounds/{round_.pk}/results", {"sort": "unit"})
    assert by_unit.status_code == 200 and len(by_unit.json()["items"]) == 2


def test_a_plan_with_a_composite_sorts_by_score(org: Any, big_round: Round) -> None:
    client = as_user(org.office)
    labels = [link.label for link in client.get(_url(big_round)).context["pager"].sort_links]
    assert "得分" in labels
    scores = [
        r["score"]
        for r in client.get(
            f"/api/assessment/rounds/{big_round.pk}/results", {"sort": "-score", "limit": "500"}
        ).json()["items"]
    ]
    assert scores == sorted(scores, key=lambda s: -float(s))
