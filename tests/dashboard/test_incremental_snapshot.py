"""`gongjian tick` keeps the day's snapshot: a later run rewrites only the rows of projects whose
warning changed (in place, same ids), re-sums only their units' tallies, and with nothing
changed writes nothing at all."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongjian.projects.models import ProgressReport, Project, WarningSnapshot, WarningTally
from gongjian.projects.snapshots import snapshot_warnings
from tests.dashboard.conftest import ON, make_project

pytestmark = pytest.mark.django_db

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|ANALYZE|REPLACE)\b", re.IGNORECASE)


def writes(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if WRITE.match(q["sql"])]


def rows() -> dict[int, tuple]:
    return {
        r[0]: r[1:]
        for r in WarningSnapshot.objects.filter(on=ON).values_list(
            "project_id", "id", "colour", "reasons", "percent_done", "unit_id"
        )
    }


def tallies() -> dict[tuple, tuple]:
    return {
        (t.unit_id, t.line_id): (t.pk, t.projects, t.red, t.yellow, t.green)
        for t in WarningTally.objects.filter(on=ON)
    }


def zero_reports(project: Project) -> None:
    """Its reports say 0 %, saved one by one as any model save is: with their history."""
    for report in ProgressReport.objects.filter(project=project):
        report.percent_done = Decimal("0")
        report.save()


def test_a_second_run_with_nothing_changed_writes_nothing(ledger):
    first = snapshot_warnings(on=ON)
    before, tallies_before = rows(), tallies()
    with CaptureQueriesContext(connection) as queries:
        second = snapshot_warnings(on=ON)
    # (the projects were just made: the run compares them, and notes when it did)
    assert [w for w in writes(queries) if "snapshotcheck" not in w] == []
    assert second == first
    assert rows() == before  # same rows, same ids
    assert tallies() == tallies_before


def test_a_changed_warning_rewrites_only_its_row_in_place_and_its_units_tallies(ledger, org):
    snapshot_warnings(on=ON)
    before, tallies_before = rows(), tallies()
    # a report changes without the ledger's refresh (e.g. in the admin): green → red
    zero_reports(ledger.green)
    with CaptureQueriesContext(connection) as queries:
        snapshot_warnings(on=ON)
    after = rows()
    assert after[ledger.green.pk][0] == before[ledger.green.pk][0]  # the same row, updated
    assert after[ledger.green.pk][1] != before[ledger.green.pk][1]  # its colour changed
    assert {pk: r for pk, r in after.items() if pk != ledger.green.pk} == {
        pk: r for pk, r in before.items() if pk != ledger.green.pk
    }
    snapshot_writes = [q for q in writes(queries) if "warningsnapshot" in q.lower()]
    assert len(snapshot_writes) == 1  # one upsert of one row
    assert (
        f"({ledger.green.pk}," in snapshot_writes[0].replace(" ", "")
        or str(ledger.green.pk) in snapshot_writes[0]
    )
    # only the tallies of the green project's unit were re-summed
    changed_units = {
        key[0] for key in set(tallies()) | set(tallies_before)
        if tallies().get(key) != tallies_before.get(key)
    }  # fmt: skip
    assert changed_units == {ledger.green.unit_id}


def test_a_new_project_gets_its_row_and_a_deleted_one_loses_it(ledger, org):
    snapshot_warnings(on=ON)
    start, end = dt.date(2026, 1, 1), dt.date(2027, 12, 31)
    added = make_project("N1", org.songxia, ledger.campaign, start=start, end=end, percent="10")
    gone = ledger.yellow.pk
    ProgressReport.objects.filter(project_id=gone).delete()
    WarningSnapshot.objects.filter(project_id=gone).exclude(on=ON).delete()
    Project.objects.filter(pk=gone).delete()
    counts = snapshot_warnings(on=ON)
    after = rows()
    assert added.pk in after and gone not in after
    assert sum(counts.values()) == Project.objects.count() == len(after)
    assert sum(t[1] for t in tallies().values()) == len(after)


def test_running_twice_is_running_once_from_scratch(ledger):
    snapshot_warnings(on=ON)
    zero_reports(ledger.green)
    snapshot_warnings(on=ON)
    kept = {pk: r[1:] for pk, r in rows().items()}
    kept_tallies = {k: v[1:] for k, v in tallies().items()}
    WarningSnapshot.objects.filter(on=ON).delete()
    WarningTally.objects.filter(on=ON).delete()
    snapshot_warnings(on=ON)
    assert {pk: r[1:] for pk, r in rows().items()} == kept
    assert {k: v[1:] for k, v in tallies().items()} == kept_tallies


def hours_later() -> None:
    """As if the day's last comparison had been made well after everything so far."""
    from gongjian.projects.models import SnapshotCheck
    from gongjian.projects.snapshots import LOOK_BACK

    SnapshotCheck.objects.filter(on=ON).update(checked_at=timezone.now() + LOOK_BACK * 2)


def colour_of(project: Project) -> str:
    return WarningSnapshot.objects.get(on=ON, project=project).colour


def test_a_later_run_compares_only_projects_whose_history_moved_and_a_full_run_all(ledger):
    snapshot_warnings(on=ON)
    assert colour_of(ledger.green) == "green"
    hours_later()  # the projects' making is behind the last comparison now
    # a write that leaves no history (a bare UPDATE) is not seen by the quarter-hourly run ...
    ProgressReport.objects.filter(project=ledger.green).update(percent_done=Decimal("0"))
    snapshot_warnings(on=ON)
    assert colour_of(ledger.green) == "green"
    # ... but by the full comparison (`gongjian tick --full`), as by the next day's first run
    snapshot_warnings(on=ON, full=True)
    assert colour_of(ledger.green) == "red"


def test_a_change_saved_before_the_last_run_but_committed_after_it_is_still_seen(ledger):
    from gongjian.projects.models import SnapshotCheck
    from gongjian.projects.snapshots import LOOK_BACK

    snapshot_warnings(on=ON)
    zero_reports(ledger.green)
    # the previous run began after the reports were saved (their transaction was still open)
    SnapshotCheck.objects.filter(on=ON).update(checked_at=timezone.now() + LOOK_BACK / 2)
    snapshot_warnings(on=ON)
    assert colour_of(ledger.green) == "red"


def test_a_change_older_than_the_look_back_before_the_last_run_is_not_compared_again(ledger):
    snapshot_warnings(on=ON)
    zero_reports(ledger.green)
    hours_later()
    with CaptureQueriesContext(connection) as queries:
        snapshot_warnings(on=ON)
    assert writes(queries) == []
    assert colour_of(ledger.green) == "green"


def test_tick_full_compares_every_project_and_sees_a_change_without_history(ledger, settings):
    from io import StringIO

    from django.core.management import call_command

    settings.GONGJIAN_TODAY = ON.isoformat()
    call_command("tick", "--no-deliver", stdout=StringIO())
    hours_later()
    ProgressReport.objects.filter(project=ledger.green).update(percent_done=Decimal("0"))
    call_command("tick", "--no-deliver", stdout=StringIO())
    assert colour_of(ledger.green) == "green"
    out = StringIO()
    call_command("tick", "--no-deliver", "--full", stdout=out)
    assert colour_of(ledger.green) == "red"
    assert "预警快照：红灯 3" in out.getvalue()
