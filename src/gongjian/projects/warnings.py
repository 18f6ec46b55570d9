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
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from math import sqrt
from typing import Any, NamedTuple

from django.utils.translation import get_language, gettext

_batch = threading.local()


@lru_cache(maxsize=512)
def _translated(language: str | None, message: str) -> str:
    return gettext(message)


def _(message: str) -> str:
    """gettext, memoised per language: assess() runs for 100k projects at a time."""
    messages = getattr(_batch, "messages", None)
    if messages is None:
        return _translated(get_language(), message)
    text = messages.get(message)
    if text is None:
        text = messages[message] = gettext(message)
    return text


@contextmanager
def one_language() -> Iterator[None]:
    """Look the active language up once for a batch of assessments (it is not cheap)."""
    _batch.messages = {}
    try:
        yield
    finally:
        _batch.messages = None


HUNDRED = Decimal(100)
CENT = Decimal("0.01")
_ZERO = Decimal(0)


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


class MilestoneFacts(NamedTuple):
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
    # Or what the rules need of those reports, already worked out (then `reports` is not read).
    progress: Progress | None = None


class Progress(NamedTuple):
    """A project's reports up to the warning date, as far as the rules are concerned: the latest
    report's percent done, `forecast_completion` of the reports, and how many there are.

    The ledger's query works these out in SQL (`projects.warning_feed.warnings_for`, through
    `Trend` and `trend_forecast`) so that no per-report rows reach Python.
    """

    percent: Decimal | None
    forecast: dt.date | None
    reports: int


# A Progress, or a plain tuple of the same three (what the ledger's batch makes).
ProgressTuple = tuple[Decimal | None, dt.date | None, int]


class Warning(NamedTuple):
    """A project's warning on a date. (A named tuple, not a dataclass: a batch makes 100,000 of
    them, and a tuple is made in a third of the time, and is one object for the garbage
    collector to visit instead of two.)"""

    colour: Colour
    reasons: tuple[str, ...]
    percent_done: Decimal | None
    expected_percent: Decimal | None
    gap: Decimal | None
    forecast_completion: dt.date | None
    # True when the trend says the project will finish after its plan while still green/yellow.
    at_risk: bool = False
    rules: tuple[str, ...] = ()


