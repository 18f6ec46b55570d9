"""`gongjian plan import FILE` / `gongjian plan export ID -o FILE` (YAML or .xlsx)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gongjian.assessment import plan_file, services
from gongjian.assessment.models import Plan
from gongjian.core.errors import GongjianError, ImportRejected
from gongjian.core.progress import cli_progress


class Command(BaseCommand):
    help = "考评方案导入、导出（YAML 或 .xlsx，格式见 docs/assessment.md）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="导入方案文件；同名方案成为新版本")
        imp.add_argument("file")
        exp = sub.add_parser("export", help="导出方案为文件（按扩展名：.yaml/.yml 或 .xlsx）")
        exp.add_argument("id", type=int)
        exp.add_argument("-o", "--output", required=True)

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "import":
            path = Path(opts["file"])
            if not path.exists():
                raise CommandError(f"文件不存在：{path}")
            try:
                with cli_progress() as bar:
                    bar(_("读取方案文件"), 0, 1)
                    doc = plan_file.read_path(path)
                    bar(_("读取方案文件"), 1, 1)
                    bar(_("核对并写入方案"), 0, 1)
                    plan = services.import_plan(actor=None, doc=doc)
                    bar(_("核对并写入方案"), 1, 1)
            except ImportRejected as exc:
                raise CommandError("\n".join([exc.message, *(str(e) for e in exc.errors)])) from exc
            except GongjianError as exc:
                raise CommandError(exc.message) from exc
            self.stdout.write(f"已导入方案 {plan.pk}：{plan}")
            return
        found = Plan.objects.filter(pk=opts["id"]).first()
        if found is None:
            raise CommandError(f"找不到方案 {opts['id']}")
        out = Path(opts["output"])
        doc = services.plan_document(found)
        if out.suffix.lower() == ".xlsx":
            out.write_bytes(plan_file.write_xlsx(doc))
        else:
            out.write_text(plan_file.write_yaml(doc), encoding="utf-8")
        self.stdout.write(f"已导出方案 {found.pk} 到 {out}")
