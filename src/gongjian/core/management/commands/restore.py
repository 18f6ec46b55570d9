"""`gongjian restore FILE`: an archive of `gongjian backup` into an empty database and media folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gongjian.core.backup import restore
from gongjian.core.errors import GongjianError


class Command(BaseCommand):
    help = _("从 gongjian backup 的备份文件恢复到空数据库与空附件目录，并按清单校验。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=_("备份文件"))
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("目标数据库或附件目录不为空时也恢复（覆盖现有数据）"),
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            info = restore(Path(opts["file"]), force=opts["force"])
        except GongjianError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            _(
                "已恢复并校验：%(tables)s 张表、%(rounds)s 个已发布考评期、%(media)s 个附件与备份清单一致。"
            )
            % {
                "tables": len(info["tables"]),
                "rounds": len(info["digests"].get("published_rounds", {})),
                "media": len(info["media"]),
            }
        )
