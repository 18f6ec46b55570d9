"""`gongjian orders export FILE --user NAME [--state S] [--unit ID] [--overdue]`: the 督办单 that
user sees, with the order board's filters, as the board's .xlsx; a progress bar on stderr."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gongjian.core import clock
from gongjian.org.cli import export_to, user_named
from gongjian.supervision import selectors
from gongjian.supervision.export_file import orders_workbook
from gongjian.supervision.flow import State


class Command(BaseCommand):
    help = "导出督办单为 .xlsx（以某用户的查看范围，可按督办看板的条件筛选）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="导出督办单为 .xlsx")
        export.add_argument("file")
        export.add_argument("--user", required=True, help="以此用户的范围导出")
        export.add_argument("--state", choices=[s.value for s in State], help="只导出此状态")
        export.add_argument("--unit", type=int, help="只导出此责任单位（ID）的")
        export.add_argument("--overdue", action="store_true", help="只导出已逾期的")

    def handle(self, *args: Any, **opts: Any) -> None:
        user = user_named(opts["user"])
        today = clock.today()
        orders = selectors.board_orders(
            user,
            state=opts.get("state") or "",
            unit_id=opts.get("unit"),
            overdue=opts["overdue"],
            today=today,
        )
        path = Path(opts["file"])
        export_to(
            path,
            lambda bar: orders_workbook(orders, today, progress=bar),
            user=user,
            target=path.name,
            command="gongjian orders",
        )
        self.stdout.write(f"已导出 {orders.count()} 份督办单到 {path}")