def expected_percent(start: dt.date, end: dt.date, on: dt.date) -> Decimal:
    """序时进度: the share of the planned duration elapsed on `on`, in percent (2 decimals)."""
    if on <= start:
        return Decimal(0)
    if on >= end:
        return HUNDRED
    # Half up to the cent, in whole numbers: elapsed × 10000 / total hundredths of a percent.
    total = (end - start).days
    return hundredths((2 * 10000 * (on - start).days + total) // (2 * total))


_PERCENTS: dict[int, Decimal] = {}


def hundredths(n: int) -> Decimal:
    """Decimal("12.34") for 1234, as a two-decimal column reads: one instance of each."""
    value = _PERCENTS.get(n)
    if value is None:
        value = Decimal(n).scaleb(-2)
        if len(_PERCENTS) < 100_000:
            _PERCENTS[n] = value
    return value


def months_between(earlier: dt.date, later: dt.date) -> int:
    """Whole calendar months from `earlier` to `later` (0 within the same month)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    if later.day < earlier.day:
        months -= 1
    return max(months, 0)


_DEFAULT = Thresholds()
GREEN, YELLOW, RED = Colour.GREEN, Colour.YELLOW, Colour.RED


def assess(facts: ProjectFacts, on: dt.date, th: Thresholds | None = None) -> Warning:
    return judge(
        facts.planned_start,
        facts.planned_completion,
        facts.actual_start,
        facts.actual_completion,
        facts.not_started_reason,
        facts.milestones,
        progress_of(facts.reports, on) if facts.progress is None else facts.progress,
        on,
        th or _DEFAULT,
    )


def progress_of(reports: Iterable[tuple[dt.date, Decimal]], on: dt.date) -> Progress:
    """What the rules need of the reports: the latest percent, the forecast, how many."""
    points = sorted((d, p) for d, p in reports if d <= on)
    return Progress(points[-1][1] if points else None, forecast_completion(points), len(points))


def judge(
    planned_start: dt.date | None,
    planned_completion: dt.date | None,
    actual_start: dt.date | None,
    actual_completion: dt.date | None,
    not_started_reason: str,
    milestones: Sequence[MilestoneFacts],
    progress: ProgressTuple,
    on: dt.date,
    th: Thresholds,
) -> Warning:
    """The rules: `assess` over the fields of a ProjectFacts, for a batch's tight loop."""
    percent, forecast, reports = progress
    if actual_completion is not None and actual_completion <= on:
        done = (GREEN, (_("已竣工"),), percent, HUNDRED, _ZERO, actual_completion, False, ())
        return _new(Warning, done)

    # (colour, rule, reason); a green reason is None where it is worded only if it is shown.
    found: list[tuple[Colour, str, str | None]] = []
    expected = gap = None
    if actual_start is None or actual_start > on:
        if planned_start is not None:
            found.append(_not_started(planned_start, not_started_reason, on, th))
    elif planned_start and planned_completion:
        expected = expected_percent(planned_start, planned_completion, on)
        if percent is None:
            found.append((YELLOW, "no_report", _("已开工但尚无进度填报")))
        else:
            gap = (expected - percent).quantize(CENT)
            found.append(_progress_gap(percent, expected, gap, th))
    if milestones:
        found.extend(_overdue_milestones(milestones, on, th))

    reasons: tuple[str, ...]
    if len(found) == 1:  # the common case, made short
        colour, rule, text = found[0]
        rules = _RULES.get(rule) or (rule,)
        reasons = (_on_schedule(percent, expected) if text is None else text,)  # type: ignore[arg-type]
    elif not found:
        colour, rules, reasons = GREEN, (), ()
    else:
        colour = GREEN  # the worst that fired
        for c, _r, _t in found:
            if c is RED:
                colour = RED
                break
            if c is YELLOW:
                colour = YELLOW
        rules = tuple([r for _c, r, _t in found])
        rules = _RULES.setdefault(rules, rules)
        if colour is GREEN:  # only green rules fired: all their reasons
            reasons = tuple(
                [_on_schedule(percent, expected) if t is None else t for _c, _r, t in found]  # type: ignore[arg-type]
            )
        else:  # the reasons of the rules that are not green
            reasons = tuple([t for c, _r, t in found if c is not GREEN])  # type: ignore[misc]
    at_risk = (
        planned_completion is not None
        and colour is not RED
        and (forecast > planned_completion if forecast is not None else reports >= 2)
    )
    if at_risk:
        if forecast is None:
            reasons += (_("按当前进度趋势无法按期完成"),)
        else:
            reasons += (
                _("按当前趋势预计 %(date)s 完成，晚于计划 %(days)s 天")
                % {"date": forecast.isoformat(), "days": (forecast - planned_completion).days},  # type: ignore[operator]
            )
    elif not reasons:
        reasons = (_("进度正常"),)
    warning = (colour, reasons, percent, expected, gap, forecast, at_risk, rules)
    return _new(Warning, warning)


_new: Any = tuple.__new__  # Warning(…) without its keyword handling, for a batch's tight loop
# The rules that fired, as one shared tuple per combination: a batch makes few combinations.
_RULES: dict[Any, tuple[str, ...]] = {
    rule: (rule,)
    for rule in (
        "before_start",
        "not_started",
        "not_started_red",
        "no_report",
        "on_schedule",
        "behind",
        "far_behind",
        "milestone_overdue",
    )
}


def _not_started(
    start: dt.date, reason: str, on: dt.date, th: Thresholds
) -> tuple[Colour, str, str]:
    if (on.year, on.month) < (start.year, start.month):
        return (GREEN, "before_start", _("未到计划开工月份"))
    months = months_between(start, on)
    text = _("计划 %(date)s 开工，尚未开工") % {"date": start.isoformat()}
    if months >= th.not_started_red_months and not reason:
        return (
            RED,
            "not_started_red",
            text + _("，已超过 %(m)s 个月且无正当理由") % {"m": th.not_started_red_months},
        )
    if reason:
        text += _("（原因：%(reason)s）") % {"reason": reason}
    return (YELLOW, "not_started", text)


def _progress_gap(
    percent: Decimal, expected: Decimal, gap: Decimal, th: Thresholds
) -> tuple[Colour, str, str | None]:
    if gap < th.yellow_gap:
        return (GREEN, "on_schedule", None)  # worded by `_on_schedule` if shown
    text = _("形象进度 %(done)s%%，序时进度 %(expected)s%%，滞后 %(gap)s 个百分点") % {
        "done": _fmt(percent),
        "expected": _fmt(expected),
        "gap": _fmt(gap),
    }
    if gap <= th.red_gap:
        return (YELLOW, "behind", text)
    return (RED, "far_behind", text)


def _on_schedule(percent: Decimal, expected: Decimal) -> str:
    return _("形象进度 %(done)s%%，序时进度 %(expected)s%%") % {
        "done": _fmt(percent),
        "expected": _fmt(expected),
    }


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
        colour = RED if days > th.milestone_red_days else YELLOW
        text = _("%(name)s节点逾期 %(days)s 天") % {"name": m.name, "days": days}
        found.append((colour, "milestone_overdue", text))
    return found


def report_summary(reports: Sequence[tuple[dt.date, Decimal]]) -> dict[str, Any]:
    """What `ReportSummary` keeps of a project's (period end, percent) reports: how many, the
    newest one's period end and percent, and their `forecast_completion`."""
    points = sorted(reports)
    latest_period_end, latest_percent = points[-1] if points else (None, None)
    return {
        "reports": len(points),
        "latest_period_end": latest_period_end,
        "latest_percent": latest_percent,
        "forecast_completion": forecast_completion(points),
    }


def forecast_completion(reports: Sequence[tuple[dt.date, Decimal]]) -> dt.date | None:
    """The date the least-squares trend of the last six reports reaches 100 %, or None.

    None when there are fewer than two reports on different dates or progress is not rising —
    nor when the line reaches 100 % only after the year 9999: a flat line's slope can come out
    a rounding error above zero, which used to raise OverflowError (and took every warning of
    the batch down with it).
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
    try:
        finish = origin + dt.timedelta(days=round(day))
    except OverflowError:  # past the year 9999 (or infinite)
        return None
    return max(finish, points[-1][0])


class Trend(NamedTuple):
    """The last six reports (or fewer) of a project up to a date, as least-squares sums.

    x: whole days after `origin` (any fixed date); y: percent done × 100, a whole number as
    percents have two decimals. `last` is the x of the newest of the reports and `latest` its y.
    The ledger's query adds these up in SQL.
    """

    n: int
    sx: int
    sy: int
    sxy: int
    sxx: int
    last: int
    latest: int
    origin: dt.date

    @classmethod
    def of(cls, reports: Iterable[tuple[dt.date, Decimal]]) -> Trend | None:
        """The trend of reports on distinct dates, with percents of two decimals; None if none."""
        points = sorted(reports)[-6:]
        if not points:
            return None
        origin = points[0][0]
        xs = [(d - origin).days for d, _p in points]
        ys = [int(p * 100) for _d, p in points]
        return cls(
            n=len(points),
            sx=sum(xs),
            sy=sum(ys),
            sxy=sum(x * y for x, y in zip(xs, ys, strict=True)),
            sxx=sum(x * x for x in xs),
            last=xs[-1],
            latest=ys[-1],
            origin=origin,
        )


class _Undecided:
    def __repr__(self) -> str:
        return "UNDECIDED"


UNDECIDED: Any = _Undecided()  # `trend_forecast` when only the reports themselves can tell


def trend_forecast(t: Trend | tuple[Any, ...]) -> dt.date | None:
    """`forecast_completion` of the reports summed up in `t`, without the reports — or UNDECIDED.

    `forecast_completion` fits its line in floating point; here the same line is solved exactly,
    in integers: with P = nΣxy − ΣxΣy and Q = nΣxx − (Σx)², the slope is P/Q and the line reaches
    100 % (y = 10000) at x = (Q(10000n − Σy) + PΣx) / (nP), rounded to the day as `round` does.
    (The float code counts its days from the oldest report, and rounds half days to even: a
    shift by whole days changes no rounding but that of exact half days, which are left
    undecided here.) The floating-point day differs from the exact one by its rounding error
    only, so both round alike unless the exact day lies within that error of a half day (a tie,
    most often) or at the end of the calendar. For those this gives UNDECIDED, and the caller
    asks `forecast_completion` with the reports. A flat line (P = 0) has no forecast: its float
    slope is zero, or a rounding error either side of zero from which the line would reach
    100 % only long after the year 9999.

    The error bound, a hundred times or more the float code's on each term: its error in
    Σ(x − x̄)(y − ȳ) is below 2e-12 × span (six terms of at most span × 100, each a few ulps off,
    plus ȳ's error), in ȳ below 1e-13; the day, x̄ + (100 − ȳ) / slope, carries the slope's
    relative error over in proportion to (100 − ȳ) / slope, ȳ's error (and the rounding of
    ȳ / slope) in proportion to 1 / (100 − ȳ), and a few ulps of its own size (counted from the
    oldest report, at most a span before the newest). With A = 10000n − Σy (so that 100 − ȳ is
    A / 100n, and (100 − ȳ) / slope is AQ / nP), the bound below is on |float day − exact day|
    × 2nP. The span of the reports is at most √(2Q / n), as Σ(x − x̄)² = Q / n ≥ span² / 2.
    """
    n, sx, sy, sxy, sxx, last, latest, origin = t
    if latest >= 10000:
        return origin + dt.timedelta(days=last)
    q = n * sxx - sx * sx
    if q == 0:  # one report, or all on one date
        return None
    p = n * sxy - sx * sy
    if p == 0:
        return None
    span = sqrt(2 * q / n) + 1  # at least the span of the reports
    if abs(p) <= 1e-7 * n * span:  # the float slope's sign in doubt: spans of a million days
        return UNDECIDED
    if p < 0:
        return None
    a = 10000 * n - sy  # > 0: the newest report is below 100 %, none above
    if a <= 0:
        return UNDECIDED
    num = q * a + p * (sx - n * last)  # the day, from the newest report, × nP
    den = n * p
    days, rest = divmod(num, den)
    bound = a * q * (2e-7 * n * span / p + 2e-12) + 2e-8 * q * n
    bound += 2e-9 * (den * (1 + span) + abs(num))
    if abs(2 * rest - den) <= bound:  # the exact day within the error of a half day
        return UNDECIDED
    if 2 * rest > den:
        days += 1
    day_number = origin.toordinal() + last + max(days, 0)  # never before the newest report
    if not 0 < day_number < _LAST_DAY_NUMBER:  # at the end of the calendar: let the reports tell
        return UNDECIDED
    return dt.date.fromordinal(day_number)


_LAST_DAY_NUMBER = dt.date.max.toordinal() - 1


_FORMATTED: dict[Decimal, str] = {}


def _fmt(value: Decimal) -> str:
    """A percentage the Chinese way: no trailing zeros (62.5, 40)."""
    text = _FORMATTED.get(value)
    if text is None:
        text = f"{value.quantize(CENT):f}".rstrip("0").rstrip(".") or "0"
        # Zero is not kept: 0 and -0 are one key but are written differently.
        if value and len(_FORMATTED) < 100_000:
            _FORMATTED[value] = text
    return text
