"""The battle map's memory: each project's warning colour per day, so the overview reads one
indexed table and the daily briefing can say what changed since yesterday."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongjian.campaigns.models import Campaign
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
