"""`gongjian assess --round ID [--json]`: compute the round (if still a draft) and print it."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from gongjian.assessment import selectors, services
from gongjian.assessment.management.commands._common import get_round
from gongjian.assessment.models import RoundState
from gongjian.core.errors import GongjianError


class Command(BaseCommand):
    help = "计算考评期（草稿时）并输出每个单位的得分、名次、等次与各专项名次"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--round", type=int, required=True, help="考评期 ID")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args: Any, **opts: Any) -> None:
        round_ = get_round(opts["round"])
        if round_.state == RoundState.DRAFT:
            try:
                services.compute_round(actor=None, round=round_)
            except GongjianError as exc:
                raise CommandError(exc.message) from exc
        rows = selectors.result_rows(round_)
        if opts["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        table = Table(title=str(round_))
        for column in ("分组", "名次", "单位", "得分", "等次", "各专项（得分/名次）"):
            table.add_column(column)
        for r in rows:
            lines = "；".join(
                f"{name} {v['score']}/{'并列' if v['tied'] else ''}{v['rank']}"
                for name, v in r["lines"].items()
            )
            # A line-only plan (composite: none) has no composite rank, score or grade.
            rank = "—" if r["rank"] is None else f"{'并列' if r['tied'] else ''}{r['rank']}"
            # rich renders text only: a score is a JSON number (90, 96.5), so written out here.
            score = "—" if r["score"] is None else str(r["score"])
            table.add_row(r["group"], rank, r["unit"], score, r["grade"], lines)
        Console(
            file=self.stdout,  # type: ignore[arg-type]
            width=200,
        ).print(table)
