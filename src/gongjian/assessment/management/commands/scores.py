"""`gongjian scores import --round ID FILE`: indicator values from .xlsx or .csv, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gongjian.assessment import services
from gongjian.assessment.management.commands._common import get_round
from gongjian.assessment.values_file import read_values_path
from gongjian.core.errors import GongjianError, ImportRejected
from gongjian.core.progress import cli_progress


class Command(BaseCommand):
    help = "导入考评指标值（.xlsx 或 .csv；任一单元格有错则整份不导入）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="导入指标值文件")
        imp.add_argument("--round", type=int, required=True, help="考评期 ID")
        imp.add_argument("file")

    def handle(self, *args: Any, **opts: Any) -> None:
        round_ = get_round(opts["round"])
        path = Path(opts["file"])
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        try:
            with cli_progress() as bar:
                bar(_("读取文件"), 0, 1)
                rows = read_values_path(path)
                bar(_("读取文件"), 1, 1)
                bar(_("核对并写入指标值"), 0, len(rows))
                count = services.import_values(actor=None, round=round_, rows=rows)
                bar(_("核对并写入指标值"), len(rows), len(rows))
        except ImportRejected as exc:
            raise CommandError("\n".join([exc.message, *(str(e) for e in exc.errors)])) from exc
        except GongjianError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"已导入 {count} 个指标值到 {round_}（待重新计算）")
