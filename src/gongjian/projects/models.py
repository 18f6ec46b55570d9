"""The project ledger (项目台账): projects, milestones, progress reports, coordination requests."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from gongjian.campaigns.models import Campaign, Line
from gongjian.core.concurrency import Versioned
from gongjian.core.files import RandomName
from gongjian.org.models import Person, Unit

PERCENT_RANGE = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


class ProjectLevel(models.TextChoices):
    PROVINCE = "province", _("省重点")
    CITY = "city", _("市重点")
    DISTRICT = "district", _("区重点")
    OTHER = "other", _("一般")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("未开工")
    UNDER_CONSTRUCTION = "under_construction", _("在建")
    COMPLETED = "completed", _("已竣工")
    IN_PRODUCTION = "in_production", _("已投产")
    SUSPENDED = "suspended", _("暂缓")


class Project(Versioned):
    code = models.CharField(_("项目编号"), max_length=40, unique=True)
    name = models.CharField(_("项目名称"), max_length=200)
    investment_code = models.CharField(
        _("投资项目代码"),
        max_length=24,
        blank=True,
        help_text=_("全国投资项目在线审批监管平台赋予的 24 位代码，如 2020-350182-48-01-123456"),
    )
    level = models.CharField(_("项目级别"), max_length=20, choices=ProjectLevel.choices)
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("攻坚行动"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    line = models.ForeignKey(
        Line,
        verbose_name=_("攻坚专项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    owner = models.CharField(_("业主单位"), max_length=200, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="projects"
    )
    leader = models.ForeignKey(
        Person,
        verbose_name=_("责任领导"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_projects",
    )
    team = models.ManyToManyField(
        Person, verbose_name=_("工作团队"), through="TeamMember", related_name="project_teams"
    )
    location = models.CharField(_("建设地点"), max_length=200, blank=True)
    contact_name = models.CharField(_("联络人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联络人电话"), max_length=30, blank=True)
    total_investment_wan = models.DecimalField(
        _("总投资（万元）"), max_digits=14, decimal_places=2, default=Decimal(0)
    )
    annual_planned_wan = models.DecimalField(
        _("年度计划投资（万元）"), max_digits=14, decimal_places=2, default=Decimal(0)
    )
    investment_completed_wan = models.DecimalField(
        _("累计完成投资（万元）"), max_digits=14, decimal_places=2, default=Decimal(0)
    )
    planned_start = models.DateField(_("计划开工"), null=True, blank=True)
    planned_completion = models.DateField(_("计划竣工"), null=True, blank=True)
    actual_start = models.DateField(_("实际开工"), null=True, blank=True)
    actual_completion = models.DateField(_("实际竣工"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    percent_done = models.DecimalField(
        _("形象进度（%）"),
        max_digits=5,
        decimal_places=2,
        validators=PERCENT_RANGE,
        default=Decimal(0),
    )
    not_started_reason = models.CharField(
        _("未开工原因"),
        max_length=200,
        blank=True,
        help_text=_("经认定的正当理由；填写后未开工不转红灯"),
    )
    description = models.TextField(_("建设内容"), blank=True)
    # When the row last changed. `auto_now` covers `save()`; the writes that bypass it (an
    # `update()`, `bulk_update`, a `save(update_fields=…)`) set it themselves.
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(planned_completion__gte=models.F("planned_start"))
                | models.Q(planned_start=None)
                | models.Q(planned_completion=None),
                name="project_planned_completion_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(percent_done__gte=0) & models.Q(percent_done__lte=100),
                name="project_percent_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(total_investment_wan__gte=0)
                & models.Q(annual_planned_wan__gte=0)
                & models.Q(investment_completed_wan__gte=0),
                name="project_investment_not_negative",
            ),
        ]
        # The ledger's sorts read these forwards and backwards with the id as tie-breaker
        # (`core.paging`): a page of 25 of 100,000 is a range of the index, not a sort.
        indexes = [
            models.Index(fields=["campaign", "unit"]),
            models.Index(fields=["level"]),
            models.Index(fields=["planned_completion", "id"], name="project_by_completion"),
            models.Index(fields=["percent_done", "id"], name="project_by_percent"),
            models.Index(fields=["name", "id"], name="project_by_name"),
            models.Index(fields=["updated_at", "id"], name="project_by_updated"),
        ]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE)
    person = models.ForeignKey(Person, verbose_name=_("成员"), on_delete=models.PROTECT)
    duty = models.CharField(_("分工"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("团队成员")
        verbose_name_plural = _("团队成员")
        constraints = [
            models.UniqueConstraint(fields=["project", "person"], name="team_member_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person}（{self.duty}）" if self.duty else str(self.person)


class Milestone(Versioned):
    """A dated step: 定人、定时、定责 — a person, a date and a responsible unit each."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="milestones"
    )
    seq = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("节点名称"), max_length=100)
    planned_date = models.DateField(_("计划完成日期"))
    actual_date = models.DateField(_("实际完成日期"), null=True, blank=True)
    person = models.ForeignKey(
        Person,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="milestones",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="milestones",
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("节点")
        verbose_name_plural = _("节点")
        ordering = ["project", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["project", "seq"], name="milestone_unique_seq"),
            models.UniqueConstraint(fields=["project", "name"], name="milestone_unique_name"),
        ]
        # The warnings read only the milestones still open on a date and planned before it
        # (`projects.warning_feed.warnings_for`): a few percent of them, found by this index on
        # PostgreSQL instead of a pass over all of them.
        indexes = [models.Index(fields=["actual_date", "planned_date"], name="milestone_open")]

    def __str__(self) -> str:
        return self.name


