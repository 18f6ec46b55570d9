"""Bulletin PDF speed on the demo's largest round (the one whose document has the most table rows).

In a child process on a throwaway SQLite database (var/bench/bulletin.sqlite3, the demo's
assessment loaded once and kept; `BENCH_FRESH=1` remakes it): the round's bulletin built from the
stored results and rendered to the print page's HTML — the floor, everything but the PDF step —
then the same built and rendered through WeasyPrint to PDF; median of N runs each after one
warm-up (fonts loaded), interleaved. Target: the PDF in ≤ 2 s. The ratio is reported, not held
to 3x: laying out and subsetting fonts is the work the floor leaves out.

`python -m bench bulletin`; `BENCH_RUNS` sets N (default 5).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass
from typing import Any

from bench.bench_ledger import bench_env, run_child

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
TARGET = 2.0


@dataclass
class Result:
    name: str
    rows: int
    seconds: float
    floor: float
    target: float

    def __str__(self) -> str:
        ok = "OK" if self.seconds <= self.target else "MISS"
        return (
            f"{self.name}[sqlite] {self.rows} 行：{self.seconds:.2f} s；HTML（无 PDF 步骤）"
            f"{self.floor:.3f} s；比值 {self.seconds / self.floor:.0f}x（目标 ≤{self.target:g} s）"
            f"{ok}"
        )


def run(args: argparse.Namespace) -> list[Result]:
    env = bench_env("sqlite", sqlite_name="bulletin.sqlite3", pg_db="bench_bulletin")
    records, done = run_child("bench.bench_bulletin", env, args.scale)
    done.check_returncode()
    return [Result(**r) for r in records]


def child() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from gongjian.assessment.bulletin import build_bulletin
    from gongjian.assessment.bulletin_pdf import render_html, render_pdf
    from gongjian.assessment.demo import load_assessment
    from gongjian.assessment.models import Round, RoundState
    from gongjian.demo.org_loader import load_org

    call_command("migrate", verbosity=0, interactive=False)
    if not Round.objects.exists():
        load_assessment(load_org())
    rounds = Round.objects.filter(state=RoundState.PUBLISHED, period="2026-12")
    largest = max(rounds, key=lambda r: sum(len(t.rows) for t in build_bulletin(r).tables))
    rows = sum(len(t.rows) for t in build_bulletin(largest).tables)

    def html() -> Any:
        return render_html(build_bulletin(Round.objects.get(pk=largest.pk)))

    def pdf() -> Any:
        return render_pdf(build_bulletin(Round.objects.get(pk=largest.pk)))

    html(), pdf()  # warm-up: templates compiled, fonts found
    floors, times = [], []
    for _ in range(RUNS):
        for fn, into in ((html, floors), (pdf, times)):
            start = time.perf_counter()
            fn()
            into.append(time.perf_counter() - start)
    name = f"bulletin_pdf（{largest.plan.name} {largest.period}）"
    record = {
        "name": name,
        "rows": rows,
        "seconds": statistics.median(times),
        "floor": statistics.median(floors),
        "target": TARGET,
    }
    print(json.dumps(record, ensure_ascii=False))


if __name__ == "__main__":
    if "--child" in sys.argv:
        child()
