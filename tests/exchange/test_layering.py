"""exchange/ is format-only, at the bottom of the layers: it imports no domain app (issue 11)."""

from __future__ import annotations

import ast
from pathlib import Path

import gongjian.exchange

DOMAIN_APPS = ("org", "campaigns", "projects", "supervision", "assessment", "dashboard", "demo")


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_exchange_imports_no_domain_app():
    root = Path(gongjian.exchange.__file__).parent
    offenders = {
        f"{path.relative_to(root)}: {module}"
        for path in root.rglob("*.py")
        for module in imported_modules(path)
        if module.split(".")[:2] in (["gongjian", app] for app in DOMAIN_APPS)
    }
    assert offenders == set()
