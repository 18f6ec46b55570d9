"""`gongjian bulletin --round ID --format md|docx|pdf -o FILE`: the period's 考评情况通报."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gongjian.assessment.bulletin import build_bulletin, render
from gongjian.assessment.management.commands._common import get_round


class Command(BaseCommand):
    help = "生成考评情况通报（Markdown、Word 或 PDF）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--round", type=int, required=True, help="考评期 ID")
        parser.add_argument("--format", choices=["md", "docx", "pdf"], default="md")
        parser.add_argument("-o", "--output", required=True, help="输出文件")

    def handle(self, *args: Any, **opts: Any) -> None:
        bulletin = build_bulletin(get_round(opts["round"]))
        out = Path(opts["output"])
        out.write_bytes(render(bulletin, opts["format"]))  # the office's own template for .docx
        self.stdout.write(f"已生成通报：{out}")
