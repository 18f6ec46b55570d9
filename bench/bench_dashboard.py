"""Battle map (挂图作战) speed on the province-scale world of `bench/generate.py`.

Measures, on SQLite and on PostgreSQL (each in its own child process and throwaway database:
var/bench/dashboard.sqlite3 and `bench_dashboard` on 127.0.0.1:5432, kept between runs like the
ledger's world; `BENCH_FRESH=1` remakes them):

  * the day's snapshot (`projects.snapshots.snapshot_warnings`, the job `gongjian tick` runs
    daily), once — reported, no target;
  * the overview data API `GET /api/dashboard/overview?campaign=…&on=…` as an office admin at the
    province (whole tree in scope): in-process through Django's test `Client` (session login)
    and over HTTP to a live `gongjian runserver` (bearer token), median and p90 of N requests
    after warm-up (target: median ≤ 200 ms); floor: the bare SQL
    `SELECT colour, count(*) FROM dashboard_warningsnapshot WHERE on=… AND campaign_id=… GROUP
    BY colour` timed the same way, interleaved, in the same run;
  * the overview page `/dashboard/?campaign=…&on=…` in Debian's headless Chromium, from
    navigation start to `document.body.dataset.chartsReady` (recorded in the page by a
    MutationObserver, so Playwright's polling is not counted), a fresh browser context (cold
    cache) per load (target: median ≤ 1.5 s); floor: a static HTML page loading the same
    vendored ECharts file from the same server and drawing the same two charts from the same
    data, loaded the same way, interleaved.

`python -m bench dashboard [--scale 1.0] [--database sqlite|postgres|both]`;
`BENCH_RUNS` sets N (default 30 API requests, 15 page loads); `BENCH_SNAPSHOT=0` skips the
snapshot step when the kept world already has the day's snapshot and tallies.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The browser and flags of the e2e tests, so the benchmark draws the page as they do.
from tests.e2e.conftest import ARGS as CHROMIUM_ARGS
from tests.e2e.conftest import CHROMIUM

from bench.bench_ledger import ROOT, VAR, bench_env, ensure_world, run_child

PG_DB = "bench_dashboard"
ON = dt.date(2026, 12, 31)
API_RUNS = int(os.environ.get("BENCH_RUNS", "30"))
PAGE_RUNS = max(API_RUNS // 2, 5)

# Records when the page marks its charts drawn, in ms since navigation start.
READY_PROBE = """
new MutationObserver((_m, obs) => {
  if (document.body && document.body.dataset.chartsReady === "1") {
    window.__benchReady = performance.now(); obs.disconnect();
  }
}).observe(document, {attributes: true, subtree: true,
  attributeFilter: ["data-charts-ready"]});
