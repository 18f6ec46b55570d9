"""Indicators fed by the system's own data: overdue orders, notices, red projects, investment."""

import datetime as dt
from decimal import Decimal

import pytest

from gongjian.assessment import selectors, services
from gongjian.assessment.models import UnitResult
from gongjian.campaigns.models import Campaign
from gongjian.supervision import orders
from tests.assessment.factories import enter, import_plan
from tests.supervision.factories import make_project

LINE = {
    "name": "重大项目建设提速攻坚",
    "indicators": [
        {"code": "tz", "name": "投资完成得分", "method": "direct"},
        {
            "code": "yq",
            "name": "督办逾期",
            "method": "deduction",
            "params": {"per": 2},
            "source": "supervision.orders_overdue",
        },
        {
            "code": "hd",
            "name": "红灯项目",
            "method": "deduction",
            "params": {"per": 1},
            "source": "ledger.red_projects",
        },
    ],
}


@pytest.fixture
def december(org, settings):
    settings.GONGJIAN_TODAY = "2026-12-01"
    campaign = Campaign.objects.get(owner=org.changle, name="攻坚120天")
    for unit in (org.hunan, org.songxia):
        make_project(unit, campaign=campaign)  # green: planned for 2027
    red = make_project(org.hunan, red=True, campaign=campaign, name="机场征迁")
    order = orders.issue_order(
        actor=org.office,
        unit=org.hunan,
        title="加快征迁交地进度",
        content="限期完成。",
        deadline=dt.date(2026, 12, 5),
        project=red,
    )
    settings.GONGJIAN_TODAY = "2026-12-20"
    plan = import_plan(lines=[LINE])
    round_ = services.create_round(actor=None, plan=plan, period="2026-12")
    for unit in (org.hunan, org.songxia):
        enter(round_, unit, "tz", "90")
    services.compute_round(actor=None, round=round_)
    return round_, order


def test_overdue_orders_and_red_projects_are_deducted(org, december):
    round_, _order = december
    scores = dict(UnitResult.objects.filter(round=round_).values_list("unit__name", "score"))
    assert scores == {"湖南镇": Decimal("87"), "松下镇": Decimal("90")}


def test_the_explanation_names_the_order_and_the_red_project(org, december):
    round_, order = december
    text = str(selectors.explanation(org.office, round_, org.hunan))
    assert order.code in text
    assert "机场征迁" in text


def test_a_unit_without_projects_in_the_campaign_has_no_red_project_value(org, settings):
    settings.GONGJIAN_TODAY = "2026-12-20"
    plan = import_plan(lines=[LINE])
    round_ = services.create_round(actor=None, plan=plan, period="2026-12")
    for unit in (org.hunan, org.songxia):
        enter(round_, unit, "tz", "90")
    with pytest.raises(Exception, match="红灯项目"):
        services.compute_round(actor=None, round=round_)
    assert not UnitResult.objects.filter(round=round_).exists()
