"""Ledger benchmarks: warnings for every project on one date, and a 50,000-row .xlsx import.

Each runs against a floor measured in the same run on the same data: a bare SQL query that
classifies the same rows (CASE over the progress gap, overdue milestone days and months not
started), and reading the same file with python-calamine plus one bulk insert. Each database runs
in its own child process on a throwaway database: var/bench/ledger.sqlite3 and `bench_ledger` on
the PostgreSQL server at 127.0.0.1:5432 (dropped and recreated each run). BENCH_ONLY=warnings (or
import_xlsx) runs only that one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DB = "bench_ledger"
ON = dt.date(2026, 12, 31)
IMPORT_ROWS = 50_000


@dataclass
class Result:
    name: str
    database: str
    rows: int
    seconds: float
    floor: float
    target: float
    note: str = ""

    def __str__(self) -> str:
        ratio = self.seconds / self.floor if self.floor else float("inf")
        ok = "OK" if self.seconds <= self.target and ratio <= 3 else "MISS"
        return (
            f"{self.name}[{self.database}] {self.rows} 行：{self.seconds:.2f} s；"
            f"下限 {self.floor:.2f} s；比值 {ratio:.2f}x（目标 ≤{self.target:g} s 且 ≤3x）{ok}"
            + (f"；{self.note}" if self.note else "")
        )


def run(args: argparse.Namespace) -> list[Result]:
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    results = []
    for database in databases:
        env = bench_env(database, sqlite_name="ledger.sqlite3", pg_db=PG_DB)
        records, done = run_child("bench.bench_ledger", env, args.scale)
        done.check_returncode()
        results += [Result(database=database, **r) for r in records]
    return results


def run_child(
    module: str, env: dict[str, str], scale: float
) -> tuple[list[dict[str, Any]], subprocess.CompletedProcess[str]]:
    """Run `module --child` on one database; its JSON lines are the figures, the rest is echoed."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", module, "--child", "--scale", str(scale)],
        env=env,
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
    )
    records = []
    for line in done.stdout.splitlines():
        if line.startswith("{"):
            records.append(json.loads(line))
        else:
            print(line, file=sys.stderr)
    if done.returncode:
        print(done.stderr, file=sys.stderr)  # the child's traceback, or the failure says nothing
    return records, done


def bench_env(database: str, *, sqlite_name: str, pg_db: str) -> dict[str, str]:
    """The environment of a child process on a throwaway database: var/bench/`sqlite_name` or
    `pg_db` on the PostgreSQL server (created if missing).

    The generated world is kept between runs (it takes minutes to make) and remade when
    BENCH_FRESH=1 or when its size does not match the scale (see `ensure_world`).
    """
    env = dict(os.environ, GONGJIAN_VAR=str(VAR), DJANGO_SETTINGS_MODULE="gongjian.settings")
    env.pop("GONGJIAN_TODAY", None)
    fresh = os.environ.get("BENCH_FRESH") == "1"
    if database == "sqlite":
        VAR.mkdir(parents=True, exist_ok=True)
        db = VAR / sqlite_name
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{db}"
    else:
        # BENCH_PG_PREFIX keeps parallel checkouts from sharing one PostgreSQL world.
        env["DATABASE_URL"] = _postgres(fresh, os.environ.get("BENCH_PG_PREFIX", "") + pg_db)
    return env


def _postgres(fresh: bool, name: str = PG_DB) -> str:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if fresh or not exists:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


# --- child: one database ------------------------------------------------------------------------


def ensure_world(scale: float) -> int:
    """Migrate, and generate the synthetic world unless this generator's world of this size is
    there (`generate.is_current`); its projects."""
    from django.core.management import call_command
    from django.db import connection

    from bench.generate import PROJECTS, generate, is_current
    from gongjian.org.models import Unit

    call_command("migrate", verbosity=0, interactive=False)
    expected = max(int(PROJECTS * scale), 10)
    # A world of an older generator (fewer reports, no page users) is remade too.
    if not is_current(scale):
        if Unit.objects.exists():
            if connection.vendor == "postgresql":
                # The security log refuses TRUNCATE unless told (as the test databases are).
                with connection.cursor() as cursor:
                    cursor.execute("SET gongjian.allow_truncate = 'on'")
            call_command("flush", verbosity=0, interactive=False)
        start = time.perf_counter()
        counts = generate(scale)
        print(f"# 生成：{counts}，用时 {time.perf_counter() - start:.1f} s", flush=True)
    else:
        print(f"# 沿用已生成的数据：{expected} 个项目", flush=True)
    return expected


