"""`gongjian rounds [--json]`: every round with its plan, campaign, period and state."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from rich.console import Console
from rich.table import Table

from gongjian.assessment import selectors


class Command(BaseCommand):
    help = "列出考评期（--json 输出机器可读的列表）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args: Any, **opts: Any) -> None:
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
