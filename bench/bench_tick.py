"""`gongjian tick`'s snapshot step at province scale: the day's second run, nothing changed.

* **tick, nothing changed**: `projects.snapshots.snapshot_warnings(on=…)` on a day that already
  has its snapshot and tallies and whose changes so far were compared by an earlier run, best
  of 3 (target ≤ 2 s): it asks the history which projects moved since that run (less its
  look-back) and, with none, writes nothing. Before it, 2,000 projects' latest reports are
  re-saved (with history) and one run compares them, as the ticks of a busy hour would. Floor:
  the bare `SELECT count(*)` of the day's rows (one query any check of the day makes).
* **tick, full comparison** (`gongjian tick --full`, and what every later run did before):
  every project's warning recomputed and compared with its stored row, best of 3. Floor: the
  bare SQL reading of the stored rows, `SELECT project_id, colour, reasons, … FROM
  dashboard_warningsnapshot WHERE "on" = …`, plus `warnings_for` over every project.
* the writes of the unchanged run are counted (INSERT/UPDATE/DELETE/ANALYZE): 0.
* the first run of the day (every row written) is reported beside it.

`python -m bench tick --scale 1.0 --database sqlite` (the world is the one bench_ledger makes,
kept in var/bench between runs).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import sys
import time

from bench.bench_ledger import ON, Result, bench_env, best, ensure_world, run_child

PG_DB = "bench_ledger"
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|ANALYZE)\b", re.IGNORECASE)


def run(args: argparse.Namespace) -> list[Result]:
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    results = []
    for database in databases:
        env = bench_env(database, sqlite_name="ledger.sqlite3", pg_db=PG_DB)
        records, done = run_child("bench.bench_tick", env, args.scale)
        done.check_returncode()
        results += [Result(database=database, **r) for r in records]
    return results


def child(scale: float) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.db.models import F
    from django.test.utils import CaptureQueriesContext

    from gongjian.campaigns.models import Campaign
    from gongjian.projects.models import Project, SnapshotCheck, WarningSnapshot, WarningTally
    from gongjian.projects.snapshots import LOOK_BACK, snapshot_warnings
    from gongjian.projects.warning_feed import warnings_for

    n = ensure_world(scale)
    print(f"# {connection.vendor}：{n} 个项目；负载 {os.getloadavg()}", flush=True)
    WarningTally.objects.filter(on=ON).delete()
    WarningSnapshot.objects.filter(on=ON).delete()
    start = time.perf_counter()
    snapshot_warnings(on=ON)
    first = time.perf_counter() - start
    print(f"# 当日首次快照（全部写入）：{first:.1f} s", flush=True)

    table = WarningSnapshot._meta.db_table

    def floor() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT project_id, colour, reasons, percent_done, expected_percent, "
                "forecast_completion, at_risk, campaign_id, unit_id "
                f'FROM {table} WHERE "on" = %s',
                [ON],
            )
            rows = len(cursor.fetchall())
        warnings_for(Project.objects.all(), ON)
        return rows

    def count_floor() -> int:
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT count(*) FROM {table} WHERE "on" = %s', [ON])
            return int(cursor.fetchone()[0])

    # The day's reports of the last hours, with their history, as the month's end makes them:
    # saved before the run that follows the first snapshot, so it compares their projects once.
    # The world was made long ago (its campaign's creation is in the history, just now).
    Campaign.history.update(history_date=F("history_date") - dt.timedelta(days=1))
    busy = _recent_history(min(2000, n))
    floor_seconds, _rows = best(floor, 3)
    full, _counts = best(lambda: snapshot_warnings(on=ON, full=True), 3)
    busy_seconds, _counts = best(lambda: snapshot_warnings(on=ON), 3)  # compares those projects
    # An hour and more later: the busy hour is behind the last comparison and its look-back.
    SnapshotCheck.objects.filter(on=ON).update(
        checked_at=F("checked_at") + LOOK_BACK + dt.timedelta(minutes=1)
    )
    count_seconds, _n = best(count_floor, 3)
    second, _counts = best(lambda: snapshot_warnings(on=ON), 3)
    with CaptureQueriesContext(connection) as queries:
        snapshot_warnings(on=ON)
    writes = [q["sql"] for q in queries.captured_queries if WRITE.match(q["sql"])]
    assert writes == [], writes[:3]
    load = os.getloadavg()[0]
    for record in (
        {
            "name": "tick_snapshot_unchanged",
            "rows": n,
            "seconds": second,
            "floor": count_seconds,
            "target": 2.0,
            "note": f"下限为当日快照行数的 count(*)；写入 {len(writes)} 条；"
            f"此前 {busy} 个项目的变更已核对；当日首次 {first:.1f} s；负载 {load:.1f}",
        },
        {
            "name": "tick_snapshot_after_busy_hour",
            "rows": busy,
            "seconds": busy_seconds,
            "floor": count_seconds,
            "target": 2.0,
            "note": f"上次核对前后一小时内 {busy} 个项目有变更：只核对它们；负载 {load:.1f}",
        },
        {
            "name": "tick_snapshot_full_compare",
            "rows": n,
            "seconds": full,
            "floor": floor_seconds,
            "target": 10.0,
            "note": f"--full：逐一核对；下限为读出当日快照行并计算全部预警；负载 {load:.1f}",
        },
    ):
        print(json.dumps(record, ensure_ascii=False), flush=True)


def _recent_history(k: int) -> int:
    """k projects' latest report re-saved now, each with its history row."""
    from gongjian.projects.models import ProgressReport

    seen: set[int] = set()
    latest_first = ProgressReport.objects.filter(project_id__lte=k).order_by(
        "project_id", "-period_end"
    )
    for report in latest_first:
        if report.project_id in seen:
            continue
        seen.add(report.project_id)
        report.save()
    return len(seen)


if __name__ == "__main__":
    if "--child" in sys.argv:
        child(float(sys.argv[sys.argv.index("--scale") + 1]))