def child(scale: float) -> None:
    import django

    django.setup()
    expected = ensure_world(scale)
    only = os.environ.get("BENCH_ONLY", "")  # "warnings" or "import": one of the two
    if only in ("", "warnings"):
        bench_warnings(expected)
    if only in ("", "import"):
        # BENCH_IMPORT_ROWS measures the 50,000 rows on a small world.
        rows = int(os.environ.get("BENCH_IMPORT_ROWS", 0)) or max(int(IMPORT_ROWS * scale), 10)
        bench_import(rows)


def _days(a: str, b: str) -> str:
    """SQL for the whole days from date b to date a, in this database's dialect."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return f"({a} - {b})"
    return f"CAST(julianday({a}) - julianday({b}) AS INTEGER)"


def floor_sql() -> str:
    from django.db import connection

    on = "%(on)s::date" if connection.vendor == "postgresql" else "%(on)s"
    if connection.vendor == "postgresql":
        red_start = "p.planned_start + interval '3 months' <= %(on)s::date"
        month_started = "date_trunc('month', p.planned_start) <= %(on)s::date"
    else:
        red_start = "date(p.planned_start, '+3 months') <= %(on)s"
        month_started = "strftime('%%Y-%%m', p.planned_start) <= strftime('%%Y-%%m', %(on)s)"
    expected = (
        f"CASE WHEN {on} >= p.planned_completion THEN 100.0 "
        f"WHEN {on} <= p.planned_start THEN 0.0 "
        f"ELSE ROUND({_days(on, 'p.planned_start')} * 100.0 / {_days('p.planned_completion', 'p.planned_start')}, 2) END"
    )
    return f"""
WITH last AS (
  SELECT project_id, MAX(period_end) AS d FROM projects_progressreport
  WHERE period_end <= {on} GROUP BY project_id),
latest AS (
  SELECT r.project_id, r.percent_done FROM projects_progressreport r
  JOIN last ON r.project_id = last.project_id AND r.period_end = last.d),
overdue AS (
  SELECT project_id, MAX({_days(on, "planned_date")}) AS days FROM projects_milestone
  WHERE planned_date < {on} AND (actual_date IS NULL OR actual_date > {on})
  GROUP BY project_id),
facts AS (
  SELECT p.id, p.actual_completion, p.actual_start, p.planned_start, p.not_started_reason,
         {expected} - l.percent_done AS gap, o.days, l.percent_done,
         {red_start} AS red_start, {month_started} AS month_started,
         c.warn_yellow_gap AS yg, c.warn_red_gap AS rg, c.warn_milestone_red_days AS md
  FROM projects_project p
  LEFT JOIN campaigns_campaign c ON c.id = p.campaign_id
  LEFT JOIN latest l ON l.project_id = p.id
  LEFT JOIN overdue o ON o.project_id = p.id)
SELECT id, CASE
  WHEN actual_completion IS NOT NULL AND actual_completion <= {on} THEN 'green'
  WHEN (actual_start IS NULL OR actual_start > {on}) AND red_start AND not_started_reason = '' THEN 'red'
  WHEN COALESCE(days, 0) > md THEN 'red'
  WHEN actual_start IS NOT NULL AND actual_start <= {on} AND gap > rg THEN 'red'
  WHEN (actual_start IS NULL OR actual_start > {on}) AND month_started THEN 'yellow'
  WHEN COALESCE(days, 0) > 0 THEN 'yellow'
  WHEN actual_start IS NOT NULL AND actual_start <= {on} AND (percent_done IS NULL OR gap >= yg) THEN 'yellow'
  ELSE 'green' END
