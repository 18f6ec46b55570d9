"""The app's notion of today: the real local date, or a fixed one.

A fixed date comes from the GONGJIAN_TODAY setting or the `fixed_today` site setting, which the
demo sets so its December 2026 world reads the same on any day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.utils import timezone

_pinned: ContextVar[dt.date | None] = ContextVar("pinned_today", default=None)


@contextmanager
def pinned(day: dt.date) -> Iterator[None]:
    """Today is `day` inside the block: the demo publishes its November rounds in early December."""
    token = _pinned.set(day)
    try:
        yield
    finally:
        _pinned.reset(token)


def today() -> dt.date:
    pinned_day = _pinned.get()
    if pinned_day is not None:
        return pinned_day
    fixed = getattr(settings, "GONGJIAN_TODAY", "") or _stored_fixed_today()
    if fixed:
        return dt.date.fromisoformat(fixed)
    return timezone.localdate()


def _stored_fixed_today() -> str:
    from gongjian.core.models import FIXED_TODAY, SiteSetting

    row = SiteSetting.objects.filter(key=FIXED_TODAY).values_list("value", flat=True).first()
    return row or ""


def now() -> dt.datetime:
    return timezone.now()
