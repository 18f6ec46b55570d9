"""Plain rows into a table, past the ORM: for the few writes of hundreds of thousands of values;
and `chunks`, the slices of a long list of keys that an `IN (…)` takes at a time.

COPY on PostgreSQL, executemany elsewhere. The values must already be what the columns hold
(JSON as text, decimals as Decimal): no field preparation, no model instances.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from psycopg import sql


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
            )
            with cursor.cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
            return
        quote = connection.ops.quote_name
        names = ", ".join(quote(c) for c in columns)
        marks = ", ".join(["%s"] * len(columns))
        insert = f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})"  # noqa: S608
        cursor.executemany(insert, list(rows))


def chunks(items: list[Any], size: int = 5000) -> Iterable[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
