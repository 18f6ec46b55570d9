"""`gongjian deliver`: send the robots' due messages (the outbox), within each robot's limits.

Run every minute by gongjian-robots.timer, so messages held back by a robot's rate or folded
into a digest go out within a minute; `gongjian tick` sends them too.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from gongjian.supervision import webhooks


class Command(BaseCommand):
    help = "发送群机器人待发送消息（按每个机器人的限额，多条合并为一条汇总）"

    def handle(self, *args: Any, **options: Any) -> None:
        sent, failed = webhooks.deliver_due()
        self.stdout.write(
            _("机器人推送：成功 %(sent)s 条，失败 %(failed)s 条（失败的按退避时间重试）")
            % {"sent": sent, "failed": failed}
        )
