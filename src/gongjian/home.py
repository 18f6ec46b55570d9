"""The landing page: the user's workbench (工作台), what he or she must do now."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gongjian.core.clock import today
from gongjian.dashboard.workbench import workbench
from gongjian.org.models import Role
from gongjian.org.scope import Action, scope_for

# The units listed under 可见单位: the demo's widest scope has 52; a province office sees
# thousands: they are counted, and the first of them in tree order listed.
UNITS_SHOWN = 200


@login_required
def home(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    in_scope = scope.units(Action.VIEW)
    units = list(in_scope.order_by("path")[:UNITS_SHOWN])
    top = min((u.depth for u in units), default=0)
    for u in units:
        u.rel_depth = u.depth - top  # type: ignore[attr-defined]
    roles = [Role(r).label for r in sorted(scope.roles)]
    return render(
        request,
        "home.html",
        {
            "bench": workbench(request.user, today()),
            "roles": roles,
            "units": units,
            "units_total": in_scope.count(),
        },
    )
