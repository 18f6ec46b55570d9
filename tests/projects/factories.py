"""Factories for the ledger: projects, milestones and reports in a few lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from gongjian.projects.models import Milestone, ProgressReport, Project


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    code = factory.Sequence(lambda n: f"P-{n:04d}")
    name = factory.Sequence(lambda n: f"项目{n}")
    level = "district"
    planned_start = dt.date(2026, 1, 1)
    planned_completion = dt.date(2026, 12, 31)
    total_investment_wan = Decimal(1000)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    seq = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"节点{n}")
    planned_date = dt.date(2026, 6, 30)


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressReport

    period_end = dt.date(2026, 6, 30)
    percent_done = Decimal(50)
