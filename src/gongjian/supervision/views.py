"""Pages of supervision: the order board, the to-do list, an order with its trail and the step
forms, notices, inspections (phone-friendly) and the inbox. Each view parses, calls one service or
selector, renders; a refused step comes back as a message on the same page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from gongjian.core import audit, clock, paging
from gongjian.core.errors import GongjianError, NotFound, ValidationFailed
from gongjian.core.forms import StaffForm
from gongjian.core.http import flash_error
from gongjian.core.replica import reads_from_replica
from gongjian.exchange.office_xlsx import xlsx_response
from gongjian.org.models import Person, Unit
from gongjian.org.scope import Action, scope_for
from gongjian.projects.models import Project
from gongjian.supervision import inbox as inbox_services
from gongjian.supervision import inspections as inspection_services
from gongjian.supervision import lights, orders, reminders, rules, selectors, sources
from gongjian.supervision import notices as notice_services
from gongjian.supervision.flow import LEVEL_LABELS, RULES, STATE_LABELS, Level, State, Step
from gongjian.supervision.models import (
    EvidenceKind,
    ExtensionStatus,
    Hazard,
    InspectionKind,
    InstructionKind,
    IssuingLevel,
    LeaderInstruction,
    NoticeKind,
    NoticeState,
    OrderSource,
    RandomDraw,
    SupervisionOrder,
)

# Past this an id or a count overflows the database's integer inside a query: treated as absent.
_MAX_INT = 2**63 - 1


def _one_of(value: str | None, choices: list[str]) -> str | None:
    """A page's filter: a value it does not know is no filter (the API refuses it instead)."""
    return value if value in choices else None


def _int(value: str | None) -> int | None:
    try:
        number = int(value) if value else None
    except ValueError:
        return None
    return number if number is None or abs(number) <= _MAX_INT else None


