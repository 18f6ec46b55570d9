"""What the commands that act as a user share: the user named by `--user`, and writing an export
made in that user's scope to a file, with a progress bar and a line in the security audit log."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import IO

from django.core.management.base import CommandError

from gongjian.core import audit
from gongjian.core.errors import GongjianError
from gongjian.core.progress import Progress, cli_progress
from gongjian.org.models import User


def user_named(username: str) -> User:
    """The active user `--user` names; a command acts in that user's scope, as the pages do."""
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"找不到用户 {username}")
    return user


def export_to(
    path: Path,
    build: Callable[[Progress], IO[bytes]],
    *,
    user: User,
    target: str,
    command: str,
) -> None:
    """Build the workbook (a refusal becomes the command's error, nothing written), copy it to
    `path` and log the export as the pages log theirs."""
    try:
        with cli_progress() as bar:
            file = build(bar)
    except GongjianError as exc:  # e.g. a round out of sight, more rows than a sheet holds
        raise CommandError(exc.message) from exc
    with file, path.open("wb") as out:
        shutil.copyfileobj(file, out)
    audit.record(audit.EventKind.EXPORT, user=user, target=target, detail=command)
