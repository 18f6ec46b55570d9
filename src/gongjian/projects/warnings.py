"""Red/yellow/green warnings (红黄绿灯) and completion forecasts, over plain data.

Defaults follow DOMAIN.md (Yinchuan's 2025 rules): behind 序时进度 by less than the yellow gap is
green, from the yellow gap to the red gap inclusive is yellow, beyond the red gap red. A project
not started is yellow from its planned start month and red after N months without a recorded
reason; an overdue milestone is yellow, and red once more than N days late. The worst rule wins,
and every rule that fired is given in words.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import lru_cache

from django.utils.translation import get_language, gettext

_batch = threading.local()


@lru_cache(maxsize=512)
def _translated(language: str | None, message: str) -> str:
    return gettext(message)


def _(message: str) -> str:
    """gettext, memoised per language: assess() runs for 100k projects at a time."""
    language = getattr(_batch, "language", None) or get_language()
    return _translated(language, message)


@contextmanager
def one_language() -> Iterator[None]:
    """Look the active language up once for a batch of assessments (it is not cheap)."""
    _batch.language = get_language()
    try:
        yield
    finally:
        _batch.language = None


HUNDRED = Decimal(100)
CENT = Decimal("0.01")


class Colour(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"

    @property
    def severity(self) -> int:
        return {"green": 0, "yellow": 1, "red": 2}[self.value]

    @property
    def label(self) -> str:
        return {"green": _("绿灯"), "yellow": _("黄灯"), "red": _("红灯")}[self.value]


@dataclass(frozen=True)
class Thresholds:
    yellow_gap: Decimal = Decimal(10)
    red_gap: Decimal = Decimal(30)
    not_started_red_months: int = 3
    milestone_red_days: int = 30


@dataclass(frozen=True)
class MilestoneFacts:
    name: str
    planned: dt.date
    actual: dt.date | None = None


@dataclass(frozen=True)
class ProjectFacts:
    planned_start: dt.date | None
    planned_completion: dt.date | None
    actual_start: dt.date | None = None
    actual_completion: dt.date | None = None
    not_started_reason: str = ""
    milestones: Sequence[MilestoneFacts] = ()
    # (period end, percent done) of every report up to the warning date, in any order.
    reports: Sequence[tuple[dt.date, Decimal]] = ()


@dataclass(frozen=True)
class Warning:
    colour: Colour
    reasons: tuple[str, ...]
    percent_done: Decimal | None
    expected_percent: Decimal | None
    gap: Decimal | None
    forecast_completion: dt.date | None
    # True when the trend says the project will finish after its plan while still green/yellow.
    at_risk: bool = False
    rules: tuple[str, ...] = field(default=())


def expected_percent(start: dt.date, end: dt.date, on: dt.date) -> Decimal:
    """序时进度: the share of the planned duration elapsed on `on`, in percent (2 decimals)."""
    if on <= start:
        return Decimal(0)
    if on >= end:
        return HUNDRED
    elapsed = Decimal((on - start).days) * HUNDRED / Decimal((end - start).days)
    return elapsed.quantize(CENT, rounding=ROUND_HALF_UP)


def months_between(earlier: dt.date, later: dt.date) -> int:
    """Whole calendar months from `earlier` to `later` (0 within the same month)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    if later.day < earlier.day:
        months -= 1
    return max(months, 0)