@login_required
@reads_from_replica
def board(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    if state not in State.__members__.values():
        state = ""
    unit_id = _int(request.GET.get("unit"))
    overdue = request.GET.get("overdue") == "1"
    # The tiles and the by-unit table count the whole board; the list is a page of the API's
    # selector (core.paging), its sort and cursor in the URL beside the filters.
    b = selectors.board(request.user, state=state, unit_id=unit_id, overdue=overdue, limit=0)
    req = paging.parse_params(selectors.ORDER_SORTS, request.GET)
    found = selectors.orders_page(
        request.user, req, state=state or None, unit_id=unit_id, overdue=overdue
    )
    lights.annotate_lights(found.items, b.today)
    states = [(s.value, STATE_LABELS[s], b.by_state[s.value]) for s in State]
    can_issue = bool(scope_for(request.user).roots(Action.ISSUE_ORDER))
    return render(
        request,
        "supervision/board.html",
        {
            "board": b,
            "page": found,
            "pager": paging.pager(request.GET, found, selectors.ORDER_SORTS),
            "states": states,
            "state": state,
            "unit_id": unit_id,
            "overdue": overdue,
            "can_issue": can_issue,
            "query": request.GET.urlencode(),
        },
    )


@login_required
def todo(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    return render(
        request,
        "supervision/todo.html",
        {
            "todo": selectors.todo(request.user),
            "titles": TODO_TITLES,
            "can_issue": bool(scope.roots(Action.ISSUE_ORDER)),
            "can_review": bool(scope.roots(Action.REVIEW_ORDER)),
        },
    )


TODO_TITLES = {
    "to_approve": _l("待我审核下发的督办单"),
    "returned": _l("领导审核退回待修改"),
    "parts_due": _l("待提交的协办意见"),
    "revisits_due": _l("到期待回访"),
    "to_handle": _l("待办理的督办单"),
    "to_review": _l("待审核的反馈"),
    "extensions": _l("待审批的延期申请"),
}


@login_required
def todo_section(request: HttpRequest, section: str) -> HttpResponse:
    """One section of the to-do list, paged and sorted like every list (core.paging)."""
    if section not in selectors.TODO_SORTS:
        raise NotFound(_("没有这一类待办。"))
    sorts = selectors.TODO_SORTS[section]
    found = selectors.todo_page(request.user, section, paging.parse_params(sorts, request.GET))
    today = clock.today()
    if section not in selectors.OF_AN_ORDER:
        lights.annotate_lights(found.items, today)
    return render(
        request,
        "supervision/todo_section.html",
        {
            "section": section,
            "title": TODO_TITLES[section],
            "page": found,
            "pager": paging.pager(request.GET, found, sorts),
            "today": today,
        },
    )


STEP_FORMS = {
    Step.APPROVE: "approve",
    Step.RETURN_DRAFT: "return",
    Step.RESUBMIT: "resubmit",
    Step.ACKNOWLEDGE: "note",
    Step.START: "note",
    Step.FEEDBACK: "feedback",
    Step.CLOSE: "note",
    Step.SEND_BACK: "reason",
    Step.REQUEST_EXTENSION: "extension",
    Step.DECIDE_EXTENSION: "decide",
    Step.REMIND: "remind",
    Step.CO_ACKNOWLEDGE: "note",
    Step.CO_PART: "part",
    Step.ASSIGN_REVIEWER: "reviewer",
    Step.REVISIT: "revisit",
}


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.order_detail(request.user, pk)
    steps = rules.allowed_steps(request.user, order)

    return render(
        request,
        "supervision/detail.html",
        {
            "order": order,
            "today": clock.today(),
            "overdue": order.is_overdue,
            "light": lights.order_light(order, clock.today()),
            "steps": [(s.value, RULES[s].label, STEP_FORMS[s]) for s in steps],
            "pending_extension": next(
                (e for e in order.extensions.all() if e.status == ExtensionStatus.PENDING), None
            ),
            "evidence_kinds": EvidenceKind.choices,
            "missing_parts": rules.missing_parts(order),
            "reviewers": selectors.reviewer_candidates(order)
            if Step.ASSIGN_REVIEWER in steps
            else [],
        },
    )


def _date(value: str | None, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        raise ValidationFailed(_("请填写正确的日期（年-月-日）。"), field=field) from None


@login_required
@require_POST
def step(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """One form per step; the hidden `version` is the version the page showed."""
    back = redirect("supervision:detail", pk=pk)
    try:
        order = selectors.order_detail(request.user, pk)
        version = _int(request.POST.get("version"))
        if version is None:
            raise ValidationFailed(_("缺少版本号，请刷新页面后重试。"), field="version")
        user, post = request.user, request.POST
        note = post.get("note", "")
        if name == Step.APPROVE:
            new = post.get("deadline")
            orders.approve(
                actor=user,
                order=order,
                note=note,
                deadline=_date(new, "deadline") if new else None,
                expected_version=version,
            )
        elif name == Step.RETURN_DRAFT:
            orders.return_draft(actor=user, order=order, note=note, expected_version=version)
        elif name == Step.RESUBMIT:
            new = post.get("deadline")
            orders.resubmit(
                actor=user,
                order=order,
                title=post.get("title", ""),
                content=post.get("content", ""),
                deadline=_date(new, "deadline") if new else None,
                note=note,
                expected_version=version,
            )
        elif name == Step.ASSIGN_REVIEWER:
            candidates = {u.pk: u for u in selectors.reviewer_candidates(order)}
            reviewer = candidates.get(_int(post.get("reviewer")) or 0)
            if reviewer is None:
                raise ValidationFailed(_("请选择复核人。"), field="reviewer")
            orders.assign_reviewer(
                actor=user, order=order, reviewer=reviewer, expected_version=version
            )
        elif name == Step.REVISIT:
            new = post.get("new_deadline")
            orders.revisit(
                actor=user,
                order=order,
                held=post.get("held") == "1",
                note=note,
                new_deadline=_date(new, "new_deadline") if new else None,
                expected_version=version,
            )
        elif name == Step.CO_ACKNOWLEDGE:
            orders.co_acknowledge(actor=user, order=order, expected_version=version, note=note)
        elif name == Step.CO_PART:
            orders.give_part(actor=user, order=order, text=note, expected_version=version)
        elif name == Step.ACKNOWLEDGE:
            orders.acknowledge(actor=user, order=order, expected_version=version, note=note)
        elif name == Step.START:
            orders.start(actor=user, order=order, expected_version=version, note=note)
        elif name == Step.FEEDBACK:
            kind = post.get("kind", EvidenceKind.PHOTO)
            files = [
                orders.EvidenceFile(f, kind=kind, caption=f.name or "")
                for f in request.FILES.getlist("files")
            ]
            explanations = {
                c.unit_id: post.get(f"explain_{c.unit_id}", "") for c in rules.missing_parts(order)
            }
            orders.feedback(
                actor=user,
                order=order,
                text=note,
                files=files,
                expected_version=version,
                explanations=explanations,
            )
        elif name == Step.CLOSE:
            orders.close(actor=user, order=order, note=note, expected_version=version)
        elif name == Step.SEND_BACK:
            orders.send_back(actor=user, order=order, reason=note, expected_version=version)
        elif name == Step.REQUEST_EXTENSION:
            orders.request_extension(
                actor=user,
                order=order,
                reason=note,
                new_deadline=_date(post.get("new_deadline"), "new_deadline"),
                expected_version=version,
            )
        elif name == Step.DECIDE_EXTENSION:
            orders.decide_extension(
                actor=user,
                order=order,
                approve=post.get("approve") == "1",
                note=note,
                expected_version=version,
            )
        elif name == Step.REMIND:
            reminders.remind(actor=user, order=order, text=note)
        else:
            raise NotFound(_("未知的操作。"))
    except GongjianError as exc:
        flash_error(request, exc)
        return back
    messages.success(request, _("已提交。"))
    return back


class IssueForm(StaffForm):
    unit = forms.ModelChoiceField(label=_l("责任单位"), queryset=Unit.objects.none())
    project = forms.ModelChoiceField(
        label=_l("涉及项目"), queryset=Project.objects.none(), required=False
    )
    title = forms.CharField(label=_l("督办事项"), max_length=200)
    content = forms.CharField(label=_l("督办内容"), widget=forms.Textarea(attrs={"rows": 4}))
    required_evidence = forms.CharField(
        label=_l("办结要求（需提供的佐证）"), required=False, max_length=500
    )
    deadline = forms.DateField(
        label=_l("办结时限"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    level = forms.ChoiceField(
        label=_l("督查单颜色"), choices=[(lv.value, LEVEL_LABELS[lv]) for lv in Level]
    )
    source = forms.ChoiceField(
        label=_l("督办来源"),
        choices=[(s.value, s.label) for s in OrderSource if s in sources.MANUAL_SOURCES],
        required=False,
        initial=OrderSource.MANUAL,
    )
    source_ref = forms.CharField(
        label=_l("来源文号或编号（上级交办文号、12345工单号、会议纪要编号）"),
        required=False,
        max_length=100,
    )
    instruction = forms.ModelChoiceField(
        label=_l("领导批示（来源为领导批示时）"),
        queryset=LeaderInstruction.objects.none(),
        required=False,
    )
    cooperators = forms.ModelMultipleChoiceField(
        label=_l("协办单位（可多选）"), queryset=Unit.objects.none(), required=False
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = scope_for(user)
        self.fields["instruction"].queryset = (  # type: ignore[attr-defined]
            sources.instructions_for(user).exclude(kind=InstructionKind.REFERENCE)
        )
        units = scope.units(Action.ISSUE_ORDER).order_by("path")
        if user.unit is not None:
            units = units.exclude(pk__in=user.unit.ancestor_ids())
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["cooperators"].queryset = units  # type: ignore[attr-defined]
        self.fields["project"].queryset = scope.filter(  # type: ignore[attr-defined]
            Project.objects.select_related("unit"), Action.ISSUE_ORDER, via="unit"
        )


@login_required
def issue(request: HttpRequest) -> HttpResponse:
    form = IssueForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            order = orders.issue_order(
                actor=request.user,
                unit=d["unit"],
                project=d["project"],
                title=d["title"],
                content=d["content"],
                required_evidence=d["required_evidence"],
                deadline=d["deadline"],
                level=d["level"],
                source=d["source"] or OrderSource.MANUAL,
                source_ref=d["source_ref"],
                instruction=d["instruction"],
                cooperators=list(d["cooperators"]),
            )
        except GongjianError as exc:
            flash_error(request, exc)
        else:
            if order.state == State.PENDING_APPROVAL:
                messages.success(request, _("%(code)s 已提交分管领导审核。") % {"code": order.code})
            else:
                messages.success(request, _("已交办 %(code)s。") % {"code": order.code})
            return redirect("supervision:detail", pk=order.pk)
    return render(request, "supervision/issue.html", {"form": form})


class NoticeForm(StaffForm):
    kind = forms.ChoiceField(label=_l("类型"), choices=NoticeKind.choices)
    unit = forms.ModelChoiceField(label=_l("被通报单位"), queryset=Unit.objects.none())
    person_name = forms.CharField(label=_l("被通报个人（可空）"), required=False, max_length=50)
    title = forms.CharField(label=_l("标题"), max_length=200)
    reason = forms.CharField(label=_l("事由"), widget=forms.Textarea(attrs={"rows": 3}))
    doc_number = forms.CharField(
        label=_l("发文字号（可空）"),
        required=False,
        max_length=60,
        help_text=_l("如 长攻坚办〔2026〕15号；考评按文号认定同一通报，只计一次"),
    )
    issuing_level = forms.ChoiceField(
        label=_l("发文层级"),
        required=False,
        choices=[("", _l("按本办层级")), *IssuingLevel.choices],
    )
    orders = forms.ModelMultipleChoiceField(
        label=_l("相关督办单"), queryset=SupervisionOrder.objects.none(), required=False
    )
    publish = forms.BooleanField(label=_l("立即发布"), required=False)

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = scope_for(user)
        units = scope.units(Action.MANAGE_CAMPAIGN).order_by("path")
        if user.unit is not None:
            units = units.exclude(pk__in=user.unit.ancestor_ids())
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["orders"].queryset = selectors.orders_for(user)  # type: ignore[attr-defined]


@login_required
def notices(request: HttpRequest) -> HttpResponse:
    can_issue = bool(scope_for(request.user).roots(Action.MANAGE_CAMPAIGN))
    form = NoticeForm(request.user, request.POST or None) if can_issue else None
    if request.method == "POST" and form is not None and form.is_valid():
        d = form.cleaned_data
        try:
            notice_services.create_notice(
                actor=request.user,
                kind=d["kind"],
                unit=d["unit"],
                person_name=d["person_name"],
                title=d["title"],
                reason=d["reason"],
                orders=d["orders"],
                publish=d["publish"],
                doc_number=d["doc_number"],
                issuing_level=d["issuing_level"] or None,
            )
        except GongjianError as exc:
            flash_error(request, exc)
        else:
            messages.success(request, _("通报已保存。"))
            return redirect("supervision:notices")
    kind = _one_of(request.GET.get("kind"), NoticeKind.values)
    state = _one_of(request.GET.get("state"), NoticeState.values)
    req = paging.parse_params(selectors.NOTICE_SORTS, request.GET)
    found = selectors.notices_page(request.user, req, kind=kind, state=state)
    return render(
        request,
        "supervision/notices.html",
        {
            "notices": found.items,
            "page": found,
            "pager": paging.pager(request.GET, found, selectors.NOTICE_SORTS),
            "kinds": NoticeKind.choices,
            "states": NoticeState.choices,
            "kind": kind or "",
            "state": state or "",
            "form": form,
        },
    )


class NoticeEditForm(StaffForm):
    title = forms.CharField(label=_l("标题"), max_length=200)
    person_name = forms.CharField(label=_l("被通报个人（可空）"), required=False, max_length=50)
    reason = forms.CharField(label=_l("事由"), widget=forms.Textarea(attrs={"rows": 3}))
    doc_number = NoticeForm.base_fields["doc_number"]
    issuing_level = forms.ChoiceField(label=_l("发文层级"), choices=IssuingLevel.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)


@login_required
def edit_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """修改通报草稿: the same rules as drafting (`notices.update_notice`)."""
    notice = selectors.notices_for(request.user).filter(pk=pk).first()
    if notice is None:
        raise NotFound(_("通报不存在，或不在您的查看范围内。"))
    initial = {
        "title": notice.title, "person_name": notice.person_name, "reason": notice.reason,
        "doc_number": notice.doc_number, "issuing_level": notice.issuing_level,
        "version": notice.version,
    }  # fmt: skip
    form = NoticeEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            notice_services.update_notice(
                actor=request.user,
                notice=notice,
                expected_version=d["version"],
                title=d["title"],
                reason=d["reason"],
                person_name=d["person_name"],
                doc_number=d["doc_number"],
                issuing_level=d["issuing_level"],
            )
        except GongjianError as exc:
            flash_error(request, exc)
        else:
            messages.success(request, _("通报已修改。"))
            return redirect("supervision:notices")
    return render(request, "supervision/notice_edit.html", {"form": form, "notice": notice})


@login_required
@require_POST
def publish_notice(request: HttpRequest, pk: int) -> HttpResponse:
    notice = selectors.notices_for(request.user).filter(pk=pk).first()
    try:
        if notice is None:
            raise NotFound(_("通报不存在，或不在您的查看范围内。"))
        notice_services.publish_notice(
            actor=request.user, notice=notice, expected_version=_int(request.POST.get("version"))
        )
    except GongjianError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("通报已发布。"))
    return redirect("supervision:notices")


class InspectionForm(StaffForm):
    kind = forms.ChoiceField(label=_l("类型"), choices=InspectionKind.choices)
    project = forms.ModelChoiceField(
        label=_l("被检查项目"), queryset=Project.objects.none(), required=False
    )
    unit = forms.ModelChoiceField(
        label=_l("或被检查单位"), queryset=Unit.objects.none(), required=False
    )
    team = forms.CharField(label=_l("督查组"), max_length=200)
    inspected_on = forms.DateField(
        label=_l("检查日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    findings = forms.CharField(label=_l("检查发现"), widget=forms.Textarea(attrs={"rows": 3}))
    hazard = forms.CharField(
        label=_l("安全隐患（可空）"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    rectify_by = forms.DateField(
        label=_l("整改时限"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = scope_for(user)
        self.fields["project"].queryset = scope.filter(  # type: ignore[attr-defined]
            Project.objects.all(), Action.INSPECT, via="unit"
        )
        self.fields["unit"].queryset = scope.units(Action.INSPECT).order_by("path")  # type: ignore[attr-defined]
        self.initial.setdefault("inspected_on", clock.today())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("hazard") and not data.get("rectify_by"):
            self.add_error("rectify_by", _("有安全隐患时须填写整改时限。"))
        return data


@login_required
def inspections(request: HttpRequest) -> HttpResponse:
    can_inspect = bool(scope_for(request.user).roots(Action.INSPECT))
    form = InspectionForm(request.user, request.POST or None) if can_inspect else None
    if request.method == "POST" and form is not None and form.is_valid():
        d = form.cleaned_data
        hazards = (
            [inspection_services.HazardIn(d["hazard"], d["rectify_by"])] if d["hazard"] else []
        )
        try:
            inspection_services.record_inspection(
                actor=request.user,
                kind=d["kind"],
                project=d["project"],
                unit=d["unit"],
                team=d["team"],
                inspected_on=d["inspected_on"],
                findings=d["findings"],
                hazards=hazards,
            )
        except GongjianError as exc:
            flash_error(request, exc)
        else:
            messages.success(request, _("督查记录已保存。"))
            return redirect("supervision:inspections")
    kind = _one_of(request.GET.get("kind"), InspectionKind.values)
    req = paging.parse_params(selectors.INSPECTION_SORTS, request.GET)
    found = selectors.inspections_page(request.user, req, kind=kind)
    rows = found.items
    return render(
        request,
        "supervision/inspections.html",
        {
            "inspections": rows,
            "page": found,
            "pager": paging.pager(request.GET, found, selectors.INSPECTION_SORTS),
            "kinds": InspectionKind.choices,
            "kind": kind or "",
            "rectifiable": {
                h.pk for i in rows for h in i.hazards.all() if rules.may_rectify(request.user, h)
            },
            "draws": list(selectors.draws_for(request.user)[:20]),
            "form": form,
            "can_inspect": can_inspect,
            "draw_units": scope_for(request.user).units(Action.INSPECT).order_by("path")
            if can_inspect
            else [],
            "today": clock.today(),
        },
    )


@login_required
@require_POST
def rectify(request: HttpRequest, pk: int) -> HttpResponse:
    hazard = (
        scope_for(request.user)
        .filter(Hazard.objects.all(), Action.VIEW, via="inspection__unit")
        .filter(pk=pk)
        .first()
    )
    try:
        if hazard is None:
            raise NotFound(_("隐患不存在，或不在您的查看范围内。"))
        inspection_services.rectify_hazard(
            actor=request.user,
            hazard=hazard,
            note=request.POST.get("note", ""),
            expected_version=_int(request.POST.get("version")),
        )
    except GongjianError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("已记录整改。"))
    return redirect("supervision:inspections")


@login_required
@require_POST
def draw(request: HttpRequest) -> HttpResponse:
    try:
        unit_id = _int(request.POST.get("scope_unit"))
        unit = scope_for(request.user).units(Action.INSPECT).filter(pk=unit_id or 0).first()
        if unit is None:
            raise ValidationFailed(_("请选择抽查范围。"), field="scope_unit")
        row: RandomDraw = inspection_services.draw_random_check(
            actor=request.user,
            scope_unit=unit,
            count=_int(request.POST.get("count")) or 0,
            seed=request.POST.get("seed") or None,
            level=request.POST.get("level", ""),
        )
    except GongjianError as exc:
        flash_error(request, exc)
    else:
        names = dict(Project.objects.filter(pk__in=row.picked_ids).values_list("pk", "name"))
        messages.success(
            request,
            _("抽签完成，抽中：%(names)s") % {"names": "、".join(names[i] for i in row.picked_ids)},
        )
    return redirect("supervision:inspections")


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    unread = request.GET.get("unread") == "1"
    req = paging.parse_params(selectors.MESSAGE_SORTS, request.GET)
    found = selectors.messages_page(request.user, req, unread=unread)
    return render(
        request,
        "supervision/inbox.html",
        {
            "inbox": found.items,
            "page": found,
            "pager": paging.pager(request.GET, found, selectors.MESSAGE_SORTS),
            "unread": unread,
        },
    )


@login_required
@require_POST
def inbox_read(request: HttpRequest) -> HttpResponse:
    inbox_services.mark_all_read(actor=request.user)
    return redirect(reverse("supervision:inbox"))


@login_required
def export_orders(request: HttpRequest) -> HttpResponseBase:
    from gongjian.supervision.export_file import orders_workbook

    today = clock.today()
    orders = selectors.board_orders(
        request.user,
        state=request.GET.get("state", ""),
        unit_id=_int(request.GET.get("unit")),
        overdue=request.GET.get("overdue") == "1",
        today=today,
    )
    file = orders_workbook(orders, today)
    audit.record(audit.EventKind.EXPORT, request=request, target="督办单.xlsx")
    return xlsx_response(file, "督办单.xlsx")


@login_required
def export_notices(request: HttpRequest) -> HttpResponseBase:
    from gongjian.supervision.export_file import notices_workbook

    audit.record(audit.EventKind.EXPORT, request=request, target="通报.xlsx")
    return xlsx_response(notices_workbook(list(selectors.notices_for(request.user))), "通报.xlsx")


class InstructionForm(forms.Form):
    leader = forms.ModelChoiceField(label=_l("批示领导"), queryset=Person.objects.none())
    given_on = forms.DateField(
        label=_l("批示日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    kind = forms.ChoiceField(label=_l("批示类别"), choices=InstructionKind.choices)
    document_ref = forms.CharField(label=_l("批示件编号"), required=False, max_length=100)
    text = forms.CharField(label=_l("批示内容"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = sources.leaders_for(user)  # type: ignore[attr-defined]


@login_required
def instructions(request: HttpRequest) -> HttpResponse:
    """领导批示登记: the register with what became of each instruction, and the form to add one."""
    may_record = bool(scope_for(request.user).roots(Action.ISSUE_ORDER))
    form = InstructionForm(request.user, request.POST or None)
    if request.method == "POST":
        if not may_record:
            flash_error(request, GongjianError(_("无权登记领导批示。")))
            return redirect("supervision:instructions")
        if form.is_valid():
            d = form.cleaned_data
            try:
                sources.record_instruction(actor=request.user, **d)
            except GongjianError as exc:
                flash_error(request, exc)
            else:
                messages.success(request, _("已登记领导批示。"))
                return redirect("supervision:instructions")
    rows = [(i, sources.outcome(i)) for i in sources.instructions_for(request.user)[:500]]
    return render(
        request,
        "supervision/instructions.html",
        {"rows": rows, "form": form if may_record else None},
    )
