"""Chart data of the battle map, in the user's scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router

from gongjian.core.clock import today
from gongjian.core.replica import api_reads_from_replica
from gongjian.dashboard import selectors
from gongjian.projects import following

router = Router(tags=["挂图作战"])


@router.get("/overview", summary="攻坚行动总览数据")
@api_reads_from_replica
def overview(request: HttpRequest, campaign: int, on: dt.date | None = None) -> dict[str, Any]:
    found = get_object_or_404(following.campaigns_for(request.user), pk=campaign)
    return selectors.overview(request.user, found, on or today())


@router.get("/campaigns", summary="可查看的攻坚行动")
@api_reads_from_replica
def campaigns(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "id": c.pk,
            "name": c.name,
            "owner": c.owner.name,
            "start": c.start_date,
            "end": c.end_date,
        }
        for c in following.campaigns_for(request.user).select_related("owner")
    ]