FROM facts
"""


def bench_warnings(n: int) -> None:
    from django.db import connection

    from gongjian.projects.models import Project
    from gongjian.projects.warning_feed import warnings_for

    sql = floor_sql()

    def floor() -> dict[int, str]:
        with connection.cursor() as cursor:
            cursor.execute(sql, {"on": ON})
            return dict(cursor.fetchall())

    def ours() -> dict[int, Any]:
        return warnings_for(Project.objects.all(), ON)

    ours()  # warm the caches of both paths alike
    floor()
    t_floor, classes = best(floor, 3)
    t_ours, warnings = best(ours, 3)
    same = sum(1 for pk, w in warnings.items() if classes.get(pk) == w.colour.value)
    colours = {
        c: sum(1 for w in warnings.values() if w.colour.value == c)
        for c in ("green", "yellow", "red")
    }
    note = f"与下限分类一致 {same / max(len(warnings), 1):.1%}；{colours}"
    print(
        json.dumps(
            {
                "name": "warnings",
                "rows": n,
                "seconds": t_ours,
                "floor": t_floor,
                "target": 2.0,
                "note": note,
            },
            ensure_ascii=False,
        ),
        flush=True,
    )


def _ledger_file(rows: int) -> bytes:
    import random

    from openpyxl import Workbook

    from gongjian.org.models import Unit
    from gongjian.projects.ledger_file import PROJECT_COLUMNS, PROJECT_SHEET

    towns = list(Unit.objects.filter(kind="town").values_list("name", flat=True))
    rnd = random.Random(7)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(PROJECT_SHEET)
    ws.append([c.header for c in PROJECT_COLUMNS])
    for i in range(rows):
        start = dt.date(2026, 1, 1) + dt.timedelta(days=rnd.randrange(300))
        ws.append([
            f"X{i:06d}", f"导入项目{i}", rnd.choice(["市重点", "区重点", "省重点"]), "全省项目攻坚", None,
            "业主单位", rnd.choice(towns), None, None, "某地", 1200.5, 600, 100,
            start if i % 2 else start.isoformat(), f"{start.year + 1}/{start.month}/{start.day}",
            None, None, "未开工", 0, None, None, None,
        ])  # fmt: skip
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def bench_import(rows: int) -> None:
    from decimal import Decimal

    from django.db import transaction
    from python_calamine import CalamineWorkbook

    from gongjian.exchange.dates import parse_date
    from gongjian.org import services as org_services
    from gongjian.org.models import Unit, User
    from gongjian.projects.ledger_file import import_ledger_xlsx
    from gongjian.projects.models import Project

    data = _ledger_file(rows)
    province = Unit.objects.get(kind="province")
    User.objects.filter(username="bench_office").delete()
    office = org_services.create_user(
        actor=None,
        username="bench_office",
        password="x-bench-only",  # noqa: S106 - throwaway bench database
        unit=province,
        roles=["office_admin"],
        password_policy_exempt=True,
    )
    campaign_id = Project.objects.values_list("campaign_id", flat=True).first()

    def floor() -> int:
        with transaction.atomic():
            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
            table = book.get_sheet_by_name(book.sheet_names[0]).to_python()
            units = dict(Unit.objects.values_list("name", "pk"))
            objs = [
                Project(
                    code=r[0],
                    name=r[1],
                    level="city",
                    campaign_id=campaign_id,
                    owner=r[5],
                    unit_id=units[r[6]],
                    location=r[9],
                    total_investment_wan=Decimal(str(r[10])),
                    annual_planned_wan=Decimal(str(r[11])),
                    investment_completed_wan=Decimal(str(r[12])),
                    planned_start=parse_date(r[13]),
                    planned_completion=parse_date(r[14]),
                )
                for r in table[1:]
            ]
            Project.objects.bulk_create(objs, batch_size=2000)
            transaction.set_rollback(True)
        return len(objs)

    def ours() -> int:
        with transaction.atomic():
            summary = import_ledger_xlsx(actor=office, data=data)
            transaction.set_rollback(True)
        return summary.created

    t_floor, n_floor = best(floor, 2)
    t_ours, n_ours = best(ours, 2)
    assert n_floor == n_ours == rows, (n_floor, n_ours, rows)
    note = f"文件 {len(data) / 1e6:.1f} MB；含名称容错解析、校验、权限与变更历史"
    print(
        json.dumps(
            {
                "name": "import_xlsx",
                "rows": rows,
                "seconds": t_ours,
                "floor": t_floor,
                "target": 20.0,
                "note": note,
            },
            ensure_ascii=False,
        ),
        flush=True,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--scale", type=float, default=1.0)
    ns = parser.parse_args()
    if ns.child:
        child(ns.scale)
