"""The assessment API for every role, and its query counts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from gongjian.assessment import services
from gongjian.assessment.explanations import stored_parts
from gongjian.assessment.models import Round, RoundState, UnitResult
from tests.assessment.factories import enter, import_plan, snapshot
from tests.factories import PASSWORD, UnitFactory

ROLES = ["office", "city_office", "lead", "hunan_staff", "leader", "inspector", "viewer"]


def as_user(org, who: str) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    assert client.login(username=getattr(org, who).username, password=PASSWORD)
    return client


def post(client: Client, url: str, payload: dict[str, Any] | None = None) -> Any:
    return client.post(url, json.dumps(payload or {}), content_type="application/json")


def test_anonymous_gets_401(client, computed_round: Round) -> None:
    assert client.get("/api/assessment/rounds").status_code == 401


@pytest.mark.parametrize(
    ("who", "sees_draft"),
    [("office", True), ("city_office", True), ("lead", True), ("hunan_staff", False),
     ("leader", False), ("inspector", False), ("viewer", False)],
)  # fmt: skip
def test_rounds_list_by_role(org, draft_round: Round, who: str, sees_draft: bool) -> None:
    rows = as_user(org, who).get("/api/assessment/rounds").json()["items"]
    assert [r["id"] for r in rows] == ([draft_round.pk] if sees_draft else [])
    if rows:
        assert {"id", "plan", "campaign", "period", "state"} <= set(rows[0])
        assert (rows[0]["period"], rows[0]["state"]) == ("2026-12", "draft")


@pytest.mark.parametrize(
    ("who", "status", "units"),
    [("office", 200, ["湖南镇", "松下镇"]), ("city_office", 200, ["湖南镇", "松下镇"]),
     ("lead", 200, []), ("hunan_staff", 200, ["湖南镇"]), ("viewer", 200, ["湖南镇"]),
     ("inspector", 404, None)],
)  # fmt: skip
def test_draft_results_are_seen_by_the_office_and_each_unit_its_own(
    org, computed_round: Round, who: str, status: int, units: list[str] | None
) -> None:
    # the lead unit knows the round (it enters values) but sees none of its results
    response = as_user(org, who).get(f"/api/assessment/rounds/{computed_round.pk}/results")
    assert response.status_code == status
    if units is not None:
        assert [r["unit"] for r in response.json()["items"]] == units


def test_a_computed_round_is_hidden_from_a_leader_linked_to_a_member(
    org, computed_round: Round
) -> None:
    # the leader is linked to 湖南镇, but a linked unit's draft result is not the leader's own
    response = as_user(org, "leader").get(f"/api/assessment/rounds/{computed_round.pk}/results")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


@pytest.mark.parametrize("who", ROLES)
def test_published_results_are_public_to_every_role(org, published_round: Round, who: str) -> None:
    rows = (
        as_user(org, who)
        .get(f"/api/assessment/rounds/{published_round.pk}/results")
        .json()["items"]
    )
    assert [(r["unit"], r["score"], r["rank"], r["tied"]) for r in rows] == [
        ("湖南镇", "90.00", 1, False),
        ("松下镇", "85.00", 2, False),
    ]
    assert rows[0]["lines"] == {
        "重大项目建设提速攻坚": {"score": "90.00", "rank": 1, "tied": False}
    }


def test_explanation_shows_inputs_rules_and_the_gap(org, published_round: Round) -> None:
    data = (
        as_user(org, "viewer")
        .get(f"/api/assessment/rounds/{published_round.pk}/units/{org.songxia.pk}/explanation")
        .json()
    )
    assert (data["unit"], data["score"], data["rank"]) == ("松下镇", "85", 2)
    assert [(p["code"], p["value"], p["points"]) for p in data["parts"]] == [
        ("tz", "85", "85"),
        ("yq", "0", "0"),
    ]
    assert data["gap"] == {
        "above": "湖南镇",
        "above_rank": 1,
        "points": "5.00",
        "by_indicator": [{"indicator": "投资完成得分", "points": "5.00"}],
        "not_compared": [],
        "weighted": False,
    }


def test_an_explanation_stored_before_parts_were_lists_reads_the_same(
    org, computed_round: Round
) -> None:
    url = f"/api/assessment/rounds/{computed_round.pk}/units/{org.songxia.pk}/explanation"
    shown = as_user(org, "office").get(url).json()
    # given the rows as rounds computed before 2026-11 stored them (dict parts, empties left out)
    for r in computed_round.results.all():
        parts = [
            {k: v for k, v in p.items() if v or k in ("code", "value", "score", "points", "source")}
            for p in stored_parts(r.explanation)
        ]
        UnitResult.objects.filter(pk=r.pk).update(explanation={**r.explanation, "parts": parts})
    assert all(
        isinstance(p, dict) for r in computed_round.results.all() for p in r.explanation["parts"]
    )
    # then the page's data is the same, the gap to the unit above included
    assert shown["gap"] is not None
    assert as_user(org, "office").get(url).json() == shown


def test_a_unit_cannot_read_another_units_draft_explanation(org, computed_round: Round) -> None:
    response = as_user(org, "hunan_staff").get(
        f"/api/assessment/rounds/{computed_round.pk}/units/{org.songxia.pk}/explanation"
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [("office", 200), ("city_office", 200), ("lead", 200), ("hunan_staff", 404),
     ("leader", 404), ("inspector", 404), ("viewer", 404)],
)  # fmt: skip
def test_entering_a_value_by_role(org, draft_round: Round, who: str, status: int) -> None:
    before = snapshot(draft_round)
    response = post(
        as_user(org, who),
        f"/api/assessment/rounds/{draft_round.pk}/values",
        {"indicator": "tz", "unit_id": org.hunan.pk, "value": "77.5"},
    )
    assert response.status_code == status
    if status == 200:
        assert response.json()["value"] == "77.5"
        assert draft_round.values.get().value == 77.5
    else:
        assert snapshot(draft_round) == before


@pytest.mark.parametrize(
    ("who", "status"),
    [("office", 200), ("city_office", 200), ("lead", 403), ("hunan_staff", 403),
     ("leader", 404), ("inspector", 404), ("viewer", 403)],
)  # fmt: skip
def test_publishing_by_role(org, computed_round: Round, who: str, status: int) -> None:
    before = snapshot(computed_round)
    response = post(as_user(org, who), f"/api/assessment/rounds/{computed_round.pk}/publish")
    assert response.status_code == status
    if status == 200:
        assert response.json()["state"] == RoundState.PUBLISHED
    else:
        assert snapshot(computed_round) == before


@pytest.mark.parametrize(
    ("who", "status"),
    [("office", 200), ("lead", 403), ("hunan_staff", 404), ("viewer", 404)],
)
def test_computing_by_role(org, draft_round: Round, who: str, status: int) -> None:
    enter(draft_round, org.hunan, "tz", "90")
    enter(draft_round, org.songxia, "tz", "90")
    before = snapshot(draft_round)
    response = post(as_user(org, who), f"/api/assessment/rounds/{draft_round.pk}/compute")
    assert response.status_code == status
    if status != 200:
        assert snapshot(draft_round) == before
    else:
        rows = (
            as_user(org, who)
            .get(f"/api/assessment/rounds/{draft_round.pk}/results")
            .json()["items"]
        )
        assert [(r["rank"], r["tied"]) for r in rows] == [(1, True), (1, True)]


def test_unit_staff_objects_through_the_api_and_office_answers(org, computed_round: Round) -> None:
    response = post(
        as_user(org, "hunan_staff"),
        f"/api/assessment/rounds/{computed_round.pk}/objections",
        {"unit_id": org.hunan.pk, "reason": "漏计项目"},
    )
    assert (response.status_code, response.json()["state"]) == (200, "open")
    objection_id = response.json()["id"]
    denied = post(as_user(org, "hunan_staff"), f"/api/assessment/objections/{objection_id}/resolve",
                  {"accept": True, "reply": "自己批准"})  # fmt: skip
    assert denied.status_code == 403
    answered = post(as_user(org, "office"), f"/api/assessment/objections/{objection_id}/resolve",
                    {"accept": True, "reply": "已更正"})  # fmt: skip
    assert answered.json()["state"] == "accepted"


def test_create_round_and_correction_through_the_api(org, published_round: Round) -> None:
    office = as_user(org, "office")
    created = post(office, "/api/assessment/rounds",
                   {"plan_id": published_round.plan_id, "period": "2027-01"})  # fmt: skip
    assert (created.status_code, created.json()["state"]) == (200, "draft")
    denied = post(as_user(org, "lead"), "/api/assessment/rounds",
                  {"plan_id": published_round.plan_id, "period": "2027-02"})  # fmt: skip
    assert denied.status_code == 404
    corrected = post(office, f"/api/assessment/rounds/{published_round.pk}/corrections",
                     {"reason": "数据更正"})  # fmt: skip
    assert corrected.status_code == 200
    assert Round.objects.get(pk=corrected.json()["id"]).corrects_id == published_round.pk


def test_trend_lists_a_units_score_and_rank_per_period(org, published_round: Round) -> None:
    november = services.create_round(actor=None, plan=published_round.plan, period="2026-11")
    enter(november, org.hunan, "tz", "70")
    enter(november, org.songxia, "tz", "80")
    services.compute_round(actor=None, round=november)
    services.publish_round(actor=None, round=november)
    rows = as_user(org, "viewer").get(f"/api/assessment/units/{org.hunan.pk}/trend").json()
    assert [(r["period"], r["score"], r["rank"]) for r in rows] == [
        ("2026-11", "70.00", 2),
        ("2026-12", "90.00", 1),
    ]


def test_list_endpoints_keep_their_query_count_flat(org, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    towns = [UnitFactory(name=f"测试镇{i}", kind="town", parent=org.changle) for i in range(30)]
    plan = import_plan(name="大方案", groups={"甲": [t.name for t in towns[:15]],
                                              "乙": [t.name for t in towns[15:]]})  # fmt: skip
    rounds = []
    for month in ("2026-10", "2026-11", "2026-12"):
        r = services.create_round(actor=None, plan=plan, period=month)
        services.import_values(actor=None, round=r, rows=[
            services.ValueRow("S", i, "B", t.name, "tz", str(i % 7)) for i, t in enumerate(towns)
        ])  # fmt: skip
        services.compute_round(actor=None, round=r)
        rounds.append(services.publish_round(actor=None, round=r))
    client = as_user(org, "office")
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/assessment/rounds").json()["items"]) == 3
    with django_assert_max_num_queries(10):
        rows = client.get(f"/api/assessment/rounds/{rounds[0].pk}/results").json()["items"]
    assert len(rows) == 30
    assert [r["rank"] for r in rows[:6]] == [1, 1, 3, 3, 5, 5]
