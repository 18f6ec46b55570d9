"""The site's top navigation: each app adds its entries here (label, url name, who sees it).

It sits above the apps (it names their pages and asks org who is the office), not in core.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongjian.org.scope import is_office


@dataclass(frozen=True)
class NavItem:
    label: Any
    url_name: str
    # Roles that see the entry (None: everyone signed in); the office always does.
    roles: frozenset[str] | None = None


NAV: list[NavItem] = [
    NavItem(_("首页"), "home"),
    NavItem(_("挂图作战"), "dashboard:overview"),
    NavItem(_("项目台账"), "projects:ledger"),
    NavItem(_("预警"), "projects:warnings"),
    NavItem(_("督办"), "supervision:board"),
    NavItem(_("督查"), "supervision:inspections"),
    NavItem(_("通报"), "supervision:notices"),
    NavItem(_("考评"), "assessment:rounds"),
    NavItem(_("排行榜"), "dashboard:ranking"),
    NavItem(_("每日会商"), "dashboard:briefing"),
    NavItem(_("领导视图"), "dashboard:leader", roles=frozenset({"leader"})),
    NavItem(_("消息"), "supervision:inbox"),
]


def navigation(request: HttpRequest) -> dict[str, object]:
    user: Any = request.user
    if not getattr(user, "is_authenticated", False):
        return {"nav_items": []}
    office = is_office(user)
    items = [
        {
            "label": item.label,
            "url": reverse(item.url_name),
            "active": request.path == reverse(item.url_name),
        }
        for item in NAV
        if office or item.roles is None or item.roles & user.role_set
    ]
    return {"nav_items": items, "is_office": office}
