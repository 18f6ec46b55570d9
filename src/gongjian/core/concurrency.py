"""Optimistic locking: a write names the version it read, and is refused if the row moved on."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models, transaction
from django.utils.translation import gettext as _

from gongjian.core.errors import ConcurrentUpdate

M = TypeVar("M", bound=models.Model)


class Versioned(models.Model):
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        abstract = True


def lock_for_update(model: type[M], pk: Any, *, expected_version: int | None) -> M:
    """Lock the row and check it is still at the version the user read.

    Must run inside `transaction.atomic`. The row lock (PostgreSQL) or the IMMEDIATE write
    transaction (SQLite) serialises concurrent writers, so the second one sees the bumped version
    and is refused instead of silently overwriting the first.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_for_update needs an atomic block")
    instance = model._default_manager.select_for_update().get(pk=pk)
    current = instance.version  # type: ignore[attr-defined]
    if expected_version is not None and expected_version != current:
        raise ConcurrentUpdate(
            _(
                "该记录已被他人修改（您读取的是第 %(read)s 版，现为第 %(now)s 版），请刷新后重新提交。"
            )
            % {"read": expected_version, "now": current},
            expected_version=expected_version,
            current_version=current,
        )
    instance.version = current + 1  # type: ignore[attr-defined]
    return instance
