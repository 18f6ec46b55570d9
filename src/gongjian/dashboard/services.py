"""Writes of the battle map: the daily warning snapshot (run by `gongjian tick`, idempotent)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db import connection, transaction

from gongjian.dashboard.models import WarningSnapshot
from gongjian.projects.models import Project
from gongjian.projects.selectors import warnings_for

BATCH = 5000


@transaction.atomic
def snapshot_warnings(*, on: dt.date) -> Counter[str]:
    """Store every project's warning on `on`, replacing that day's rows: running it twice is once."""
    WarningSnapshot.objects.filter(on=on).delete()
    counts: Counter[str] = Counter()
    ids = list(Project.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        projects = list(
            Project.objects.filter(pk__in=ids[start : start + BATCH]).select_related("campaign")
        )
        rows = _snapshot_rows(projects, on)
        counts.update(r.colour for r in rows)
        WarningSnapshot.objects.bulk_create(rows, batch_size=2000)
    # The day's rows were all just replaced: refresh the planner's statistics, or the overview's
    # aggregates are planned for an empty table (nested loops, sorts on disk) until autovacuum
    # gets to it, if it runs at all.
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {WarningSnapshot._meta.db_table}")
    return counts


def _snapshot_rows(projects: list[Project], on: dt.date) -> list[WarningSnapshot]:
    found = warnings_for(projects, on)
    return [
        WarningSnapshot(
            project_id=p.pk,
            on=on,
            colour=found[p.pk].colour.value,
            reasons=list(found[p.pk].reasons),
            percent_done=found[p.pk].percent_done,
            expected_percent=found[p.pk].expected_percent,
            forecast_completion=found[p.pk].forecast_completion,
            at_risk=found[p.pk].at_risk,
            campaign_id=p.campaign_id,
            unit_id=p.unit_id,
        )
        for p in projects
    ]


@transaction.atomic
def refresh_project_snapshot(*, project_ids: list[int], on: dt.date) -> None:
    """Recompute today's row for projects whose reports or plan just changed.

    Only when the day already has a snapshot: otherwise the first reader builds the whole day.
    """
    if not WarningSnapshot.objects.filter(on=on).exists():
        return
    WarningSnapshot.objects.filter(on=on, project_id__in=project_ids).delete()
    projects = list(Project.objects.filter(pk__in=project_ids).select_related("campaign"))
    WarningSnapshot.objects.bulk_create(_snapshot_rows(projects, on))
