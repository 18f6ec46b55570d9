"""`gongjian publish --round ID`: publish a computed round; from then on it never changes."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongjian.assessment import services
from gongjian.assessment.management.commands._common import get_round
from gongjian.core.errors import GongjianError


class Command(BaseCommand):
    help = "发布已计算的考评期（发布后不可更改，更正须新建版本）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--round", type=int, required=True, help="考评期 ID")

    def handle(self, *args: Any, **opts: Any) -> None:
        round_ = get_round(opts["round"])
        try:
            services.publish_round(actor=None, round=round_)
        except GongjianError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"已发布：{round_}")
