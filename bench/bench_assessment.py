"""Assessment round at province scale: 10,000 units × 40 indicators in 100 groups, with ties.

Measures, on SQLite and on PostgreSQL (each in its own process and fresh database):
  * `compute_round` (best of 3, two rolled back): load the 400,000 values, score, rank, store
    10,000 results with their trails
    (target: 3 s or less at scale 1.0);
  * the engine alone (scoring + ranking over the values already in memory), against the floor
    of a bare SQL `RANK() OVER (PARTITION BY group ...)` over the same stored values, measured in
    the same run (target: within 3×).

`python -m bench assessment [--scale 0.1] [--database sqlite|postgres|both]`

Values are whole numbers from 95 to 100, so ties are everywhere, as the issue sets.
`BENCH_VALUES=distinct` draws them with four decimals instead (nearly every value distinct, few
ties): the worst case for the engine's and the writer's sharing of repeated parts.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNITS, INDICATORS, GROUPS, LINES = 10_000, 40, 100, 8


def run(
    args: argparse.Namespace,
    *,
    module: str = "bench.bench_assessment",
    label: str = "assessment",
    describe: Callable[[str, dict[str, float]], str] | None = None,
) -> list[str]:
    """Each database in a process of its own (`python -m MODULE DATABASE SCALE`, printing its
    figures as JSON on its last line), described by `describe` (this bench's `_format`)."""
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    lines = []
    for database in databases:
        done = subprocess.run(  # noqa: S603 - our own module, our own arguments
            [sys.executable, "-m", module, database, str(args.scale)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            lines.append(f"{label}[{database}] 失败：\n{done.stderr[-3000:]}")
            continue
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        lines.append((describe or _format)(database, figures))
    return lines


def _format(database: str, f: dict[str, float]) -> str:
    return (
        f"assessment[{database}] {f['units']} 单位 × {f['indicators']} 指标，{f['groups']} 组：\n"
        f"  计算+排名+存储 compute_round  {f['compute_round']:.2f} s（目标 ≤ 3 s）\n"
        f"  引擎（评分+排名，内存中）      {f['engine']:.3f} s\n"
        f"  SQL RANK() OVER 基线           {f['sql_rank']:.3f} s\n"
        f"  引擎 / SQL                     {f['engine'] / f['sql_rank']:.2f}×（目标 ≤ 3×）\n"
        f"  读取指标值 load_inputs         {f['load']:.3f} s（裸读同样的行 {f['bare_read']:.3f} s，"
        f"{f['load'] / f['bare_read']:.2f}×）\n"
        f"  （并列单位 {f['tied_units']}；与 SQL 名次不同 {f['sql_disagree']}）"
    )


def _setup_django(database: str, name: str = "bench_assessment") -> None:
    """Django on a fresh database of its own: a SQLite file in a new temporary folder, or the
    PostgreSQL database `name` dropped and made again on the bench's server."""
    var = Path(tempfile.mkdtemp(prefix=f"{name}-"))
    os.environ["GONGJIAN_VAR"] = str(var)
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    if database == "sqlite":
        os.environ["DATABASE_URL"] = f"sqlite:///{var / 'bench.sqlite3'}"
    else:
        import psycopg

        server = (
            os.environ.get("BENCH_DATABASE_URL")
            or subprocess.run(  # noqa: S603
                [str(ROOT / "scripts/ensure-postgres.sh")],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        )
        base, _sep, _db = server.rpartition("/")
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
        os.environ["DATABASE_URL"] = f"{base}/{name}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "gongjian.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _build(scale: float) -> int:
    """The synthetic round: returns its id. Values are small integers so ties are common."""
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from gongjian.assessment import services
    from gongjian.assessment.models import (
        Indicator,
        IndicatorValue,
        Plan,
        PlanGroup,
        PlanLine,
        PlanMember,
    )
    from gongjian.campaigns.models import Campaign
    from gongjian.org.models import Unit

    n_units = max(int(UNITS * scale), GROUPS)
    rng = random.Random(2026)
    province = Unit.objects.create(name="某省", kind="province")
    units = Unit.objects.bulk_create(
        [Unit(name=f"单位{i}", kind="department", parent=province) for i in range(n_units)],
        batch_size=2000,
    )
    for u in units:
        u.path, u.depth = f"{province.path}{u.pk}/", 1
    Unit.objects.bulk_update(units, ["path", "depth"], batch_size=2000)
    campaign = Campaign.objects.create(
        name="基准", owner=province, start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31)
    )
    plan = Plan.objects.create(campaign=campaign, name="基准方案")
    groups = PlanGroup.objects.bulk_create(
        [PlanGroup(plan=plan, name=f"第{g + 1}组", sort_order=g) for g in range(GROUPS)]
    )
    PlanMember.objects.bulk_create(
        [
            PlanMember(plan=plan, group=groups[i % GROUPS], unit=u, sort_order=i)
            for i, u in enumerate(units)
        ],
        batch_size=2000,
    )
    lines = PlanLine.objects.bulk_create(
        [PlanLine(plan=plan, name=f"专项{k + 1}", sort_order=k) for k in range(LINES)]
    )
    indicators = Indicator.objects.bulk_create(
        [
            Indicator(
                plan=plan,
                line=lines[j % LINES],
                code=f"i{j}",
                name=f"指标{j}",
                method="direct",
                weight=Decimal("0.5"),  # exact in binary: the SQL floor sums floats on SQLite
            )
            for j in range(INDICATORS)
        ]
    )
    round_ = services.create_round(actor=None, plan=plan, period="2026-12")
    # 400,000 rows: raw inserts (COPY on PostgreSQL), as the ORM would take minutes.
    now = timezone.now()
    IndicatorValue.objects.insert_rows(
        round_.pk,
        ["round", "indicator", "unit", "value", "target", "note", "source", "trail", "updated_at"],
        (
            (round_.pk, ind.pk, u.pk, _value(rng), None, "", "file", "[]", now)
            for ind in indicators
            for u in units
        ),
    )
    if connection.vendor == "postgresql":  # fresh statistics, or the floor's plan is a guess
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return round_.pk


DISTINCT = os.environ.get("BENCH_VALUES") == "distinct"


def _value(rng: random.Random) -> Decimal:
    if DISTINCT:
        return Decimal(rng.randint(950_000, 1_000_000)).scaleb(-4)
    return Decimal(rng.randint(95, 100))


SQL_RANK = """
SELECT unit_id, group_id,
       RANK() OVER (PARTITION BY group_id ORDER BY ROUND(total, 2) DESC) AS rnk
FROM (
    SELECT v.unit_id, m.group_id, SUM(v.value * i.weight) AS total
    FROM assessment_indicatorvalue v
    JOIN assessment_indicator i ON i.id = v.indicator_id
    JOIN assessment_planmember m ON m.unit_id = v.unit_id AND m.plan_id = i.plan_id
    WHERE v.round_id = %s
    GROUP BY v.unit_id, m.group_id
) AS totals
"""


# The floor of reading the values: the same rows, fetched by a bare cursor and left as they come.
BARE_READ = """
SELECT indicator_id, unit_id, value, target, trail, source
FROM assessment_indicatorvalue WHERE round_id = %s
"""


def _measure(round_id: int) -> dict[str, float]:
    from django.db import connection, transaction

    from gongjian.assessment import engine, feed, services
    from gongjian.assessment.models import Round, UnitResult

    round_ = Round.objects.get(pk=round_id)
    rules, members, _indicators = feed.rules_for(round_.plan)
    load_times, read_times = [], []
    for _ in range(3):
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(BARE_READ, [round_id])
            cursor.fetchall()
        read_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        inputs = feed.load_inputs(round_)
        load_times.append(time.perf_counter() - t0)
    engine_times, sql_times = [], []
    for _ in range(3):
        t0 = time.perf_counter()
        outcomes = engine.compute(rules, members, inputs)
        engine_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(SQL_RANK, [round_id])
            sql_rows = cursor.fetchall()
        sql_times.append(time.perf_counter() - t0)
    sql_ranks = {unit_id: rank for unit_id, _g, rank in sql_rows}
    mismatched = [o.unit_id for o in outcomes if sql_ranks[o.unit_id] != o.rank]
    # SQLite sums four-decimal values as floats: at a rounding edge its rank may differ.
    exact = connection.vendor == "postgresql" or not DISTINCT
    if mismatched and exact:
        raise SystemExit(f"engine and SQL disagree on {len(mismatched)} ranks")
    compute_times = []
    for attempt in range(3):  # best of 3, as above; the first two are rolled back
        with transaction.atomic():
            t0 = time.perf_counter()
            services.compute_round(actor=None, round=Round.objects.get(pk=round_id))
            compute_times.append(time.perf_counter() - t0)
            transaction.set_rollback(attempt < 2)
    compute = min(compute_times)
    return {
        "units": len(members),
        "indicators": len(rules.indicators),
        "groups": GROUPS,
        "load": min(load_times),
        "bare_read": min(read_times),
        "engine": min(engine_times),
        "sql_rank": min(sql_times),
        "compute_round": compute,
        "tied_units": UnitResult.objects.filter(round=round_, tied=True).count(),
        "sql_disagree": len(mismatched),
    }


def main() -> None:
    database, scale = sys.argv[1], float(sys.argv[2])
    sys.path.insert(0, str(ROOT / "src"))
    _setup_django(database)
    round_id = _build(scale)
    print(json.dumps(_measure(round_id)))


if __name__ == "__main__":
    main()
