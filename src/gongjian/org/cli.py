"""What the commands that act as a user share: the user named by `--user`."""

from __future__ import annotations

from django.core.management.base import CommandError

from gongjian.org.models import User


def user_named(username: str) -> User:
    """The active user `--user` names; a command acts in that user's scope, as the pages do."""
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"找不到用户 {username}")
    return user
