"""`gongjian ledger export FILE` / `gongjian ledger import FILE --user NAME`: the Excel round trip."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongjian.core.errors import GongjianError, ImportRejected
from gongjian.core.progress import cli_progress
from gongjian.org.cli import export_to, user_named
from gongjian.projects import ledger_file
from gongjian.projects.selectors import projects_for


class Command(BaseCommand):
    help = "项目台账的 Excel 导出与导入（导入全部或全不，错误指明单元格）。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="导出台账为 .xlsx")
        export.add_argument("file")
        export.add_argument("--user", required=True, help="以此用户的范围导出")
        export.add_argument("--campaign", type=int, help="只导出这个攻坚行动（ID）")
        imp = sub.add_parser("import", help="导入 .xlsx 台账")
        imp.add_argument("file")
        imp.add_argument("--user", required=True, help="以此用户的身份和权限导入")
        imp.add_argument("--errors", help="被拒绝时，把标注了错误单元格的文件写到这里")

    def handle(self, *args: Any, **opts: Any) -> None:
        user = user_named(opts["user"])
        path = Path(opts["file"])
        if opts["action"] == "export":
            qs = projects_for(user)
            if opts.get("campaign"):
                qs = qs.filter(campaign_id=opts["campaign"])
            export_to(
                path,
                lambda bar: ledger_file.ledger_workbook(qs, actor=user, progress=bar),
                user=user,
                target=path.name,
                command="gongjian ledger",
            )
            self.stdout.write(f"已导出 {qs.count()} 个项目到 {path}")
            return
        if not path.exists():
            raise CommandError(f"找不到文件 {path}")
        try:
            with cli_progress() as bar:
                s = ledger_file.import_ledger_xlsx(actor=user, data=path, progress=bar)
        except ImportRejected as exc:
            for e in exc.errors:
                self.stderr.write(str(e))
            if opts.get("errors"):
                Path(opts["errors"]).write_bytes(ledger_file.mark_errors(path, exc.errors))
                self.stderr.write(f"已写出标注错误的文件：{opts['errors']}")
            raise CommandError(exc.message) from exc
        except GongjianError as exc:  # e.g. a user who may not edit any ledger
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"导入成功：新建 {s.created}，修改 {s.updated}，未变 {s.unchanged}；"
            f"新增节点 {s.milestones_created}，修改节点 {s.milestones_updated}"
        )
