"""HTTP throughput of a ledger page beside Redmine's issue list, on demand (not in `make bench`,
not in CI): `python -m bench.wrk_lists [--redmine URL --redmine-key KEY] [--duration 30]`.

Gongjian: gunicorn with 2 workers on the PostgreSQL world of `python -m bench lists` (run that
first: it makes the 100,000 projects, the day's snapshot and the `bench_lists` office account),
a bearer token, and `wrk -t2 -c8` on a page of 25 sorted by planned completion and filtered by
colour. Redmine (docs/benchmarks.md says how to set it up from Debian with 100,000 issues):
`wrk -t2 -c8` on `/issues.json?sort=due_date&limit=25` with its REST API key. Prints each
requests/s and, with both, the ratio (the issue's target: Gongjian ≥ 5× Redmine).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.bench_dashboard import _free_port
from bench.bench_ledger import bench_env
from bench.bench_lists import ON, PG_DB

ROOT = Path(__file__).resolve().parent.parent
PAGE = f"/api/ledger/projects?colour=red&sort=planned_completion&limit=25&date={ON}"


def _wrk(url: str, header: str, duration: int) -> float:
    done = subprocess.run(  # noqa: S603 - wrk from PATH against 127.0.0.1 or the given Redmine
        ["wrk", "-t2", "-c8", f"-d{duration}s", "-H", header, url],  # noqa: S607
        check=True,
        capture_output=True,
        text=True,
    )
    print(done.stdout, flush=True)
    found = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
    if not found:
        raise SystemExit("wrk 没有给出 Requests/sec")
    if re.search(r"Non-2xx or 3xx responses", done.stdout):
        raise SystemExit("有请求未成功（非 2xx/3xx），结果无效")
    return float(found.group(1))


def _token(env: dict[str, str]) -> str:
    code = (
        "import django; django.setup();"
        "from gongjian.org.models import User; from gongjian.org.services import issue_api_token;"
        "print(issue_api_token(actor=None, user=User.objects.get(username='bench_lists'),"
        " name='wrk'))"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    return done.stdout.strip().splitlines()[-1]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.wrk_lists")
    parser.add_argument("--redmine", help="Redmine 的地址，如 http://127.0.0.1:3000")
    parser.add_argument("--redmine-key", default=os.environ.get("REDMINE_KEY", ""))
    parser.add_argument("--duration", type=int, default=30)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("需要 wrk：apt-get install wrk", file=sys.stderr)
        return 2
    env = bench_env("postgres", sqlite_name="lists.sqlite3", pg_db=PG_DB)
    env.update(SECURE="0", ALLOWED_HOSTS="127.0.0.1", DJANGO_SETTINGS_MODULE="gongjian.settings")
    token = _token(env)
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - gunicorn from our venv on 127.0.0.1
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "gongjian.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"{base}/login/", timeout=5):  # noqa: S310
                    break
            except OSError:
                time.sleep(0.5)
        print(f"# 负载 {os.getloadavg()}", flush=True)
        ours = _wrk(base + PAGE, f"Authorization: Bearer {token}", args.duration)
        print(f"攻坚 {PAGE}：{ours:.1f} 次/秒", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    if args.redmine:
        url = f"{args.redmine.rstrip('/')}/issues.json?sort=due_date&limit=25"
        theirs = _wrk(url, f"X-Redmine-API-Key: {args.redmine_key}", args.duration)
        print(f"Redmine {url}：{theirs:.1f} 次/秒；比值 {ours / theirs:.1f}×（目标 ≥5×）")
    print(f"# 结束时负载 {os.getloadavg()}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
