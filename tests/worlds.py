"""Worlds built once per test module: the demo takes seconds to build, and most tests only read
it. The world is committed before the module's first test and emptied after its last one; each
test still runs in its own transaction, rolled back, so a test that writes leaves the world as
it found it. A module that uses one must hold only tests that expect it (pytest keeps a
module-scoped fixture up until the module ends, whether a test asks for it or not)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from django.core.cache import caches
from django.core.management import call_command

T = TypeVar("T")


def built_once(django_db_blocker: Any, build: Callable[[], T]) -> Iterator[T]:
    with django_db_blocker.unblock():
        try:
            world = build()
        except BaseException:
            _empty()
            raise
    try:
        yield world
    finally:
        with django_db_blocker.unblock():
            _empty()


def _empty() -> None:
    """As a transactional test leaves the database: every table emptied, every cache too."""
    call_command("flush", interactive=False, verbosity=0)
    for cache in caches.all():
        cache.clear()
