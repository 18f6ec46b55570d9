"""Pages of the field work: the visits list, the phone form to record one, a visit with its
problems (each turned into a coordination request or an order in one step), the service teams."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from gongjian.core import clock
from gongjian.core.errors import GongjianError
from gongjian.core.forms import StaffForm
from gongjian.core.http import flash_error
from gongjian.org.models import Person, Unit
from gongjian.org.scope import Action, scope_for
from gongjian.projects.models import CoordinationCategory
from gongjian.supervision import sources, visits
from gongjian.supervision.models import ServiceTeam, VisitItem, VisitItemKind, VisitKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class VisitForm(StaffForm):
    kind = forms.ChoiceField(label=_l("形式"), choices=VisitKind.choices)
    visited_on = forms.DateField(label=_l("日期"), widget=DATE)
    leader = forms.ModelChoiceField(
        label=_l("带队领导"), queryset=Person.objects.none(), required=False
    )
    team = forms.ModelChoiceField(
        label=_l("服务小组"), queryset=ServiceTeam.objects.none(), required=False
    )
    subject = forms.CharField(label=_l("主题"), max_length=200)
    projects = forms.ModelMultipleChoiceField(
        label=_l("走访项目"), queryset=Unit.objects.none(), required=False
    )
    units = forms.ModelMultipleChoiceField(
        label=_l("走访单位"), queryset=Unit.objects.none(), required=False
    )
    problems = forms.CharField(
        label=_l("发现问题（每行一条）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    agreed = forms.CharField(
        label=_l("专题会议定事项（每行一条，可转督办单）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    decisions = forms.CharField(
        label=_l("现场议定情况"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    minutes_ref = forms.CharField(label=_l("会议纪要编号"), required=False, max_length=100)

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = sources.leaders_for(user)  # type: ignore[attr-defined]
        self.fields["team"].queryset = ServiceTeam.objects.filter(  # type: ignore[attr-defined]
            pk__in=[t.pk for t in visits.teams_to_record(user)]
        )
        self.fields["projects"].queryset = visits.projects_reachable(user)  # type: ignore[attr-defined]
        self.fields["units"].queryset = scope_for(user).units().order_by("path")  # type: ignore[attr-defined]


@login_required
def visit_list(request: HttpRequest) -> HttpResponse:
    rows = list(visits.visits_for(request.user)[:200])
    return render(
        request,
        "supervision/visits.html",
        {
            "rows": rows,
            "links": visits.leader_link_visits(request.user, clock.today()),
            "can_record": visits.may_record_somewhere(request.user),
        },
    )


@login_required
def visit_new(request: HttpRequest) -> HttpResponse:
    """登记现场办公 (a phone form): who, when, where, the problems found, what was decided."""
    user: Any = request.user
    if not visits.may_record_somewhere(user):
        flash_error(request, GongjianError(_("无权登记现场办公。")))
        return redirect("supervision:visits")
    initial: dict[str, Any] = {"visited_on": clock.today(), "kind": VisitKind.ON_SITE}
    if getattr(user, "person_id", None) and user.person.is_leader:
        initial["leader"] = user.person_id
    if request.GET.get("project", "").isdigit():
        initial["projects"] = [int(request.GET["project"])]
    if request.GET.get("unit", "").isdigit():
        initial["units"] = [int(request.GET["unit"])]
    form = VisitForm(user, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        items = [visits.ItemIn(text) for text in _lines(d["problems"])] + [
            visits.ItemIn(text, kind=VisitItemKind.DECISION) for text in _lines(d["agreed"])
        ]
        try:
            visit = visits.record_visit(
                actor=user,
                kind=d["kind"],
                visited_on=d["visited_on"],
                subject=d["subject"],
                leader=d["leader"],
                team=d["team"],
                projects=list(d["projects"]),
                units=list(d["units"]),
                items=items,
                decisions=d["decisions"],
                minutes_ref=d["minutes_ref"],
            )
        except GongjianError as exc:
            flash_error(request, exc)
        else:
            messages.success(request, _("已登记，可将发现的问题转为协调事项或督办单。"))
            return redirect("supervision:visit", pk=visit.pk)
    return render(request, "supervision/visit_new.html", {"form": form})


class ToCoordinationForm(StaffForm):
    category = forms.ChoiceField(label=_l("类别"), choices=CoordinationCategory.choices)
    handling_unit = forms.ModelChoiceField(
        label=_l("协调单位"), queryset=Unit.objects.none(), required=False
    )
    deadline = forms.DateField(label=_l("办结时限"), widget=DATE, required=False)

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["handling_unit"].queryset = scope_for(user).units().order_by("path")  # type: ignore[attr-defined]


class ToOrderForm(StaffForm):
    unit = forms.ModelChoiceField(label=_l("责任单位"), queryset=Unit.objects.none())
    deadline = forms.DateField(label=_l("办结时限"), widget=DATE)
    title = forms.CharField(label=_l("督办事项"), max_length=200, required=False)

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (  # type: ignore[attr-defined]
            scope_for(user).units(Action.ISSUE_ORDER).order_by("path")
        )


@login_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = visits.visit_for(request.user, pk)
    manage = visits.may_manage(request.user, visit)
    items: list[tuple[VisitItem, Any, Any]] = []
    for item in visit.items.all():
        if manage and not item.handled:
            prefix = f"i{item.pk}"
            items.append(
                (
                    item,
                    ToCoordinationForm(request.user, prefix=prefix + "c"),
                    ToOrderForm(request.user, prefix=prefix + "o"),
                )
            )
        else:
            items.append((item, None, None))
    return render(
        request,
        "supervision/visit.html",
        {
            "v": visit,
            "items": items,
            "can_order": bool(scope_for(request.user).roots(Action.ISSUE_ORDER)),
        },
    )


@login_required
@require_POST
def item_convert(request: HttpRequest, pk: int, to: str) -> HttpResponse:
    """One step from a problem to a coordination request (to="coordination") or an order."""
    item = VisitItem.objects.filter(pk=pk).values_list("visit_id", flat=True).first()
    visit = visits.visit_for(request.user, item or 0)  # 404 when out of view
    prefix = f"i{pk}" + ("c" if to == "coordination" else "o")
    try:
        if to == "coordination":
            form: Any = ToCoordinationForm(request.user, request.POST, prefix=prefix)
            if not form.is_valid():
                raise GongjianError(_("请检查填写的类别、协调单位和时限。"))
            d = form.cleaned_data
            visits.item_to_coordination(
                actor=request.user,
                item_id=pk,
                category=d["category"],
                handling_unit=d["handling_unit"],
                deadline=d["deadline"],
            )
            messages.success(request, _("已转为项目的协调事项。"))
        elif to == "order":
            form = ToOrderForm(request.user, request.POST, prefix=prefix)
            if not form.is_valid():
                raise GongjianError(_("请选择责任单位并填写办结时限。"))
            d = form.cleaned_data
            order = visits.item_to_order(
                actor=request.user,
                item_id=pk,
                unit=d["unit"],
                deadline=d["deadline"],
                title=d["title"],
            )
            messages.success(request, _("已生成督办单 %(code)s。") % {"code": order.code})
        else:
            raise GongjianError(_("未知的转办方式。"))
    except GongjianError as exc:
        flash_error(request, exc)
    return redirect("supervision:visit", pk=visit.pk)


class TeamForm(StaffForm):
    name = forms.CharField(label=_l("服务小组名称"), max_length=100)
    unit = forms.ModelChoiceField(label=_l("组建单位"), queryset=Unit.objects.none())
    head = forms.ModelChoiceField(label=_l("组长"), queryset=Person.objects.none(), required=False)
    members = forms.ModelMultipleChoiceField(
        label=_l("成员"), queryset=Person.objects.none(), required=False
    )
    projects = forms.ModelMultipleChoiceField(
        label=_l("跟踪服务项目"), queryset=Person.objects.none(), required=False
    )
    enterprises = forms.CharField(
        label=_l("跟踪服务企业（每行一家）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = scope_for(user)
        people = scope.filter(Person.objects.select_related("unit"), Action.VIEW).order_by("pk")
        self.fields["unit"].queryset = scope.units(Action.ISSUE_ORDER).order_by("path")  # type: ignore[attr-defined]
        self.fields["head"].queryset = people  # type: ignore[attr-defined]
        self.fields["members"].queryset = people  # type: ignore[attr-defined]
        self.fields["projects"].queryset = visits.projects_reachable(user)  # type: ignore[attr-defined]


@login_required
def teams(request: HttpRequest) -> HttpResponse:
    """攻坚服务小组: the teams in view, their members and what they follow; the office adds one."""
    may_create = bool(scope_for(request.user).roots(Action.ISSUE_ORDER))
    form = TeamForm(request.user, request.POST or None)
    if request.method == "POST":
        if not may_create:
            flash_error(request, GongjianError(_("无权组建服务小组。")))
            return redirect("supervision:teams")
        if form.is_valid():
            d = form.cleaned_data
            try:
                visits.create_team(
                    actor=request.user,
                    name=d["name"],
                    unit=d["unit"],
                    head=d["head"],
                    members=list(d["members"]),
                    projects=list(d["projects"]),
                    enterprises=d["enterprises"],
                )
            except GongjianError as exc:
                flash_error(request, exc)
            else:
                messages.success(request, _("已组建服务小组。"))
                return redirect("supervision:teams")
    return render(
        request,
        "supervision/teams.html",
        {"teams": list(visits.teams_for(request.user)), "form": form if may_create else None},
    )
