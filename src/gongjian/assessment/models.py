"""Assessment data: plans (groups, members, lines, indicators), rounds, values, results, objections.

A published round never changes: `Round`, its values, results and objections refuse save() and
delete() once the round is published, and their querysets refuse bulk update/delete, so no path
(service, admin, API, shell) can alter it. A correction is a new edition of the round.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from gongjian.assessment.engine import COMPOSITE_LABELS, Composite, Method, MissingRule
from gongjian.campaigns.models import Campaign, Line
from gongjian.core import bulk
from gongjian.core.concurrency import Versioned
from gongjian.core.errors import Immutable
from gongjian.org.models import Unit

METHOD_CHOICES = [
    (Method.DIRECT.value, _("直接打分")),
    (Method.COMPLETION.value, _("完成率")),
    (Method.RANK_POINTS.value, _("按排名赋分")),
    (Method.PASS_FAIL.value, _("完成/未完成")),
    (Method.DEDUCTION.value, _("按次扣分")),
    (Method.BONUS.value, _("按次加分")),
    (Method.VETO.value, _("一票否决")),
]
MISSING_RULE_CHOICES = [
    (MissingRule.REFUSE.value, _("缺值拒绝计算")),
    (MissingRule.ZERO.value, _("缺报计零分")),
]

COMPOSITE_CHOICES = [(c.value, COMPOSITE_LABELS[c]) for c in Composite]

# How a plan's results read in the bulletin: firsts of each line; the composite's top N overall;
# the top N of each group (方阵).
REPORT_STYLE_CHOICES = [
    ("lines", _("按专项通报第一名")),
    ("composite", _("按综合得分通报前几名")),
    ("groups", _("按分组通报前几名")),
]


class BulkJSONField(models.JSONField):
    """A JSONField whose rows PostgreSQL bulk-inserts as plain VALUES.

    Django 5.2 bulk-inserts on PostgreSQL through UNNEST of arrays, and psycopg quotes each
    array element client-side with a regular expression: 20 s for a round's 10,000 explanations.
    A field with a placeholder keeps the ordinary VALUES insert (well under a second).
    """

    def get_placeholder(self, value: Any, compiler: Any, connection: Any) -> str:
        return "%s"


class StoredJSONField(BulkJSONField):
    """A BulkJSONField kept as `json` on PostgreSQL: the text as written, checked but not parsed
    into `jsonb`. For what is written once and read whole (a round's results): parsing 20 MB of
    explanations into `jsonb` was a fifth of storing a round, and nothing queries inside them.
    Keys keep the order they were written in, as on SQLite.
    """

    def db_type(self, connection: Any) -> str | None:
        if connection.vendor == "postgresql":
            return "json"
        return super().db_type(connection)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is not None and not isinstance(value, str):  # psycopg decodes `json` itself
            return value
        return super().from_db_value(value, expression, connection)


def _refuse_published_round() -> Immutable:
    return Immutable(gettext("考评期已发布，结果不可更改；如需更正，请新建更正版本。"))


def _refuse_locked_plan() -> Immutable:
    return Immutable(gettext("该考评方案已用于已发布的考评期，不可修改；请导入或复制为新版本。"))


class Plan(Versioned):
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("攻坚行动"),
        on_delete=models.PROTECT,
        related_name="assessment_plans",
    )
    name = models.CharField(_("方案名称"), max_length=100)
    edition = models.PositiveIntegerField(_("方案版本"), default=1)
    precision = models.PositiveSmallIntegerField(_("保留小数位"), default=2)
    missing_rule = models.CharField(
        _("缺值处理"), max_length=10, choices=MISSING_RULE_CHOICES, default=MissingRule.REFUSE
    )
    bonus_cap = models.DecimalField(
        _("加分上限"), max_digits=10, decimal_places=4, null=True, blank=True
    )
    deduction_cap = models.DecimalField(
        _("扣分上限"), max_digits=10, decimal_places=4, null=True, blank=True
    )
    grades = models.JSONField(
        _("等次划分"), default=list, blank=True, help_text=_('如 [{"name": "优秀", "min": 90}]')
    )
    description = models.TextField(_("说明"), blank=True)
    report_style = models.CharField(
        _("通报方式"), max_length=10, choices=REPORT_STYLE_CHOICES, default="groups"
    )
    report_top = models.PositiveSmallIntegerField(_("通报前几名"), default=2)
    report_heading = models.CharField(_("通报小标题"), max_length=100, blank=True)
    composite = models.CharField(
        _("综合得分方式"), max_length=10, choices=COMPOSITE_CHOICES, default=Composite.SUM
    )
    # 红黑榜 (`lists`) and repeat-offence rules 连续N期 (`offences`), as the plan file states them.
    lists = models.JSONField(_("红黑榜规则"), default=dict, blank=True)
    offences = models.JSONField(_("连续违规规则"), default=list, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords()

    @property
    def has_composite(self) -> bool:
        """A line-only plan (composite: none) has no composite score, grade or composite rank."""
        return self.composite != Composite.NONE

    class Meta:
        verbose_name = _("考评方案")
        verbose_name_plural = _("考评方案")
        ordering = ["campaign", "name", "-edition"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "name", "edition"], name="plan_unique_edition"
            ),
            models.CheckConstraint(condition=models.Q(precision__lte=6), name="plan_precision"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（第{self.edition}版）"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.is_locked:
            raise _refuse_locked_plan()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.is_locked:
            raise _refuse_locked_plan()
        return super().delete(*args, **kwargs)

    @property
    def is_locked(self) -> bool:
        return self.pk is not None and self.rounds.filter(state=RoundState.PUBLISHED).exists()


def _plan_of(part: Any) -> Plan:
    plan: Plan = part.plan
    return plan


class PlanPart(models.Model):
    """A piece of a plan: frozen with the plan once a round of it is published."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if _plan_of(self).is_locked:
            raise _refuse_locked_plan()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if _plan_of(self).is_locked:
            raise _refuse_locked_plan()
        return super().delete(*args, **kwargs)


class PlanGroup(PlanPart):
    plan = models.ForeignKey(
        Plan, verbose_name=_("方案"), on_delete=models.CASCADE, related_name="groups"
    )
    name = models.CharField(_("分组（方阵/层面）"), max_length=50)
    sort_order = models.IntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("考评分组")
        verbose_name_plural = _("考评分组")
        ordering = ["plan", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "name"], name="plan_group_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class PlanMember(PlanPart):
    plan = models.ForeignKey(
        Plan, verbose_name=_("方案"), on_delete=models.CASCADE, related_name="members"
    )
    group = models.ForeignKey(
        PlanGroup, verbose_name=_("分组"), on_delete=models.CASCADE, related_name="members"
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("被考评单位"),
        on_delete=models.PROTECT,
        related_name="plan_memberships",
    )
    sort_order = models.IntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("被考评单位")
        verbose_name_plural = _("被考评单位")
        ordering = ["plan", "group__sort_order", "sort_order", "pk"]
        constraints = [
            # A unit is in one group per plan.
            models.UniqueConstraint(fields=["plan", "unit"], name="plan_member_one_group"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.group}"


class PlanLine(PlanPart):
    plan = models.ForeignKey(
        Plan, verbose_name=_("方案"), on_delete=models.CASCADE, related_name="lines"
    )
    name = models.CharField(_("专项"), max_length=100)
    line = models.ForeignKey(
        Line,
        verbose_name=_("对应攻坚专项"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plan_lines",
    )
    units = models.ManyToManyField(
        Unit,
        verbose_name=_("参与单位"),
        blank=True,
        related_name="+",
        help_text=_("留空表示方案内全部被考评单位"),
    )
    weight = models.DecimalField(
        _("专项权重"),
        max_digits=10,
        decimal_places=4,
        default=1,
        help_text=_("综合得分方式为加权折算时使用"),
    )
    sort_order = models.IntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("考评专项")
        verbose_name_plural = _("考评专项")
        ordering = ["plan", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "name"], name="plan_line_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Indicator(PlanPart):
    plan = models.ForeignKey(
        Plan, verbose_name=_("方案"), on_delete=models.CASCADE, related_name="indicators"
    )
    line = models.ForeignKey(
        PlanLine, verbose_name=_("专项"), on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.CharField(_("指标代码"), max_length=50)
    name = models.CharField(_("指标名称"), max_length=100)
    method = models.CharField(_("计分方法"), max_length=20, choices=METHOD_CHOICES)
    weight = models.DecimalField(_("权重"), max_digits=10, decimal_places=4, default=1)
    full_marks = models.DecimalField(_("满分"), max_digits=10, decimal_places=4, default=100)
    params = models.JSONField(_("计分参数"), default=dict, blank=True)
    source = models.CharField(
        _("数据来源"),
        max_length=50,
        default="entered",
        help_text=_("entered = 牵头单位录入或文件导入；其他为系统指标提供者名称"),
    )
    sort_order = models.IntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("考评指标")
        verbose_name_plural = _("考评指标")
        ordering = ["plan", "line__sort_order", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="indicator_unique_code"),
            models.CheckConstraint(condition=models.Q(weight__gte=0), name="indicator_weight_ge_0"),
        ]

    def __str__(self) -> str:
        return f"{self.line.name} · {self.name}"


class RoundState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    COMPUTED = "computed", _("已计算（审核中）")
    PUBLISHED = "published", _("已发布")


class RoundQuerySet(models.QuerySet["Round"]):
    def update(self, **kwargs: Any) -> int:
        if self.filter(state=RoundState.PUBLISHED).exists():
            raise _refuse_published_round()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.filter(state=RoundState.PUBLISHED).exists():
            raise _refuse_published_round()
        return super().delete()


class Round(Versioned):
    plan = models.ForeignKey(
        Plan, verbose_name=_("考评方案"), on_delete=models.PROTECT, related_name="rounds"
    )
    period = models.CharField(_("考评期"), max_length=7, help_text=_("年月，如 2026-12"))
    title = models.CharField(_("标题"), max_length=100, blank=True)
    edition = models.PositiveIntegerField(_("版次"), default=1)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("更正的版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    correction_reason = models.TextField(_("更正原因"), blank=True)
    state = models.CharField(
        _("状态"), max_length=10, choices=RoundState.choices, default=RoundState.DRAFT
    )
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_on = models.DateField(_("发布日期"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The bulletin's document particulars (GB/T 9704-2012), filled by the office before it
    # publishes; blank ones are defaulted from the plan (assessment/bulletin.py: particulars).
    # Fields of the round, so a published round's are as immutable as its results.
    doc_number = models.CharField(_("发文字号"), max_length=50, blank=True)
    doc_addressees = models.CharField(_("主送机关"), max_length=200, blank=True)
    doc_signatory = models.CharField(_("发文机关署名"), max_length=100, blank=True)
    signed_on = models.DateField(_("成文日期"), null=True, blank=True)
    doc_cc = models.CharField(_("抄送机关"), max_length=300, blank=True)
    doc_printer = models.CharField(_("印发机关"), max_length=100, blank=True)
    doc_copy_number = models.CharField(_("份号"), max_length=6, blank=True)
    doc_secrecy = models.CharField(_("密级和保密期限"), max_length=30, blank=True)
    doc_attach_tables = models.BooleanField(_("附上考评结果表"), default=True)
    # The previous comparable round (`movement.previous_round`), fixed when the round is
    # computed: its results' previous ranks and scores are those of that round.
    previous_round = models.ForeignKey(
        "self",
        verbose_name=_("上期考评"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords()
    objects = RoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("考评期")
        verbose_name_plural = _("考评期")
        ordering = ["-period", "plan", "-edition"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "period", "edition"], name="round_unique_edition"
            ),
            models.CheckConstraint(
                condition=models.Q(period__regex=r"^\d{4}-(0[1-9]|1[0-2])$"), name="round_period_ym"
            ),
        ]

    def __str__(self) -> str:
        label = self.title or self.period
        suffix = f"（更正第{self.edition}版）" if self.edition > 1 else ""
        return f"{self.plan.name} · {label}{suffix}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._stored_published():
            raise _refuse_published_round()
        super().save(*args, **kwargs)

    def refuse_raw_save(self) -> None:  # core.raw_guard: loaddata skips save()
        if self._stored_published():
            raise _refuse_published_round()

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self._stored_published():
            raise _refuse_published_round()
        return super().delete(*args, **kwargs)

    @property
    def period_start(self) -> dt.date:
        year, month = (int(p) for p in self.period.split("-"))
        return dt.date(year, month, 1)

    @property
    def period_end(self) -> dt.date:
        start = self.period_start
        nxt = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
        return nxt - dt.timedelta(days=1)

    def _stored_published(self) -> bool:
        return (
            self.pk is not None
            and type(self).objects.filter(pk=self.pk, state=RoundState.PUBLISHED).exists()
        )


class RoundPartQuerySet(models.QuerySet[Any]):
    """Bulk writes refuse rows of a published round."""

    def _touches_published(self) -> bool:
        return self.filter(round__state=RoundState.PUBLISHED).exists()

    def update(self, **kwargs: Any) -> int:
        if self._touches_published():
            raise _refuse_published_round()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self._touches_published():
            raise _refuse_published_round()
        return super().delete()

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> Any:
        objs = list(objs)
        round_ids = {o.round_id for o in objs}
        if Round.objects.filter(pk__in=round_ids, state=RoundState.PUBLISHED).exists():
            raise _refuse_published_round()
        return super().bulk_create(objs, *args, **kwargs)

    def insert_rows(
        self, round_id: int, fields: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> None:
        """One round's rows as plain column values (`core.bulk.insert_rows`): a round stores
        10,000 results, and model instances and per-field preparation cost more than the
        scoring. Refused for a published round, as `bulk_create` is."""
        if Round.objects.filter(pk=round_id, state=RoundState.PUBLISHED).exists():
            raise _refuse_published_round()
        meta = self.model._meta
        columns = [meta.get_field(name).column for name in fields]
        bulk.insert_rows(meta.db_table, columns, rows)


def _round_published(part: Any) -> bool:
    return Round.objects.filter(pk=part.round_id, state=RoundState.PUBLISHED).exists()


class RoundPart(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if _round_published(self):
            raise _refuse_published_round()
        super().save(*args, **kwargs)

    def refuse_raw_save(self) -> None:  # core.raw_guard: loaddata skips save()
        if _round_published(self):
            raise _refuse_published_round()

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if _round_published(self):
            raise _refuse_published_round()
        return super().delete(*args, **kwargs)


class ValueSource(models.TextChoices):
    ENTERED = "entered", _("录入")
    FILE = "file", _("文件导入")
    SYSTEM = "system", _("系统数据")


class IndicatorValue(RoundPart):
    round = models.ForeignKey(
        Round, verbose_name=_("考评期"), on_delete=models.CASCADE, related_name="values"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="values"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    value = models.DecimalField(_("指标值"), max_digits=18, decimal_places=4)
    target = models.DecimalField(
        _("目标值"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    note = models.CharField(_("备注"), max_length=255, blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=ValueSource.choices)
    trail = BulkJSONField(_("依据"), default=list, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()
    objects = RoundPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("指标值")
        verbose_name_plural = _("指标值")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "indicator", "unit"], name="indicator_value_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.indicator.name} = {self.value}"


class UnitResult(RoundPart):
    round = models.ForeignKey(
        Round, verbose_name=_("考评期"), on_delete=models.CASCADE, related_name="results"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    group = models.CharField(_("分组"), max_length=50)
    score = models.DecimalField(_("综合得分"), max_digits=14, decimal_places=4)
    rank = models.PositiveIntegerField(_("名次"))
    tied = models.BooleanField(_("并列"), default=False)
    grade = models.CharField(_("等次"), max_length=20, blank=True)
    veto = models.CharField(_("否决"), max_length=20, blank=True)
    lines = StoredJSONField(_("专项得分与名次"), default=dict)
    explanation = StoredJSONField(_("计分说明"), default=dict)
    previous_rank = models.PositiveIntegerField(_("上期名次"), null=True, blank=True)
    previous_score = models.DecimalField(
        _("上期得分"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    objects = RoundPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("考评结果")
        verbose_name_plural = _("考评结果")
        ordering = ["round", "group", "rank", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "unit"], name="unit_result_unique"),
        ]
        indexes = [models.Index(fields=["unit", "round"], name="unit_result_unit_round")]

    def __str__(self) -> str:
        return f"{self.unit} · {self.score} · {self.rank}"


class RoundSource(RoundPart):
    """A round a roll-up's indicator read its scores from (`rollups`): the way down from a
    quarter's or a year's score to each month's, and how a later correction of a month is seen
    (`rollups.superseded_sources`)."""

    round = models.ForeignKey(
        Round, verbose_name=_("汇总考评期"), on_delete=models.CASCADE, related_name="sources"
    )
    source = models.ForeignKey(
        Round, verbose_name=_("来源考评期"), on_delete=models.PROTECT, related_name="used_by"
    )
    indicator_code = models.CharField(_("指标代码"), max_length=50)
    objects = RoundPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("汇总来源")
        verbose_name_plural = _("汇总来源")
        ordering = ["round", "indicator_code", "source__period"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "indicator_code", "source"], name="round_source_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round} ← {self.source}"


class ListKind(models.TextChoices):
    RED = "red", _("红榜")
    BLACK = "black", _("黑榜")
    OFFENCE = "offence", _("连续违规名单")


class ListEntry(RoundPart):
    """A unit on one of a round's lists (红榜, 黑榜, a repeat-offence list such as 约谈名单),
    made when the round is computed (`lists.build`), published with it and then immutable."""

    round = models.ForeignKey(
        Round, verbose_name=_("考评期"), on_delete=models.CASCADE, related_name="list_entries"
    )
    kind = models.CharField(_("类别"), max_length=10, choices=ListKind.choices)
    name = models.CharField(_("名单"), max_length=50)
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    group = models.CharField(_("分组"), max_length=50)
    rank = models.PositiveIntegerField(_("名次"))
    reason = models.CharField(_("依据"), max_length=500)
    action = models.CharField(_("处理"), max_length=50, blank=True)
    objects = RoundPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("名单")
        verbose_name_plural = _("名单")
        ordering = ["round", "kind", "name", "group", "rank", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "name", "unit"], name="list_entry_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.unit}"


class ListExemption(RoundPart):
    """The office exempts a unit from the 黑榜 for force majeure, with a written reason, before
    the round is published; shown beside the list."""

    round = models.ForeignKey(
        Round, verbose_name=_("考评期"), on_delete=models.CASCADE, related_name="exemptions"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("豁免理由"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    history = HistoricalRecords()
    objects = RoundPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("黑榜豁免")
        verbose_name_plural = _("黑榜豁免")
        constraints = [
            models.UniqueConstraint(fields=["round", "unit"], name="list_exemption_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.reason[:20]}"


class ObjectionState(models.TextChoices):
    OPEN = "open", _("待处理")
    ACCEPTED = "accepted", _("已采纳")
    REJECTED = "rejected", _("未采纳")


class Objection(RoundPart):
    round = models.ForeignKey(
        Round, verbose_name=_("考评期"), on_delete=models.CASCADE, related_name="objections"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("异议理由"))
    state = models.CharField(
        _("状态"), max_length=10, choices=ObjectionState.choices, default=ObjectionState.OPEN
    )
    reply = models.TextField(_("处理意见"), blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    history = HistoricalRecords()
    objects = RoundPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("考评异议")
        verbose_name_plural = _("考评异议")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.unit} · {self.get_state_display()}"


class EventKind(models.TextChoices):
    PRAISE = "praise", _("通报表扬")
    CRITICISM = "criticism", _("通报批评")
    OVERDUE = "overdue", _("督办逾期")
    INCIDENT = "incident", _("重大事故/事件")


class AssessmentEvent(models.Model):
    """An event the office records for assessment (a notice, an overdue order, an incident).

    The `events.*` system indicator providers count these per unit and period, each with its
    title in the trail. Other apps (supervision notices, orders) register their own providers.
    """

    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="assessment_events"
    )
    kind = models.CharField(_("类别"), max_length=20, choices=EventKind.choices)
    date = models.DateField(_("日期"))
    title = models.CharField(_("事由"), max_length=200)
    reference = models.CharField(_("文号"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("考评事项")
        verbose_name_plural = _("考评事项")
        ordering = ["-date", "pk"]
        indexes = [models.Index(fields=["kind", "date"], name="assessment_event_kind_date")]

    def __str__(self) -> str:
        return f"{self.unit} · {self.get_kind_display()} · {self.title}"


# An office's own bulletin template lives beside the code that checks and fills it.
from gongjian.assessment.bulletin_template import BulletinTemplate  # noqa: E402, F401
