"""`gongjian results export FILE --round ID --user NAME`: a round's results as that user may see
them (a draft only to whoever may see drafts), as the results page's .xlsx; a progress bar."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongjian.assessment import results_file, selectors
from gongjian.core.errors import GongjianError
from gongjian.org.cli import export_to, user_named


class Command(BaseCommand):
    help = "导出考评结果为 .xlsx（以某用户可见的范围）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="导出一个考评期的结果为 .xlsx")
        export.add_argument("file")
        export.add_argument("--round", type=int, required=True, help="考评期 ID")
        export.add_argument("--user", required=True, help="以此用户的范围导出")

    def handle(self, *args: Any, **opts: Any) -> None:
        user = user_named(opts["user"])
        path = Path(opts["file"])
        try:
            round_ = selectors.get_round(user, opts["round"])
        except GongjianError as exc:  # a round out of sight reads as one that does not exist
            raise CommandError(exc.message) from exc
        export_to(
            path,
            lambda bar: results_file.results_workbook(round_, user, progress=bar),
            user=user,
            target=f"考评结果 {round_}",
            command="gongjian results",
        )
        self.stdout.write(f"已导出 {round_} 的考评结果到 {path}")
