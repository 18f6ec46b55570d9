"""The ledger sits below the battle map: it owns the snapshot it refreshes and never imports the
dashboard, which reads the ledger's tables (no cycle projects ↔ dashboard)."""

import ast
from pathlib import Path

import gongjian.projects

PROJECTS = Path(gongjian.projects.__file__).parent


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_no_module_of_the_projects_app_imports_the_dashboard():
    offenders = {
        str(path.relative_to(PROJECTS)): sorted(
            m for m in imported_modules(path) if m.startswith("gongjian.dashboard")
        )
        for path in PROJECTS.rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}
