"""A year roll-up at province scale: 12 published month rounds of 10,000 units in 100 groups.

Measures, on SQLite and on PostgreSQL (each in its own process and fresh database):
  * `compute_round` of the year round (best of 3, two rolled back): read the 120,000 stored
    month results through the `rounds.score` provider, score, rank, store 10,000 results with
    a twelve-line trail each (target: 3 s or less at scale 1.0);
  * the roll-up itself (the provider's read + the engine, no store), against the floor of a
    bare SQL weighted sum with `RANK() OVER (PARTITION BY group ...)` over the same stored month
    results, measured in the same run (target: within 3×); and `compute_round` against the same
    floor.

`python -m bench rollup [--scale 0.1] [--database sqlite|postgres|both]`

Month scores are whole numbers from 80 to 100, so ties are common, as in a real round.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

from bench import bench_assessment

ROOT = Path(__file__).resolve().parent.parent
UNITS, GROUPS, MONTHS = 10_000, 100, 12


def run(args: argparse.Namespace) -> list[str]:
    """bench_assessment's driver: one process a database, this module's figures."""
    return bench_assessment.run(args, module="bench.bench_rollup", label="rollup", describe=_format)


def _format(database: str, f: dict[str, float]) -> str:
    return (
        f"rollup[{database}] 年度汇总：{f['units']} 单位，{f['groups']} 组，{f['months']} 个月度考评期：\n"
        f"  计算+排名+存储 compute_round  {f['compute_round']:.2f} s（目标 ≤ 3 s）\n"
        f"  汇总（读取月度结果+评分排名）  {f['rollup']:.3f} s\n"
        f"  SQL 加权求和 + RANK() 基线      {f['sql_floor']:.3f} s\n"
        f"  汇总 / SQL                     {f['rollup'] / f['sql_floor']:.2f}×（目标 ≤ 3×）\n"
        f"  compute_round / SQL            {f['compute_round'] / f['sql_floor']:.2f}×\n"
        f"  （与 SQL 名次不同 {f['sql_disagree']}）"
    )


def _build(scale: float) -> int:
    """Twelve published month rounds with stored results, and the year round (draft)."""
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from gongjian.assessment import services
    from gongjian.assessment.models import (
        Indicator,
        Plan,
        PlanGroup,
        PlanLine,
        PlanMember,
        Round,
        RoundState,
        UnitResult,
    )
    from gongjian.assessment.ranking import Placing, rank_list
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

    def plan_of(name: str) -> Plan:
        plan = Plan.objects.create(campaign=campaign, name=name)
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
        return plan

    months = plan_of("月度考评")
    line = PlanLine.objects.create(plan=months, name="综合", sort_order=0)
    Indicator.objects.create(plan=months, line=line, code="m", name="月度", method="direct")
    now = timezone.now()
    month_ids = []
    for m in range(1, MONTHS + 1):
        r = Round.objects.create(
            plan=months, period=f"2026-{m:02d}", state=RoundState.COMPUTED, computed_at=now
        )
        scores = [(u, Decimal(rng.randint(80, 100))) for u in units]
        in_group: dict[int, list[int]] = {}
        for i in range(len(units)):
            in_group.setdefault(i % GROUPS, []).append(i)
        places: dict[int, Placing] = {}
        for positions in in_group.values():
            ranked = rank_list([scores[i][1] for i in positions])
            places.update(zip(positions, ranked, strict=True))
        UnitResult.objects.insert_rows(
            r.pk,
            [
                "round",
                "unit",
                "group",
                "score",
                "rank",
                "tied",
                "grade",
                "veto",
                "lines",
                "explanation",
            ],
            (
                (r.pk, u.pk, f"第{i % GROUPS + 1}组", s, places[i].rank, places[i].tied, "",
                 "", "{}", "{}")
                for i, (u, s) in enumerate(scores)
            ),
        )  # fmt: skip
        month_ids.append(r.pk)
    Round.objects.filter(pk__in=month_ids).update(state=RoundState.PUBLISHED, published_at=now)
    year = plan_of("年度考评")
    yline = PlanLine.objects.create(plan=year, name="年度", sort_order=0)
    Indicator.objects.create(
        plan=year,
        line=yline,
        code="yd",
        name="月度平均",
        method="direct",
        weight=Decimal(1),
        source="rounds.score",
        params={"plan": "月度考评", "window": MONTHS, "aggregate": "mean"},
    )
    round_ = services.create_round(actor=None, plan=year, period="2026-12")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return round_.pk


# The floor: the same weighted mean over the stored month results, ranked in each group.
SQL_FLOOR = """
SELECT unit_id, grp,
       RANK() OVER (PARTITION BY grp ORDER BY ROUND(total, 2) DESC) AS rnk
