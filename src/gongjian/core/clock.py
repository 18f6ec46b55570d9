"""The app's notion of today: the real local date, or a fixed one.

A fixed date comes from the GONGJIAN_TODAY setting or the `fixed_today` site setting, which the
demo sets so its December 2026 world reads the same on any day. The stored setting is read once
a request (`PerRequestToday`), not once a call: a page asks for today dozens of times.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

# The demo's day (`gongjian demo` stores it as `fixed_today`): the month of the seeds' results.
# The demo's loaders (org, ledger, supervision, assessment) all date their world from it.
DEMO_DAY = dt.date(2026, 12, 31)

_pinned: ContextVar[dt.date | None] = ContextVar("pinned_today", default=None)
# The stored `fixed_today` as read in this request; None outside a request (read on each call).
_stored: ContextVar[dict[str, str] | None] = ContextVar("stored_today", default=None)


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
    cache = _stored.get()
    if cache is not None and "value" in cache:
        return cache["value"]
    from gongjian.core.models import FIXED_TODAY, SiteSetting

    row = SiteSetting.objects.filter(key=FIXED_TODAY).values_list("value", flat=True).first()
    if cache is not None:
        cache["value"] = row or ""
    return row or ""


def forget() -> None:
    """The stored setting changed: the rest of this request reads it again."""
    cache = _stored.get()
    if cache is not None:
        cache.clear()


class PerRequestToday:
    """Middleware: each request reads the stored `fixed_today` at most once."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _stored.set({})
        try:
            response: HttpResponse = self.get_response(request)
        finally:
            _stored.reset(token)
        return response


def now() -> dt.datetime:
    return timezone.now()
