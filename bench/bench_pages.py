"""Pages drawn in a browser (issue 15): the workbench, the battle map, the ledger list and a unit
view, each loaded 15 times in headless Chromium (Playwright, /usr/bin/chromium) as the district
office of the demo; the median from navigation to drawn (the load event, and the charts' ready
flag where the page has charts).

The floor, in the same run: the same page's HTML, saved once and handed to the browser by
Playwright without touching the server (route.fulfill), so it costs only the drawing: its styles,
scripts and charts, with the static files served by the same server. The ratio is what the
server, the database and the network add to the drawing. Target: each page ≤ 1 s.

The world is the demo (`gongjian demo --no-serve`, rebuilt each run) in var/bench/pages.sqlite3
or `bench_pages` on 127.0.0.1:5432, served by `gongjian serve` (gunicorn, 2 workers). Province
scale (bench/generate.py's world has no users or campaigns a workbench would show) is not
measured here; see docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass

from bench.bench_ledger import ROOT, bench_env

RUNS = 15
TARGET = 1.0
CHROMIUM = "/usr/bin/chromium"
USER, PASSWORD = "changle_office", "gongjian2026"


@dataclass
class Result:
    name: str
    database: str
    seconds: float
    floor: float
    target: float = TARGET

    def __str__(self) -> str:
        ratio = self.seconds / self.floor if self.floor else float("inf")
        ok = "OK" if self.seconds <= self.target else "MISS"
        return (
            f"page:{self.name}[{self.database}] 中位数 {self.seconds * 1000:.0f} ms；"
            f"静态页下限 {self.floor * 1000:.0f} ms；比值 {ratio:.2f}x"
            f"（目标 ≤{self.target * 1000:g} ms）{ok}"
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _gongjian(env: dict[str, str], *args: str) -> list[str]:
    return [sys.executable, "-m", "gongjian.cli", *args]


def _serve(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        _gongjian(env, "serve", "--no-migrate", "--port", str(port), "--workers", "2"),
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{base}/login/", timeout=2)  # noqa: S310 - our own server
            return server, base
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise RuntimeError("服务没有启动")


def _pages(unit: int) -> list[tuple[str, str, str]]:
    """(name, path, the selector that says the page is drawn)."""
    return [
        ("workbench", "/", "#tasks"),
        ("dashboard", "/dashboard/", "body[data-charts-ready='1']"),
        ("ledger", "/ledger/", "#ledger-table"),
        ("unit", f"/dashboard/unit/{unit}/", "body[data-gantt-ready='1']"),
    ]


def _serving(html: str):  # type: ignore[no-untyped-def]
    """A Playwright route handler that answers with `html`, never asking the server."""

    def fulfill(route, request):  # type: ignore[no-untyped-def]
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

    return fulfill


def _measure(page, url: str, ready: str) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    page.goto(url, wait_until="load")
    page.wait_for_selector(ready, state="attached")
    return time.perf_counter() - start


def _bench_database(database: str) -> list[Result]:
    from playwright.sync_api import sync_playwright

    env = bench_env(database, sqlite_name="pages.sqlite3", pg_db="bench_pages")
    env["GONGJIAN_DEMO_ALLOW_FLUSH"] = "1"  # the throwaway bench_pages database
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    subprocess.run(_gongjian(env, "demo", "--no-serve"), env=env, cwd=ROOT, check=True,  # noqa: S603
                   stdout=subprocess.DEVNULL)  # fmt: skip
    unit = subprocess.run(  # noqa: S603
        _gongjian(env, "shell", "-c",
                  "from gongjian.org.models import Unit; print(Unit.objects.get(name='湖南镇').pk)"),
        env=env, cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    server, base = _serve(env)
    results = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, args=["--headless", "--no-sandbox"]
            )
            context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
            page = context.new_page()
            page.goto(f"{base}/login/")
            page.fill("input[name=username]", USER)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_load_state("load")
            for name, path, ready in _pages(int(unit.splitlines()[-1])):
                _measure(page, base + path, ready)  # warm: the server's and browser's caches
                html = page.content()
                floor_url = f"{base}/__floor__/{name}/"
                page.route(floor_url, _serving(html))
                times, floors = [], []
                for _ in range(RUNS):  # interleaved: both see the same load on the machine
                    times.append(_measure(page, base + path, ready))
                    floors.append(_measure(page, floor_url, ready))
                results.append(
                    Result(name, database, statistics.median(times), statistics.median(floors))
                )
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return results


def run(args: argparse.Namespace) -> list[Result]:
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    print(f"# 负载：{os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    results = []
    for database in databases:
        results += _bench_database(database)
    print(f"# 负载（结束）：{os.getloadavg()[0]:.2f}")
    return results
