"""A database's tables: by the migrations, or, for a new empty SQLite file, from the models.

Replaying the migrations on SQLite takes about 20 seconds (each altered table is rebuilt and the
project state re-rendered after each of some 300 operations), most of a demo build. A new
database gets exactly the same schema from the models in under a second, which is what Django's
test runner does with migrations disabled; the migrations are then recorded as applied, so every
later `migrate` (an upgrade) runs only the new ones.

That holds only while a migration's non-schema operations do nothing on a new SQLite database:
the ones that exist are listed in `FRESH_SQLITE_NOOPS`, and tests/core/test_schema.py fails when
a migration adds another (then decide: list it, or let the new database take the migrations) and
checks that both ways give the same tables, columns, constraints and indexes.
"""

from __future__ import annotations

from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import override_settings

# (app, migration): its RunPython/RunSQL is a no-op on a new SQLite database. The first two act
# only on PostgreSQL (audit triggers, TOAST compression); the others fill new columns or tables
# from existing rows, of which a new database has none.
FRESH_SQLITE_NOOPS = frozenset(
    {
        ("core", "0003_security_event_append_only"),
        ("assessment", "0002_results_as_json_text"),
        ("projects", "0004_fill_report_summaries"),
        ("projects", "0011_project_updated_at"),
        ("supervision", "0009_order_notice_updated_at"),
    }
)


class _NoMigrations(dict[str, None]):
    """settings.MIGRATION_MODULES under which every app is created from its models."""

    def __contains__(self, item: object) -> bool:
        return True

    def __getitem__(self, item: str) -> None:
        return None


def is_new_sqlite(using: str = DEFAULT_DB_ALIAS) -> bool:
    connection = connections[using]
    return connection.vendor == "sqlite" and not connection.introspection.table_names()


def migrate(using: str = DEFAULT_DB_ALIAS) -> None:
    """Bring the database's tables up to date: a new SQLite database from the models (recording
    every migration as applied), any other by its migrations."""
    if is_new_sqlite(using):
        with override_settings(MIGRATION_MODULES=_NoMigrations()):
            call_command("migrate", database=using, run_syncdb=True, interactive=False, verbosity=0)
        call_command("migrate", database=using, fake=True, interactive=False, verbosity=0)
    else:
        call_command("migrate", database=using, interactive=False, verbosity=0)
