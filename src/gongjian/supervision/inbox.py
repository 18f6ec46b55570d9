"""Inbox messages: who answers a unit's orders, and the messages a step leaves them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from gongjian.core import clock
from gongjian.org.models import Role, Unit, User
from gongjian.supervision.models import (
    Message,
    SupervisionOrder,
)


def unit_handlers(unit: Unit) -> list[User]:
    """The people who answer a unit's orders: its active unit staff."""
    return list(
        User.objects.filter(unit=unit, is_active=True, roles__role=Role.UNIT_STAFF).distinct()
    )


def unit_leaders(unit: Unit) -> list[User]:
    """The unit's leaders (分管领导): active users with the leader role whose person is linked to
    the unit or to a unit above it."""
    return list(
        User.objects.filter(
            is_active=True,
            roles__role=Role.LEADER,
            person__leaderlink__unit_id__in=unit.ancestor_ids(),
        )
        .exclude(unit__path__startswith=unit.path)
        .distinct()
    )


@contextmanager
def site_language() -> Iterator[None]:
    """Texts stored for others to read (inbox, reminders, system notes) are in the site's
    language, whatever the language of the person whose action caused them."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


def notify(
    users: Iterable[Any],
    order: SupervisionOrder | None,
    text: str | Callable[[], str],
    **extra: Any,
) -> int:
    if callable(text):
        with site_language():
            text = text()
    now = clock.now()
    rows = [
        Message(user=u, order=order, text=text, created_at=now, **extra)
        for u in {u.pk: u for u in users if u is not None}.values()
    ]
    Message.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def mark_all_read(*, actor: Any) -> int:
    """The user has read their inbox: every unread message of theirs (and only theirs) is marked
    read now. Returns how many were marked."""
    if actor is None or actor.pk is None:
        return 0
    return Message.objects.filter(user_id=actor.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
