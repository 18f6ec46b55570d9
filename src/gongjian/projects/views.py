"""Pages of the ledger: list with filters, project detail and timeline, report form, history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gongjian.campaigns.models import Campaign, Line
from gongjian.core import clock
from gongjian.core.errors import GongjianError
from gongjian.core.http import flash_error
from gongjian.org.models import Unit
from gongjian.org.scope import Action, scope_for
from gongjian.org.selectors import resolve_unit
from gongjian.projects import selectors, services
from gongjian.projects.forms import LedgerFilterForm, ReportForm, ResolveForm
from gongjian.projects.models import AttachmentKind, CoordinationRequest
from gongjian.projects.warnings import Colour

LIST_LIMIT = 500


def _filter_choices(user: Any) -> dict[str, list[tuple[int, str]]]:
    visible = selectors.projects_for(user)
    return {
        "campaign": list(Campaign.objects.order_by("name").values_list("pk", "name")),
        "line": [
            (pk, f"{c} · {n}")
            for pk, n, c in Line.objects.select_related("campaign")
            .order_by("campaign__name", "sort_order", "pk")
            .values_list("pk", "name", "campaign__name")
        ],
        "unit": list(
            Unit.objects.filter(pk__in=visible.values("unit_id"))
            .order_by("path")
            .values_list("pk", "name")
        ),
        "leader": list(selectors.leaders_in(visible).values_list("pk", "name")),
    }


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    form = LedgerFilterForm(request.GET or None, choices=_filter_choices(request.user))
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    f = selectors.LedgerFilter(
        campaign=data.get("campaign") or None,
        line=data.get("line") or None,
        level=data.get("level") or None,
        unit=data.get("unit") or None,
        leader=data.get("leader") or None,
        colour=data.get("colour") or None,
        q=data.get("q") or "",
    )
    today = clock.today()
    rows = selectors.ledger(request.user, f, today)
    return render(
        request,
        "projects/ledger.html",
        {
            "form": form,
            "rows": rows[:LIST_LIMIT],
            "total": len(rows),
            "limit": LIST_LIMIT,
            "counts": selectors.colour_counts(rows),
            "today": today,
            "query": request.GET.urlencode(),
        },
    )


@login_required
def warnings_page(request: HttpRequest) -> HttpResponse:
    today = clock.today()
    rows = [
        r
        for r in selectors.ledger(request.user, selectors.LedgerFilter(), today)
        if r.warning.colour is not Colour.GREEN or r.warning.at_risk
    ]
    rows.sort(key=lambda r: (-r.warning.colour.severity, r.project.code))
    return render(request, "projects/warnings.html", {"rows": rows, "today": today})


def _timeline(project: Any, milestones: list[Any], today: dt.date) -> dict[str, Any]:
    """Positions (percent of the span) of each milestone's planned and actual date."""
    dates = [d for m in milestones for d in (m.planned_date, m.actual_date) if d]
    dates += [d for d in (project.planned_start, project.planned_completion, today) if d]
    if not dates:
        return {"items": [], "start": None, "end": None, "today": None}
    start, end = min(dates), max(dates)
    span = max((end - start).days, 1)

    def pos(d: dt.date | None) -> float | None:
        return None if d is None else round((d - start).days * 100 / span, 2)

    items = []
    for m in milestones:
        late = None
        if m.actual_date:
            late = (m.actual_date - m.planned_date).days
        elif today > m.planned_date:
            late = (today - m.planned_date).days
        items.append(
            {
                "m": m,
                "planned": pos(m.planned_date),
                "actual": pos(m.actual_date),
                "late": late,
                "overdue": m.actual_date is None and today > m.planned_date,
            }
        )
    return {"items": items, "start": start, "end": end, "today": pos(today)}


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        project = selectors.project_for(request.user, pk)
    except GongjianError as exc:
        flash_error(request, exc)
        return redirect("projects:ledger")
    today = clock.today()
    milestones = selectors.milestones_of(project)
    coordination = list(
        CoordinationRequest.objects.filter(project=project)
        .select_related("handling_unit", "resolved_by")
        .order_by("status", "-created_at")
    )
    scope = scope_for(request.user)
    for c in coordination:
        c.can_resolve = c.status == "open" and (  # type: ignore[attr-defined]
            scope.can(Action.EDIT_LEDGER, project.unit)
            or scope.can(Action.EDIT_LEDGER, c.handling_unit)
        )
    return render(
        request,
        "projects/detail.html",
        {
            "p": project,
            "w": selectors.warnings_for([project], today)[project.pk],
            "team": list(project.teammember_set.select_related("person").order_by("pk")),
            "timeline": _timeline(project, milestones, today),
            "reports": selectors.reports_of(project),
            "coordination": coordination,
            "can_report": scope.can(Action.REPORT_PROGRESS, project.unit),
            "today": today,
        },
    )


@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        project = selectors.project_for(request.user, pk, Action.REPORT_PROGRESS)
    except GongjianError as exc:
        flash_error(request, exc)
        return redirect("projects:ledger")
    form = ReportForm(
        request.POST or None,
        request.FILES or None,
        project=project,
        initial={"period_end": clock.today(), "percent_done": project.percent_done},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            coordination = []
            if d["coordination_category"]:
                unit = resolve_unit(d["coordination_unit"]) if d["coordination_unit"] else None
                coordination.append(
                    services.CoordinationInput(
                        d["coordination_category"], d["coordination_description"], unit
                    )
                )
            r = services.submit_report(
                actor=request.user,
                project=project,
                period_end=d["period_end"],
                percent_done=d["percent_done"],
                investment_period_wan=d["investment_period_wan"],
                milestones_reached=d["milestones_reached"],
                problems=d["problems"],
                coordination=coordination,
            )
            for field, kind in (
                ("photo", AttachmentKind.PHOTO),
                ("document", AttachmentKind.DOCUMENT),
            ):
                if d.get(field):
                    services.add_attachment(actor=request.user, report=r, kind=kind, file=d[field])
        except GongjianError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("进度已填报。"))
            return redirect("projects:detail", pk=project.pk)
    return render(request, "projects/report.html", {"p": project, "form": form})


@login_required
def resolve(request: HttpRequest, pk: int, request_id: int) -> HttpResponse:
    form = ResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            selectors.project_for(request.user, pk)
            services.resolve_coordination(
                actor=request.user,
                request_id=request_id,
                expected_version=form.cleaned_data["version"],
                resolution=form.cleaned_data["resolution"],
            )
            messages.success(request, _("协调事项已办结。"))
        except GongjianError as exc:
            flash_error(request, exc)
    else:
        messages.error(request, _("请填写解决情况。"))
    return redirect("projects:detail", pk=pk)


@login_required
def history(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        project = selectors.project_for(request.user, pk)
    except GongjianError as exc:
        flash_error(request, exc)
        return redirect("projects:ledger")
    return render(
        request,
        "projects/history.html",
        {"p": project, "changes": selectors.history_of(project)},
    )
