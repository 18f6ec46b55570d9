"""`gongjian tick`: the scheduled work, for cron or a systemd timer.

Raises orders for red projects and for hazards past their rectification date, marks overdue
orders and escalates their colour, sends the reminders (催办) due, and pushes pending webhook
messages, then works off the battle-map refreshes the ledger's writes left behind
(projects/refreshes.py) and stores the day's warning snapshot for the battle map. Idempotent:
a second run on the same day changes nothing more.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from gongjian.core import clock
from gongjian.projects import refreshes
from gongjian.projects.snapshots import snapshot_warnings
from gongjian.supervision import tick


class Command(BaseCommand):
    help = "督办定时任务：红灯项目自动督办、逾期标记与升级、催办、推送（可重复运行）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-deliver", action="store_true", help="不发送机器人推送（只写入待发送队列）"
        )
        parser.add_argument(
            "--full",
            action="store_true",
            help=_("预警快照逐一核对全部项目（默认只核对上次核对以来有变更记录的项目）"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = tick.tick(deliver=not options["no_deliver"])
        self.stdout.write(report.as_text())
        # The ledger's writes whose battle-map refresh has not run (or failed) first, then the
        # day's snapshot, which the battle map reads; both are idempotent.
        behind = refreshes.work_off()
        if behind:
            self.stdout.write(_("补做挂图刷新：%(n)s 个项目") % {"n": behind})
        counts = snapshot_warnings(on=clock.today(), full=options["full"])
        self.stdout.write(
            _("预警快照：红灯 %(r)s，黄灯 %(y)s，绿灯 %(g)s")
            % {"r": counts["red"], "y": counts["yellow"], "g": counts["green"]}
        )
