"""Worlds built once: the demo takes seconds to build (5 s on SQLite, 12 s on PostgreSQL on a
quiet machine, four times that on a loaded one), and the suite asks for it some thirty times.

`world(key, build)` builds a world the first time a test process asks for it, copies its rows
aside (a schema of their own on PostgreSQL, an attached database file on SQLite: neither is seen
by Django's introspection, so `gongjian backup` and the flush between tests never meet them),
and after that puts the same rows back instead of building again (about a tenth of a second).

`built_once` gives a module the world committed before its first test and emptied after its
last one; each test still runs in its own transaction, rolled back, so a test that writes leaves
the world as it found it. A module that uses one must hold only tests that expect it (pytest
keeps a module-scoped fixture up until the module ends, whether a test asks for it or not)."""

from __future__ import annotations

import atexit
import copy
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from django.apps import apps
from django.core.cache import caches
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

T = TypeVar("T")

SCHEMA = "test_worlds"  # PostgreSQL: where the copies live, inside this process's test database
ALIAS = "test_worlds"  # SQLite: the attached database that holds them


@dataclass
class _Copy:
    tables: dict[str, str]  # table → its copy, for every table the world wrote a row to
    emptied: list[str]  # every table of the database, emptied before the rows go back
    result: Any  # what `build` returned, handed out as a fresh copy each time


_copies: dict[str, _Copy] = {}


def world(key: str, build: Callable[[], T]) -> T:
    """The world `build` makes, with its rows committed. Outside a transaction only: a copy
    taken inside a test's transaction would be rolled back with it."""
    if connection.in_atomic_block:
        raise RuntimeError("world() 只能在事务之外调用")
    kept = _copies.get(key)
    if kept is None:
        result = build()
        if _can_copy():
            _copies[key] = _take(key, result)
        return result
    _put_back(kept)
    return copy.deepcopy(kept.result)  # type: ignore[no-any-return]


def built_once(django_db_blocker: Any, build: Callable[[], T], *, key: str = "") -> Iterator[T]:
    with django_db_blocker.unblock():
        try:
            made = world(key, build) if key else build()
        except BaseException:
            _empty()
            raise
    try:
        yield made
    finally:
        with django_db_blocker.unblock():
            _empty()


def demo() -> Any:
    """The whole demo (`gongjian demo`), for a test that is not in a transaction (e2e)."""
    from gongjian.demo.builder import build_demo

    return world("demo", build_demo)


def _empty() -> None:
    """As a transactional test leaves the database: every table emptied, every cache too."""
    call_command("flush", interactive=False, verbosity=0)
    for cache in caches.all():
        cache.clear()


def _can_copy() -> bool:
    """Putting rows back skips the foreign-key and audit triggers, which on PostgreSQL needs a
    superuser (`session_replication_role`); without one every world is built afresh."""
    if connection.vendor == "sqlite":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        return bool(cursor.fetchone()[0])


def _tables() -> list[str]:
    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor)
    return [name for name in names if name != "django_migrations"]


def _take(key: str, result: Any) -> _Copy:
    quote = connection.ops.quote_name
    where = _attached()
    tables = _tables()
    copies: dict[str, str] = {}
    with connection.cursor() as cursor:
        for n, table in enumerate(tables):
            cursor.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1")  # noqa: S608 - our tables
            if cursor.fetchone() is None:
                continue
            target = f"{where}.{quote(f'{key}_{n}')}"
            cursor.execute(f"DROP TABLE IF EXISTS {target}")
            cursor.execute(f"CREATE TABLE {target} AS SELECT * FROM {quote(table)}")  # noqa: S608
            copies[table] = target
    return _Copy(tables=copies, emptied=tables, result=copy.deepcopy(result))


def _put_back(kept: _Copy) -> None:
    quote = connection.ops.quote_name
    _attached()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        # The flush between tests leaves the content types and permissions that post_migrate
        # makes again; the world's own (with its ids) replace them.
        for table in kept.emptied:
            cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608 - our tables
        for table, source in kept.tables.items():
            cursor.execute(f"INSERT INTO {quote(table)} SELECT * FROM {source}")  # noqa: S608
        models = apps.get_models(include_auto_created=True)
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    for cache in caches.all():
        cache.clear()


def _attached() -> str:
    """Where the copies are: the schema (PostgreSQL) or the attached file (SQLite), made or
    attached for this connection if it is not yet."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
            return SCHEMA
        cursor.execute("PRAGMA database_list")
        if all(row[1] != ALIAS for row in cursor.fetchall()):
            cursor.execute(f"ATTACH DATABASE %s AS {ALIAS}", [str(_sqlite_file())])
    return ALIAS


_file: list[Path] = []


def _sqlite_file() -> Path:
    if not _file:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        handle, name = tempfile.mkstemp(prefix=f"gongjian-worlds-{worker}-", suffix=".sqlite3")
        os.close(handle)
        _file.append(Path(name))
        atexit.register(Path(name).unlink, missing_ok=True)
    return _file[0]