"""
# The floor page: the same ECharts file, the same two charts, the same data, nothing else.
FLOOR_HTML = """<!doctype html><html><head><meta charset="utf-8"><script src="%(echarts)s"></script>
<style>.chart{height:320px}</style></head><body>
<div id="chart-colours" class="chart"></div><div id="chart-lines" class="chart"></div>
<script id="overview-data" type="application/json">%(data)s</script>
<script>
(function () {
  const data = JSON.parse(document.getElementById("overview-data").textContent);
  const names = {red: "红灯", yellow: "黄灯", green: "绿灯"};
  const colours = {red: "#c62828", yellow: "#f9a825", green: "#2e7d32"};
  const pie = echarts.init(document.getElementById("chart-colours"));
  pie.setOption({tooltip: {trigger: "item"}, series: [{type: "pie", radius: ["40%%", "70%%"],
    label: {formatter: "{b}\\n{c}"}, data: ["red", "yellow", "green"].map(k => ({name: names[k],
    value: data.colours[k], key: k, itemStyle: {color: colours[k]}}))}]});
  const bar = echarts.init(document.getElementById("chart-lines"));
  bar.setOption({tooltip: {trigger: "axis"}, legend: {}, grid: {left: 10, right: 10, containLabel: true},
    xAxis: {type: "category", data: data.by_line.map(l => l.line), axisLabel: {interval: 0, rotate: 30}},
    yAxis: {type: "value"}, series: [
      {name: "年度计划", type: "bar", data: data.by_line.map(l => l.annual_planned_wan)},
      {name: "已完成", type: "bar", data: data.by_line.map(l => l.completed_wan)}]});
  document.body.dataset.chartsReady = "1";
})();
</script></body></html>"""


@dataclass
class Timing:
    name: str
    database: str
    runs: int
    median: float  # seconds
    p90: float
    floor_median: float
    floor_p90: float
    target: float
    note: str = ""

    def __str__(self) -> str:
        ratio = self.median / self.floor_median if self.floor_median else float("inf")
        ok = "OK" if self.median <= self.target else "MISS"
        return (
            f"{self.name}[{self.database}] ×{self.runs}：中位 {self.median * 1000:.1f} ms，"
            f"p90 {self.p90 * 1000:.1f} ms；下限中位 {self.floor_median * 1000:.1f} ms，"
            f"p90 {self.floor_p90 * 1000:.1f} ms；比值 {ratio:.2f}x"
            f"（目标中位 ≤{self.target * 1000:g} ms）{ok}" + (f"；{self.note}" if self.note else "")
        )


def run(args: argparse.Namespace) -> list[Timing | str]:
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    results: list[Timing | str] = []
    for database in databases:
        env = bench_env(database, sqlite_name="dashboard.sqlite3", pg_db=PG_DB)
        records, done = run_child("bench.bench_dashboard", env, args.scale)
        results += [Timing(database=database, **r) for r in records]
        if done.returncode != 0:
            results.append(f"dashboard[{database}] 失败：\n{done.stderr[-3000:]}")
    return results


def spread(times: list[float]) -> tuple[float, float]:
    """Median and 90th percentile (nearest rank)."""
    ordered = sorted(times)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]


def emit(name: str, ours: list[float], floor: list[float], target: float, note: str) -> None:
    median, p90 = spread(ours)
    floor_median, floor_p90 = spread(floor)
    print(
        json.dumps(
            {
                "name": name,
                "runs": len(ours),
                "median": median,
                "p90": p90,
                "floor_median": floor_median,
                "floor_p90": floor_p90,
                "target": target,
                "note": note,
            },
            ensure_ascii=False,
        ),
        flush=True,
    )


def interleaved(
    ours: Callable[[], Any], floor: Callable[[], Any], runs: int, warm: int = 3
) -> tuple[list[float], list[float]]:
    """Alternate the two so both see the same background load; wall time of each call."""
    for _ in range(warm):
        ours()
        floor()
    t_ours, t_floor = [], []
    for _ in range(runs):
        start = time.perf_counter()
        ours()
        t_ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        floor()
        t_floor.append(time.perf_counter() - start)
    return t_ours, t_floor


# --- child: one database ------------------------------------------------------------------------


def child(scale: float) -> None:
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,testserver"
    os.environ["SECURE"] = "0"  # plain http on 127.0.0.1, like the server below
    import django

    django.setup()
    from django.db import connection

    from gongjian.campaigns.models import Campaign
    from gongjian.org import services as org_services
    from gongjian.org.models import Unit, User
    from gongjian.projects.models import WarningTally
    from gongjian.projects.snapshots import snapshot_warnings

    n = ensure_world(scale)
    print(f"# {connection.vendor}：{n} 个项目；负载 {os.getloadavg()}", flush=True)
    if os.environ.get("BENCH_SNAPSHOT") == "0" and WarningTally.objects.filter(on=ON).exists():
        snapshot = 0.0  # reuse the kept day's snapshot and tallies (quicker iterations)
        print("# 沿用已有的当日快照（BENCH_SNAPSHOT=0）", flush=True)
    else:
        start = time.perf_counter()
        counts = snapshot_warnings(on=ON)
        snapshot = time.perf_counter() - start
        print(f"# 当日快照 snapshot_warnings：{snapshot:.1f} s，{dict(counts)}", flush=True)

    province = Unit.objects.get(kind="province")
    User.objects.filter(username="bench_dashboard").delete()
    user = org_services.create_user(
        actor=None,
        username="bench_dashboard",
        password="x-bench-only",  # noqa: S106 - throwaway bench database
        unit=province,
        roles=["office_admin"],
        password_policy_exempt=True,
    )
    token = org_services.issue_api_token(actor=None, user=user, name="bench")
    campaign = Campaign.objects.get()
    query = f"campaign={campaign.pk}&on={ON.isoformat()}"
    data = bench_api(user, query, campaign.pk, snapshot, n)
    port = _free_port()
    server = _start_server(port)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(base)
        bench_api_http(base, token, query, campaign.pk)
        bench_page(base, user, query, data)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    print(f"# 结束时负载 {os.getloadavg()}", flush=True)


def _floor(campaign_id: int) -> Callable[[], list[Any]]:
    from django.db import connection

    sql = (
        'SELECT colour, count(*) FROM dashboard_warningsnapshot WHERE "on" = %s'
        " AND campaign_id = %s GROUP BY colour"
    )

    def floor() -> list[Any]:
        with connection.cursor() as cursor:
            cursor.execute(sql, [ON, campaign_id])
            return cursor.fetchall()

    return floor


def bench_api(user: Any, query: str, campaign_id: int, snapshot: float, n: int) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    url = f"/api/dashboard/overview?{query}"

    def ours() -> dict[str, Any]:
        response = client.get(url)
        assert response.status_code == 200, response.content[:500]
        return response.json()  # type: ignore[no-any-return]

    floor = _floor(campaign_id)
    t_ours, t_floor = interleaved(ours, floor, API_RUNS)
    with CaptureQueriesContext(connection) as queries:
        data = ours()
    assert data["projects"] == n, (data["projects"], n)
    assert {c: k for c, k in floor()} == {c: k for c, k in data["colours"].items() if k}
    note = (
        f"进程内 test Client（会话登录）；每次 {len(queries)} 条查询；{data['colours']}；"
        f"当日快照（tick 的工作）{snapshot:.1f} s"
    )
    emit("api_overview", t_ours, t_floor, 0.2, note)
    return data


def bench_api_http(base: str, token: str, query: str, campaign_id: int) -> None:
    request = urllib.request.Request(  # noqa: S310 - our own server on 127.0.0.1
        f"{base}/api/dashboard/overview?{query}", headers={"Authorization": f"Bearer {token}"}
    )

    def ours() -> bytes:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.read()  # type: ignore[no-any-return]

    t_ours, t_floor = interleaved(ours, _floor(campaign_id), API_RUNS)
    emit("api_overview_http", t_ours, t_floor, 0.2, "HTTP 到 runserver（令牌），下限同上 SQL")


def bench_page(base: str, user: Any, query: str, data: dict[str, Any]) -> None:
    from django.test import Client
    from playwright.sync_api import sync_playwright

    client = Client()
    client.force_login(user)  # a session row in the bench database, shared with the server
    session = client.cookies["sessionid"].value
    page_url = f"{base}/dashboard/?{query}"
    floor_url = f"{base}/__bench_floor__.html"

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            floor_html = ""

            def load(url: str) -> float:
                # bypass_csp: Playwright's wait_for_function evaluates a string in the page,
                # which the site's policy (no eval) would refuse; what is measured is drawing.
                context = browser.new_context(
                    locale="zh-CN", viewport={"width": 1280, "height": 900}, bypass_csp=True
                )
                try:
                    context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
                    context.add_init_script(READY_PROBE)
                    if floor_html:
                        context.route(
                            floor_url,
                            lambda route: route.fulfill(
                                status=200, content_type="text/html", body=floor_html
                            ),
                        )
                    page = context.new_page()
                    page.goto(url, wait_until="commit", timeout=120_000)
                    try:
                        page.wait_for_function("window.__benchReady !== undefined", timeout=60_000)
                    except Exception as error:
                        ready = page.evaluate("document.body && document.body.dataset.chartsReady")
                        raise RuntimeError(f"{page.url} 未绘制（chartsReady={ready}）") from error
                    return float(page.evaluate("window.__benchReady")) / 1000
                finally:
                    context.close()

            # The vendored ECharts URL exactly as the page has it (static tag, storage, hash).
            context = browser.new_context()
            context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
            page = context.new_page()
            page.goto(page_url, timeout=120_000)
            echarts = page.eval_on_selector("script[src*=echarts]", "e => e.src")
            context.close()
            floor_html = FLOOR_HTML % {
                "echarts": echarts,
                "data": json.dumps(data, ensure_ascii=False).replace("<", "\\u003c"),
            }
            ours_times: list[float] = []
            floor_times: list[float] = []
            t_ours, t_floor = interleaved(
                lambda: ours_times.append(load(page_url)),
                lambda: floor_times.append(load(floor_url)),
                PAGE_RUNS,
                warm=2,
            )
        finally:
            browser.close()
    # In-page times (navigation start → charts drawn); the first `warm` loads are left out.
    ours_in_page, floor_in_page = ours_times[2:], floor_times[2:]
    note = (
        "导航开始→chartsReady（页内计时），每次全新上下文（冷缓存）；"
        f"含 Playwright 的墙钟：本页中位 {statistics.median(t_ours) * 1000:.0f} ms，"
        f"下限中位 {statistics.median(t_floor) * 1000:.0f} ms"
    )
    emit("page_overview", ours_in_page, floor_in_page, 1.5, note)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_server(port: int) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        SECURE="0",
        DJANGO_SETTINGS_MODULE="gongjian.settings",
        ALLOWED_HOSTS="127.0.0.1",
    )
    log = (VAR / f"dashboard-server-{port}.log").open("wb")
    return subprocess.Popen(  # noqa: S603 - our own console script on 127.0.0.1
        [
            str(Path(sys.executable).parent / "gongjian"),
            "runserver",
            f"127.0.0.1:{port}",
            "--noreload",
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _wait_for(base: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{base}/login/", timeout=5):  # noqa: S310
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--scale", type=float, default=1.0)
    ns = parser.parse_args()
    if ns.child:
        child(ns.scale)
