"""Explanations are compressed with lz4 on PostgreSQL (14+, when the server has it).

A round stores 10,000 explanations of about 2 KB, just over the TOAST threshold: compressing
them with the default pglz took about a third of storing a round; lz4 is several times faster
at much the same size. Other databases are left as they are.
"""

from typing import Any

from django.db import migrations

TABLE, COLUMN = "assessment_unitresult", "explanation"


def _lz4_available(schema_editor: Any) -> bool:
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or connection.pg_version < 140000:
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_settings"
            " WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"
        )
        return cursor.fetchone() is not None


def _set(method: str) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if _lz4_available(schema_editor):
            quote = schema_editor.quote_name
            schema_editor.execute(
                f"ALTER TABLE {quote(TABLE)} ALTER COLUMN {quote(COLUMN)} SET COMPRESSION {method}"
            )

    return run


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]

    operations = [migrations.RunPython(_set("lz4"), _set("pglz"))]
