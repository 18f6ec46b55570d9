"""The month-end surge: every town files its report at once, through the API, with a token.

On the province-scale world (bench/generate.py: 2,000 towns), one project per town has its
December report taken away; then 2,000 clients (one token per town) post that report again
through `POST /api/ledger/projects/{id}/reports`, 50 at a time, against gunicorn with 2 sync
workers on this machine. Afterwards every report must be stored once, every summary must match
its reports, and every battle-map tally must match a count of the snapshot rows it stands for.

The floor, measured in the same run against the same server, is about the cheapest authenticated
API request there is (`GET /api/ledger/campaigns` with each town's token: the token check and a
small JSON answer), sent at the same concurrency after a warm-up round: the surge's p99 is
compared with the floor's p99. The target is the issue's:
0 errors, 0 lost, p99 ≤ 500 ms.

Run on demand, not in CI: `python -m bench surge [--scale 0.1] [--database postgres]`.
BENCH_SURGE_UNITS changes how many towns file (default 2,000), BENCH_SURGE_CONCURRENCY the
number of clients at once (default 50), BENCH_SURGE_WORKERS gunicorn's workers (default 2),
BENCH_SURGE_THREADS the threads of each (default 1: sync workers; more: gunicorn's gthread).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.bench_ledger import ROOT, bench_env, ensure_world

DAY = dt.date(2026, 12, 31)
# What set_unusable_password() stores: the surge's users only ever come in with their token.
UNUSABLE = "!"


@dataclass
class SurgeResult:
    database: str
    requests: int
    errors: int
    lost: int
    p50: float
    p99: float
    rate: float
    floor_p99: float
    note: str = ""

    def __str__(self) -> str:
        ok = "OK" if self.errors == 0 and self.lost == 0 and self.p99 <= 0.5 else "MISS"
        return (
            f"surge[{self.database}] {self.requests} 份填报：错误 {self.errors}，丢失 {self.lost}；"
            f"p50 {self.p50 * 1000:.0f} ms，p99 {self.p99 * 1000:.0f} ms，{self.rate:.1f} 份/秒；"
            f"下限（同并发的令牌校验请求）p99 {self.floor_p99 * 1000:.0f} ms；"
            f"比值 {self.p99 / self.floor_p99 if self.floor_p99 else float('inf'):.2f}x"
            f"（目标 0 错误、0 丢失、p99 ≤500 ms）{ok}" + (f"；{self.note}" if self.note else "")
        )


def run(args: argparse.Namespace) -> list[SurgeResult]:
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    results = []
    for database in databases:
        env = bench_env(database, sqlite_name="ledger.sqlite3", pg_db="bench_ledger")
        out = subprocess.run(  # noqa: S603 - our own module, our own arguments
            [sys.executable, "-c", f"from bench.bench_surge import child; child({args.scale!r})"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        sys.stderr.write(out.stderr[-4000:])
        for line in out.stdout.splitlines():
            if line.startswith("{"):
                results.append(SurgeResult(database=database, **json.loads(line)))
            else:
                print(line)
    return results


# --- child: one database ------------------------------------------------------------------------


def child(scale: float) -> None:
    import django

    django.setup()
    ensure_world(scale)
    units = int(os.environ.get("BENCH_SURGE_UNITS", 2000))
    concurrency = int(os.environ.get("BENCH_SURGE_CONCURRENCY", 50))
    jobs = _prepare(units)
    port = _free_port()
    workers = int(os.environ.get("BENCH_SURGE_WORKERS", 2))
    threads = int(os.environ.get("BENCH_SURGE_THREADS", 1))
    server = _start_gunicorn(port, workers=workers, threads=threads)
    try:
        reads = [(key, "GET", "/api/ledger/campaigns", None) for key, *_ in jobs]
        # The first round warms the workers and writes each token's first use (the audit
        # log), which a town's token has long done by month end; the second is the floor.
        _fire(port, reads)
        floor = _fire(port, reads)
        posts = [
            (
                key,
                "POST",
                f"/api/ledger/projects/{pid}/reports",
                json.dumps(
                    {
                        "period_end": DAY.isoformat(),
                        "percent_done": pct,
                        "investment_period_wan": "1",
                    }
                ),
            )
            for key, pid, pct in jobs
        ]
        start = time.perf_counter()
        surge = _fire(port, posts, concurrency=concurrency)
        elapsed = time.perf_counter() - start
        # The battle map is refreshed after each commit by the server's own threads: how long
        # after the last answer until no row is behind (the check below would count one lost).
        behind, caught_up = _catch_up()
    finally:
        server.terminate()
        server.wait(timeout=30)
    errors = sum(1 for status, _ in surge if status != 201)
    lost = _check([pid for _, pid, _ in jobs])
    times = sorted(t for _, t in surge)
    floor_times = sorted(t for _, t in floor)
    print(
        json.dumps(
            {
                "requests": len(posts),
                "errors": errors,
                "lost": lost,
                "p50": statistics.median(times),
                "p99": times[int(len(times) * 0.99) - 1],
                "rate": len(posts) / elapsed,
                "floor_p99": floor_times[int(len(floor_times) * 0.99) - 1],
                "note": (
                    f"并发 {concurrency}，gunicorn {workers} 个"
                    + (f" gthread 进程 × {threads} 线程" if threads > 1 else "同步进程")
                    + f"；最后一份答复时 {behind} 个项目的挂图"
                    f"待刷新，{caught_up * 1000:.0f} ms 后追平；负载 {os.getloadavg()[0]:.2f}"
                ),
            }
        ),
        flush=True,
    )


def _prepare(units: int) -> list[tuple[str, int, str]]:
    """A town user with a token for each of `units` towns, and one project per town whose
    December report is taken away (with its summary made again) so the surge files it anew."""
    from django.db import transaction

    from gongjian.org.models import ApiToken, Role, RoleGrant, Unit, User
    from gongjian.org.tokens import hash_key
    from gongjian.projects.models import ProgressReport, Project
    from gongjian.projects.reports import refresh_report_summaries
    from gongjian.projects.snapshots import (
        WarningSnapshot,
        refresh_project_snapshot,
        snapshot_warnings,
    )

    towns = list(Unit.objects.filter(kind="town").order_by("pk").values_list("pk", flat=True))
    towns = towns[:units]
    chosen: dict[int, int] = {}
    for pid, unit_id in (
        Project.objects.filter(unit_id__in=towns).order_by("pk").values_list("pk", "unit_id")
    ):
        chosen.setdefault(unit_id, pid)
    with transaction.atomic():
        # The reports a run before filed go first: they keep their reporter (PROTECT).
        ProgressReport.objects.filter(project_id__in=chosen.values(), period_end=DAY).delete()
        User.objects.filter(username__startswith="surge_").delete()
        users = User.objects.bulk_create(
            User(username=f"surge_{u}", unit_id=u, password=UNUSABLE) for u in chosen
        )
        RoleGrant.objects.bulk_create(RoleGrant(user=u, role=Role.UNIT_STAFF) for u in users)
        keys = {u.unit_id: secrets.token_urlsafe(32) for u in users}
        ApiToken.objects.bulk_create(
            ApiToken(user=u, name="surge", key_hash=hash_key(keys[u.unit_id])) for u in users
        )
        refresh_report_summaries(project_ids=list(chosen.values()))
    # At month end `gongjian tick` has stored the day's battle map, so every report refreshes it.
    if not WarningSnapshot.objects.filter(on=DAY).exists():
        snapshot_warnings(on=DAY)
    else:
        refresh_project_snapshot(project_ids=list(chosen.values()), on=DAY)
    latest = dict(
        ProgressReport.objects.filter(project_id__in=chosen.values())
        .order_by("project_id", "period_end")
        .values_list("project_id", "percent_done")
    )
    return [
        (keys[u], pid, str(min(100, latest.get(pid, 0) + 1))) for u, pid in sorted(chosen.items())
    ]


def _catch_up(timeout: float = 120.0) -> tuple[int, float]:
    """Wait until no project's battle-map row is marked behind the ledger: how many were when
    the surge's last answer came, and how many seconds it took."""
    from gongjian.projects.models import PendingRefresh

    start = time.perf_counter()
    behind = PendingRefresh.objects.count()
    while PendingRefresh.objects.exists() and time.perf_counter() - start < timeout:
        time.sleep(0.01)
    return behind, time.perf_counter() - start


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_gunicorn(port: int, *, workers: int, threads: int) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        GONGJIAN_TODAY=DAY.isoformat(),
        SECURE="0",
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1",
        CONN_MAX_AGE="60",
    )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(  # noqa: S603 - our own console script on 127.0.0.1
        [str(gunicorn), "gongjian.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--backlog", "2048", "--timeout", "120", "--log-level", "warning",
         *(["-k", "gthread", "--threads", str(threads)] if threads > 1 else [])],
        env=env,
        cwd=ROOT,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn 未能在 60 秒内启动")


def _fire(
    port: int, requests: list[tuple[str, str, str, str | None]], *, concurrency: int = 50
) -> list[tuple[int, float]]:
    """Send every request, `concurrency` at a time, each client on its own keep-alive
    connection; (status, seconds) of each."""
    local = threading.local()

    def one(req: tuple[str, str, str, str | None]) -> tuple[int, float]:
        key, method, path, body = req
        if not hasattr(local, "conn"):
            local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        headers: dict[str, Any] = {"Authorization": f"Bearer {key}", "Host": "127.0.0.1"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        start = time.perf_counter()
        try:
            local.conn.request(method, path, body=body, headers=headers)
            response = local.conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            local.conn.close()
            del local.conn
            status = 0
        return status, time.perf_counter() - start

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        return list(pool.map(one, requests))


def _check(project_ids: list[int]) -> int:
    """How many of the surge's reports are missing, or left a summary or tally that does not
    match what is stored (each counted once per project or unit)."""
    from django.db.models import Count, Sum

    from gongjian.projects.models import ProgressReport, ReportSummary
    from gongjian.projects.snapshots import WarningSnapshot, WarningTally

    stored = set(
        ProgressReport.objects.filter(project_id__in=project_ids, period_end=DAY).values_list(
            "project_id", flat=True
        )
    )
    lost = len(set(project_ids) - stored)
    counts = dict(
        ProgressReport.objects.filter(project_id__in=project_ids)
        .values("project_id")
        .annotate(n=Count("pk"))
        .values_list("project_id", "n")
    )
    summaries = dict(
        ReportSummary.objects.filter(project_id__in=project_ids).values_list(
            "project_id", "reports"
        )
    )
    lost += sum(1 for pid in project_ids if summaries.get(pid) != counts.get(pid))
    on = WarningSnapshot.objects.order_by("-on").values_list("on", flat=True).first()
    if on is not None:
        rows = dict(
            WarningSnapshot.objects.filter(on=on)
            .values("unit_id")
            .annotate(n=Count("pk"))
            .values_list("unit_id", "n")
        )
        tallied = dict(
            WarningTally.objects.filter(on=on)
            .values("unit_id")
            .annotate(n=Sum("projects"), red=Sum("red"))
            .values_list("unit_id", "n")
        )
        lost += sum(1 for unit_id, n in rows.items() if tallied.get(unit_id) != n)
        reported = dict(
            ProgressReport.objects.filter(project_id__in=project_ids, period_end=DAY).values_list(
                "project_id", "percent_done"
            )
        )
        shown = dict(
            WarningSnapshot.objects.filter(on=on, project_id__in=project_ids).values_list(
                "project_id", "percent_done"
            )
        )
        lost += sum(1 for pid, pct in reported.items() if shown.get(pid) != pct)
    return lost
