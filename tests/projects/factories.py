"""Factories for the ledger: projects, milestones and reports in a few lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from gongjian.projects.models import Milestone, ProgressReport, Project, ReportSummary
from gongjian.projects.reports import refresh_report_summaries


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"P-{n:04d}")
    name = factory.Sequence(lambda n: f"项目{n}")
    level = "district"
    planned_start = dt.date(2026, 1, 1)
    planned_completion = dt.date(2026, 12, 31)
    total_investment_wan = Decimal(1000)

    @factory.post_generation
    def summary(obj: Project, create: bool, extracted: object, **kwargs: object) -> None:
        """No reports yet, as `ledger.create_project` records."""
        if create:
            ReportSummary.objects.create(project=obj, reports=0)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    seq = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"节点{n}")
    planned_date = dt.date(2026, 6, 30)


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressReport
        skip_postgeneration_save = True

    period_end = dt.date(2026, 6, 30)
    percent_done = Decimal(50)

    @factory.post_generation
    def summary(obj: ProgressReport, create: bool, extracted: object, **kwargs: object) -> None:
        """Keep the project's report summary, as the report service does for every report."""
        if create:
            refresh_report_summaries(project_ids=[obj.project_id])
