"""Work out every existing project's report summary from its reports (see `ReportSummary`)."""

from collections import defaultdict
from typing import Any

from django.db import migrations

from gongjian.projects.warnings import forecast_completion


def fill(apps: Any, schema_editor: Any) -> None:
    Project = apps.get_model("projects", "Project")
    ProgressReport = apps.get_model("projects", "ProgressReport")
    ReportSummary = apps.get_model("projects", "ReportSummary")
    found = defaultdict(list)
    reports = ProgressReport.objects.order_by().values_list("project_id", "period_end", "percent_done")
    for pid, period_end, percent in reports.iterator(chunk_size=10_000):
        found[pid].append((period_end, percent))
    rows = []
    for pid in Project.objects.order_by("pk").values_list("pk", flat=True).iterator():
        points = sorted(found.pop(pid, ()))
        latest_period_end, latest_percent = points[-1] if points else (None, None)
        rows.append(
            ReportSummary(
                project_id=pid,
                reports=len(points),
                latest_period_end=latest_period_end,
                latest_percent=latest_percent,
                forecast_completion=forecast_completion(points),
            )
        )
    ReportSummary.objects.bulk_create(rows, batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("projects", "0003_report_summary")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