def assess(facts: ProjectFacts, on: dt.date, th: Thresholds | None = None) -> Warning:
    th = th or Thresholds()
    reports = sorted((d, p) for d, p in facts.reports if d <= on)
    percent = reports[-1][1] if reports else None
    forecast = forecast_completion(reports)
    found: list[tuple[Colour, str, str]] = []

    if facts.actual_completion is not None and facts.actual_completion <= on:
        return Warning(
            Colour.GREEN, (_("已竣工"),), percent, HUNDRED, Decimal(0), facts.actual_completion
        )

    expected = gap = None
    started = facts.actual_start is not None and facts.actual_start <= on
    if not started:
        found.extend(_not_started(facts, on, th))
    elif facts.planned_start and facts.planned_completion:
        expected = expected_percent(facts.planned_start, facts.planned_completion, on)
        if percent is None:
            found.append((Colour.YELLOW, "no_report", _("已开工但尚无进度填报")))
        else:
            gap = (expected - percent).quantize(CENT)
            found.extend(_progress_gap(percent, expected, gap, th))
    found.extend(_overdue_milestones(facts.milestones, on, th))

    colour = max((c for c, _r, _t in found), key=lambda c: c.severity, default=Colour.GREEN)
    reasons = tuple(t for c, _r, t in found if c is not Colour.GREEN) or tuple(
        t for _c, _r, t in found
    )
    at_risk = bool(
        facts.planned_completion
        and colour is not Colour.RED
        and (
            (forecast is not None and forecast > facts.planned_completion)
            or (forecast is None and len(reports) >= 2)
        )
    )
    if at_risk and facts.planned_completion:
        if forecast is None:
            reasons += (_("按当前进度趋势无法按期完成"),)
        else:
            late = (forecast - facts.planned_completion).days
            reasons += (
                _("按当前趋势预计 %(date)s 完成，晚于计划 %(days)s 天")
                % {"date": forecast.isoformat(), "days": late},
            )
    if not reasons:
        reasons = (_("进度正常"),)
    return Warning(
        colour=colour,
        reasons=reasons,
        percent_done=percent,
        expected_percent=expected,
        gap=gap,
        forecast_completion=forecast,
        at_risk=at_risk,
        rules=tuple(r for _c, r, _t in found),
    )


def _not_started(facts: ProjectFacts, on: dt.date, th: Thresholds) -> list[tuple[Colour, str, str]]:
    start = facts.planned_start
    if start is None:
        return []
    if (on.year, on.month) < (start.year, start.month):
        return [(Colour.GREEN, "before_start", _("未到计划开工月份"))]
    months = months_between(start, on)
    text = _("计划 %(date)s 开工，尚未开工") % {"date": start.isoformat()}
    if months >= th.not_started_red_months and not facts.not_started_reason:
        return [
            (
                Colour.RED,
                "not_started_red",
                text + _("，已超过 %(m)s 个月且无正当理由") % {"m": th.not_started_red_months},
            )
        ]
    if facts.not_started_reason:
        text += _("（原因：%(reason)s）") % {"reason": facts.not_started_reason}
    return [(Colour.YELLOW, "not_started", text)]


def _progress_gap(
    percent: Decimal, expected: Decimal, gap: Decimal, th: Thresholds
) -> list[tuple[Colour, str, str]]:
    params = {"done": _fmt(percent), "expected": _fmt(expected), "gap": _fmt(gap)}
    if gap < th.yellow_gap:
        return [
            (
                Colour.GREEN,
                "on_schedule",
                _("形象进度 %(done)s%%，序时进度 %(expected)s%%") % params,
            )
        ]
    text = _("形象进度 %(done)s%%，序时进度 %(expected)s%%，滞后 %(gap)s 个百分点") % params
    if gap <= th.red_gap:
        return [(Colour.YELLOW, "behind", text)]
    return [(Colour.RED, "far_behind", text)]


def _overdue_milestones(
    milestones: Sequence[MilestoneFacts], on: dt.date, th: Thresholds
) -> list[tuple[Colour, str, str]]:
    found = []
    for m in milestones:
        if m.actual is not None and m.actual <= on:
            continue
        days = (on - m.planned).days
        if days <= 0:
            continue
        colour = Colour.RED if days > th.milestone_red_days else Colour.YELLOW
        text = _("%(name)s节点逾期 %(days)s 天") % {"name": m.name, "days": days}
        found.append((colour, "milestone_overdue", text))
    return found


def forecast_completion(reports: Sequence[tuple[dt.date, Decimal]]) -> dt.date | None:
    """The date the least-squares trend of the last six reports reaches 100 %, or None.

    None when there are fewer than two reports on different dates or progress is not rising.
    """
    points = sorted(reports)[-6:]
    if points and points[-1][1] >= HUNDRED:
        return points[-1][0]
    if len({d for d, _p in points}) < 2:
        return None
    origin = points[0][0]
    xs = [float((d - origin).days) for d, _p in points]
    ys = [float(p) for _d, p in points]
    n = len(points)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx
    if slope <= 0:
        return None
    intercept = mean_y - slope * mean_x
    day = (100.0 - intercept) / slope
    finish = origin + dt.timedelta(days=round(day))
    return max(finish, points[-1][0])


def _fmt(value: Decimal) -> str:
    """A percentage the Chinese way: no trailing zeros (62.5, 40)."""
    text = f"{value.quantize(CENT):f}".rstrip("0").rstrip(".")
    return text or "0"
