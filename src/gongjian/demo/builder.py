"""Builds the demo world step by step; each app contributes a step that uses its own services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from gongjian.core import clock
from gongjian.core.models import FIXED_TODAY, SiteSetting
from gongjian.demo.ledger_loader import load_ledger
from gongjian.demo.org_loader import load_org
from gongjian.org.models import Unit


@dataclass
class DemoWorld:
    units: dict[str, Unit] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def _org(world: DemoWorld) -> str:
    world.units = load_org()
    return f"{len(world.units)} 个单位"


def _clock(world: DemoWorld) -> str:
    SiteSetting.objects.update_or_create(
        key=FIXED_TODAY, defaults={"value": clock.DEMO_DAY.isoformat()}
    )
    return f"演示日期 {clock.DEMO_DAY.isoformat()}"


def _ledger(world: DemoWorld) -> str:
    result = load_ledger(world.units)
    world.extra["ledger"] = result
    return f"攻坚行动 3 个，项目 {result['projects']} 个"


def _supervision(world: DemoWorld) -> str:
    from gongjian.demo.supervision_loader import load_supervision

    result = load_supervision()
    world.extra["supervision"] = result
    return f"督办单 {result['orders']} 件（湖南镇 {result['town_orders']} 件）、督查、通报"


def _assessment(world: DemoWorld) -> str:
    from gongjian.assessment.demo import load_assessment

    return load_assessment(world.units)


def _rollups(world: DemoWorld) -> str:
    from gongjian.assessment.demo import load_rollups

    return load_rollups()


def _battle_map(world: DemoWorld) -> str:
    """What `gongjian tick` would have stored on the demo's last two evenings."""
    import datetime as dt

    from gongjian.projects.snapshots import snapshot_warnings

    today = clock.DEMO_DAY
    snapshot_warnings(on=today - dt.timedelta(days=1))
    counts = snapshot_warnings(on=today)
    return f"预警快照：红灯 {counts['red']}，黄灯 {counts['yellow']}，绿灯 {counts['green']}"


STEPS: list[tuple[str, Callable[[DemoWorld], str]]] = [
    ("演示日期", _clock),
    ("组织机构与用户", _org),
    ("攻坚行动与项目台账", _ledger),
    ("督查督办", _supervision),
    ("11月、12月考评（计算、排名、发布）", _assessment),
    ("阶段汇总与红黑榜", _rollups),
    ("挂图作战", _battle_map),
]


def build_demo(progress: Callable[[str, str], None] | None = None) -> DemoWorld:
    """Load every step in one transaction: a demo is either whole or absent."""
    world = DemoWorld()
    with transaction.atomic():
        for label, step in STEPS:
            summary = step(world)
            if progress:
                progress(label, summary)
    return world
