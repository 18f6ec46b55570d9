"""Synthetic province-scale ledger for the benchmarks, written into a throwaway database.

`generate(scale)` makes 100 counties of 20 towns, one campaign, 100k × scale projects with
8 milestones and 12 monthly reports each (2026), by raw bulk inserts (COPY on PostgreSQL). The
numbers are random but seeded, so two runs make the same world. Never point it at real data.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

PROJECTS = 100_000
MILESTONES = 8
REPORTS = 12
COUNTIES, TOWNS = 100, 20
MONTH_ENDS = [
    dt.date(2026, m + 1, 1) - dt.timedelta(days=1) if m < 12 else dt.date(2026, 12, 31)
    for m in range(1, 13)
]
MILESTONE_NAMES = [
    "立项",
    "用地审批",
    "规划许可",
    "施工许可",
    "开工",
    "主体完工",
    "竣工验收",
    "投产",
]


def _insert(table: str, columns: Sequence[str], rows: Iterator[tuple[Any, ...]]) -> int:
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == 20_000:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def generate(scale: float = 1.0, seed: int = 2026) -> dict[str, int]:
    """Fill an empty, migrated database in one transaction; returns the row counts."""
    from gongjian.projects.reports import refresh_report_summaries

    with transaction.atomic():
        _generate(scale, seed)
        # The reports went in past the report service: their summaries are made here, as the
        # service makes them for every report it writes.
        refresh_report_summaries()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    from gongjian.org.models import Unit
    from gongjian.projects.models import Milestone, ProgressReport, Project

    return {
        "units": Unit.objects.count(),
        "projects": Project.objects.count(),
        "milestones": Milestone.objects.count(),
        "reports": ProgressReport.objects.count(),
    }


def _generate(scale: float, seed: int) -> None:
    from gongjian.campaigns.models import Campaign
    from gongjian.org.models import Unit
    from gongjian.org.names import name_key

    rnd = random.Random(seed)
    n_projects = max(int(PROJECTS * scale), 10)
    province = Unit.objects.create(name="某省", kind="province")
    units: list[tuple[Any, ...]] = []
    next_id = province.pk + 1
    towns: list[int] = []
    for c in range(COUNTIES):
        county_id = next_id
        next_id += 1
        path = f"{province.path}{county_id}/"
        units.append(
            (
                county_id,
                f"县{c:03d}",
                "county",
                province.pk,
                path,
                1,
                name_key(f"县{c:03d}"),
                c,
                True,
            )
        )
        for t in range(TOWNS):
            town_id = next_id
            next_id += 1
            name = f"县{c:03d}镇{t:02d}"
            units.append(
                (town_id, name, "town", county_id, f"{path}{town_id}/", 2, name_key(name), t, True)
            )
            towns.append(town_id)
    _insert(
        "org_unit",
        ["id", "name", "kind", "parent_id", "path", "depth", "name_key", "sort_order", "is_active"],
        iter(units),
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence('org_unit', 'id'), %s)", [next_id])
    campaign = Campaign.objects.create(
        name="全省项目攻坚",
        owner=province,
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
    )

    plans: list[tuple[int, dt.date, dt.date, dt.date | None, float]] = []

    def projects() -> Iterator[tuple[Any, ...]]:
        for i in range(1, n_projects + 1):
            start = dt.date(2025, 1, 1) + dt.timedelta(days=rnd.randrange(0, 700))
            end = start + dt.timedelta(days=rnd.randrange(180, 900))
            actual_start = (
                None if rnd.random() < 0.1 else start + dt.timedelta(days=rnd.randrange(0, 60))
            )
            pace = rnd.uniform(0.5, 1.2)  # share of the planned pace actually achieved
            plans.append((i, start, end, actual_start, pace))
            yield (
                i, 1, f"P{i:07d}", f"项目{i}", rnd.choice(["province", "city", "district"]),
                campaign.pk, None, "业主", rnd.choice(towns), None, "", 1000, 500, 0,
                start, end, actual_start, None,
                "planned" if actual_start is None else "under_construction", 0, "", "",
                "", "", "",
            )  # fmt: skip

    _insert(
        "projects_project",
        ["id", "version", "code", "name", "level", "campaign_id", "line_id", "owner", "unit_id",
         "leader_id", "location", "total_investment_wan", "annual_planned_wan",
         "investment_completed_wan", "planned_start", "planned_completion", "actual_start",
         "actual_completion", "status", "percent_done", "not_started_reason", "description",
         "investment_code", "contact_name", "contact_phone"],
        projects(),
    )  # fmt: skip
    on = dt.date(2026, 12, 31)

    def milestones() -> Iterator[tuple[Any, ...]]:
        mid = 0
        for pid, start, end, actual_start, _pace in plans:
            first = start - dt.timedelta(days=90)
            span = (end - first).days
            for k, name in enumerate(MILESTONE_NAMES):
                planned = first + dt.timedelta(days=span * k // (MILESTONES - 1))
                late = rnd.choice([-3, 0, 2, 5, 10, 25, 40, 60])
                actual = planned + dt.timedelta(days=late)
                if actual > on or (actual_start is None and k >= 4) or rnd.random() < 0.03:
                    actual = None
                mid += 1
                yield (mid, 1, pid, k + 1, name, planned, actual, None, None, "")

    _insert(
        "projects_milestone",
        ["id", "version", "project_id", "seq", "name", "planned_date", "actual_date", "person_id", "unit_id", "note"],
        milestones(),
    )  # fmt: skip
    now = timezone.now()

    def reports() -> Iterator[tuple[Any, ...]]:
        # Every project reports every month (12 × projects, as the issue sets); before its
        # actual start, or when it has not started, a unit reports 0 %.
        rid = 0
        for pid, start, end, actual_start, pace in plans:
            percent = 0.0
            for period in MONTH_ENDS[:REPORTS]:
                if actual_start is not None and period >= actual_start:
                    elapsed = min(max((period - start).days / (end - start).days, 0), 1)
                    percent = max(
                        percent, min(100.0, round(elapsed * 100 * pace + rnd.uniform(-2, 2), 2))
                    )
                rid += 1
                yield (rid, 1, pid, period, percent, 10, 10 * rid, "", None, now)

    _insert(
        "projects_progressreport",
        ["id", "version", "project_id", "period_end", "percent_done", "investment_period_wan",
         "investment_to_date_wan", "problems", "reported_by_id", "reported_at"],
        reports(),
    )  # fmt: skip
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("projects_project", "projects_milestone", "projects_progressreport"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
