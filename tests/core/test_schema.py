"""A new SQLite database built from the models (core/schema.py) is the migrated database."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython, RunSQL, SeparateDatabaseAndState

from gongjian.core import schema

ROOT = Path(__file__).resolve().parents[2]


def _non_schema_operations() -> set[tuple[str, str]]:
    found = set()
    loader = MigrationLoader(None, ignore_no_migrations=True)
    for (app, name), migration in loader.disk_migrations.items():
        if not type(migration).__module__.startswith("gongjian."):
            continue
        operations = list(migration.operations)
        while operations:
            op = operations.pop()
            if isinstance(op, SeparateDatabaseAndState):
                operations += op.database_operations
            elif isinstance(op, RunPython | RunSQL):
                found.add((app, name))
    return found


def test_every_data_migration_is_one_known_to_do_nothing_on_a_new_sqlite_database() -> None:
    # A new one fails here: decide whether a new database needs it (then it must take the
    # migrations) or not (list it in FRESH_SQLITE_NOOPS).
    assert _non_schema_operations() == schema.FRESH_SQLITE_NOOPS


def _schema_of(db: sqlite3.Connection) -> dict[tuple[str, str], object]:
    found: dict[tuple[str, str], object] = {}
    for kind, name, sql in db.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
    ):
        if kind == "table":
            # The columns as SQLite reports them, and the table's clauses (constraints) as a
            # set: the two ways write the same columns and constraints in different orders.
            columns = sorted(row[1:] for row in db.execute(f'PRAGMA table_info("{name}")'))
            found[(kind, name)] = (columns, _clauses(sql))
        else:
            found[(kind, name)] = sql
    return found


def _clauses(sql: str) -> frozenset[str]:
    body = sql[sql.index("(") + 1 : sql.rindex(")")]
    parts, depth, current = [], 0, ""
    for ch in body:
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    parts.append(current.strip())
    return frozenset(parts)


@pytest.mark.django_db
def test_a_new_sqlite_database_built_from_the_models_has_the_migrated_tables_and_records(
    tmp_path: Path,
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the migrated reference is the SQLite run's test database")
    target = tmp_path / "new.sqlite3"
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite:///{target}",
        GONGJIAN_VAR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="gongjian.settings",
    )
    code = "import django; django.setup(); from gongjian.core import schema; schema.migrate()"
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, timeout=120)  # noqa: S603

    connection.ensure_connection()
    migrated = _schema_of(connection.connection)
    built = sqlite3.connect(target)
    assert _schema_of(built) == migrated
    recorded = set(built.execute("SELECT app, name FROM django_migrations"))
    loader = MigrationLoader(None, ignore_no_migrations=True)
    assert recorded >= set(loader.disk_migrations)


@pytest.mark.django_db
def test_a_database_that_has_tables_takes_the_migrations() -> None:
    # the test database has its tables: migrate() replays nothing and does not rebuild them
    before = set(connection.introspection.table_names())
    assert not schema.is_new_sqlite()
    schema.migrate()
    assert set(connection.introspection.table_names()) == before
