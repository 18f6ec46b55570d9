"""Work out every existing project's report summary from its reports (see `ReportSummary`)."""

from collections import defaultdict
from typing import Any

from django.db import migrations

from gongjian.projects.warnings import report_summary


def fill(apps: Any, schema_editor: Any) -> None:
    Project = apps.get_model("projects", "Project")
    ProgressReport = apps.get_model("projects", "ProgressReport")
    ReportSummary = apps.get_model("projects", "ReportSummary")
    found = defaultdict(list)
    reports = ProgressReport.objects.order_by().values_list("project_id", "period_end", "percent_done")
    for pid, period_end, percent in reports.iterator(chunk_size=10_000):
        found[pid].append((period_end, percent))
    rows = [
        ReportSummary(project_id=pid, **report_summary(found.pop(pid, ())))
        for pid in Project.objects.order_by("pk").values_list("pk", flat=True).iterator()
    ]
    ReportSummary.objects.bulk_create(rows, batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("projects", "0003_report_summary")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
