"""Campaigns (攻坚行动) and their lines (攻坚专项), each line with a lead unit and covered units."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from gongjian.org.models import Unit


class ReportCadence(models.TextChoices):
    MONTHLY = "monthly", _("按月")
    DEKAD = "dekad", _("按旬")


class Campaign(models.Model):
    name = models.CharField(_("名称"), max_length=100)
    owner = models.ForeignKey(
        Unit, verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="campaigns"
    )
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    description = models.TextField(_("说明"), blank=True)
    # Warning thresholds (红黄绿灯), per campaign; defaults from DOMAIN.md (Yinchuan 2025).
    warn_yellow_gap = models.DecimalField(
        _("黄灯滞后阈值（百分点）"), max_digits=5, decimal_places=2, default=Decimal("10")
    )
    warn_red_gap = models.DecimalField(
        _("红灯滞后阈值（百分点）"), max_digits=5, decimal_places=2, default=Decimal("30")
    )
    warn_not_started_red_months = models.PositiveSmallIntegerField(_("未开工转红灯月数"), default=3)
    warn_milestone_red_days = models.PositiveSmallIntegerField(_("节点逾期转红灯天数"), default=30)
    report_cadence = models.CharField(
        _("进度填报周期"),
        max_length=10,
        choices=ReportCadence.choices,
        default=ReportCadence.MONTHLY,
        help_text=_("按月或按旬（每月1–10日、11–20日、21日至月末）填报进度"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("攻坚行动")
        verbose_name_plural = _("攻坚行动")
        ordering = ["-start_date", "name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="campaign_unique_name"),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="campaign_end_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(warn_yellow_gap__lte=models.F("warn_red_gap")),
                name="campaign_yellow_below_red",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1


class Line(models.Model):
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("攻坚行动"), on_delete=models.CASCADE, related_name="lines"
    )
    name = models.CharField(_("专项名称"), max_length=100)
    lead_unit = models.ForeignKey(
        Unit, verbose_name=_("牵头单位"), on_delete=models.PROTECT, related_name="led_lines"
    )
    covered_units = models.ManyToManyField(
        Unit, verbose_name=_("责任单位"), related_name="covered_by_lines", blank=True
    )
    sort_order = models.IntegerField(_("排序"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("攻坚专项")
        verbose_name_plural = _("攻坚专项")
        ordering = ["campaign", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="line_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


def units_covered_by_lead(unit: Unit) -> list[str]:
    """Paths of the units covered by the lines `unit` leads (handed to org's scope at start-up)."""
    return list(
        Unit.objects.filter(covered_by_lines__lead_unit=unit)
        .values_list("path", flat=True)
        .distinct()
    )
