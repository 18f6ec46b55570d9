"""The warnings' data feed: each project's facts read from the database in a few queries and
judged by the pure engine (`warnings.judge`), for the ledger, the battle map and the providers."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet

from gongjian.campaigns.models import Campaign
from gongjian.core.gc import paused_gc
from gongjian.projects.models import (
    Milestone,
    ProgressReport,
    Project,
    ReportSummary,
)
from gongjian.projects.warnings import (
    UNDECIDED,
    MilestoneFacts,
    ProgressTuple,
    Thresholds,
    Warning,
    forecast_completion,
    hundredths,
    judge,
    one_language,
    trend_forecast,
)


def thresholds_of(project: Project) -> Thresholds:
    c = project.campaign
    if c is None:
        return Thresholds()
    return Thresholds(
        yellow_gap=c.warn_yellow_gap,
        red_gap=c.warn_red_gap,
        not_started_red_months=c.warn_not_started_red_months,
        milestone_red_days=c.warn_milestone_red_days,
    )


def warnings_for(
    projects: Iterable[Project] | QuerySet[Project], on: dt.date
) -> dict[int, Warning]:
    """Warnings of many projects on `on`, in a few queries whatever their number.

    A queryset is read as plain rows through a bare cursor (no model instances, no per-row ORM
    conversions), and its campaigns' thresholds in one more query (a list of projects brings
    them along). Of the milestones only those overdue on `on` are read (the others cannot raise
    a warning). Of the reports, each project's `ReportSummary` (kept by the report service) is
    read where it stands for them: where the newest report is not after `on`, which is every
    project from today on. For the others (a past date), and projects without a summary, the
    reports are summed up in SQL, one row per project (`_REPORTS_SQL`): the latest percent done
    and the least-squares sums of the last six reports, from which `warnings.trend_forecast`
    gives `forecast_completion`'s date exactly. The rare projects it cannot decide that way
    (the exact day within rounding error of a half day) have their reports read, in one more
    query, and are forecast from them. The rules are
    `warnings.judge`, which is what `assess` runs too: the same warnings as `assess` of each
    project's facts (tests/projects/test_selectors.py).
    """
    with engine_batch():
        return _warnings_for(projects, on)


def _warnings_for(
    projects: Iterable[Project] | QuerySet[Project], on: dt.date
) -> dict[int, Warning]:
    rows: list[tuple[Any, ...]]
    ids: tuple[str, list[Any]] | None  # which projects, as SQL for "IN (…)"; None: all of them
    thresholds: dict[int | None, Thresholds] = {None: Thresholds()}
    if isinstance(projects, QuerySet):
        qs = projects.order_by()
        try:
            rows = _fetch_facts(qs)
            ids = None if _everything(qs) else _sql(qs.values("pk"))
        except EmptyResultSet:  # e.g. .none(), or pk__in=[]
            return {}
        campaigns = {row[-1] for row in rows} - {None}
        if campaigns:
            for pk, *th in (
                Campaign.objects.filter(pk__in=campaigns)
                .order_by()
                .values_list("pk", *_THRESHOLD_FIELDS)
            ):
                thresholds[pk] = Thresholds(*th)
    else:
        instances = list(projects)
        if len(instances) > _IDS_PER_QUERY:  # SQLite's default: 32,766 parameters a query
            found: dict[int, Warning] = {}
            for start in range(0, len(instances), _IDS_PER_QUERY):
                found.update(_warnings_for(instances[start : start + _IDS_PER_QUERY], on))
            return found
        rows = [tuple(getattr(p, f) for f in _FACT_FIELDS) for p in instances]
        ids = (", ".join(["%s"] * len(instances)), [p.pk for p in instances])
        for p in instances:
            if p.campaign_id not in thresholds:
                thresholds[p.campaign_id] = thresholds_of(p)
    if not rows:
        return {}
    milestones = _overdue_milestones(ids, on)
    progress = _summarised(ids, on)
    unsummarised = [row[0] for row in rows if row[0] not in progress]
    if unsummarised:
        progress.update(_reports_of(ids, unsummarised, on))
    return _assess_all(rows, thresholds, milestones, progress, on)


_IDS_PER_QUERY = 10_000


def _everything(qs: QuerySet[Any]) -> bool:
    """Whether the queryset is every project (then the other queries need no "IN (…)")."""
    q = qs.query
    return (
        q.model is Project
        and not q.where
        and not q.is_sliced
        and not q.combinator
        and not q.extra
        and qs.db == "default"
    )


def _fetch_facts(qs: QuerySet[Project]) -> list[tuple[Any, ...]]:
    """The projects' `_FACT_FIELDS`, dates as dates. SQLite's are read as text and made dates
    here (`date.fromisoformat`): Django's converter for date columns costs five times as much."""
    sql, params = _sql(qs.values_list(*_FACT_FIELDS))
    if connection.vendor != "sqlite":
        return _fetch(sql, params)
    # The alias of each column is its field's name (values_list); "|| ''" makes it text.
    text = ", ".join(f"{f} || ''" if f in _DATE_FIELDS else f for f in _FACT_FIELDS)
    iso = dt.date.fromisoformat
    return [
        (pk, start and iso(start), end and iso(end), a_start and iso(a_start),
         a_end and iso(a_end), reason, campaign)
        for pk, start, end, a_start, a_end, reason, campaign in _fetch(
            f"SELECT {text} FROM ({sql}) facts", params  # noqa: S608 - our own field names
        )
    ]  # fmt: skip


