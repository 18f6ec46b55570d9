"""`gongjian serve`: migrate and serve the site with Django's server (no autoreload).

Static files come from WhiteNoise. Production runs gunicorn behind nginx (docs/operations.md);
this is for one machine and the demo.
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "启动网站服务。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
        parser.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")

    def handle(self, *args: Any, **opts: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(f"服务地址：http://{opts['host']}:{opts['port']}/  （Ctrl+C 停止）")
        call_command("runserver", f"{opts['host']}:{opts['port']}", use_reloader=False)
