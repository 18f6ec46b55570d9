"""The battle map's memory: each project's warning colour per day, so the daily briefing can say
what changed since yesterday, and the day's counts and investment summed per unit and line, so
the overview adds up a few thousand rows instead of every project."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongjian.campaigns.models import Campaign, Line
from gongjian.org.models import Unit
from gongjian.projects.models import Project


class Colour(models.TextChoices):
    GREEN = "green", _("绿灯")
    YELLOW = "yellow", _("黄灯")
    RED = "red", _("红灯")


class WarningSnapshot(models.Model):
    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="warning_snapshots"
    )
    on = models.DateField(_("日期"))
    colour = models.CharField(_("预警"), max_length=10, choices=Colour.choices)
    reasons = models.JSONField(_("原因"), default=list)
    percent_done = models.DecimalField(
        _("形象进度（%）"), max_digits=5, decimal_places=2, null=True
    )
    expected_percent = models.DecimalField(
        _("序时进度（%）"), max_digits=5, decimal_places=2, null=True
    )
    forecast_completion = models.DateField(_("预计完成"), null=True)
    at_risk = models.BooleanField(_("趋势预警"), default=False)
    # Copied from the project so the overview aggregates without a join.
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("攻坚行动"), null=True, on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("责任单位"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("预警快照")
        verbose_name_plural = _("预警快照")
        constraints = [
            models.UniqueConstraint(fields=["project", "on"], name="snapshot_unique_per_day"),
        ]
        indexes = [
            models.Index(fields=["on", "campaign", "colour"]),
            models.Index(fields=["on", "unit"]),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.on} {self.colour}"


class WarningTally(models.Model):
    """One day's snapshot summed per (campaign, unit, line), with the projects' investment.

    Written with the snapshot by the same services (the whole day, or the units of refreshed
    projects), so it always adds up to the day's snapshot rows joined to their projects.
    """

    on = models.DateField(_("日期"))
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("攻坚行动"), null=True, on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("责任单位"), on_delete=models.CASCADE, related_name="+"
    )
    line = models.ForeignKey(
        Line, verbose_name=_("攻坚专项"), null=True, on_delete=models.CASCADE, related_name="+"
    )
    projects = models.PositiveIntegerField(_("项目数"))
    red = models.PositiveIntegerField(_("红灯"))
    yellow = models.PositiveIntegerField(_("黄灯"))
    green = models.PositiveIntegerField(_("绿灯"))
    at_risk = models.PositiveIntegerField(_("趋势预警（非红灯）"))
    total_investment_wan = models.DecimalField(_("总投资（万元）"), max_digits=20, decimal_places=2)
    annual_planned_wan = models.DecimalField(
        _("年度计划投资（万元）"), max_digits=20, decimal_places=2
    )
    investment_completed_wan = models.DecimalField(
        _("累计完成投资（万元）"), max_digits=20, decimal_places=2
    )

    class Meta:
        verbose_name = _("预警汇总")
        verbose_name_plural = _("预警汇总")
        indexes = [
            models.Index(fields=["on", "campaign"]),
            models.Index(fields=["on", "unit"]),
        ]

    def __str__(self) -> str:
        return f"{self.on} {self.campaign_id} {self.unit_id} {self.line_id}"
