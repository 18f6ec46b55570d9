"""Draft results do not leak (issue 12.2): every read of a round × every role × every state.

The rule (`assessment/visibility.py`): before publication the office that owns the plan sees the
whole round; while the round is under review (`computed`) each assessed unit sees its own row and
explanation; a lead unit knows the rounds it enters values in, without their results; everyone
else sees published rounds only, and every edition of a published round stays readable. What a
reader may not see is answered 404 (the round, or the row, "does not exist" for that reader).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from gongjian.assessment import services, visibility
from gongjian.assessment.models import Objection, Round
from gongjian.dashboard import selectors as dashboard
from tests.assessment.factories import enter, import_plan
from tests.factories import PASSWORD

ROLES = ["office", "city_office", "lead", "hunan_staff", "leader", "inspector", "viewer", "anon"]
STATES = [
    "draft",
    "computed",
    "published",
    "superseded",  # a published edition whose correction is published too
    "correction_draft",
    "correction_computed",
    "correction_published",
]
OWNERS = {"office", "city_office"}  # 长乐区's office and the city's above it
HUNAN = {"hunan_staff", "viewer"}  # users of 湖南镇, an assessed unit
ENTERS = {"lead"}  # 区发改局: its line covers both towns


def expected(who: str, state: str) -> str:
    """What `who` may see of the round: all, own (湖南镇's row), known (no rows), none."""
    if who == "anon":
        return "none"
    if state in ("published", "superseded", "correction_published") or who in OWNERS:
        return "all"
    if state.endswith("computed") and who in HUNAN:
        return "own"
    if who in ENTERS:
        return "known"
    return "none"


@dataclass
class World:
    round: Round
    units: dict[str, int]  # name → pk


def _compute(round_: Round, hunan: str, songxia: str, org: Any) -> None:
    enter(round_, org.hunan, "tz", hunan)
    enter(round_, org.songxia, "tz", songxia)
    services.compute_round(actor=None, round=round_)


def _objections(round_: Round, org: Any) -> None:
    for unit in (org.hunan, org.songxia):
        Objection.objects.create(
            round=round_, unit=unit, reason=f"{unit.name}的异议", raised_by=org.office
        )


def build(org: Any, state: str) -> World:
    """One round in `state`; 松下镇 first (90) and 湖南镇 second (85); under review, each unit
    has an objection open."""
    plan = import_plan()
    first = services.create_round(actor=None, plan=plan, period="2026-12", title="12月考评")
    target = first
    if state != "draft":
        _compute(first, "85", "90", org)
    if state == "computed":
        _objections(first, org)
    elif state != "draft":
        first = services.publish_round(actor=None, round=first)
    if state.startswith("correction") or state == "superseded":
        target = services.correct_round(actor=None, round=first, reason="数据更正")
        if state != "correction_draft":
            _compute(target, "95", "80", org)
        if state == "correction_computed":
            _objections(target, org)
        if state in ("superseded", "correction_published"):
            services.publish_round(actor=None, round=target)
        if state == "superseded":
            target = first
    target.refresh_from_db()
    return World(target, {"湖南镇": org.hunan.pk, "松下镇": org.songxia.pk})


def client_for(org: Any, who: str) -> Client:
    client = Client()
    if who != "anon":
        assert client.login(username=getattr(org, who).username, password=PASSWORD)
    return client


def rows_for(kind: str) -> list[str]:
    return {"all": ["松下镇", "湖南镇"], "own": ["湖南镇"]}.get(kind, [])


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("who", ROLES)
def test_every_read_of_a_round_obeys_the_visibility_rule(org, who: str, state: str) -> None:  # type: ignore[no-untyped-def]
    world = build(org, state)
    r = world.round
    kind = expected(who, state)
    client = client_for(org, who)
    api = f"/api/assessment/rounds/{r.pk}"
    page = f"/assessment/rounds/{r.pk}"
    rows = rows_for(kind) if r.results.exists() else []
    refused_api = 401 if who == "anon" else 404
    refused_page = 302 if who == "anon" else 404  # anonymous: sent to the login page

    # the round list: a round the reader may not know of is not listed
    listed = client.get("/api/assessment/rounds")
    if who == "anon":
        assert listed.status_code == 401
    else:
        assert (r.pk in [x["id"] for x in listed.json()["items"]]) == (kind != "none")
        listing = client.get("/assessment/").content.decode()
        assert (f'href="{page}/"' in listing) == (kind != "none")
        assert (f'href="{page}/bulletin/"' in listing) == (kind == "all")

    # results (API) and the round page: exactly the rows the rule allows
    results = client.get(f"{api}/results")
    detail = client.get(f"{page}/")
    if kind == "none":
        assert (results.status_code, detail.status_code) == (refused_api, refused_page)
    else:
        assert results.status_code == detail.status_code == 200
        assert sorted(x["unit"] for x in results.json()["items"]) == sorted(rows)
        html = detail.content.decode()
        linked = set(re.findall(rf'href="{page}/units/(\d+)/"', html))
        assert linked == {str(world.units[u]) for u in rows}
        # objections: each unit's own text only, unless the reader sees the whole round
        for unit in ("湖南镇", "松下镇"):
            if r.objections.filter(unit_id=world.units[unit]).exists():
                assert (f"{unit}的异议" in html) == (unit in rows)
        assert ("考评情况通报" in html) == (kind == "all")

    # explanations: one's own, or every unit's once the reader sees the whole round
    for unit, pk in world.units.items():
        shown = client.get(f"{api}/units/{pk}/explanation")
        shown_page = client.get(f"{page}/units/{pk}/")
        if unit in rows:
            assert shown.status_code == shown_page.status_code == 200
            # the gap names the unit above and its points: for whole-round readers only
            gap = shown.json()["gap"]
            assert (gap is not None) == (kind == "all" and shown.json()["rank"] > 1)
        else:
            assert (shown.status_code, shown_page.status_code) == (refused_api, refused_page)

    # the bulletin ranks every unit: whole-round readers only, in every format and on the page
    bulletin = client.get(f"{api}/bulletin?format=md")
    bulletin_page = client.get(f"{page}/bulletin/")
    if kind == "all":
        assert bulletin.status_code == bulletin_page.status_code == 200
    else:
        assert bulletin.status_code == refused_api
        assert bulletin_page.status_code == refused_page
        assert "草稿" not in bulletin.content.decode()

    # the diff of a correction: the rows the reader sees of the correction
    diff = client.get(f"{api}/diff")
    if kind == "none":
        assert diff.status_code == refused_api
    else:
        assert diff.status_code == 200
        differs = r.corrects_id is not None
        assert sorted(d["unit"] for d in diff.json()) == (sorted(rows) if differs else [])

    # trends (API and page) show this round's point only where the rule shows the row
    for unit, pk in world.units.items():
        trend = client.get(f"/api/assessment/units/{pk}/trend")
        if who == "anon":
            assert trend.status_code == 401
            continue
        points = {p["round_id"] for p in trend.json()}
        latest_shown = r.pk in points
        if state == "superseded":  # the correction replaces it in the trend, for everyone
            assert not latest_shown
            continue
        assert latest_shown == (unit in rows)
        trend_page = client.get(f"/assessment/units/{pk}/trend/").content.decode()
        assert (f'href="{page}/units/{pk}/"' in trend_page) == latest_shown


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("who", [w for w in ROLES if w != "anon"])
def test_the_rule_for_one_round_and_the_queries_for_lists_agree(org, who: str, state: str) -> None:  # type: ignore[no-untyped-def]
    world = build(org, state)
    user = getattr(org, who)
    seen = visibility.sight(user, world.round)
    in_full = Round.objects.filter(visibility.full_rounds_q(user), pk=world.round.pk).exists()
    own = Round.objects.filter(visibility.own_rounds_q(user), pk=world.round.pk).exists()
    readable = set(
        world.round.results.filter(visibility.results_q(user)).values_list("unit_id", flat=True)
    )
    assert seen.full == in_full
    assert (seen.level == visibility.Level.OWN) == own
    assert readable == {u.unit_id for u in world.round.results.all() if seen.shows(u.unit_id)}
    assert seen.level == {"all": "full", "own": "own"}.get(expected(who, state), "none")


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("who", [w for w in ROLES if w != "anon"])
def test_the_battle_map_shows_published_rounds_only(org, who: str, state: str) -> None:  # type: ignore[no-untyped-def]
    world = build(org, state)
    user = getattr(org, who)
    published = world.round.state == "published"
    board = dashboard.ranking_board(user, world.round.pk)
    assert (board["round"] == world.round) == published
    shown = {row["unit"] for g in board["groups"] for row in g["rows"]}
    assert shown == ({"湖南镇", "松下镇"} if published else set())
    tops = dashboard.top_units(user, world.round.plan.campaign)
    assert all(Round.objects.get(pk=t["round_id"]).state == "published" for t in tops)
    ranks = dashboard.assessment_selectors.trend(user, org.hunan)
    shows_hunan = visibility.sight(user, world.round).shows(org.hunan.pk)
    if state != "superseded":
        assert (world.round.pk in {p["round_id"] for p in ranks}) == (
            shows_hunan and world.round.results.exists()
        )
