"""Forms of the ledger pages: the filter bar and the phone-friendly progress report."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from gongjian.projects.models import CoordinationCategory, Milestone, Project, ProjectLevel
from gongjian.projects.warnings import Colour

COLOUR_CHOICES = [("", _("全部")), *[(c.value, c.label) for c in Colour]]


class LedgerFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False)
    campaign = forms.TypedChoiceField(label=_("攻坚行动"), required=False, coerce=int)
    line = forms.TypedChoiceField(label=_("攻坚专项"), required=False, coerce=int)
    level = forms.ChoiceField(
        label=_("项目级别"), required=False, choices=[("", _("全部")), *ProjectLevel.choices]
    )
    unit = forms.TypedChoiceField(label=_("责任单位"), required=False, coerce=int)
    leader = forms.TypedChoiceField(label=_("责任领导"), required=False, coerce=int)
    colour = forms.ChoiceField(label=_("预警"), required=False, choices=COLOUR_CHOICES)

    def __init__(self, *args: object, choices: dict[str, list[tuple[int, str]]], **kw: object):
        super().__init__(*args, **kw)  # type: ignore[arg-type]
        for name, options in choices.items():
            self.fields[name].choices = [("", _("全部")), *options]  # type: ignore[attr-defined]


class ReportForm(forms.Form):
    period_end = forms.DateField(
        label=_("填报期末"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    percent_done = forms.DecimalField(
        label=_("形象进度（%）"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    investment_period_wan = forms.DecimalField(
        label=_("本期完成投资（万元）"),
        min_value=Decimal(0),
        decimal_places=2,
        initial=Decimal(0),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    milestones_reached = forms.ModelMultipleChoiceField(
        label=_("本期完成节点"),
        queryset=Milestone.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    problems = forms.CharField(
        label=_("存在问题"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    coordination_category = forms.ChoiceField(
        label=_("协调事项类别"),
        required=False,
        choices=[("", _("无")), *CoordinationCategory.choices],
    )
    coordination_description = forms.CharField(
        label=_("协调事项内容"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    coordination_unit = forms.CharField(label=_("请求协调单位"), required=False)
    photo = forms.FileField(
        label=_("现场照片"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    document = forms.FileField(label=_("相关文件"), required=False)

    def __init__(self, *args: object, project: Project, **kw: object) -> None:
        super().__init__(*args, **kw)  # type: ignore[arg-type]
        self.fields["milestones_reached"].queryset = Milestone.objects.filter(  # type: ignore[attr-defined]
            project=project, actual_date=None
        ).order_by("seq")

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("coordination_category") and not data.get("coordination_description"):
            self.add_error("coordination_description", _("请填写协调事项内容。"))
        if data.get("coordination_description") and not data.get("coordination_category"):
            self.add_error("coordination_category", _("请选择协调事项类别。"))
        return data


class ResolveForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    resolution = forms.CharField(label=_("解决情况"), widget=forms.Textarea(attrs={"rows": 2}))
