"""`gongjian serve`: migrate and serve the site with gunicorn; `--dev` with Django's server.

gunicorn is the production server (docs/operations.md): workers from the machine's cores
(2 × cores + 1, or `--workers` / `GONGJIAN_WORKERS`), a graceful restart on SIGHUP (new
workers start before the old ones finish their requests), the access log in the usual
combined format on stdout. Static files come from WhiteNoise either way; behind nginx the
attachments go out through X-Accel-Redirect (deploy/nginx/gongjian.conf).
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.utils.translation import gettext as _
from gunicorn.app.base import BaseApplication

from gongjian.core import schema

# Apache's "combined" format with the time the request took (microseconds) at the end.
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)s'


def default_workers() -> int:
    """gunicorn's rule of thumb: two workers per core plus one."""
    configured = os.environ.get("GONGJIAN_WORKERS", "").strip()
    if configured:
        return max(1, int(configured))
    return 2 * (os.cpu_count() or 1) + 1


def gunicorn_options(*, bind: str, workers: int) -> dict[str, Any]:
    """The settings `gongjian serve` gives gunicorn (one place, for the command and its test)."""
    return {
        "bind": [bind],
        "workers": workers,
        "worker_class": "sync",
        # A report with photos may take a while on a slow county line; nginx waits as long.
        "timeout": int(os.environ.get("GONGJIAN_TIMEOUT", "120")),
        "graceful_timeout": 30,
        "keepalive": 5,
        "accesslog": os.environ.get("GONGJIAN_ACCESS_LOG", "-"),
        "access_log_format": ACCESS_LOG_FORMAT,
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "gongjian",
        # Behind nginx on the same machine: trust its X-Forwarded-* headers.
        "forwarded_allow_ips": os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1"),
        # gunicornc's socket: one per installation, not one per user shared by all of them.
        "control_socket": str(settings.VAR_DIR / "gunicorn.ctl"),
        "max_requests": 2000,
        "max_requests_jitter": 200,
    }


class Command(BaseCommand):
    help = _("启动网站服务（gunicorn；--dev 为开发服务器）。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help=_("端口（默认 8000）"))
        parser.add_argument("--host", default="127.0.0.1", help=_("监听地址（默认 127.0.0.1）"))
        parser.add_argument(
            "--bind", default="", help=_("gunicorn 监听地址，如 unix:/run/gongjian/web.sock")
        )
        parser.add_argument(
            "--workers", type=int, default=0, help=_("工作进程数（默认 CPU 核数 × 2 + 1）")
        )
        parser.add_argument(
            "--dev", action="store_true", help=_("用 Django 开发服务器（改代码自动重载）")
        )
        parser.add_argument("--no-migrate", action="store_true", help=_("启动前不执行迁移"))

    def handle(self, *args: Any, **opts: Any) -> None:
        if not opts["no_migrate"]:
            schema.migrate()
        address = f"{opts['host']}:{opts['port']}"
        if opts["dev"]:
            self.stdout.write(
                _("服务地址：http://%(address)s/  （Ctrl+C 停止）") % {"address": address}
            )
            call_command("runserver", address, use_reloader=True)
            return
        bind = opts["bind"] or address
        workers = opts["workers"] or default_workers()
        if workers < 1:
            raise CommandError(_("工作进程数至少为 1。"))
        # The workers are forked: none may inherit this process's database connection.
        connections.close_all()
        shown = bind if bind.startswith("unix:") else f"http://{bind}/"
        self.stdout.write(
            _("服务地址：%(address)s  （gunicorn，%(workers)s 个工作进程；Ctrl+C 停止）")
            % {"address": shown, "workers": workers}
        )
        self.stdout.flush()
        _Gunicorn(gunicorn_options(bind=bind, workers=workers)).run()


class _Gunicorn(BaseApplication):
    """gunicorn run in this process on gongjian.wsgi, with the options above."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            # control_socket is gunicorn 25+'s; an older gunicorn simply has no such socket
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self) -> Any:
        from gongjian.wsgi import application

        return application
