"""Layers without cycles: core imports no domain app, and org does not import campaigns."""

from __future__ import annotations

import ast
from pathlib import Path

import gongjian

PACKAGE = Path(gongjian.__file__).parent
DOMAIN = (
    "org",
    "campaigns",
    "projects",
    "supervision",
    "assessment",
    "dashboard",
    "exchange",
    "demo",
)


def _imports(folder: str) -> set[tuple[str, str]]:
    found = set()
    for path in (PACKAGE / folder).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            found.update((str(path.relative_to(PACKAGE)), n) for n in names)
    return found


def test_core_imports_no_domain_app():
    bad = {
        (f, n) for f, n in _imports("core") if n.startswith(tuple(f"gongjian.{d}" for d in DOMAIN))
    }
    assert bad == set()


def test_org_does_not_import_campaigns():
    assert {(f, n) for f, n in _imports("org") if n.startswith("gongjian.campaigns")} == set()
