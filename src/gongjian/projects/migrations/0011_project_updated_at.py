"""Projects say when they last changed (`updated_at`), so the ledger sorts by "updated".

Existing rows take the date of their latest history row (django-simple-history records every
write), or the migration's time when they have none; each history row takes its own date.
Both fills are one UPDATE each, so 100,000 projects migrate in seconds.
"""

import django.utils.timezone
from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def fill_from_history(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    History = apps.get_model("projects", "HistoricalProject")
    db = schema_editor.connection.alias
    History.objects.using(db).update(updated_at=F("history_date"))
    latest = (
        History.objects.using(db)
        .filter(id=OuterRef("pk"))
        .order_by("-history_date", "-history_id")
        .values("history_date")[:1]
    )
    Project.objects.using(db).update(
        updated_at=Coalesce(
            Subquery(latest),
            Value(django.utils.timezone.now()),
            output_field=models.DateTimeField(),
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0010_snapshot_check"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalproject",
            name="updated_at",
            field=models.DateTimeField(
                blank=True,
                default=django.utils.timezone.now,
                editable=False,
                verbose_name="更新时间",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="project",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="更新时间"),
        ),
        migrations.RunPython(fill_from_history, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="project",
            index=models.Index(fields=["updated_at", "id"], name="project_by_updated"),
        ),
    ]
