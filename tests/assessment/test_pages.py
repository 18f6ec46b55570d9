"""Pages: rounds, results with ties, a unit's explanation, the bulletin, the trend, actions."""

from __future__ import annotations

import pytest
from django.test import Client

from gongjian.assessment.models import Objection, Round, RoundState
from tests.assessment.factories import snapshot
from tests.factories import PASSWORD


def as_user(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_round_list_and_results_page_show_ranks(org, published_round: Round) -> None:
    client = as_user(org.viewer)
    listing = client.get("/assessment/").content.decode()
    assert "乡镇考评方案" in listing and "已发布" in listing
    page = client.get(f"/assessment/rounds/{published_round.pk}/").content.decode()
    assert page.index("湖南镇") < page.index("松下镇")
    assert "计算" not in page.split("<h3>")[0]  # no office buttons for a viewer


def test_explanation_page_says_why_a_unit_is_second(org, published_round: Round) -> None:
    page = as_user(org.hunan_staff).get(
        f"/assessment/rounds/{published_round.pk}/units/{org.songxia.pk}/"
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "为什么是第2名" in text
    assert "比上一名（第1名 湖南镇）少 5.00 分" in text
    assert "投资完成得分" in text


def test_draft_explanation_of_another_unit_is_404(org, computed_round: Round) -> None:
    page = as_user(org.hunan_staff).get(
        f"/assessment/rounds/{computed_round.pk}/units/{org.songxia.pk}/"
    )
    assert page.status_code == 404


def test_bulletin_page_and_trend_page(org, published_round: Round) -> None:
    client = as_user(org.viewer)
    bulletin = client.get(f"/assessment/rounds/{published_round.pk}/bulletin/").content.decode()
    assert "关于长乐区乡镇攻坚120天2026年12月考评情况的通报" in bulletin
    assert "第一方阵" not in bulletin and "乡镇前两名为湖南镇、松下镇" in bulletin
    trend = client.get(f"/assessment/units/{org.hunan.pk}/trend/").content.decode()
    assert "2026-12" in trend and "trend-chart" in trend


def test_office_computes_and_publishes_from_the_page(org, computed_round: Round) -> None:
    client = as_user(org.office)
    response = client.post(f"/assessment/rounds/{computed_round.pk}/publish/", follow=True)
    assert "已发布。发布后的结果不可更改。" in response.content.decode()
    computed_round.refresh_from_db()
    assert computed_round.state == RoundState.PUBLISHED


def test_unit_staff_cannot_publish_from_the_page(org, computed_round: Round) -> None:
    before = snapshot(computed_round)
    response = as_user(org.hunan_staff).post(
        f"/assessment/rounds/{computed_round.pk}/publish/", follow=True
    )
    assert "无权" in response.content.decode()
    assert snapshot(computed_round) == before


def test_unit_staff_objects_from_the_page(org, computed_round: Round) -> None:
    client = as_user(org.hunan_staff)
    page = client.get(f"/assessment/rounds/{computed_round.pk}/").content.decode()
    assert 'name="reason"' in page
    client.post(
        f"/assessment/rounds/{computed_round.pk}/objections/",
        {"unit_id": org.hunan.pk, "reason": "少算一个项目"},
    )
    assert list(Objection.objects.values_list("unit__name", "reason", "state")) == [
        ("湖南镇", "少算一个项目", "open")
    ]


def test_lead_unit_fills_the_entry_form_and_a_bad_cell_saves_nothing(org, draft_round) -> None:  # type: ignore[no-untyped-def]
    client = as_user(org.lead)
    form = client.get(f"/assessment/rounds/{draft_round.pk}/entry/").content.decode()
    hunan, songxia = f"v_{org.hunan.pk}_tz", f"v_{org.songxia.pk}_tz"
    assert hunan in form and songxia in form
    assert f"v_{org.hunan.pk}_yq" not in form  # a system indicator is not entered by hand
    # a bad cell: nothing is saved, the error names the cell
    page = client.post(
        f"/assessment/rounds/{draft_round.pk}/entry/", {hunan: "92", songxia: "九十"}
    ).content.decode()
    assert "录入表" in page and "“九十”不是数字" in page
    assert draft_round.values.count() == 0
    # all good: both saved as entered by the lead
    client.post(f"/assessment/rounds/{draft_round.pk}/entry/", {hunan: "92", songxia: "88.5"})
    assert sorted(draft_round.values.values_list("unit__name", "value", "source")) == [
        ("松下镇", 88.5, "entered"),
        ("湖南镇", 92, "entered"),
    ]


def test_unit_staff_has_no_cells_to_enter(org, draft_round) -> None:  # type: ignore[no-untyped-def]
    # the round is not visible to a town's staff while it is a draft
    response = as_user(org.hunan_staff).get(f"/assessment/rounds/{draft_round.pk}/entry/")
    assert response.status_code == 404


def test_the_office_opens_a_monthly_round_from_the_round_list(org, published_round: Round) -> None:
    client = as_user(org.office)
    listing = client.get("/assessment/").content.decode()
    assert 'id="new-round"' in listing
    response = client.post(
        "/assessment/rounds/new/",
        {"plan": published_round.plan_id, "period": "2027-01", "title": "1月考评"},
    )
    opened = Round.objects.get(plan=published_round.plan, period="2027-01")
    assert response["Location"] == f"/assessment/rounds/{opened.pk}/"
    assert (opened.state, opened.title) == (RoundState.DRAFT, "1月考评")


def test_a_second_round_for_the_same_month_is_refused_with_the_reason(
    org, published_round: Round
) -> None:
    client = as_user(org.office)
    response = client.post(
        "/assessment/rounds/new/",
        {"plan": published_round.plan_id, "period": "2026-12"},
        follow=True,
    )
    assert "该方案已有 2026-12 的考评期" in response.content.decode()
    assert Round.objects.filter(plan=published_round.plan, period="2026-12").count() == 1


def test_a_malformed_month_is_refused(org, published_round: Round) -> None:
    client = as_user(org.office)
    response = client.post(
        "/assessment/rounds/new/",
        {"plan": published_round.plan_id, "period": "2027-13"},
        follow=True,
    )
    assert "考评期应为“年-月”" in response.content.decode()
    assert Round.objects.filter(period="2027-13").count() == 0


@pytest.mark.parametrize("who", ["hunan_staff", "lead", "leader", "inspector", "viewer"])
def test_only_the_owning_office_may_open_rounds(org, published_round: Round, who: str) -> None:
    client = as_user(getattr(org, who))
    assert 'id="new-round"' not in client.get("/assessment/").content.decode()
    response = client.post(
        "/assessment/rounds/new/",
        {"plan": published_round.plan_id, "period": "2027-01"},
        follow=True,
    )
    assert "找不到该方案，或无权为其新建考评期" in response.content.decode()
    assert not Round.objects.filter(period="2027-01").exists()


def test_round_list_pages_by_period_and_filters_by_state(org, published_round: Round) -> None:
    client = as_user(org.office)
    for period in ("2027-01", "2027-02"):
        client.post("/assessment/rounds/new/", {"plan": published_round.plan_id, "period": period})
    first = client.get("/assessment/", {"limit": 2})
    assert [r["period"] for r in first.context["rounds"]] == ["2027-02", "2027-01"]
    following = first.context["pager"].next_query
    assert following and 'id="rounds-list-pager"' in first.content.decode()
    second = client.get(f"/assessment/?{following}")
    assert published_round.pk in [r["id"] for r in second.context["rounds"]]
    drafts = client.get("/assessment/", {"state": "draft"})
    assert {r["period"] for r in drafts.context["rounds"]} == {"2027-01", "2027-02"}
    assert "state=draft" in drafts.context["pager"].sort_links[0].query
