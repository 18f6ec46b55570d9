"""Supervision (督查督办): orders with their trail, reminders and inbox, notices, inspections,
random-check draws, and unit webhooks with their delivery log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from gongjian.core import clock
from gongjian.core.concurrency import Versioned
from gongjian.core.files import RandomName
from gongjian.org.models import Unit
from gongjian.projects.models import Project
from gongjian.supervision.flow import LEVEL_LABELS, STATE_LABELS, Level, State, is_overdue

STATE_CHOICES = [(s.value, STATE_LABELS[s]) for s in State]
LEVEL_CHOICES = [(lv.value, LEVEL_LABELS[lv]) for lv in Level]


class OrderSource(models.TextChoices):
    """Where a matter comes from (督办事项来源). The last three are raised by the system only: red
    projects and overdue hazards by `gongjian tick`, a repeat-offence rule by a published round."""

    MANUAL = "manual", _("人工交办")
    LEADER_INSTRUCTION = "leader_instruction", _("领导批示")
    MEETING = "meeting", _("会议议定事项")
    UPPER = "upper", _("上级交办")
    INSPECTION = "inspection", _("督查发现")
    PUBLIC = "public", _("群众反映")
    RED_PROJECT = "red_project", _("红灯项目自动督办")
    HAZARD = "hazard", _("隐患逾期未整改")
    ASSESSMENT_RULE = "assessment_rule", _("考评规则（连续预警）")


class InstructionKind(models.TextChoices):
    """Jiangxi's 督查室 sorts leaders' instructions three ways; 参阅 is filed, never issued."""

    DIRECTIVE = "directive", _("批办性")
    GUIDANCE = "guidance", _("指导性")
    REFERENCE = "reference", _("参阅性")


class LeaderInstruction(models.Model):
    """领导批示件: a leader's instruction, registered by the office, and the orders it became."""

    leader = models.ForeignKey(
        "org.Person", verbose_name=_("批示领导"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("批示内容"))
    given_on = models.DateField(_("批示日期"))
    kind = models.CharField(_("批示类别"), max_length=20, choices=InstructionKind.choices)
    document_ref = models.CharField(_("批示件编号"), max_length=100, blank=True)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("登记单位"),
        on_delete=models.PROTECT,
        related_name="leader_instructions",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("领导批示")
        verbose_name_plural = _("领导批示")
        ordering = ["-given_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.given_on} {self.text[:30]}"


class SupervisionSettings(models.Model):
    """How a campaign runs its supervision (one row per campaign; no row means the defaults)."""

    campaign = models.OneToOneField(
        "campaigns.Campaign",
        verbose_name=_("攻坚行动"),
        on_delete=models.CASCADE,
        related_name="supervision_settings",
    )
    approval_required = models.BooleanField(
        _("交办前须领导审核"),
        default=False,
        help_text=_("开启后，起草的督办单（含自动督办单）须经分管领导审核后才下发到责任单位"),
    )
    revisit_after_days = models.PositiveSmallIntegerField(
        _("销号后回访天数"),
        null=True,
        blank=True,
        help_text=_("销号后多少天回访，检查整改成效是否巩固；空为不安排回访"),
    )
    yellow_working_days = models.PositiveSmallIntegerField(
        _("黄灯提前工作日数"),
        default=3,
        help_text=_("办结时限前多少个工作日起亮黄灯"),
    )
    visit_every_days = models.PositiveSmallIntegerField(
        _("定期走访周期（天）"),
        default=30,
        help_text=_("挂钩领导多少天内须到挂钩单位现场办公或调研一次；超过即在领导工作台提示"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("督办设置")
        verbose_name_plural = _("督办设置")

    def __str__(self) -> str:
        return str(self.campaign)


class SupervisionOrder(Versioned):
    """一事一单: one matter, one order, to one responsible unit, with a deadline."""

    code = models.CharField(_("督办单编号"), max_length=30, unique=True)
    title = models.CharField(_("督办事项"), max_length=200)
    content = models.TextField(_("督办内容"))
    required_evidence = models.TextField(_("办结要求（需提供的佐证）"), blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="orders"
    )
    issuing_unit = models.ForeignKey(
        Unit, verbose_name=_("交办单位"), on_delete=models.PROTECT, related_name="issued_orders"
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("涉及项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    line = models.ForeignKey(
        "campaigns.Line",
        verbose_name=_("攻坚专项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    source = models.CharField(
        _("来源"), max_length=20, choices=OrderSource.choices, default=OrderSource.MANUAL
    )
    source_ref = models.CharField(
        _("来源文号或编号"),
        max_length=100,
        blank=True,
        help_text=_("上级交办的文号、群众反映的工单号（如12345）、会议纪要编号等"),
    )
    instruction = models.ForeignKey(
        LeaderInstruction,
        verbose_name=_("领导批示"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("攻坚行动"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核领导"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_on = models.DateField(_("审核日期"), null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("指定复核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("交办方指定的督查人员，可复核反馈（销号或退回）和回访"),
    )
    revisit_due = models.DateField(_("回访日期"), null=True, blank=True)
    revisited_on = models.DateField(_("实际回访日期"), null=True, blank=True)
    revisit_held = models.BooleanField(_("回访成效巩固"), null=True, blank=True)
    reopened_from = models.ForeignKey(
        "self",
        verbose_name=_("回访重新交办自"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reopened_as",
    )
    level = models.CharField(_("督查单颜色"), max_length=10, choices=LEVEL_CHOICES, default="blue")
    state = models.CharField(_("状态"), max_length=20, choices=STATE_CHOICES, default="issued")
    issued_on = models.DateField(_("交办日期"))
    deadline = models.DateField(_("办结时限"))
    original_deadline = models.DateField(_("原定时限"))
    overdue_on = models.DateField(
        _("逾期日期"), null=True, blank=True, help_text=_("首次逾期的日期；记下后不再清除")
    )
    feedback_on = models.DateField(_("最近反馈日期"), null=True, blank=True)
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    closed_on_time = models.BooleanField(_("按时办结"), null=True, blank=True)
    times_sent_back = models.PositiveSmallIntegerField(_("退回次数"), default=0)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("交办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    # When the row last changed (a step, an extension, an escalation). `auto_now` covers
    # `save()`; a `save(update_fields=…)` names it, an `update()` sets it.
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("督办单")
        verbose_name_plural = _("督办单")
        ordering = ["-issued_on", "-pk"]
        indexes = [
            models.Index(fields=["unit", "state"]),
            models.Index(fields=["state", "deadline"]),
            # The list's "updated" sort reads it forwards and backwards (`core.paging`).
            models.Index(fields=["updated_at", "id"], name="order_by_updated"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deadline__gte=models.F("issued_on")),
                name="order_deadline_not_before_issue",
            ),
            # An automatic order per red project stays single while open, even under a race.
            models.UniqueConstraint(
                fields=["project", "source"],
                condition=~models.Q(state="closed") & models.Q(source="red_project"),
                name="order_one_open_auto_per_project",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def state_label(self) -> str:
        return State(self.state).label

    @property
    def level_label(self) -> str:
        return Level(self.level).label

    @property
    def is_overdue(self) -> bool:
        """Overdue today (`flow.is_overdue`), for the pages and the API."""
        return is_overdue(self.state, self.deadline, clock.today())


class OrderCooperator(models.Model):
    """A co-operating unit (协办单位) of an order: it signs for the order and gives its part of the
    answer to the lead unit (主办单位), by the order's deadline; late, it answers for its part."""

    order = models.ForeignKey(
        SupervisionOrder,
        verbose_name=_("督办单"),
        on_delete=models.CASCADE,
        related_name="cooperators",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("协办单位"), on_delete=models.PROTECT, related_name="cooperations"
    )
    acknowledged_on = models.DateField(_("签收日期"), null=True, blank=True)
    part_text = models.TextField(_("协办意见"), blank=True)
    part_on = models.DateField(_("提交日期"), null=True, blank=True)
    part_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    explanation = models.TextField(
        _("主办单位说明"), blank=True, help_text=_("协办意见未到时，主办单位反馈时的说明")
    )
    overdue_on = models.DateField(
        _("逾期日期"), null=True, blank=True, help_text=_("协办部分首次逾期的日期；记下后不再清除")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("协办单位")
        verbose_name_plural = _("协办单位")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["order", "unit"], name="cooperator_once_per_order"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} · {self.unit}"

    @property
    def part_in(self) -> bool:
        return self.part_on is not None


class EventKind(models.TextChoices):
    ISSUED = "issued", _("交办")
    ACKNOWLEDGED = "acknowledged", _("签收")
    STARTED = "started", _("开始办理")
    FEEDBACK = "feedback", _("反馈")
    CLOSED = "closed", _("审核销号")
    SENT_BACK = "sent_back", _("退回")
    EXTENSION_REQUESTED = "extension_requested", _("申请延期")
    EXTENSION_APPROVED = "extension_approved", _("同意延期")
    EXTENSION_REFUSED = "extension_refused", _("不同意延期")
    OVERDUE = "overdue", _("逾期")
    ESCALATED = "escalated", _("升级")
    REMINDED = "reminded", _("催办")
    SUBMITTED = "submitted", _("提交领导审核")
    APPROVED = "approved", _("领导审核同意")
    RETURNED = "returned", _("领导审核退回")
    CO_ACKNOWLEDGED = "co_acknowledged", _("协办签收")
    CO_PART = "co_part", _("提交协办意见")
    REVIEWER_ASSIGNED = "reviewer_assigned", _("指定复核人")
    REVISITED = "revisited", _("回访")


class OrderEvent(models.Model):
    """One line of an order's trail: what happened, when, by whom, and why. Never edited."""

    order = models.ForeignKey(
        SupervisionOrder, verbose_name=_("督办单"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("事项"), max_length=30, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"))
    on = models.DateField(_("业务日期"))
    from_state = models.CharField(_("原状态"), max_length=20, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, blank=True)
    note = models.TextField(_("说明"), blank=True)
    old_deadline = models.DateField(_("原时限"), null=True, blank=True)
    new_deadline = models.DateField(_("新时限"), null=True, blank=True)

    class Meta:
        verbose_name = _("督办记录")
        verbose_name_plural = _("督办记录")
        # Insertion order is the true sequence (a pinned demo date and the wall clock may disagree).
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.order.code} {self.get_kind_display()}"

    @property
    def actor_label(self) -> str:
        return str(self.actor) if self.actor_id else str(_("系统"))


class EvidenceKind(models.TextChoices):
    PHOTO = "photo", _("照片")
    DOCUMENT = "document", _("文件")


class OrderEvidence(models.Model):
    event = models.ForeignKey(
        OrderEvent, verbose_name=_("反馈记录"), on_delete=models.CASCADE, related_name="evidence"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=EvidenceKind.choices)
    file = models.FileField(_("文件"), upload_to=RandomName("supervision"))
    caption = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")

    def __str__(self) -> str:
        return self.caption or str(self.file.name)


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已同意")
    REFUSED = "refused", _("未同意")


class ExtensionRequest(models.Model):
    order = models.ForeignKey(
        SupervisionOrder,
        verbose_name=_("督办单"),
        on_delete=models.CASCADE,
        related_name="extensions",
    )
    reason = models.TextField(_("延期理由"))
    old_deadline = models.DateField(_("原时限"))
    new_deadline = models.DateField(_("申请时限"))
    status = models.CharField(
        _("状态"), max_length=20, choices=ExtensionStatus.choices, default="pending"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_on = models.DateField(_("申请日期"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_on = models.DateField(_("审批日期"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=models.Q(status="pending"),
                name="extension_one_pending_per_order",
            ),
            models.CheckConstraint(
                condition=models.Q(new_deadline__gt=models.F("old_deadline")),
                name="extension_later_than_before",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order.code} → {self.new_deadline}"


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", _("临期提醒")
    OVERDUE = "overdue", _("逾期催办")
    MANUAL = "manual", _("人工催办")


class Reminder(models.Model):
    """A 催办 of an order. Automatic ones are keyed by period, so `tick` sends each only once."""

    order = models.ForeignKey(
        SupervisionOrder,
        verbose_name=_("督办单"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    kind = models.CharField(_("类型"), max_length=20, choices=ReminderKind.choices)
    # For overdue reminders: 0 for the first reminder period after the deadline, 1 for the next...
    # For due-soon: the deadline it warned about. Manual ones: a running number.
    period_key = models.CharField(_("周期"), max_length=30)
    sent_on = models.DateField(_("催办日期"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("催办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("内容"))

    class Meta:
        verbose_name = _("催办")
        verbose_name_plural = _("催办")
        ordering = ["order", "sent_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "kind", "period_key"], name="reminder_once_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order.code} {self.get_kind_display()} {self.period_key}"


class Message(models.Model):
    """A message in a user's inbox on the site (消息)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("收件人"),
        on_delete=models.CASCADE,
        related_name="messages_received",
    )
    order = models.ForeignKey(
        SupervisionOrder,
        verbose_name=_("督办单"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="messages",
    )
    reminder = models.ForeignKey(
        Reminder,
        verbose_name=_("催办"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="messages",
    )
    text = models.TextField(_("内容"))
    created_at = models.DateTimeField(_("时间"))
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.text[:40]


class OrderLightSeen(models.Model):
    """The last light (yellow/red) of an order a person was told about in a digest, so an
    unchanged light is never told again."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("收件人"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    order = models.ForeignKey(
        SupervisionOrder,
        verbose_name=_("督办单"),
        on_delete=models.CASCADE,
        related_name="lights_seen",
    )
    light = models.CharField(_("灯色"), max_length=10)
    on = models.DateField(_("提醒日期"))

    class Meta:
        verbose_name = _("灯色提醒记录")
        verbose_name_plural = _("灯色提醒记录")
        constraints = [
            models.UniqueConstraint(fields=["user", "order"], name="light_seen_once_per_order"),
        ]
        indexes = [models.Index(fields=["user", "on"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.order_id} {self.light}"


class NoticeKind(models.TextChoices):
    PRAISE = "praise", _("通报表扬")
    CRITICISM = "criticism", _("通报批评")


class IssuingLevel(models.TextChoices):
    """The level of the office that issued a notice: the plan gives each level its points."""

    NATIONAL = "national", _("国家级")
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    DISTRICT = "district", _("区（县）级")


class NoticeState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class Notice(Versioned):
    """通报: praise or criticism of a unit (or a person in it), with what lies behind it."""

    kind = models.CharField(_("类型"), max_length=20, choices=NoticeKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    unit = models.ForeignKey(
        Unit, verbose_name=_("被通报单位"), on_delete=models.PROTECT, related_name="notices"
    )
    person_name = models.CharField(_("被通报个人"), max_length=50, blank=True)
    reason = models.TextField(_("事由"))
    issuing_unit = models.ForeignKey(
        Unit, verbose_name=_("发文单位"), on_delete=models.PROTECT, related_name="issued_notices"
    )
    issuing_level = models.CharField(
        _("发文层级"),
        max_length=10,
        choices=IssuingLevel.choices,
        default=IssuingLevel.DISTRICT,
    )
    doc_number = models.CharField(
        _("发文字号"),
        max_length=60,
        blank=True,
        help_text=_("如 长攻坚办〔2026〕15号；考评按文号认定同一通报，只计一次"),
    )
    state = models.CharField(_("状态"), max_length=20, choices=NoticeState.choices, default="draft")
    published_on = models.DateField(_("发布日期"), null=True, blank=True)
    orders = models.ManyToManyField(
        SupervisionOrder, verbose_name=_("相关督办单"), blank=True, related_name="notices"
    )
    projects = models.ManyToManyField(
        Project, verbose_name=_("相关项目"), blank=True, related_name="notices"
    )
    inspections: models.ManyToManyField[Inspection, Any] = models.ManyToManyField(
        "Inspection", verbose_name=_("相关督查"), blank=True, related_name="notices"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("起草人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(m2m_fields=[orders, projects])

    class Meta:
        verbose_name = _("通报")
        verbose_name_plural = _("通报")
        ordering = ["-published_on", "-pk"]
        indexes = [models.Index(fields=["updated_at", "id"], name="notice_by_updated")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state="draft") | models.Q(published_on__isnull=False),
                name="notice_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class InspectionKind(models.TextChoices):
    SCHEDULED = "scheduled", _("定期检查")
    RANDOM = "random", _("不定期抽查")


class Inspection(models.Model):
    """督查/抽查 of a project or a unit by an inspection team, with findings and hazards."""

    kind = models.CharField(_("类型"), max_length=20, choices=InspectionKind.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("被检查单位"), on_delete=models.PROTECT, related_name="inspections"
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("被检查项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    team = models.CharField(_("督查组"), max_length=200)
    inspected_on = models.DateField(_("检查日期"))
    findings = models.TextField(_("检查发现"))
    draw = models.ForeignKey(
        "RandomDraw",
        verbose_name=_("抽签记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("督查检查")
        verbose_name_plural = _("督查检查")
        ordering = ["-inspected_on", "-pk"]

    def __str__(self) -> str:
        target = self.project.name if self.project else self.unit.name
        return f"{self.inspected_on} {target}"


class Hazard(Versioned):
    """A safety hazard (安全隐患) found in an inspection, to be rectified by a date."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("督查检查"), on_delete=models.CASCADE, related_name="hazards"
    )
    description = models.TextField(_("隐患描述"))
    rectify_by = models.DateField(_("整改时限"))
    rectified_on = models.DateField(_("整改完成日期"), null=True, blank=True)
    rectification_note = models.TextField(_("整改情况"), blank=True)
    order = models.OneToOneField(
        SupervisionOrder,
        verbose_name=_("转督办单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazard",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("安全隐患")
        verbose_name_plural = _("安全隐患")
        ordering = ["inspection", "pk"]

    def __str__(self) -> str:
        return self.description[:40]


class RandomDraw(models.Model):
    """A random-check draw: the filter, the candidates in order, the seed and the picks."""

    drawn_on = models.DateField(_("抽签日期"))
    seed = models.CharField(_("随机种子"), max_length=64)
    criteria = models.JSONField(_("筛选条件"))
    candidate_ids = models.JSONField(_("候选项目"))
    picked_ids = models.JSONField(_("抽中项目"))
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("抽签人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    scope_unit = models.ForeignKey(
        Unit, verbose_name=_("抽查范围"), on_delete=models.PROTECT, related_name="draws"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("抽查抽签")
        verbose_name_plural = _("抽查抽签")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.drawn_on} seed={self.seed}"


class WebhookKind(models.TextChoices):
    WECOM = "wecom", _("企业微信群机器人")
    DINGTALK = "dingtalk", _("钉钉群机器人")


class UnitWebhook(models.Model):
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="webhooks"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=WebhookKind.choices)
    url = models.URLField(_("机器人地址"), max_length=500)
    is_active = models.BooleanField(_("启用"), default=True)
    rate_per_minute = models.PositiveSmallIntegerField(
        _("每分钟最多发送条数"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("留空则按系统设置（默认 20 条/分钟，钉钉、企业微信群机器人的公开限额）"),
    )
    # The lease of the one sender now talking to this robot (supervision.webhooks): set and
    # cleared by single UPDATEs only, never through a form.
    sending_until = models.DateTimeField(_("发送占用至"), null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["sending_until"])

    class Meta:
        verbose_name = _("单位推送机器人")
        verbose_name_plural = _("单位推送机器人")

    def __str__(self) -> str:
        return f"{self.unit} · {self.get_kind_display()}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已送达")
    FAILED = "failed", _("发送失败（已停止重试）")


class DeliveryTopic(models.TextChoices):
    REMINDER = "reminder", _("催办")
    LIGHTS = "lights", _("亮灯日报")


class WebhookDelivery(models.Model):
    """One message to one robot; retried with backoff until sent or out of attempts, all logged."""

    webhook = models.ForeignKey(
        UnitWebhook, verbose_name=_("机器人"), on_delete=models.CASCADE, related_name="deliveries"
    )
    reminder = models.ForeignKey(
        Reminder,
        verbose_name=_("催办"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
    )
    topic = models.CharField(
        _("内容"), max_length=20, choices=DeliveryTopic.choices, default=DeliveryTopic.REMINDER
    )
    period_key = models.CharField(_("周期"), max_length=20, blank=True)
    payload = models.JSONField(_("消息体"))
    status = models.CharField(
        _("状态"), max_length=20, choices=DeliveryStatus.choices, default="pending"
    )
    attempts = models.PositiveSmallIntegerField(_("已尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"))
    last_error = models.TextField(_("最近错误"), blank=True)
    sent_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    log = models.JSONField(_("发送日志"), default=list)

    class Meta:
        verbose_name = _("推送记录")
        verbose_name_plural = _("推送记录")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.webhook} {self.get_status_display()}"


class ServiceTeam(models.Model):
    """攻坚服务小组: a department's team that follows projects or enterprises all the way through."""

    name = models.CharField(_("服务小组名称"), max_length=100)
    unit = models.ForeignKey(
        Unit, verbose_name=_("组建单位"), on_delete=models.PROTECT, related_name="service_teams"
    )
    head = models.ForeignKey(
        "org.Person",
        verbose_name=_("组长"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    members = models.ManyToManyField(
        "org.Person", verbose_name=_("成员"), related_name="service_teams", blank=True
    )
    projects = models.ManyToManyField(
        Project, verbose_name=_("跟踪服务项目"), related_name="service_teams", blank=True
    )
    enterprises = models.TextField(_("跟踪服务企业"), blank=True, help_text=_("每行一家企业"))
    created_at = models.DateTimeField(_("组建时间"), auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[members, projects])

    class Meta:
        verbose_name = _("攻坚服务小组")
        verbose_name_plural = _("攻坚服务小组")
        ordering = ["unit__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="service_team_name_per_unit"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def enterprise_list(self) -> list[str]:
        return [line.strip() for line in self.enterprises.splitlines() if line.strip()]


class VisitKind(models.TextChoices):
    ON_SITE = "on_site", _("现场办公")
    SURVEY = "survey", _("调研")
    MEETING = "meeting", _("专题会")


class FieldVisit(models.Model):
    """A leader's or a service team's work in the field (现场办公 / 调研 / 专题会): where, what was
    found and what was decided on the spot. Each problem becomes a coordination request or an
    order (`VisitItem`)."""

    kind = models.CharField(_("形式"), max_length=20, choices=VisitKind.choices)
    visited_on = models.DateField(_("日期"))
    leader = models.ForeignKey(
        "org.Person",
        verbose_name=_("带队领导"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="field_visits",
    )
    team = models.ForeignKey(
        ServiceTeam,
        verbose_name=_("服务小组"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
    )
    subject = models.CharField(_("主题"), max_length=200)
    minutes_ref = models.CharField(
        _("会议纪要编号"), max_length=100, blank=True, help_text=_("专题会的纪要编号")
    )
    projects = models.ManyToManyField(
        Project, verbose_name=_("走访项目"), related_name="field_visits", blank=True
    )
    units = models.ManyToManyField(
        Unit, verbose_name=_("走访单位"), related_name="field_visits", blank=True
    )
    decisions = models.TextField(_("现场议定事项"), blank=True)
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("攻坚行动"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="field_visits",
    )
    recording_unit = models.ForeignKey(
        Unit, verbose_name=_("登记单位"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[projects, units])

    class Meta:
        verbose_name = _("现场办公与调研")
        verbose_name_plural = _("现场办公与调研")
        ordering = ["-visited_on", "-pk"]
        indexes = [models.Index(fields=["leader", "visited_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(leader__isnull=False) | models.Q(team__isnull=False),
                name="visit_has_leader_or_team",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.get_kind_display()} {self.subject}"

    @property
    def who(self) -> str:
        names = [str(x) for x in (self.leader, self.team) if x is not None]
        return "、".join(names)


class VisitItemKind(models.TextChoices):
    PROBLEM = "problem", _("发现问题")
    DECISION = "decision", _("议定事项")


class VisitItem(models.Model):
    """A problem found (or, at a 专题会, a matter decided) on a visit, and what it became: a
    coordination request on the project's ledger or a supervision order, never both."""

    visit = models.ForeignKey(
        FieldVisit, verbose_name=_("现场办公"), on_delete=models.CASCADE, related_name="items"
    )
    kind = models.CharField(
        _("类别"), max_length=20, choices=VisitItemKind.choices, default=VisitItemKind.PROBLEM
    )
    description = models.TextField(_("内容"))
    project = models.ForeignKey(
        Project,
        verbose_name=_("涉及项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    coordination = models.OneToOneField(
        "projects.CoordinationRequest",
        verbose_name=_("转协调事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visit_item",
    )
    order = models.OneToOneField(
        SupervisionOrder,
        verbose_name=_("转督办单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visit_item",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("现场问题与议定事项")
        verbose_name_plural = _("现场问题与议定事项")
        ordering = ["visit", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(coordination__isnull=True) | models.Q(order__isnull=True),
                name="visit_item_one_outcome",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:40]

    @property
    def handled(self) -> bool:
        return self.coordination_id is not None or self.order_id is not None


class RobotPost(models.Model):
    """One HTTP request to a robot (a message alone or a digest of several): what the rate
    limit counts, and the robot's answer."""

    webhook = models.ForeignKey(
        UnitWebhook, verbose_name=_("机器人"), on_delete=models.CASCADE, related_name="posts"
    )
    at = models.DateTimeField(_("发送时间"))
    messages = models.PositiveIntegerField(_("消息条数"))
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("机器人请求")
        verbose_name_plural = _("机器人请求")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["webhook", "at"])]

    def __str__(self) -> str:
        return f"{self.webhook} {self.at:%Y-%m-%d %H:%M:%S}"