FROM (
    SELECT r.unit_id, m.group_id AS grp, SUM(r.score * %s) / %s AS total
    FROM assessment_unitresult r
    JOIN assessment_planmember m ON m.unit_id = r.unit_id AND m.plan_id = %s
    WHERE r.round_id IN ({ids})
    GROUP BY r.unit_id, m.group_id
) AS totals
"""


def _measure(round_id: int) -> dict[str, float]:
    from django.db import connection, transaction

    from gongjian.assessment import engine, feed, providers, services
    from gongjian.assessment.models import Round, RoundState

    round_ = Round.objects.get(pk=round_id)
    rules, members, indicators = feed.rules_for(round_.plan)
    units = list(round_.plan.members.select_related("unit").all())
    month_ids = list(
        Round.objects.filter(plan__name="月度考评", state=RoundState.PUBLISHED).values_list(
            "pk", flat=True
        )
    )
    provider = providers.get("rounds.score")
    assert provider is not None
    sql = SQL_FLOOR.format(ids=",".join(str(i) for i in month_ids))
    rollup_times, sql_times = [], []
    outcomes: list[engine.Outcome] = []
    sql_rows: list[tuple[int, int, int]] = []
    for _ in range(3):
        with transaction.atomic():
            t0 = time.perf_counter()
            provided = provider.provide(round_, [m.unit for m in units], indicators[0])
            inputs = {
                indicators[0].code: {
                    u: engine.Input(p.value, p.target, p.trail, "system")
                    for u, p in provided.items()
                }
            }
            outcomes = engine.compute(rules, members, inputs)
            rollup_times.append(time.perf_counter() - t0)
            transaction.set_rollback(True)
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            # SQLite would divide integers: the weight as a float there, numeric on PostgreSQL
            weight = Decimal(1) if connection.vendor == "postgresql" else 1.0
            cursor.execute(sql, [weight, MONTHS, round_.plan_id])
            sql_rows = cursor.fetchall()
        sql_times.append(time.perf_counter() - t0)
    sql_ranks = {unit_id: rank for unit_id, _g, rank in sql_rows}
    mismatched = [o.unit_id for o in outcomes if sql_ranks[o.unit_id] != o.rank]
    compute_times = []
    for attempt in range(3):  # best of 3; the first two are rolled back
        with transaction.atomic():
            t0 = time.perf_counter()
            services.compute_round(actor=None, round=Round.objects.get(pk=round_id))
            compute_times.append(time.perf_counter() - t0)
            transaction.set_rollback(attempt < 2)
    return {
        "units": len(members),
        "groups": GROUPS,
        "months": len(month_ids),
        "rollup": min(rollup_times),
        "sql_floor": min(sql_times),
        "compute_round": min(compute_times),
        "sql_disagree": len(mismatched),
    }


def main() -> None:
    database, scale = sys.argv[1], float(sys.argv[2])
    sys.path.insert(0, str(ROOT / "src"))
    bench_assessment._setup_django(database, name="bench_rollup")
    round_id = _build(scale)
    print(json.dumps(_measure(round_id)))


if __name__ == "__main__":
    main()
