"""`gongjian demo`: build the demo database from the seeds and serve it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from rich.console import Console
from rich.table import Table

from gongjian.core import schema
from gongjian.demo import org_data
from gongjian.demo.builder import build_demo


class Command(BaseCommand):
    help = "新建演示数据库（长乐区攻坚120天、湖南镇百日攻坚），计算考评并启动服务。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
        parser.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
        parser.add_argument("--no-serve", action="store_true", help="只建库，不启动服务")

    def handle(self, *args: Any, **opts: Any) -> None:
        console = Console()
        self._reset_database(console)
        schema.migrate()
        with console.status("正在载入演示数据……"):
            build_demo(
                progress=lambda label, summary: console.print(f"  [green]✓[/] {label}：{summary}")
            )
        self._print_logins(console, opts["host"], opts["port"])
        if not opts["no_serve"]:
            call_command("serve", host=opts["host"], port=opts["port"])

    def _reset_database(self, console: Console) -> None:
        db = settings.DATABASES["default"]
        if db["ENGINE"] == "django.db.backends.sqlite3":
            connection.close()
            path = (
                settings.VAR_DIR.joinpath(db["NAME"])
                if not str(db["NAME"]).startswith("/")
                else None
            )
            from pathlib import Path

            target = Path(path or db["NAME"])
            target.parent.mkdir(parents=True, exist_ok=True)
            for suffix in ("", "-wal", "-shm"):
                Path(str(target) + suffix).unlink(missing_ok=True)
            console.print(f"数据库：{target}")
        else:
            if not settings.DEBUG and "GONGJIAN_DEMO_ALLOW_FLUSH" not in __import__("os").environ:
                raise CommandError(
                    "演示会清空当前数据库。非 SQLite 数据库请设置 GONGJIAN_DEMO_ALLOW_FLUSH=1 后再运行。"
                )
            call_command("flush", interactive=False, verbosity=0)

    def _print_logins(self, console: Console, host: str, port: int) -> None:
        table = Table(title=f"演示账号（密码均为 {org_data.DEMO_PASSWORD}）")
        table.add_column("用户名")
        table.add_column("单位")
        table.add_column("用途")
        for username, _display, unit, _roles, _person, purpose in org_data.USERS:
            table.add_row(username, unit, purpose)
        console.print(table)
        console.print(f"登录地址：http://{host}:{port}/login/")
