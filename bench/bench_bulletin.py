"""Bulletin PDF speed on the demo's largest round (the one whose document has the most table rows).

In a child process on a throwaway SQLite database (var/bench/bulletin.sqlite3, the demo's
assessment loaded once and kept; `BENCH_FRESH=1` remakes it): the round's bulletin built from the
stored results and rendered to the print page's HTML — the floor, everything but the PDF step —
then the same built and rendered to PDF (the body through WeasyPrint, the attachments and 版记
drawn with reportlab, joined with pypdf: `bulletin_pdf.render_pdf`); median of N runs each after
one warm-up (fonts loaded), interleaved. Target: the PDF in ≤ 2 s. The ratio is reported, not
held to 3x: laying out the body and cutting fonts is the work the floor leaves out.

Then a 10,000-unit round (× `--scale`; ten 方阵 of 1,000 units, three lines, results stored
directly as the engine would store them — the bench is of the document, not of the scoring; the
same kept database): its bulletin's PDF against the same page's HTML, once each after the
warm-up (`BENCH_LARGE_RUNS`, default 1). Target: ≤ 15 s.

`python -m bench bulletin`; `BENCH_RUNS` sets N (default 5).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass
from typing import Any

from bench.bench_ledger import bench_env, run_child

RUNS = int(os.environ.get("BENCH_RUNS", "5"))
LARGE_RUNS = int(os.environ.get("BENCH_LARGE_RUNS", "1"))
TARGET = 2.0
LARGE_UNITS, LARGE_GROUPS, LARGE_TARGET = 10_000, 10, 15.0


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
    scale = float(sys.argv[sys.argv.index("--scale") + 1]) if "--scale" in sys.argv else 1.0
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
    large = _large_round(max(int(LARGE_UNITS * scale), LARGE_GROUPS * 3))
    rows = sum(len(t.rows) for t in build_bulletin(large).tables)
    floors, times = [], []
    for _ in range(LARGE_RUNS):
        for fn, into in (
            (lambda: render_html(build_bulletin(Round.objects.get(pk=large.pk))), floors),
            (lambda: render_pdf(build_bulletin(Round.objects.get(pk=large.pk))), times),
        ):
            start = time.perf_counter()
            fn()
            into.append(time.perf_counter() - start)
    record = {
        "name": f"bulletin_pdf（{rows} 个单位的考评期）",
        "rows": rows,
        "seconds": statistics.median(times),
        "floor": statistics.median(floors),
        "target": LARGE_TARGET,
    }
    print(json.dumps(record, ensure_ascii=False))


def _large_round(n_units: int) -> Any:
    """The bench's large round (kept in the bench database; remade when its size differs)."""
    import datetime as dt

    from gongjian.assessment.models import (
        Plan,
        PlanGroup,
        PlanLine,
        PlanMember,
        Round,
        UnitResult,
    )
    from gongjian.assessment.services import create_round
    from gongjian.campaigns.models import Campaign
    from gongjian.org.models import Unit

    name = "基准乡镇攻坚120天考评方案"
    kept = Round.objects.filter(plan__name=name).first()
    if kept is not None and kept.results.count() == n_units:
        return kept
    rng = random.Random(2026)
    province = Unit.objects.create(name=f"基准省{n_units}", kind="province")
    units = Unit.objects.bulk_create(
        [Unit(name=f"基准第{i:05d}镇", kind="town", parent=province) for i in range(n_units)],
        batch_size=2000,
    )
    campaign = Campaign.objects.create(
        name="攻坚120天",
        owner=province,
        start_date=dt.date(2026, 9, 1),
        end_date=dt.date(2026, 12, 31),
    )
    plan = Plan.objects.create(campaign=campaign, name=name, report_style="groups")
    groups = PlanGroup.objects.bulk_create(
        [PlanGroup(plan=plan, name=f"第{g + 1}方阵", sort_order=g) for g in range(LARGE_GROUPS)]
    )
    PlanMember.objects.bulk_create(
        [
            PlanMember(plan=plan, group=groups[i % LARGE_GROUPS], unit=u, sort_order=i)
            for i, u in enumerate(units)
        ],
        batch_size=2000,
    )
    lines = ["重大项目建设提速攻坚", "征迁交地攻坚", "加减分与否决"]
    PlanLine.objects.bulk_create(
        [PlanLine(plan=plan, name=n, sort_order=k) for k, n in enumerate(lines)]
    )
    round_ = create_round(actor=None, plan=plan, period="2026-12")
    scored = []
    for i, u in enumerate(units):
        parts = [rng.randint(600, 850) / 10, rng.randint(100, 200) / 10, rng.choice([0, 0, -0.5])]
        scored.append((i % LARGE_GROUPS, sum(parts), u, parts))
    rows = []
    for g in range(LARGE_GROUPS):
        members = sorted((s for s in scored if s[0] == g), key=lambda s: -s[1])
        totals = [x[1] for x in members]  # best first: a rank is the first index of a score
        first = {t: totals.index(t) + 1 for t in reversed(totals)}
        line_ranks = []
        for k in range(len(lines)):
            ordered = sorted(-x[3][k] for x in members)
            at = {v: (ordered.index(v) + 1, ordered.count(v) > 1) for v in set(ordered)}
            line_ranks.append({id(m): at[-m[3][k]] for m in members})
        for m in members:
            rank = first[m[1]]
            tied = totals.count(m[1]) > 1
            line_json = {
                n: {
                    "score": m[3][k],
                    "rank": line_ranks[k][id(m)][0],
                    "tied": line_ranks[k][id(m)][1],
                }
                for k, n in enumerate(lines)
            }
            grade = "优秀" if m[1] >= 95 else "良好" if m[1] >= 85 else "合格"
            rows.append(
                (round_.pk, m[2].pk, f"第{g + 1}方阵", f"{m[1]:.4f}", rank, tied, grade, "",
                 json.dumps(line_json, ensure_ascii=False), "{}")
            )  # fmt: skip
    UnitResult.objects.insert_rows(
        round_.pk,
        ["round", "unit", "group", "score", "rank", "tied", "grade", "veto", "lines",
         "explanation"],
        rows,
    )  # fmt: skip
    Round.objects.filter(pk=round_.pk).update(state="computed")
    return Round.objects.get(pk=round_.pk)


if __name__ == "__main__":
    if "--child" in sys.argv:
        child()
