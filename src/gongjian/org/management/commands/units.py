"""`gongjian units resolve NAME` and `gongjian units import FILE`: find a unit; load units."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongjian.core.errors import ImportRejected, UnitNameError
from gongjian.org.selectors import resolve_unit, unit_label
from gongjian.org.units_file import import_units_path


class Command(BaseCommand):
    help = "单位：units resolve 名称 [--within 上级单位]；units import 文件（.xlsx/.csv）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        resolve = sub.add_parser("resolve", help="解析单位名称，打印规范名称与层级路径")
        resolve.add_argument("name")
        resolve.add_argument("--within", help="只在该单位之下查找")
        load = sub.add_parser(
            "import", help="导入单位（列：名称、类型、上级单位、别名）；有错则整份不导入"
        )
        load.add_argument("file", type=Path)

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "import":
            self._import(opts["file"])
            return
        try:
            within = resolve_unit(opts["within"]) if opts.get("within") else None
            unit = resolve_unit(opts["name"], within=within)
        except UnitNameError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(unit.name)
        self.stdout.write(unit_label(unit))

    def _import(self, path: Path) -> None:
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        try:
            units = import_units_path(actor=None, path=path)
        except ImportRejected as exc:
            raise CommandError("\n".join([exc.message, *(str(e) for e in exc.errors)])) from exc
        self.stdout.write(f"已导入 {len(units)} 个单位")
        for unit in units:
            self.stdout.write(unit_label(unit))
