"""`gongjian tokens create|list|revoke --user U`: a user's API tokens from the command line."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongjian.core.errors import GongjianError
from gongjian.org import selectors, services
from gongjian.org.models import User


class Command(BaseCommand):
    help = "接口令牌：tokens create|list|revoke --user 用户名"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="创建令牌，只打印这一次")
        create.add_argument("--user", required=True)
        create.add_argument("--name", required=True, help="用途")
        create.add_argument("--expires", type=dt.date.fromisoformat, help="有效期至 YYYY-MM-DD")
        listing = sub.add_parser("list", help="列出该用户的令牌")
        listing.add_argument("--user", required=True)
        revoke = sub.add_parser("revoke", help="撤销令牌")
        revoke.add_argument("--user", required=True)
        revoke.add_argument("token_id", type=int)

    def handle(self, *args: Any, **opts: Any) -> None:
        user = User.objects.filter(username=opts["user"]).first()
        if user is None:
            raise CommandError(f"没有用户“{opts['user']}”。")
        try:
            getattr(self, f"_{opts['action']}")(user, opts)
        except GongjianError as exc:
            raise CommandError(exc.message) from exc

    def _create(self, user: User, opts: dict[str, Any]) -> None:
        # The operator at the server's shell acts as the system (actor=None), as the demo does.
        key = services.issue_api_token(
            actor=None, user=user, name=opts["name"], expires_on=opts.get("expires")
        )
        self.stdout.write(key)

    def _list(self, user: User, opts: dict[str, Any]) -> None:
        for t in selectors.tokens_of(user):
            state = "已撤销" if t.revoked_at else "有效"
            expires = t.expires_on.isoformat() if t.expires_on else "长期"
            used = t.last_used_at.isoformat(timespec="minutes") if t.last_used_at else "从未使用"
            self.stdout.write(f"{t.pk}\t{t.name}\t{state}\t有效期至 {expires}\t最近使用 {used}")

    def _revoke(self, user: User, opts: dict[str, Any]) -> None:
        token = selectors.tokens_of(user).filter(pk=opts["token_id"]).first()
        if token is None:
            raise CommandError("该用户没有这个令牌。")
        services.revoke_api_token(actor=None, token_id=token.pk)
        self.stdout.write(f"已撤销 {token.pk} {token.name}")
