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


def test_a_second_run_with_nothing_changed_writes_nothing(ledger):
    first = snapshot_warnings(on=ON)
    before, tallies_before = rows(), tallies()
    with CaptureQueriesContext(connection) as queries:
        second = snapshot_warnings(on=ON)
    assert writes(queries) == []
    assert second == first
    assert rows() == before  # same rows, same ids
    assert tallies() == tallies_before


def test_a_changed_warning_rewrites_only_its_row_in_place_and_its_units_tallies(ledger, org):
    snapshot_warnings(on=ON)
    before, tallies_before = rows(), tallies()
    # a report lands without the ledger's refresh (e.g. written by another tool): green → red
    ProgressReport.objects.filter(project=ledger.green).update(percent_done=Decimal("0"))
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
    ProgressReport.objects.filter(project=ledger.green).update(percent_done=Decimal("0"))
    snapshot_warnings(on=ON)
    kept = {pk: r[1:] for pk, r in rows().items()}
    kept_tallies = {k: v[1:] for k, v in tallies().items()}
    WarningSnapshot.objects.filter(on=ON).delete()
    WarningTally.objects.filter(on=ON).delete()
    snapshot_warnings(on=ON)
    assert {pk: r[1:] for pk, r in rows().items()} == kept
    assert {k: v[1:] for k, v in tallies().items()} == kept_tallies
