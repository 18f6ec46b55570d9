"""The battle map's memory, written by the ledger: the daily warning snapshot (run by
`gongjian tick`, idempotent; refreshed after ledger writes) and its tallies per unit and line,
which the dashboard's overview sums. The dashboard reads these tables and writes none."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from gongjian.campaigns.models import Campaign
from gongjian.org.models import Unit
from gongjian.projects.models import (
    Milestone,
    ProgressReport,
    Project,
    SnapshotCheck,
    WarningSnapshot,
    WarningTally,
)
from gongjian.projects.warning_feed import warnings_for

BATCH = 5000
_SNAPSHOT_FIELDS = [
    "colour",
    "reasons",
    "percent_done",
    "expected_percent",
    "forecast_completion",
    "at_risk",
    "campaign",
    "unit",
]


# A change saved in a transaction that commits after a run has begun is not seen by that run,
# yet its history is dated before the run: the next run looks this much further back.
LOOK_BACK = dt.timedelta(hours=1)
# Past this many changed projects a run compares them all (and keeps its queries' IN lists short).
MAX_CHANGED = 5000


@transaction.atomic
def snapshot_warnings(*, on: dt.date, full: bool = False) -> Counter[str]:
    """Store every project's warning on `on`. The day's first run writes every row; a later one
    (each `gongjian tick`) rewrites only the rows whose warning changed, in place, removes the
    rows of projects that are gone, and re-sums only the tallies of the units concerned: with
    nothing changed it writes nothing. Running it twice is running it once.

    A later run compares only the projects whose history moved since the day's previous
    comparison (`SnapshotCheck`, less LOOK_BACK): the project, its milestones, its reports, or its
    campaign's thresholds — what a warning is computed from. It compares every project when
    `full`, at its first run after the day's rows were written, when more than MAX_CHANGED
    moved, or when the day's rows are not one per project.

    (A project's investment, which the tallies sum, changes only through the ledger's services,
    which refresh its row and its unit's tallies at once: `refresh_project_snapshot`.)"""
    started = timezone.now()
    check = SnapshotCheck.objects.select_for_update().filter(on=on).first()
    if not WarningSnapshot.objects.filter(on=on).exists():
        counts = _snapshot_day(on)
        _checked(on, started)
        return counts
    ids = None if full or check is None else _changed_since(check.checked_at - LOOK_BACK)
    if ids is not None and (
        len(ids) > MAX_CHANGED
        or WarningSnapshot.objects.filter(on=on).count() != Project.objects.count()
    ):
        ids = None
    if ids != []:  # with nothing moved the day's comparison stands: no write, not even the time
        _compare(on, ids)
        _checked(on, started)
    return Counter(
        dict(
            WarningSnapshot.objects.filter(on=on)
            .values_list("colour")
            .annotate(n=Count("id"))
            .order_by()
        )
    )


def _checked(on: dt.date, at: dt.datetime) -> None:
    SnapshotCheck.objects.update_or_create(on=on, defaults={"checked_at": at})


def _changed_since(since: dt.datetime) -> list[int]:
    """The projects whose warning's inputs were saved at or after `since`, by their history."""
    ids = set(Project.history.filter(history_date__gte=since).values_list("id", flat=True))
    for model in (Milestone, ProgressReport):
        ids.update(
            model.history.filter(history_date__gte=since).values_list("project_id", flat=True)
        )
    campaigns = list(Campaign.history.filter(history_date__gte=since).values_list("id", flat=True))
    if campaigns:
        ids.update(Project.objects.filter(campaign_id__in=campaigns).values_list("pk", flat=True))
    return sorted(ids)


def _compare(on: dt.date, ids: list[int] | None) -> None:
    """Compare the stored rows of `ids` (None: every project) with their warnings now, and write
    only the differences: changed rows in place, gone projects' rows deleted, their units'
    tallies re-summed."""
    stored = _stored_rows(on, ids)
    changed: list[WarningSnapshot] = []
    units: set[int] = set()
    projects = Project.objects.all() if ids is None else Project.objects.filter(pk__in=ids)
    # Plain rows, no model instances: this runs every quarter of an hour on every project.
    found = warnings_for(projects, on)
    for pk, campaign_id, unit_id in projects.order_by("pk").values_list(
        "pk", "campaign_id", "unit_id"
    ):
        warning = found[pk]
        before = stored.pop(pk, None)
        if before != _computed_form(warning, campaign_id, unit_id):
            changed.append(_row(pk, campaign_id, unit_id, warning, on))
            units.add(unit_id)
            if before is not None:
                units.add(int(str(before[-1])))
    if stored:  # rows of projects that are gone
        units.update(int(str(before[-1])) for before in stored.values())
        WarningSnapshot.objects.filter(on=on, project_id__in=list(stored)).delete()
    if changed:
        WarningSnapshot.objects.bulk_create(
            changed,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["project", "on"],
            update_fields=_SNAPSHOT_FIELDS,
        )
    tallied = _tallied(on)
    if tallied is None:
        store_tallies(on=on)  # a day snapshotted before there were tallies: sum all of it once
        return
    if units:
        store_tallies(on=on, unit_ids=units)
        tallied = _tallied(on)
    if tallied != WarningSnapshot.objects.filter(on=on).count():
        # rows deleted behind our back (deleting a project deletes its rows): find their units
        _sync_tallies(on)


def _tallied(on: dt.date) -> int | None:
    """How many projects the day's tallies count (None: the day has no tallies)."""
    n: int | None = WarningTally.objects.filter(on=on).aggregate(n=Sum("projects"))["n"]
    return n


def _stored_rows(on: dt.date, ids: list[int] | None = None) -> dict[int, tuple[object, ...]]:
    """The day's rows (of `ids`, or all) as `_computed_form` gives them, by a bare cursor."""
    table = WarningSnapshot._meta.db_table
    fields = [WarningSnapshot._meta.get_field(f) for f in _SNAPSHOT_FIELDS]
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)  # type: ignore[union-attr]
    among = ""
    params: list[Any] = [on, *(ids or [])]
    if ids is not None:
        among = f" AND project_id IN ({', '.join(['%s'] * len(ids))})" if ids else " AND 1 = 0"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT project_id, {columns} FROM {table} WHERE {connection.ops.quote_name('on')} = %s{among}",  # noqa: S608 - our own names
            params,
        )
        return {
            pk: (
                colour,
                json.loads(reasons) if isinstance(reasons, str) else reasons,
                _percent(done),
                _percent(expected),
                _day(forecast),
                bool(at_risk),
                campaign_id,
                unit_id,
            )
            for pk, colour, reasons, done, expected, forecast, at_risk, campaign_id, unit_id in cursor.fetchall()
        }


