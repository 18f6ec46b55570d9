"""A campaign with one red, one yellow and one green project in 湖南镇 and one in 松下镇."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from gongjian.campaigns.models import Campaign
from gongjian.projects.models import Milestone, ProgressReport, Project

ON = dt.date(2026, 12, 31)


def make_project(code, unit, campaign, *, start, end, started=True, percent=None, **extra):
    project = Project.objects.create(
        code=code,
        name=f"项目{code}",
        level="city",
        unit=unit,
        campaign=campaign,
        planned_start=start,
        planned_completion=end,
        actual_start=start if started else None,
        **extra,
    )
    if percent is not None:
        ProgressReport.objects.create(project=project, period_end=ON, percent_done=Decimal(percent))
    return project


@dataclass
class Ledger:
    campaign: Campaign
    red: Project
    yellow: Project
    green: Project
    songxia: Project


@pytest.fixture
def ledger(org):
    return build_ledger(org)


def build_ledger(org) -> Ledger:
    campaign = Campaign.objects.create(
        name="百日攻坚",
        owner=org.changle,
        start_date=dt.date(2026, 9, 23),
        end_date=dt.date(2026, 12, 31),
    )
    start, end = dt.date(2026, 1, 1), dt.date(2027, 12, 31)  # 序时进度 on ON: 50 %
    red = make_project(
        "P1",
        org.hunan,
        campaign,
        start=dt.date(2026, 6, 1),
        end=end,
        started=False,
        annual_planned_wan=Decimal("1000"),
        investment_completed_wan=Decimal("100"),
    )
    yellow = make_project(
        "P2",
        org.hunan,
        campaign,
        start=start,
        end=end,
        percent="35",
        annual_planned_wan=Decimal("500.50"),
        investment_completed_wan=Decimal("250.25"),
    )
    green = make_project("P3", org.hunan, campaign, start=start, end=end, percent="50")
    Milestone.objects.create(
        project=green, seq=1, name="开工", planned_date=start, actual_date=start
    )
    Milestone.objects.create(
        project=yellow, seq=1, name="主体完工", planned_date=dt.date(2026, 12, 10)
    )
    songxia = make_project("P4", org.songxia, campaign, start=start, end=end, percent="10")
    return Ledger(campaign=campaign, red=red, yellow=yellow, green=green, songxia=songxia)
