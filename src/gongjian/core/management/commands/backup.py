"""`gongjian backup FILE`: the database, the uploaded files and a manifest in one archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gongjian.core.backup import backup
from gongjian.core.errors import GongjianError


class Command(BaseCommand):
    help = _("备份数据库、附件与校验清单到一个文件（恢复：gongjian restore FILE）。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=_("备份文件，如 /srv/backup/gongjian-2026-12-31.tar"))

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            info = backup(Path(opts["file"]))
        except GongjianError as exc:
            raise CommandError(exc.message) from exc
        rows = sum(t["rows"] for t in info["tables"].values())
        rounds = len(info["digests"].get("published_rounds", {}))
        self.stdout.write(
            _(
                "已备份到 %(file)s：%(tables)s 张表 %(rows)s 行，%(rounds)s 个已发布考评期，%(media)s 个附件。"
            )
            % {
                "file": opts["file"],
                "tables": len(info["tables"]),
                "rows": rows,
                "rounds": rounds,
                "media": len(info["media"]),
            }
        )
