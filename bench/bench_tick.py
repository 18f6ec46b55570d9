"""`gongjian tick`'s snapshot step at province scale: the day's second run, nothing changed.

* **tick, nothing changed**: `projects.snapshots.snapshot_warnings(on=…)` on a day that already
  has its snapshot and tallies, best of 3 (target ≤ 2 s): it recomputes every project's warning,
  compares it with the stored row and writes nothing. Floor, in the same run: the bare SQL
  reading of what it compares with, `SELECT project_id, colour, reasons, … FROM
  dashboard_warningsnapshot WHERE "on" = …`, plus `warnings_for` over every project (the
  computation any snapshot needs).
* the writes of that run are counted (INSERT/UPDATE/DELETE/ANALYZE): 0.
* the first run of the day (every row written) is reported beside it.

`python -m bench tick --scale 1.0 --database sqlite` (the world is the one bench_ledger makes,
kept in var/bench between runs).
"""

from __future__ import annotations

import argparse
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
    from django.test.utils import CaptureQueriesContext

    from gongjian.projects.models import Project, WarningSnapshot, WarningTally
    from gongjian.projects.snapshots import snapshot_warnings
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

    floor_seconds, _rows = best(floor, 3)
    second, _counts = best(lambda: snapshot_warnings(on=ON), 3)
    with CaptureQueriesContext(connection) as queries:
        snapshot_warnings(on=ON)
    writes = [q["sql"] for q in queries.captured_queries if WRITE.match(q["sql"])]
    assert writes == [], writes[:3]
    print(
        json.dumps(
            {
                "name": "tick_snapshot_unchanged",
                "rows": n,
                "seconds": second,
                "floor": floor_seconds,
                "target": 2.0,
                "note": f"写入 {len(writes)} 条；当日首次 {first:.1f} s；负载 {os.getloadavg()[0]:.1f}",
            },
            ensure_ascii=False,
        ),
        flush=True,
    )


if __name__ == "__main__":
    if "--child" in sys.argv:
        child(float(sys.argv[sys.argv.index("--scale") + 1]))
