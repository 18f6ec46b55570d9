"""Who did what: every service write records its actor and reason in the model's history."""

from __future__ import annotations

from typing import Any


def record(instance: Any, *, actor: Any, reason: str) -> None:
    """Attach actor and reason so the next save's historical row carries them."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        instance._history_user = actor
    instance._change_reason = reason
