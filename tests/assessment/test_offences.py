"""Repeat-offence rules 连续N期 (issue 18 item 5): applied when a round is computed, from the
stored rounds and the warning snapshots, named in the explanation; the lists they make are
published with the round, and an order they call for is raised once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from gongjian.assessment import selectors, services
from gongjian.assessment.models import ListEntry, Plan, Round
from gongjian.campaigns.models import Campaign
from gongjian.core.errors import ImportRejected
from gongjian.projects.models import Project, WarningSnapshot
from gongjian.supervision.models import SupervisionOrder
from tests.assessment.factories import enter, import_plan
from tests.projects.factories import ProjectFactory

THREE = ["湖南镇", "松下镇", "湖南村"]
LINE = {
    "name": "重大项目建设提速攻坚",
    "indicators": [{"code": "tz", "name": "投资完成得分", "method": "direct"}],
}
BOTTOM = [{"name": "约谈名单", "when": "bottom", "bottom": 1, "rounds": 3}]


def plan_of(offences: Any, lines: Any = None) -> Plan:
    return import_plan(
        name="月度考评", groups={"乡镇": THREE}, lines=lines or [LINE], offences=offences
    )


def run(plan: Plan, period: str, scores: dict[Any, Any], *, publish: bool = True) -> Round:
    round_ = services.create_round(actor=None, plan=plan, period=period)
    for unit, score in scores.items():
        enter(round_, unit, "tz", score)
    services.compute_round(actor=None, round=round_)
    round_.refresh_from_db()
    return services.publish_round(actor=None, round=round_) if publish else round_


def listed(round_: Round, name: str) -> dict[str, str]:
    return {e.unit.name: e.reason for e in ListEntry.objects.filter(round=round_, name=name)}


def test_last_of_its_group_three_rounds_running_puts_a_unit_on_the_interview_list(
    org: Any,
) -> None:
    plan = plan_of(BOTTOM)
    oct_ = run(plan, "2026-10", {org.hunan: 70, org.songxia: 90, org.hunan_village: 80})
    assert listed(oct_, "约谈名单") == {}  # one round is not three
    run(plan, "2026-11", {org.hunan: 70, org.songxia: 90, org.hunan_village: 80})
    dec = run(
        plan, "2026-12", {org.hunan: 60, org.songxia: 90, org.hunan_village: 80}, publish=False
    )
    assert listed(dec, "约谈名单") == {
        "湖南镇": "连续3期位列乡镇后1名（2026-10 第3名、2026-11 第3名、2026-12 第3名）"
    }
    lists = selectors.round_lists(org.office, dec)
    assert [x["name"] for x in lists] == ["约谈名单"]


def test_a_round_out_of_the_bottom_breaks_the_run(org: Any) -> None:
    plan = plan_of(BOTTOM)
    run(plan, "2026-10", {org.hunan: 70, org.songxia: 90, org.hunan_village: 80})
    run(plan, "2026-11", {org.hunan: 85, org.songxia: 90, org.hunan_village: 80})  # 2nd
    dec = run(plan, "2026-12", {org.hunan: 60, org.songxia: 90, org.hunan_village: 80})
    assert listed(dec, "约谈名单") == {}


def _project(org: Any, unit: Any, name: str) -> Project:
    return ProjectFactory(name=name, unit=unit, campaign=Campaign.objects.get(name="攻坚120天"))


def _snap(project: Project, on: dt.date, colour: str) -> None:
    WarningSnapshot.objects.create(
        project=project,
        on=on,
        colour=colour,
        reasons=[],
        campaign=project.campaign,
        unit=project.unit,
    )


STREAK_LINE = {
    "name": "重大项目建设提速攻坚",
    "indicators": [
        {"code": "tz", "name": "投资完成得分", "method": "direct"},
        {"code": "lh", "name": "连续红灯", "method": "deduction", "source": "ledger.red_streak",
         "params": {"months": 2, "per": 2}},
    ],
}  # fmt: skip


def test_a_project_red_two_months_running_takes_two_points_named_in_the_explanation(
    org: Any,
) -> None:
    red = _project(org, org.hunan, "滨海大道")
    once = _project(org, org.songxia, "松下港")
    _snap(red, dt.date(2026, 11, 30), "red")
    _snap(red, dt.date(2026, 12, 31), "red")
    _snap(once, dt.date(2026, 11, 15), "red")
    _snap(once, dt.date(2026, 11, 30), "green")  # the month's last snapshot counts
    _snap(once, dt.date(2026, 12, 31), "red")
    plan = plan_of([], [STREAK_LINE])
    dec = run(plan, "2026-12", {org.hunan: 90, org.songxia: 90, org.hunan_village: 90})
    scores = {r.unit.name: r.score for r in dec.results.select_related("unit")}
    assert scores == {"湖南镇": Decimal("88"), "松下镇": Decimal("90"), "湖南村": Decimal("90")}
    x = selectors.explanation(org.office, dec, org.hunan)
    part = next(p for p in x["parts"] if p["code"] == "lh")
    assert part["trail"] == ["滨海大道：连续2个月红灯（2026-11、2026-12）"]
    assert part["points"] == "-2"


YELLOW = [
    {"name": "专函督办", "when": "fact", "fact": "ledger.yellow_streak", "months": 2,
     "action": "supervision.order"},
]  # fmt: skip


def test_yellow_twice_raises_one_order_on_publication_never_on_recompute_or_correction(
    org: Any, client: Any
) -> None:
    project = _project(org, org.hunan, "滨海大道")
    _snap(project, dt.date(2026, 11, 30), "yellow")
    _snap(project, dt.date(2026, 12, 31), "yellow")
    plan = plan_of(YELLOW)
    dec = run(
        plan, "2026-12", {org.hunan: 90, org.songxia: 80, org.hunan_village: 70}, publish=False
    )
    assert listed(dec, "专函督办") == {"湖南镇": "滨海大道：连续2个月黄灯（2026-11、2026-12）"}
    services.compute_round(actor=None, round=dec)  # recomputed: still no order
    assert not SupervisionOrder.objects.exists()
    dec.refresh_from_db()
    published = services.publish_round(actor=None, round=dec)
    orders = list(SupervisionOrder.objects.all())
    assert len(orders) == 1
    assert orders[0].project_id == project.pk and orders[0].unit_id == org.hunan.pk
    assert "专函督办" in orders[0].title
    # Its source is the rule, not a person's 人工交办, and the order page says so.
    assert (orders[0].source, orders[0].source_ref) == (
        "assessment_rule",
        "月度考评 2026-12 专函督办",
    )
    client.force_login(org.office)
    page = client.get(f"/supervision/orders/{orders[0].pk}/").content.decode()
    assert "考评规则（连续预警）" in page and "月度考评 2026-12 专函督办" in page
    correction = services.correct_round(actor=None, round=published, reason="更正")
    services.compute_round(actor=None, round=correction)
    services.publish_round(actor=None, round=correction)
    assert SupervisionOrder.objects.count() == 1


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ([{"name": "约谈名单", "when": "bottom", "bottom": 0, "rounds": 3}], "offences[0].bottom"),
        ([{"name": "约谈名单", "when": "often"}], "offences[0].when"),
        ([{"when": "bottom", "bottom": 3, "rounds": 3}], "offences[0].name"),
        ([{"name": "x", "when": "fact", "fact": "nope", "months": 2}], "offences[0].fact"),
        ([{"name": "x", "when": "bottom", "bottom": 1, "rounds": 2, "action": "fire"}],
         "offences[0].action"),
        ([{"name": "x", "when": "bottom", "bottom": 1, "rounds": 2, "round": 3}],
         "offences[0].round"),
    ],
)  # fmt: skip
def test_bad_offence_rules_are_refused_at_plan_import_by_key(
    org: Any, raw: Any, field: str
) -> None:
    with pytest.raises(ImportRejected) as refused:
        plan_of(raw)
    assert field in [e.field for e in refused.value.errors]