@contextmanager
def engine_batch() -> Iterator[None]:
    """One language lookup for the batch, and the garbage collector paused while it runs."""
    with paused_gc(), one_language():
        yield


def _sql(qs: QuerySet[Any]) -> tuple[str, list[Any]]:
    sql, params = qs.query.get_compiler(using=qs.db).as_sql()
    return sql, list(params)


def _fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _among(column: str, ids: tuple[str, list[Any]] | None) -> tuple[str, list[Any]]:
    """SQL and parameters for "`column` is one of the projects' ids"."""
    return (f"{column} IN ({ids[0]})", ids[1]) if ids else ("1 = 1", [])


def _overdue_milestones(
    ids: tuple[str, list[Any]] | None, on: dt.date
) -> dict[int, list[MilestoneFacts]]:
    """The milestones still open on `on` and planned before it, per project in their order.

    Found through the index on (actual date, planned date) — a few percent of all milestones —
    and put in order here: sorting them in SQL makes PostgreSQL walk every milestone by project.
    """
    table = Milestone._meta.db_table
    among, params = _among("project_id", ids)
    # SQLite's dates read as text ("|| ''") and made dates here: cheaper than Django's converter.
    text = " || ''" if connection.vendor == "sqlite" else ""
    sql = (
        f"SELECT project_id, seq, name, planned_date{text}, actual_date{text} "  # noqa: S608
        f"FROM {table} WHERE {among} AND planned_date < %s "
        "AND (actual_date IS NULL OR actual_date > %s)"
    )
    rows = _fetch(sql, [*params, on, on])
    rows.sort()  # by project, then seq: unique together, so nothing further is compared
    iso = dt.date.fromisoformat if text else None
    make = tuple.__new__  # MilestoneFacts(…) without its keyword handling
    milestones: dict[int, list[MilestoneFacts]] = {}
    for pid, _seq, name, planned, actual in rows:
        if iso:
            planned, actual = iso(planned), actual and iso(actual)
        milestone = make(MilestoneFacts, (name, planned, actual))
        if pid in milestones:
            milestones[pid].append(milestone)
        else:
            milestones[pid] = [milestone]
    return milestones


# One row per project with reports up to the date: how many of its last six reports there are
# (at most six), the sums of x, y, xy and xx over them — x the days from the date (≤ 0), y the
# percent done × 100 — and the x and y of the newest. Whole numbers, so both databases give the
# same sums whatever order they add them in.
#
# PostgreSQL numbers each project's reports newest first (a window over the reports' index).
# SQLite does that slowly (a sort per project, then another for the GROUP BY); it looks up the
# oldest of the six instead — one probe of the (project, period end) index per project — and
# sums the reports from it on, in the order of the projects' ids: no sort at all. Its sums of
# whole-valued floats (julianday differences) are exact, and the one max() aggregate makes the
# bare y that of the newest report.
_REPORTS_SQL = {
    "postgresql": """
SELECT project_id, COUNT(*), SUM(x)::bigint, SUM(y)::bigint, SUM(x * y)::bigint,
       SUM(x * x)::bigint, MAX(x), MAX(CASE WHEN k = 1 THEN y END)
FROM (SELECT project_id, (period_end - %s::date)::bigint AS x,
             (percent_done * 100)::bigint AS y,
             ROW_NUMBER() OVER (PARTITION BY project_id ORDER BY period_end DESC) AS k
      FROM {reports} WHERE {among} AND period_end <= %s) last_reports
WHERE k <= 6 GROUP BY project_id
""",
    "sqlite": """
SELECT p.id, COUNT(*), CAST(SUM({x}) AS INTEGER), CAST(SUM({y}) AS INTEGER),
       CAST(SUM({x} * {y}) AS INTEGER), CAST(SUM({x} * {x}) AS INTEGER),
       CAST(julianday(MAX(r.period_end)) - {on} AS INTEGER), CAST({y} AS INTEGER)
FROM (SELECT id, COALESCE(
        (SELECT period_end FROM {reports} r6 WHERE r6.project_id = projects.id
         AND r6.period_end <= %s ORDER BY r6.period_end DESC LIMIT 1 OFFSET 5), ''
      ) AS oldest FROM {projects} projects WHERE {among}) p
JOIN {reports} r ON r.project_id = p.id AND r.period_end >= p.oldest AND r.period_end <= %s
GROUP BY p.id
""",
}


