"""`gongjian rounds [--json]`: every round; `gongjian rounds open --plan ID --period 2026-12`."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from gongjian.assessment import selectors, services
from gongjian.assessment.models import Plan
from gongjian.core.errors import GongjianError


class Command(BaseCommand):
    help = (
        "列出考评期（--json 输出机器可读的列表）；rounds open --plan ID --period 2026-12 新建考评期"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="输出 JSON")
        sub = parser.add_subparsers(dest="action")
        open_ = sub.add_parser("open", help="为方案新建一个考评期（草稿）")
        open_.add_argument("--plan", type=int, required=True, help="考评方案 ID")
        open_.add_argument("--period", required=True, help="考评月份，如 2026-12")
        open_.add_argument("--title", default="", help="标题（可选）")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts.get("action") == "open":
            self._open(opts["plan"], opts["period"], opts["title"])
            return
        rows = selectors.round_rows(selectors.all_rounds())
        if opts["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        table = Table(title="考评期")
        for column in ("ID", "行动", "方案", "考评期", "版次", "状态"):
            table.add_column(column)
        for r in rows:
            table.add_row(
                str(r["id"]), r["campaign"], r["plan"], r["period"], str(r["edition"]),
                r["state_label"],
            )  # fmt: skip
        Console(
            file=self.stdout,  # type: ignore[arg-type]
            width=160,
        ).print(table)

    def _open(self, plan_id: int, period: str, title: str) -> None:
        plan = Plan.objects.select_related("campaign__owner").filter(pk=plan_id).first()
        if plan is None:
            raise CommandError(f"找不到考评方案 {plan_id}")
        try:
            round_ = services.create_round(actor=None, plan=plan, period=period, title=title)
        except GongjianError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"已新建考评期 {round_.pk}：{round_}（草稿）")
