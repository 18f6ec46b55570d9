"""A round's results stored as `json` text on PostgreSQL, explanations compressed with lz4.

Storing a round's 10,000 explanations (about 2 KB each, just over the TOAST threshold) spent most
of its time in the server parsing them into `jsonb` and compressing them with pglz. `json` keeps
the text as written (checked, not parsed); lz4 (PostgreSQL 14+, when the server has it) is several
times faster than pglz at much the same size. SQLite keeps its JSON text as before.
"""

from typing import Any

from django.db import migrations

import gongjian.assessment.models

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


def _compress_with(method: str) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if _lz4_available(schema_editor):
            quote = schema_editor.quote_name
            schema_editor.execute(
                f"ALTER TABLE {quote(TABLE)} ALTER COLUMN {quote(COLUMN)} SET COMPRESSION {method}"
            )

    return run


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="unitresult",
            name="explanation",
            field=gongjian.assessment.models.StoredJSONField(default=dict, verbose_name="计分说明"),
        ),
        migrations.AlterField(
            model_name="unitresult",
            name="lines",
            field=gongjian.assessment.models.StoredJSONField(
                default=dict, verbose_name="专项得分与名次"
            ),
        ),
        migrations.RunPython(_compress_with("lz4"), _compress_with("pglz")),
    ]
