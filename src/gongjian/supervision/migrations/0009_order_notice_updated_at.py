"""Orders and notices say when they last changed (`updated_at`), so their lists sort by
"updated".

Existing rows take the date of their latest history row (django-simple-history records every
write), or the migration's time when they have none; each history row takes its own date.
One UPDATE per table.
"""

import django.utils.timezone
from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

MODELS = (("SupervisionOrder", "HistoricalSupervisionOrder"), ("Notice", "HistoricalNotice"))


def fill_from_history(apps, schema_editor):
    db = schema_editor.connection.alias
    now = django.utils.timezone.now()
    for name, history_name in MODELS:
        model = apps.get_model("supervision", name)
        history = apps.get_model("supervision", history_name)
        history.objects.using(db).update(updated_at=F("history_date"))
        latest = (
            history.objects.using(db)
            .filter(id=OuterRef("pk"))
            .order_by("-history_date", "-history_id")
            .values("history_date")[:1]
        )
        model.objects.using(db).update(
            updated_at=Coalesce(Subquery(latest), Value(now), output_field=models.DateTimeField())
        )


def _stamp(model_name):
    return migrations.AddField(
        model_name=model_name,
        name="updated_at",
        field=models.DateTimeField(
            blank=True, default=django.utils.timezone.now, editable=False, verbose_name="更新时间"
        ),
        preserve_default=False,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0008_robot_sender_lease"),
    ]

    operations = [
        _stamp("historicalnotice"),
        _stamp("historicalsupervisionorder"),
        migrations.AddField(
            model_name="notice",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="更新时间"),
        ),
        migrations.AddField(
            model_name="supervisionorder",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="更新时间"),
        ),
        migrations.RunPython(fill_from_history, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="notice",
            index=models.Index(fields=["updated_at", "id"], name="notice_by_updated"),
        ),
        migrations.AddIndex(
            model_name="supervisionorder",
            index=models.Index(fields=["updated_at", "id"], name="order_by_updated"),
        ),
    ]
