"""Ledger export benchmark: the province office's whole ledger (100,000 projects and their
milestones) as the styled, validated .xlsx, against writing the same rows to CSV.

The floor reads the same columns with one bare query and writes them with `csv.writer` to a
temporary file; ours is `ledger_workbook` as the page and the API stream it. Each is run in a
fresh process (so its peak RSS is its own), on the world of `bench_ledger` (var/bench/ledger.sqlite3
or `bench_ledger` on PostgreSQL; BENCH_PG_PREFIX keeps checkouts apart). Targets: ≤ 30 s and a
peak RSS ≤ 300 MB for the whole process, Django included.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from typing import Any

from bench.bench_ledger import PG_DB, ROOT, bench_env, ensure_world

TARGET_SECONDS = 30.0
TARGET_RSS_MB = 300.0


def run(args: argparse.Namespace) -> list[str]:
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    lines = []
    load = os.getloadavg()[0]
    for database in databases:
        env = bench_env(database, sqlite_name="ledger.sqlite3", pg_db=PG_DB)
        _step(env, "world", args.scale)
        floor = _step(env, "floor", args.scale)
        ours = _step(env, "ours", args.scale)
        ratio = ours["seconds"] / floor["seconds"] if floor["seconds"] else float("inf")
        ok = ours["seconds"] <= TARGET_SECONDS and ours["rss_mb"] <= TARGET_RSS_MB
        lines.append(
            f"export_xlsx[{database}] {ours['projects']} 个项目、{ours['milestones']} 个节点："
            f"{ours['seconds']:.2f} s（本进程 CPU {ours['cpu']:.1f} s），峰值 RSS {ours['rss_mb']:.0f} MB，"
            f"文件 {ours['mb']:.1f} MB；下限（同样的行写 CSV）{floor['seconds']:.2f} s"
            f"（CPU {floor['cpu']:.1f} s），峰值 RSS {floor['rss_mb']:.0f} MB；"
            f"比值 {ratio:.2f}x（目标 ≤{TARGET_SECONDS:g} s 且 ≤{TARGET_RSS_MB:g} MB）"
            f"{'OK' if ok else 'MISS'}；负载 {load:.2f} → {os.getloadavg()[0]:.2f}"
        )
    return lines


def _step(env: dict[str, str], what: str, scale: float) -> dict[str, Any]:
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench.bench_export", "--child", what, "--scale", str(scale)],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    record: dict[str, Any] = {}
    for line in done.stdout.splitlines():
        if line.startswith("{"):
            record = json.loads(line)
        else:
            print(line, file=sys.stderr)
    return record


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _office() -> Any:
    from gongjian.org import services as org_services
    from gongjian.org.models import Unit, User

    found = User.objects.filter(username="bench_office").first()
    if found is not None:
        return found
    return org_services.create_user(
        actor=None,
        username="bench_office",
        password="x-bench-only",  # noqa: S106 - throwaway bench database
        unit=Unit.objects.get(kind="province"),
        roles=["office_admin"],
        password_policy_exempt=True,
    )


def floor() -> dict[str, Any]:
    """The same rows through one bare query into csv.writer: what writing them costs at least."""
    import csv
    import tempfile

    from django.db import connection

    sql = """
        SELECT p.code, p.name, p.level, c.name, l.name, p.owner, u.name, pe.name, p.location,
               p.total_investment_wan, p.annual_planned_wan, p.investment_completed_wan,
               p.planned_start, p.planned_completion, p.actual_start, p.actual_completion,
               p.status, p.percent_done, p.not_started_reason, p.description, p.version
        FROM projects_project p
        LEFT JOIN campaigns_campaign c ON c.id = p.campaign_id
        LEFT JOIN campaigns_line l ON l.id = p.line_id
        JOIN org_unit u ON u.id = p.unit_id
        LEFT JOIN org_person pe ON pe.id = p.leader_id
        ORDER BY p.code
    """
    milestones = """
        SELECT p.code, m.seq, m.name, m.planned_date, m.actual_date, m.note
        FROM projects_milestone m JOIN projects_project p ON p.id = m.project_id
        ORDER BY p.code, m.seq
    """
    start, cpu = time.perf_counter(), time.process_time()
    counts = []
    with tempfile.TemporaryFile("w+", newline="") as out:
        writer = csv.writer(out)
        for query in (sql, milestones):
            n = 0
            with connection.cursor() as cursor:
                cursor.execute(query)
                while rows := cursor.fetchmany(2000):
                    writer.writerows(rows)
                    n += len(rows)
            counts.append(n)
        size = out.tell()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {
        "seconds": seconds,
        "cpu": cpu,
        "projects": counts[0],
        "milestones": counts[1],
        "mb": size / 1e6,
    }


def ours() -> dict[str, Any]:
    from gongjian.projects.ledger_file import ledger_workbook
    from gongjian.projects.models import Milestone
    from gongjian.projects.selectors import projects_for

    office = _office()
    projects = projects_for(office)
    start, cpu = time.perf_counter(), time.process_time()
    with ledger_workbook(projects, actor=office) as file:
        # What FileResponse does: the file read in blocks to the socket.
        size = 0
        while block := file.read(1 << 16):
            size += len(block)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {
        "seconds": seconds,
        "cpu": cpu,
        "projects": projects.count(),
        "milestones": Milestone.objects.count(),
        "mb": size / 1e6,
    }


def child(what: str, scale: float) -> None:
    import django

    django.setup()
    if what == "world":
        ensure_world(scale)
        _office()
        return
    record = floor() if what == "floor" else ours()
    record["rss_mb"] = _rss_mb()
    print(json.dumps(record, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", choices=["world", "floor", "ours"])
    parser.add_argument("--scale", type=float, default=1.0)
    ns = parser.parse_args()
    if ns.child:
        child(ns.child, ns.scale)
