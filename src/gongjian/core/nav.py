"""The site's top navigation: each app adds its entries here (label, url name, who sees it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: Any
    url_name: str
    office_only: bool = False


NAV: list[NavItem] = [
    NavItem(_("首页"), "home"),
    NavItem(_("考评"), "assessment:rounds"),
]


def navigation(request: HttpRequest) -> dict[str, object]:
    user: Any = request.user
    if not getattr(user, "is_authenticated", False):
        return {"nav_items": []}
    from gongjian.org.models import Role

    is_office = user.is_superuser or Role.OFFICE_ADMIN in user.role_set
    items = [
        {
            "label": item.label,
            "url": reverse(item.url_name),
            "active": request.path == reverse(item.url_name),
        }
        for item in NAV
        if is_office or not item.office_only
    ]
    return {"nav_items": items, "is_office": is_office}
