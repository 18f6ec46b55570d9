"""Every URL the site serves refuses an anonymous visitor, except the few public pages.

Walks the URL configuration, so an endpoint added later is covered without anyone remembering.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

PUBLIC = {
    "/login/",
    "/login/sso/",  # single sign-on: 404 unless configured (tests/org/test_sso.py)
    "/login/sso/callback/",
    "/logout/",
    "/i18n/setlang/",
    "/api/docs",
    "/api/openapi.json",
    "/admin/login/",
    "/admin/logout/",
    "/api/",  # the API's root path: no endpoint, ninja answers 404 to everyone
}
PUBLIC_PREFIXES = (
    "/static/",
    "/media/",
    "/admin/",
)  # the admin has its own login redirect; tested in test_admin
PUBLIC_PATTERN = re.compile(r"^/public/")  # published bulletins for the press, if any


def _walk(patterns, prefix=""):
    for p in patterns:
        route = str(p.pattern)
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + route)
        elif isinstance(p, URLPattern):
            yield prefix + route


def _concrete(route: str) -> str:
    path = route.lstrip("^").rstrip("$")
    path = re.sub(r"<int:[^>]+>", "999999", path)
    path = re.sub(r"<(?:str:|slug:)?[^>]+>", "x", path)
    path = re.sub(r"\{[^}]+\}", "999999", path)  # django-ninja style
    path = path.replace("\\", "")
    return "/" + path.lstrip("/")


def all_paths() -> list[str]:
    return sorted({_concrete(r) for r in _walk(get_resolver().url_patterns) if "(?P" not in r})


@pytest.mark.parametrize("path", all_paths())
def test_anonymous_gets_no_data_from_any_endpoint(client, db, path):
    if path in PUBLIC or path.startswith(PUBLIC_PREFIXES) or PUBLIC_PATTERN.match(path):
        return
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        # Refused by the login check itself, before any lookup: a 404 here would mean the view
        # looked for the object first, so one that forgot login_required would still pass.
        assert response.status_code in (302, 401, 405), (method, path, response.status_code)
        if response.status_code == 302:
            assert "/login/" in response["Location"], (method, path, response["Location"])