class ProgressReport(Versioned):
    """A periodic report (进度填报) for one project and period (month or 旬, by its end date)."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="reports"
    )
    period_end = models.DateField(_("填报期末"))
    percent_done = models.DecimalField(
        _("形象进度（%）"), max_digits=5, decimal_places=2, validators=PERCENT_RANGE
    )
    investment_period_wan = models.DecimalField(
        _("本期完成投资（万元）"), max_digits=14, decimal_places=2, default=Decimal(0)
    )
    investment_to_date_wan = models.DecimalField(
        _("累计完成投资（万元）"), max_digits=14, decimal_places=2, default=Decimal(0)
    )
    milestones_reached = models.ManyToManyField(
        Milestone, verbose_name=_("本期完成节点"), blank=True, related_name="reported_in"
    )
    problems = models.TextField(_("存在问题"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reported_at = models.DateTimeField(_("填报时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("进度填报")
        verbose_name_plural = _("进度填报")
        ordering = ["project", "period_end"]
        constraints = [
            models.UniqueConstraint(fields=["project", "period_end"], name="report_unique_period"),
            models.CheckConstraint(
                condition=models.Q(percent_done__gte=0) & models.Q(percent_done__lte=100),
                name="report_percent_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.period_end:%Y-%m-%d}"


class ReportSummary(models.Model):
    """What the warning rules need of a project's reports, kept by the report service
    (`reports.refresh_report_summaries`, run by every write of a report) so that the warnings
    of 100,000 projects read one row each instead of their reports: how many there are, the
    newest one's period end and percent, and `warnings.forecast_completion` of them.

    It stands for the reports up to any date on or after the newest one's period end; for an
    earlier date, or a project without a summary, the warnings read the reports themselves.
    Derived data, so no history of its own (the reports have theirs).
    """

    project = models.OneToOneField(
        Project,
        verbose_name=_("项目"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="report_summary",
    )
    reports = models.PositiveIntegerField(_("填报次数"))
    latest_period_end = models.DateField(_("最近填报期末"), null=True)
    latest_percent = models.DecimalField(
        _("最近形象进度（%）"), max_digits=5, decimal_places=2, null=True
    )
    forecast_completion = models.DateField(_("按趋势预计完成"), null=True)

    class Meta:
        verbose_name = _("填报汇总")
        verbose_name_plural = _("填报汇总")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(reports=0, latest_period_end=None, latest_percent=None)
                    | models.Q(
                        reports__gt=0,
                        latest_period_end__isnull=False,
                        latest_percent__isnull=False,
                    )
                ),
                name="report_summary_latest_iff_reports",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} · {self.reports}"


class CoordinationCategory(models.TextChoices):
    APPROVAL = "approval", _("审批手续")
    LAND = "land", _("征迁交地")
    UTILITIES = "utilities", _("要素保障")
    POLES = "poles", _("杆线迁改")
    FUNDS = "funds", _("资金")
    OTHER = "other", _("其他")


class CoordinationStatus(models.TextChoices):
    OPEN = "open", _("待协调")
    RESOLVED = "resolved", _("已解决")


class CoordinationRequest(Versioned):
    """A 协调事项 raised with a report; tracked until resolved, with who handled it."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="coordination"
    )
    report = models.ForeignKey(
        ProgressReport,
        verbose_name=_("所属填报"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="coordination",
    )
    category = models.CharField(_("类别"), max_length=20, choices=CoordinationCategory.choices)
    description = models.TextField(_("事项内容"))
    handling_unit = models.ForeignKey(
        Unit,
        verbose_name=_("协调单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="coordination_to_handle",
    )
    deadline = models.DateField(_("办结时限"), null=True, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=CoordinationStatus.choices,
        default=CoordinationStatus.OPEN,
    )
    resolution = models.TextField(_("解决情况"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("协调事项")
        verbose_name_plural = _("协调事项")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_category_display()}：{self.description[:30]}"


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("照片")
    DOCUMENT = "document", _("文件")


class ReportAttachment(models.Model):
    report = models.ForeignKey(
        ProgressReport,
        verbose_name=_("所属填报"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    kind = models.CharField(_("类型"), max_length=20, choices=AttachmentKind.choices)
    file = models.FileField(_("文件"), upload_to=RandomName("reports"))
    original_name = models.CharField(_("原文件名"), max_length=255, blank=True)
    caption = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("填报附件")
        verbose_name_plural = _("填报附件")

    def __str__(self) -> str:
        return self.caption or str(self.file.name)


# --- The battle map's memory, kept by the ledger's writes (projects/snapshots.py) ---------------
# Each project's warning colour per day, so the daily briefing can say what changed since
# yesterday, and the day's counts and investment summed per unit and line, so the overview adds
# up a few thousand rows instead of every project. The dashboard reads them.


class SnapshotColour(models.TextChoices):
    GREEN = "green", _("绿灯")
    YELLOW = "yellow", _("黄灯")
    RED = "red", _("红灯")


class WarningSnapshot(models.Model):
    project = models.ForeignKey(
        "Project",
        verbose_name=_("项目"),
        on_delete=models.CASCADE,
        related_name="warning_snapshots",
    )
    on = models.DateField(_("日期"))
    colour = models.CharField(_("预警"), max_length=10, choices=SnapshotColour.choices)
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
        db_table = "dashboard_warningsnapshot"  # moved from the dashboard app; the table stayed
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


class SnapshotCheck(models.Model):
    """When `snapshots.snapshot_warnings` last compared a day's rows with the ledger: a later run
    of the same day compares only the projects whose history moved since then."""

    on = models.DateField(_("日期"), unique=True)
    checked_at = models.DateTimeField(_("核对时间"))

    class Meta:
        verbose_name = _("预警快照核对")
        verbose_name_plural = _("预警快照核对")

    def __str__(self) -> str:
        return f"{self.on} {self.checked_at:%H:%M:%S}"


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
        db_table = "dashboard_warningtally"  # moved from the dashboard app; the table stayed
        verbose_name = _("预警汇总")
        verbose_name_plural = _("预警汇总")
        indexes = [
            models.Index(fields=["on", "campaign"]),
            models.Index(fields=["on", "unit"]),
        ]

    def __str__(self) -> str:
        return f"{self.on} {self.campaign_id} {self.unit_id} {self.line_id}"


class PendingRefresh(models.Model):
    """A project whose row in a day's snapshot (and its unit's tallies) is behind the ledger:
    written in the transaction of the write that put it behind, deleted by the refresh that
    brings the row up to date (projects/refreshes.py). Until then every reader of the day
    works the row out for itself. `stamp` is new at every write, so a refresh deletes only the
    marks of the writes it saw."""

    on = models.DateField(_("日期"))
    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="+"
    )
    stamp = models.BigIntegerField(_("标记"))

    class Meta:
        verbose_name = _("待刷新的预警快照")
        verbose_name_plural = _("待刷新的预警快照")
        constraints = [
            models.UniqueConstraint(fields=["on", "project"], name="pending_refresh_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.on}"


class CampaignChoice(models.Model):
    """The campaign a user chose to follow on the battle map and the workbench (one per user);
    without one, the user follows the campaign of his or her own level (`projects.following`)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="campaign_choice",
    )
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("攻坚行动"), on_delete=models.CASCADE, related_name="+"
    )
    chosen_at = models.DateTimeField(_("选择时间"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("关注的攻坚行动")
        verbose_name_plural = _("关注的攻坚行动")

    def __str__(self) -> str:
        return f"{self.user} · {self.campaign}"
