"""Forms of the ledger pages: the filter bar, the phone-friendly progress report, the project sheet."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongjian.core.errors import GongjianError
from gongjian.core.forms import SharedChoiceField, StaffForm
from gongjian.org.models import Person, Unit
from gongjian.org.selectors import resolve_unit
from gongjian.projects.ledger import not_nameable
from gongjian.projects.models import (
    CoordinationCategory,
    Milestone,
    Project,
    ProjectLevel,
    ProjectStatus,
)
from gongjian.projects.pickers import SearchedSelect
from gongjian.projects.selectors import LEDGER_SORTS, SheetChoices
from gongjian.projects.warnings import Colour

COLOUR_CHOICES = [("", _("全部")), *[(c.value, c.label) for c in Colour]]


class LedgerFilterForm(StaffForm):
    q = forms.CharField(label=_("搜索"), required=False)
    campaign = forms.TypedChoiceField(label=_("攻坚行动"), required=False, coerce=int)
    line = forms.TypedChoiceField(label=_("攻坚专项"), required=False, coerce=int)
    level = forms.ChoiceField(
        label=_("项目级别"), required=False, choices=[("", _("全部")), *ProjectLevel.choices]
    )
    unit = forms.TypedChoiceField(
        label=_("责任单位"), required=False, coerce=int, widget=SearchedSelect("ledger_units")
    )
    leader = forms.TypedChoiceField(
        label=_("责任领导"), required=False, coerce=int, widget=SearchedSelect("ledger_leaders")
    )
    colour = forms.ChoiceField(label=_("预警"), required=False, choices=COLOUR_CHOICES)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *ProjectStatus.choices]
    )
    sort = forms.ChoiceField(label=_("排序"), required=False)

    def __init__(self, *args: object, choices: dict[str, list[tuple[int, str]]], **kw: object):
        super().__init__(*args, **kw)
        for name, options in choices.items():
            self.fields[name].choices = [("", _("全部")), *options]  # type: ignore[attr-defined]
        self.fields["sort"].choices = [  # type: ignore[attr-defined]
            (f"{sign}{key.name}", f"{key.label}{arrow}")
            for key in LEDGER_SORTS.keys
            for sign, arrow in (("", " ↑"), ("-", " ↓"))
        ]


class ReportForm(StaffForm):
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
        super().__init__(*args, **kw)
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


class ResolveForm(StaffForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    resolution = forms.CharField(label=_("解决情况"), widget=forms.Textarea(attrs={"rows": 2}))


# --- The project sheet (新建 / 编辑项目) ------------------------------------------------------


def _date(label: Any, *, required: bool = False) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _wan(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=2,
        initial=Decimal(0),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )


class ProjectForm(StaffForm):
    """The ledger fields of one project; `code` only when it is new (the code is its key)."""

    code = forms.CharField(label=_("项目编号"), max_length=40)
    name = forms.CharField(label=_("项目名称"), max_length=200)
    investment_code = forms.CharField(
        label=_("投资项目代码"),
        max_length=40,
        required=False,
        help_text=_("24 位，如 2020-350182-48-01-123456"),
    )
    level = forms.ChoiceField(label=_("项目级别"), choices=ProjectLevel.choices)
    campaign = forms.TypedChoiceField(label=_("攻坚行动"), required=False, coerce=int)
    line = forms.TypedChoiceField(label=_("攻坚专项"), required=False, coerce=int)
    unit = forms.TypedChoiceField(
        label=_("责任单位"), coerce=int, widget=SearchedSelect("sheet_units")
    )
    owner = forms.CharField(label=_("业主单位"), max_length=200, required=False)
    leader = SharedChoiceField(
        label=_("责任领导"), required=False, coerce=int, widget=SearchedSelect("sheet_people")
    )
    location = forms.CharField(label=_("建设地点"), max_length=200, required=False)
    contact_name = forms.CharField(label=_("联络人"), max_length=50, required=False)
    contact_phone = forms.CharField(
        label=_("联络人电话"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    total_investment_wan = _wan(_("总投资（万元）"))
    annual_planned_wan = _wan(_("年度计划投资（万元）"))
    investment_completed_wan = _wan(_("累计完成投资（万元）"))
    planned_start = _date(_("计划开工"))
    planned_completion = _date(_("计划竣工"))
    actual_start = _date(_("实际开工"))
    actual_completion = _date(_("实际竣工"))
    status = forms.ChoiceField(label=_("状态"), choices=ProjectStatus.choices)
    percent_done = forms.DecimalField(
        label=_("形象进度（%）"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        decimal_places=2,
        initial=Decimal(0),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    not_started_reason = forms.CharField(label=_("未开工原因"), max_length=200, required=False)
    description = forms.CharField(
        label=_("建设内容"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, choices: SheetChoices, new: bool, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.choices = choices
        if not new:
            del self.fields["code"]
        else:
            del self.fields["version"]
        fields: dict[str, Any] = self.fields
        fields["unit"].choices = choices.unit_choices()
        fields["leader"].choices = choices.person_choices()
        fields["leader"].widget.project = choices.project_id
        fields["campaign"].choices = choices.campaign_choices()
        fields["line"].choices = choices.line_choices()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        c = self.choices
        data["unit"] = c.units.get(data.get("unit") or 0)
        data["leader"] = _chosen_person(self, c, "leader", data)
        data["line"] = c.lines.get(data.get("line") or 0)
        data["campaign"] = c.campaigns.get(data.get("campaign") or 0)
        if data["line"] is not None and data["campaign"] is None:
            data["campaign"] = data["line"].campaign
        return data

    def ledger_fields(self) -> dict[str, Any]:
        """The cleaned values the ledger services take (EDITABLE_FIELDS)."""
        skip = {"code", "version"}
        return {k: v for k, v in self.cleaned_data.items() if k not in skip}


def _chosen_person(
    form: forms.Form, choices: SheetChoices, name: str, data: dict[str, Any]
) -> Person | None:
    person = choices.person(data.get(name))
    if data.get(name) and person is None:  # chosen from the list, gone since it was drawn
        form.add_error(name, not_nameable())
    return person


class _PersonRowForm(StaffForm):
    """A sheet row naming a person from the page's one list of people."""

    person = SharedChoiceField(
        label=_("成员"), required=False, coerce=int, widget=SearchedSelect("sheet_people")
    )

    def __init__(self, *args: Any, choices: SheetChoices, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.choices = choices
        fields: dict[str, Any] = self.fields
        fields["person"].choices = choices.person_choices()
        fields["person"].widget.project = choices.project_id

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["person"] = _chosen_person(self, self.choices, "person", data)
        return data


class TeamMemberForm(_PersonRowForm):
    duty = forms.CharField(label=_("分工"), max_length=100, required=False)


class MilestoneForm(_PersonRowForm):
    field_order = ["id", "version", "name", "planned_date", "actual_date", "person", "unit", "note"]
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("节点名称"), max_length=100, required=False)
    planned_date = _date(_("计划完成日期"))
    actual_date = _date(_("实际完成日期"))
    person = SharedChoiceField(
        label=_("责任人"), required=False, coerce=int, widget=SearchedSelect("sheet_people")
    )
    unit = forms.CharField(label=_("责任单位"), max_length=200, required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args: Any, near: Unit | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        # Of two units of one name (each district has its 区财政局), the project's own side's.
        self.near = near

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        name = (data.get("name") or "").strip()
        if (name or data.get("id")) and not data.get("planned_date"):
            self.add_error("planned_date", _("节点须有计划完成日期。"))
        text = (data.get("unit") or "").strip()
        data["unit_obj"] = None
        if text:
            try:
                data["unit_obj"] = resolve_unit(text, near=self.near)
            except GongjianError as exc:
                self.add_error("unit", exc.message)
        return data


TeamFormSet = forms.formset_factory(TeamMemberForm, extra=3)
MilestoneFormSet = forms.formset_factory(MilestoneForm, extra=2)
