"""China's working days: the one calendar every deadline, reminder and lateness rule counts on.

A day is a working day by, in this order: the office's own table (`WorkingDayOverride`, edited
in the admin: a local holiday, a make-up day, or a year the library does not know yet), then
`chinesecalendar` (the State Council's holidays and make-up working days 调休, updated each year
after its notice), then, for a year the library does not know, Monday to Friday. The admin says
which years fall back to the table and weekends (`years_without_official_calendar`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import chinese_calendar
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class WorkingDayOverride(models.Model):
    """One day the office declares a working day or a day off, whatever the library says."""

    day = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(
        _("是否工作日"), help_text=_("勾选：上班（如调休补班）；不勾选：放假（如地方节假日）。")
    )
    name = models.CharField(
        _("名称"), max_length=60, blank=True, help_text=_("如：国庆节、调休补班")
    )
    note = models.CharField(
        _("依据"), max_length=200, blank=True, help_text=_("如：国办发明电〔2026〕1号")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["day"]
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")

    def __str__(self) -> str:
        kind = _("上班") if self.is_working_day else _("放假")
        return f"{self.day:%Y-%m-%d} {kind} {self.name}".strip()


def official_calendar_knows(year: int) -> bool:
    """Whether chinesecalendar carries the State Council's arrangement for `year`."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def years_without_official_calendar(years: Iterable[int]) -> list[int]:
    return sorted(year for year in set(years) if not official_calendar_knows(year))


# Inside `batch()`, the office's table (a few dozen rows) is read once, on first use.
_batch: ContextVar[dict[str, dict[dt.date, bool]] | None] = ContextVar(
    "working_day_overrides", default=None
)


@contextmanager
def batch() -> Iterator[None]:
    """Read the office's table once for everything inside the block: a list that lights 500
    orders asks 500 times and must not issue a query each time."""
    token = _batch.set({})
    try:
        yield
    finally:
        _batch.reset(token)


def _overrides(first: dt.date, last: dt.date) -> dict[dt.date, bool]:
    memo = _batch.get()
    if memo is not None:
        if "all" not in memo:
            memo["all"] = dict(WorkingDayOverride.objects.values_list("day", "is_working_day"))
        return {day: w for day, w in memo["all"].items() if first <= day <= last}
    return dict(
        WorkingDayOverride.objects.filter(day__range=(first, last)).values_list(
            "day", "is_working_day"
        )
    )


def _by_rule(day: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def is_working_day(day: dt.date) -> bool:
    overridden = _overrides(day, day).get(day)
    return _by_rule(day) if overridden is None else overridden


def working_days_between(after: dt.date, until: dt.date) -> int:
    """Working days in (after, until]: the days an order is late when `after` was its deadline."""
    if until <= after:
        return 0
    overrides = _overrides(after + dt.timedelta(days=1), until)
    count = 0
    day = after + dt.timedelta(days=1)
    while day <= until:
        working = overrides.get(day)
        if working if working is not None else _by_rule(day):
            count += 1
        day += dt.timedelta(days=1)
    return count


def add_working_days(start: dt.date, count: int) -> dt.date:
    """The `count`-th working day after `start` (`start` itself when count is 0)."""
    if count <= 0:
        return start
    # Long holidays are at most ~10 days; look ahead generously, then walk.
    horizon = start + dt.timedelta(days=count * 2 + 30)
    overrides = _overrides(start + dt.timedelta(days=1), horizon)
    day, found = start, 0
    while found < count:
        day += dt.timedelta(days=1)
        working = overrides.get(day)
        if working if working is not None else _by_rule(day):
            found += 1
        if day >= horizon:
            horizon += dt.timedelta(days=count * 2 + 30)
            overrides.update(_overrides(day + dt.timedelta(days=1), horizon))
    return day
