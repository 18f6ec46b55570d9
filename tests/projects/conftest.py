"""Ledger fixtures: the shared org plus one project in 湖南镇 and one in 松下镇, and a fixed today."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from gongjian.org.models import Person
from gongjian.projects.models import Milestone, Project, TeamMember
from tests.factories import PersonFactory
from tests.projects.factories import MilestoneFactory, ProjectFactory

TODAY = dt.date(2026, 7, 2)  # 182 of 364 days into 2026: 序时进度 exactly 50 %


@dataclass
class Ledger:
    hunan_project: Project
    songxia_project: Project
    milestone: Milestone
    town_leader: Person
    team_member: Person


@pytest.fixture(autouse=True)
def fixed_today(settings):
    settings.GONGJIAN_TODAY = TODAY.isoformat()
    return TODAY


@pytest.fixture
def ledger(org) -> Ledger:
    town_leader = PersonFactory(name="王书记", unit=org.hunan, is_leader=True)
    team_member = PersonFactory(name="陈干部", unit=org.hunan)
    hunan_project = ProjectFactory(
        code="HN-01",
        name="湖南镇安置房",
        level="city",
        unit=org.hunan,
        campaign=org.line.campaign,
        line=org.line,
        leader=town_leader,
        actual_start=dt.date(2026, 1, 5),
        status="under_construction",
    )
    TeamMember.objects.create(project=hunan_project, person=team_member, duty="协调")
    songxia_project = ProjectFactory(
        code="SX-01",
        name="松下港区道路",
        level="district",
        unit=org.songxia,
        campaign=org.line.campaign,
        line=org.line,
        actual_start=dt.date(2026, 1, 5),
        percent_done=Decimal(0),
    )
    milestone = MilestoneFactory(
        project=hunan_project, seq=1, name="主体完工", planned_date=dt.date(2026, 6, 11)
    )
    return Ledger(hunan_project, songxia_project, milestone, town_leader, team_member)
