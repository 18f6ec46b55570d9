"""Supervision fixtures: the shared `org` world with a fixed today (2026-12-01)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.utils import translation

TODAY = dt.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def fixed_today(settings: pytest.FixtureRequest) -> Iterator[dt.date]:
    settings.GONGJIAN_TODAY = TODAY.isoformat()  # type: ignore[attr-defined]
    yield TODAY


@pytest.fixture(autouse=True)
def chinese() -> Iterator[None]:
    """Messages are asserted in Chinese, whatever an earlier test in this worker activated."""
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def set_today(settings: object):  # type: ignore[no-untyped-def]
    def _set(day: dt.date) -> None:
        settings.GONGJIAN_TODAY = day.isoformat()  # type: ignore[attr-defined]

    return _set