def _summarised(ids: tuple[str, list[Any]] | None, on: dt.date) -> dict[int, ProgressTuple]:
    """The progress of the projects whose `ReportSummary` stands for their reports up to `on`:
    those whose newest report is not after it (or that have none)."""
    among, params = _among("project_id", ids)
    if connection.vendor == "postgresql":
        columns = "(latest_percent * 100)::int, forecast_completion"
    else:  # dates as text, made dates here; the percent in hundredths, a whole number
        columns = "CAST(ROUND(latest_percent * 100) AS INTEGER), forecast_completion || ''"
    sql = (
        f"SELECT project_id, reports, {columns} "  # noqa: S608 - our own names
        f"FROM {ReportSummary._meta.db_table} "
        f"WHERE {among} AND (latest_period_end IS NULL OR latest_period_end <= %s)"
    )
    iso = dt.date.fromisoformat if connection.vendor != "postgresql" else None
    percents: dict[int | None, Decimal | None] = {None: None}
    progress: dict[int, ProgressTuple] = {}
    for pid, n, latest, forecast in _fetch(sql, [*params, on]):
        percent = percents.get(latest)
        if percent is None and latest is not None:
            percent = percents[latest] = hundredths(latest)
        if iso and forecast:
            forecast = iso(forecast)
        progress[pid] = (percent, forecast, n)
    return progress


def _reports_of(
    ids: tuple[str, list[Any]] | None, pids: list[int], on: dt.date
) -> dict[int, ProgressTuple]:
    """The progress of the projects `pids` (among `ids`) from their reports up to `on`: for a
    date before a project's newest report, or a project without a summary."""
    if ids is None and len(pids) > _IDS_PER_QUERY:  # most of every project: no "IN (…)"
        progress = _progress(None, on)
        return {pid: progress[pid] for pid in pids if pid in progress}
    found: dict[int, ProgressTuple] = {}
    for start in range(0, len(pids), _IDS_PER_QUERY):
        part = pids[start : start + _IDS_PER_QUERY]
        found.update(_progress((", ".join(["%s"] * len(part)), part), on))
    return found


def _progress(ids: tuple[str, list[Any]] | None, on: dt.date) -> dict[int, ProgressTuple]:
    tables = {"reports": ProgressReport._meta.db_table, "projects": Project._meta.db_table}
    if connection.vendor == "postgresql":
        among, params = _among("project_id", ids)
        sql = _REPORTS_SQL["postgresql"].format(among=among, **tables)
    else:
        day = on.toordinal() + 1721424.5  # julianday(on), a literal: it is a number
        among, params = _among("id", ids)
        sql = _REPORTS_SQL["sqlite"].format(
            x=f"(julianday(r.period_end) - {day})",
            y="ROUND(r.percent_done * 100)",
            on=day,
            among=among,
            **tables,
        )
    progress: dict[int, ProgressTuple] = {}
    undecided = []
    percents: dict[int, Decimal] = {}
    for pid, n, sx, sy, sxy, sxx, last, latest in _fetch(sql, [on, *params, on]):
        forecast = trend_forecast((n, sx, sy, sxy, sxx, last, latest, on))
        if forecast is UNDECIDED:
            undecided.append(pid)
        percent = percents.get(latest)
        if percent is None:
            percent = percents[latest] = hundredths(latest)
        progress[pid] = (percent, forecast, n)
    if undecided:
        reports: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
        for pid, period_end, percent in ProgressReport.objects.filter(
            project_id__in=undecided, period_end__lte=on
        ).values_list("project_id", "period_end", "percent_done"):
            reports[pid].append((period_end, percent))
        for pid in undecided:
            latest_percent, _undecided, n = progress[pid]
            progress[pid] = (latest_percent, forecast_completion(reports[pid]), n)
    return progress


def _assess_all(
    rows: list[tuple[Any, ...]],
    thresholds: dict[int | None, Thresholds],
    milestones: dict[int, list[MilestoneFacts]],
    progress: dict[int, ProgressTuple],
    on: dt.date,
) -> dict[int, Warning]:
    none: ProgressTuple = (None, None, 0)
    no_milestones: tuple[MilestoneFacts, ...] = ()
    result: dict[int, Warning] = {}
    for pid, start, end, a_start, a_end, reason, campaign in rows:
        result[pid] = judge(
            start,
            end,
            a_start,
            a_end,
            reason,
            milestones.get(pid, no_milestones),
            progress.get(pid, none),
            on,
            thresholds[campaign],
        )
    return result


_FACT_FIELDS = (
    "pk",
    "planned_start",
    "planned_completion",
    "actual_start",
    "actual_completion",
    "not_started_reason",
    "campaign_id",
)
_DATE_FIELDS = {"planned_start", "planned_completion", "actual_start", "actual_completion"}
_THRESHOLD_FIELDS = (
    "warn_yellow_gap",
    "warn_red_gap",
    "warn_not_started_red_months",
    "warn_milestone_red_days",
)
