"""`gongjian warnings --date YYYY-MM-DD [--campaign ID] [--json]`: every project's 红黄绿灯."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from gongjian.campaigns.models import Campaign
from gongjian.core import clock
from gongjian.projects.models import Project, ProjectLevel
from gongjian.projects.selectors import warning_rows

COLOUR_STYLE = {"green": "green", "yellow": "yellow", "red": "red"}
COLOUR_LABEL = {"green": "绿灯", "yellow": "黄灯", "red": "红灯"}


class Command(BaseCommand):
    help = "计算并打印每个项目在某日的红黄绿灯预警（--json 输出供其他工具使用）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="预警日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--campaign", type=int, help="只看这个攻坚行动（ID）")
        parser.add_argument("--json", action="store_true", help="以 JSON 列表输出")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            on = dt.date.fromisoformat(opts["date"]) if opts["date"] else clock.today()
        except ValueError as exc:
            raise CommandError(f"日期格式应为 YYYY-MM-DD：{opts['date']}") from exc
        qs = Project.objects.all()
        if opts["campaign"] is not None:
            if not Campaign.objects.filter(pk=opts["campaign"]).exists():
                raise CommandError(f"找不到攻坚行动 ID {opts['campaign']}")
            qs = qs.filter(campaign_id=opts["campaign"])
        rows = warning_rows(qs, on)
        if opts["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
            return
        table = Table(title=f"红黄绿灯预警 · {on.isoformat()}")
        for header in ("编号", "项目", "责任单位", "级别", "灯", "原因", "预计完成"):
            table.add_column(header)
        for r in rows:
            colour = r["colour"]
            table.add_row(
                r["project_code"],
                r["project"],
                r["unit"],
                str(ProjectLevel(r["level"]).label) if r["level"] else "—",
                f"[{COLOUR_STYLE[colour]}]{COLOUR_LABEL[colour]}[/]",
                "；".join(r["reasons"]),
                r["forecast_completion"] or "—",
            )
        buffer = io.StringIO()
        Console(file=buffer, width=200).print(table)
        self.stdout.write(buffer.getvalue())
        counts = {c: sum(1 for r in rows if r["colour"] == c) for c in COLOUR_LABEL}
        self.stdout.write(
            "合计 {n} 个项目：绿灯 {g}，黄灯 {y}，红灯 {r}".format(
                n=len(rows), g=counts["green"], y=counts["yellow"], r=counts["red"]
            )
        )
