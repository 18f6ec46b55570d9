"""Pages drawn in a browser (issue 15): the workbench, the battle map, the ledger list and a unit
view, each loaded 15 times in headless Chromium (Playwright, /usr/bin/chromium); the median from
navigation to drawn (the load event, and the charts' ready flag where the page has charts).

The floor, in the same run: the same page's HTML, saved once and handed to the browser by
Playwright without touching the server (route.fulfill), so it costs only the drawing: its styles,
scripts and charts, with the static files served by the same server. The ratio is what the
server, the database and the network add to the drawing.

Two worlds, by `--scale`:
* below PROVINCE_FROM (`--scale 0`): the demo (`gongjian demo --no-serve`, rebuilt each run) in
  var/bench/pages.sqlite3 or `bench_pages` on 127.0.0.1:5432, as the district office of the demo,
  the unit view 湖南镇's. Target: each page ≤ 1 s.
* from it (`--scale 1.0`): bench/generate.py's province world of that scale, shared with the
  ledger benchmarks (var/bench/ledger.sqlite3 or `bench_ledger`, made or kept by `ensure_world`),
  its battle map of 2026-12-31 stored as `gongjian tick` stores it, served with that date; as the
  province office and as a town's staffer (`generate.USERS`), each with the unit view of its own
  unit. Target: each page ≤ 1.5 s.
Both are served by `gongjian serve` (gunicorn, 2 workers).
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

from bench.bench_ledger import ON, PG_DB, ROOT, bench_env, ensure_world, run_child

RUNS = 15
TARGET = 1.0
PROVINCE_TARGET = 1.5
# Below this scale the demo is measured; from it, bench/generate.py's province world at that
# scale (0.001: 100 projects, the smallest world it makes).
PROVINCE_FROM = 0.001
MEASURED = ("province", "town")  # the province office, and the staffer of a town
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


def _browse(base: str, database: str, logins: list[Login], target: float) -> list[Result]:
    """Each login's four pages, RUNS times each, interleaved with their static floors."""
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        for login in logins:
            # A context per login: its own cookies, and its own cache as a user's browser has.
            context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
            page = context.new_page()
            page.goto(f"{base}/login/")
            page.fill("input[name=username]", login.username)
            page.fill("input[name=password]", login.password)
            page.click("button[type=submit]")
            page.wait_for_load_state("load")
            for name, path, ready in _pages(login.unit):
                _measure(page, base + path, ready)  # warm: the server's and browser's caches
                html = page.content()
                floor_url = f"{base}/__floor__/{login.key or 'demo'}/{name}/"
                page.route(floor_url, _serving(html))
                times, floors = [], []
                for _ in range(RUNS):  # interleaved: both see the same load on the machine
                    times.append(_measure(page, base + path, ready))
                    floors.append(_measure(page, floor_url, ready))
                label = f"{name}·{login.key}" if login.key else name
                results.append(
                    Result(label, database, statistics.median(times), statistics.median(floors),
                           target)
                )  # fmt: skip
            context.close()
        browser.close()
    return results


@dataclass
class Login:
    key: str  # what the account stands for ("" for the demo's one login)
    username: str
    password: str
    unit: int  # the unit whose unit view is measured: the account's own


def _bench_demo(database: str) -> list[Result]:
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
    try:
        return _browse(
            base, database, [Login("", USER, PASSWORD, int(unit.splitlines()[-1]))], TARGET
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


def _bench_province(database: str, scale: float) -> list[Result]:
    env = bench_env(database, sqlite_name="ledger.sqlite3", pg_db=PG_DB)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env["GONGJIAN_TODAY"] = ON.isoformat()  # the day the world's snapshot is stored for
    records, done = run_child("bench.bench_pages", env, scale)
    done.check_returncode()
    logins = [Login(**r) for r in records]
    server, base = _serve(env)
    try:
        return _browse(base, database, logins, PROVINCE_TARGET)
    finally:
        server.terminate()
        server.wait(timeout=30)


def child(scale: float) -> None:
    """On the province world (made or kept by `ensure_world`): the day's battle map stored, as
    `gongjian tick` stores it overnight, and the logins the browser uses, as JSON lines."""
    import json

    import django

    django.setup()
    from bench.generate import PASSWORD as WORLD_PASSWORD
    from bench.generate import page_users
    from gongjian.projects.models import WarningTally
    from gongjian.projects.snapshots import snapshot_warnings

    ensure_world(scale)
    if not WarningTally.objects.filter(on=ON).exists():
        start = time.perf_counter()
        snapshot_warnings(on=ON)
        print(f"# 当日快照：{time.perf_counter() - start:.1f} s", flush=True)
    users = page_users()
    for key in MEASURED:
        user = users[key]
        login = {"key": key, "username": user.username, "password": WORLD_PASSWORD}
        print(json.dumps({**login, "unit": user.unit_id}), flush=True)


def run(args: argparse.Namespace) -> list[Result]:
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    print(f"# 负载：{os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    results = []
    for database in databases:
        if args.scale < PROVINCE_FROM:
            print(f"# 演示数据（{database}）", flush=True)
            results += _bench_demo(database)
        else:
            print(f"# 省级规模数据 ×{args.scale:g}（{database}）", flush=True)
            results += _bench_province(database, args.scale)
    print(f"# 负载（结束）：{os.getloadavg()[0]:.2f}")
    return results


if __name__ == "__main__":
    if "--child" in sys.argv:
        child(float(sys.argv[sys.argv.index("--scale") + 1]))
