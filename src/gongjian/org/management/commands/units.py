"""`gongjian units resolve NAME`: which unit a name means, tolerant of how it is written."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongjian.core.errors import UnitNameError
from gongjian.org.selectors import resolve_unit, unit_label


class Command(BaseCommand):
    help = "单位名称解析：units resolve 名称 [--within 上级单位]"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        resolve = sub.add_parser("resolve", help="解析单位名称，打印规范名称与层级路径")
        resolve.add_argument("name")
        resolve.add_argument("--within", help="只在该单位之下查找")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            within = resolve_unit(opts["within"]) if opts.get("within") else None
            unit = resolve_unit(opts["name"], within=within)
        except UnitNameError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(unit.name)
        self.stdout.write(unit_label(unit))
