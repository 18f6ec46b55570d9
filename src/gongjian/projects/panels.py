"""Sections other apps add to the project page (a leader's site visits, from supervision), the
way apps hand the assessment their providers: projects never imports the apps above it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict[str, Any]


PanelSource = Callable[[Any, Any], Panel | None]  # (user, project) -> a section, or None
_sources: list[PanelSource] = []


def register_panel(source: PanelSource) -> None:
    """Add a section to the project page; registering twice is a no-op."""
    if source not in _sources:
        _sources.append(source)


def panels_for(user: Any, project: Any) -> list[Panel]:
    return [p for p in (source(user, project) for source in _sources) if p is not None]
