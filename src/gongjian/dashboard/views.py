"""Battle-map pages: overview, drill-down list, unit view, leader view, daily briefing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjian.core.clock import today
from gongjian.core.errors import NotFound, ValidationFailed
from gongjian.core.replica import reads_from_replica
from gongjian.dashboard import selectors
from gongjian.dashboard.briefing_docx import briefing_docx
from gongjian.org.models import Unit
from gongjian.projects import following
from gongjian.projects.gantt import gantt_rows
from gongjian.supervision import selectors as supervision_selectors
from gongjian.supervision import visits


def _on(request: HttpRequest) -> dt.date:
    raw = request.GET.get("on") or request.POST.get("on")
    try:
        return dt.date.fromisoformat(raw) if raw else today()
    except ValueError as exc:
        raise ValidationFailed(_("日期格式应为 YYYY-MM-DD。"), field="on") from exc


def _campaign(request: HttpRequest) -> Any:
    """The campaign asked for (?campaign=), else the one the user follows (`following`)."""
    campaigns = list(following.campaigns_for(request.user).select_related("owner"))
    wanted = request.GET.get("campaign", "")
    if wanted:
        found = next((c for c in campaigns if str(c.pk) == wanted), None)
        if found is None:
            raise NotFound(_("攻坚行动不存在，或不在您的查看范围内。"))
        return found, campaigns
    return following.default_campaign(request.user, campaigns), campaigns


@login_required
@require_POST
def choose_campaign(request: HttpRequest) -> HttpResponse:
    """The campaign picker: remember the choice for this user, then show its battle map."""
    raw = request.POST.get("campaign", "")
    if not raw.isdigit():
        raise ValidationFailed(_("请选择攻坚行动。"), field="campaign")
    campaign = following.choose_campaign(actor=request.user, campaign_id=int(raw))
    query = {"campaign": campaign.pk}
    if request.POST.get("on"):
        query["on"] = _on(request).isoformat()  # type: ignore[assignment]
    return redirect(f"{reverse('dashboard:overview')}?{urlencode(query)}")


@login_required
@reads_from_replica
def overview(request: HttpRequest) -> HttpResponse:
    campaign, campaigns = _campaign(request)
    on = _on(request)
    data = selectors.overview(request.user, campaign, on) if campaign else None
    template = "dashboard/screen.html" if request.GET.get("screen") else "dashboard/overview.html"
    return render(
        request,
        template,
        {
            "campaign": campaign,
            "campaigns": campaigns,
            "on": on,
            "data": data,
        },
    )


@login_required
@reads_from_replica
def projects(request: HttpRequest) -> HttpResponse:
    campaign, _campaigns = _campaign(request)
    on = _on(request)
    unit = None
    if request.GET.get("unit"):
        unit = get_object_or_404(Unit, pk=request.GET["unit"])
    line_id = int(request.GET["line"]) if request.GET.get("line", "").isdigit() else None
    rows = selectors.drill_projects(
        request.user,
        on,
        campaign=campaign if request.GET.get("campaign") else None,
        colour=request.GET.get("colour") or None,
        unit=unit,
        line_id=line_id,
        at_risk=bool(request.GET.get("at_risk")),
    )
    return render(
        request,
        "dashboard/projects.html",
        {
            "rows": rows,
            "on": on,
            "campaign": campaign,
            "unit": unit,
            "colour": request.GET.get("colour"),
        },
    )


@login_required
@reads_from_replica
def unit_view(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = get_object_or_404(Unit, pk=unit_id)
    on = _on(request)
    data = selectors.unit_projects(request.user, unit, on)
    gantt = gantt_rows(data["milestones"], on)
    return render(
        request,
        "dashboard/unit.html",
        {"unit": unit, "on": on, **data, "gantt": gantt},
    )


@login_required
@reads_from_replica
def leader(request: HttpRequest) -> HttpResponse:
    on = _on(request)
    return render(
        request,
        "dashboard/leader.html",
        {
            "rows": selectors.leader_projects(request.user, on),
            "orders": supervision_selectors.leader_orders(request.user),
            "links": visits.leader_link_visits(request.user, on),
            "visits": visits.own_visits(request.user)[:10],
            "on": on,
        },
    )


@login_required
def briefing(request: HttpRequest) -> HttpResponse:
    data = selectors.briefing(request.user, _on(request))
    if request.GET.get("format") == "docx":
        response = HttpResponse(
            briefing_docx(data, viewer=str(request.user), unit=getattr(request.user, "unit", None)),
            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="briefing-{data["on"]:%Y%m%d}.docx"'
        )
        return response
    return render(request, "dashboard/briefing.html", data)


@login_required
@reads_from_replica
def ranking(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("round", "")
    data = selectors.ranking_board(request.user, int(raw) if raw.isdigit() else None)
    return render(request, "dashboard/ranking.html", data)
