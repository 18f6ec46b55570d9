"""Issue 12.4: every response carries a Content-Security-Policy that forbids inline script, and no
template holds inline script or an on* handler (which that policy would block, or which a later
relaxation of it would let a user's string run through)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import gongjian
from tests.core.test_every_endpoint import all_paths
from tests.factories import PASSWORD

PACKAGE = Path(gongjian.__file__).parent
TEMPLATES = sorted(p for p in PACKAGE.rglob("*.html") if "templates" in p.parts)
# A <script> element's opening tag and its body; the body must be empty (src=) or JSON data.
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
# An event-handler attribute inside a tag (onclick=, onchange=, onerror=, ...).
HANDLER = re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", re.IGNORECASE | re.DOTALL)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def _directives(header: str) -> dict[str, list[str]]:
    parts = (d.strip().split() for d in header.split(";") if d.strip())
    return {p[0]: p[1:] for p in parts}


def _inline_scripts(html: str) -> list[str]:
    return [
        m.group(0)[:120]
        for m in SCRIPT.finditer(html)
        if "src=" not in m.group(1).lower()
        and "application/json" not in m.group(1).lower()
        and m.group(2).strip()
    ]


def test_the_template_search_finds_the_shared_and_app_templates():
    names = {p.relative_to(PACKAGE).as_posix() for p in TEMPLATES}
    assert "templates/base.html" in names
    assert "dashboard/templates/dashboard/unit.html" in names


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_no_template_holds_inline_script_or_event_handlers(path):
    text = path.read_text(encoding="utf-8")
    assert _inline_scripts(text) == []
    assert HANDLER.findall(text) == []
    assert JAVASCRIPT_URL.findall(text) == []


def test_the_template_checks_catch_what_they_are_for():
    assert _inline_scripts("<script>alert(1)</script>") == ["<script>alert(1)</script>"]
    assert _inline_scripts('<script src="/static/js/page.js"></script>') == []
    assert _inline_scripts('<script id="d" type="application/json">{"a": 1}</script>') == []
    assert HANDLER.findall('<select name="x" onchange="this.form.submit()">')
    assert HANDLER.findall('<a\n  href="#" onClick="go()">')
    assert not HANDLER.findall('<div data-online="1" class="x">')
    assert JAVASCRIPT_URL.findall('<a href="javascript:alert(1)">')


def test_policy_allows_script_only_from_our_own_origin(client, db):
    header = client.get("/login/")["Content-Security-Policy"]
    directives = _directives(header)
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    # Inline style stays for ECharts' HTML tooltips; never for script, never eval.
    assert "'unsafe-inline'" not in directives.get("script-src", [])
    assert "'unsafe-eval'" not in header


@pytest.mark.parametrize("path", all_paths())
def test_every_response_carries_the_policy(client, org, path):
    client.login(username="office", password=PASSWORD)
    response = client.get(path)
    assert "script-src 'self'" in response["Content-Security-Policy"], (path, response.status_code)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/login/",
        "/api/docs",
        "/ledger/",
        "/ledger/new/",
        "/ledger/warnings/",
        "/assessment/",
        "/dashboard/",
        "/dashboard/?screen=1",
        "/dashboard/leader/",
        "/dashboard/briefing/",
        "/dashboard/ranking/",
        "/supervision/",
        "/supervision/todo/",
        "/supervision/orders/new/",
        "/supervision/notices/",
        "/supervision/inspections/",
        "/supervision/inbox/",
    ],
)
def test_rendered_pages_hold_no_inline_script(client, org, path):
    client.login(username="office", password=PASSWORD)
    response = client.get(path, follow=True)
    assert response.status_code == 200, path
    assert "Content-Security-Policy" in response
    assert _inline_scripts(response.content.decode()) == []