_CENT = Decimal("0.01")  # percent_done and expected_percent keep two places


def _percent(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(_CENT)


def _day(value: object) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _computed_form(warning: Any, campaign_id: int | None, unit_id: int) -> tuple[object, ...]:
    """A computed warning as `_stored_rows` reads its row back."""
    return (
        warning.colour.value,
        list(warning.reasons),
        _percent(warning.percent_done),
        _percent(warning.expected_percent),
        _day(warning.forecast_completion),
        bool(warning.at_risk),
        campaign_id,
        unit_id,
    )


def _sync_tallies(on: dt.date) -> None:
    """Re-sum the units whose stored tallies differ from their snapshot rows and projects now
    (a warning changed, a project moved, came or went, its investment changed): one aggregate
    read, and no write when they all agree."""
    fields = [
        "projects", "red", "yellow", "green", "at_risk",
        "total_investment_wan", "annual_planned_wan", "investment_completed_wan",
    ]  # fmt: skip
    stored = {
        (t[0], t[1], t[2]): tuple(t[3:])
        for t in WarningTally.objects.filter(on=on).values_list(
            "campaign_id", "unit_id", "line_id", *fields
        )
    }
    now = {
        (row["campaign_id"], row["unit_id"], row["project__line_id"]): tuple(
            _tally_value(row[key]) for key in _SUM_KEYS
        )
        for row in _tally_sums(WarningSnapshot.objects.filter(on=on))
    }
    stored = {key: tuple(_tally_value(v) for v in values) for key, values in stored.items()}
    units = {key[1] for key in set(stored) | set(now) if stored.get(key) != now.get(key)}
    if units:
        store_tallies(on=on, unit_ids=units)


def _tally_value(value: object) -> object:
    """A sum as a tally stores it: decimals at two places, no sum as nothing."""
    if isinstance(value, Decimal | float):
        return Decimal(value).quantize(Decimal("0.01"))
    return value


def _snapshot_day(on: dt.date) -> Counter[str]:
    """The day's first snapshot: every project's row, then the tallies."""
    counts: Counter[str] = Counter()
    ids = list(Project.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        projects = list(
            Project.objects.filter(pk__in=ids[start : start + BATCH]).select_related("campaign")
        )
        rows = _snapshot_rows(projects, on)
        counts.update(r.colour for r in rows)
        WarningSnapshot.objects.bulk_create(rows, batch_size=2000)
    # The day's rows were all just written: refresh the planner's statistics, or the aggregates
    # over them are planned for an empty table (nested loops, sorts on disk) until autovacuum
    # gets to it, if it runs at all.
    _analyze(WarningSnapshot)
    store_tallies(on=on)
    return counts


def _analyze(model: type[WarningSnapshot] | type[WarningTally]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {model._meta.db_table}")


def _snapshot_rows(projects: list[Project], on: dt.date) -> list[WarningSnapshot]:
    found = warnings_for(projects, on)
    return [_row(p.pk, p.campaign_id, p.unit_id, found[p.pk], on) for p in projects]


def _row(
    pk: int, campaign_id: int | None, unit_id: int, warning: Any, on: dt.date
) -> WarningSnapshot:
    return WarningSnapshot(
        project_id=pk,
        on=on,
        colour=warning.colour.value,
        reasons=list(warning.reasons),
        percent_done=warning.percent_done,
        expected_percent=warning.expected_percent,
        forecast_completion=warning.forecast_completion,
        at_risk=warning.at_risk,
        campaign_id=campaign_id,
        unit_id=unit_id,
    )


# The sums of _tally_sums in the order of WarningTally's fields (see _sync_tallies).
_SUM_KEYS = ["n", "red", "yellow", "green", "at_risk", "total", "annual", "done"]


def _tally_sums(snaps: QuerySet[WarningSnapshot]) -> Any:
    return (
        snaps.values("campaign_id", "unit_id", "project__line_id")
        .annotate(
            n=Count("id"),
            red=Count("id", filter=Q(colour="red")),
            yellow=Count("id", filter=Q(colour="yellow")),
            green=Count("id", filter=Q(colour="green")),
            at_risk=Count("id", filter=Q(at_risk=True) & ~Q(colour="red")),
            total=Sum("project__total_investment_wan"),
            annual=Sum("project__annual_planned_wan"),
            done=Sum("project__investment_completed_wan"),
        )
        .order_by()
    )


@transaction.atomic
def store_tallies(*, on: dt.date, unit_ids: Iterable[int] | None = None) -> None:
    """Sum the day's snapshot rows, with their projects' investment, per (campaign, unit, line):
    the whole day, or only `unit_ids` (replacing their rows) after some projects changed."""
    tallies = WarningTally.objects.filter(on=on)
    snaps = WarningSnapshot.objects.filter(on=on)
    if unit_ids is not None:
        units = sorted(set(unit_ids))
        # Two refreshes of one unit must not both delete, then both insert its rows.
        list(Unit.objects.select_for_update().filter(pk__in=units).order_by("pk").values("pk"))
        tallies = tallies.filter(unit_id__in=units)
        snaps = snaps.filter(unit_id__in=units)
    tallies.delete()
    sums = _tally_sums(snaps)
    WarningTally.objects.bulk_create(
        [
            WarningTally(
                on=on,
                campaign_id=row["campaign_id"],
                unit_id=row["unit_id"],
                line_id=row["project__line_id"],
                projects=row["n"],
                red=row["red"],
                yellow=row["yellow"],
                green=row["green"],
                at_risk=row["at_risk"],
                total_investment_wan=row["total"],
                annual_planned_wan=row["annual"],
                investment_completed_wan=row["done"],
            )
            for row in sums
        ],
        batch_size=2000,
    )
    if unit_ids is None:
        _analyze(WarningTally)


@transaction.atomic
def refresh_project_snapshot(*, project_ids: list[int], on: dt.date) -> None:
    """Recompute today's row for projects whose reports or plan just changed, and the tallies of
    the units they were and are in.

    Only when the day already has a snapshot: otherwise the first reader builds the whole day.
    """
    if not WarningSnapshot.objects.filter(on=on).exists():
        return
    stale = WarningSnapshot.objects.filter(on=on, project_id__in=project_ids)
    units = set(stale.values_list("unit_id", flat=True))
    # In key order, as the tick writes its rows: two writers of the same rows lock them in one
    # order, so neither can wait on the other in a cycle.
    projects = list(
        Project.objects.filter(pk__in=project_ids).select_related("campaign").order_by("pk")
    )
    # An upsert, not delete-then-insert: two refreshes of one project at once (two reports
    # committed together) would both delete nothing the other can see, then both insert.
    WarningSnapshot.objects.bulk_create(
        _snapshot_rows(projects, on),
        update_conflicts=True,
        unique_fields=["project", "on"],
        update_fields=_SNAPSHOT_FIELDS,
    )
    if WarningTally.objects.filter(on=on).exists():
        store_tallies(on=on, unit_ids=units | {p.unit_id for p in projects})
    else:  # a day snapshotted before there were tallies: sum all of it once
        store_tallies(on=on)
