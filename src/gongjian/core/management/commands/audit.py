"""`gongjian audit prune [--days N]`: drop security audit rows older than N days (N >= 180)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongjian.core import audit
from gongjian.core.errors import GongjianError


class Command(BaseCommand):
    help = "安全审计记录：audit prune [--days N]（N 不少于 180）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        prune = sub.add_parser("prune", help="删除早于 N 天的审计记录")
        prune.add_argument("--days", type=int, default=audit.MIN_RETENTION_DAYS)

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            deleted = audit.prune(days=opts["days"])
        except GongjianError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"已删除 {deleted} 条早于 {opts['days']} 天的审计记录。")
