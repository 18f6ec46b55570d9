"""The battle map's refresh after a report, out of the report's request (projects/refreshes.py):
the report marks its project in its own transaction; the refresh after commit brings the
project's row and its unit's tallies up to date and removes the mark; until then the readers
work the marked row out for themselves; a refresh that fails keeps its marks for the next try."""

from __future__ import annotations

import datetime as dt
import io
import threading
import time
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum

from gongjian.core import paging, serving
from gongjian.projects import refreshes, reports, selectors
from gongjian.projects.models import PendingRefresh, WarningSnapshot, WarningTally
from gongjian.projects.selectors import LedgerFilter
from gongjian.projects.snapshots import snapshot_warnings
from tests.projects.conftest import TODAY
from tests.projects.factories import ProjectFactory, ReportFactory


@pytest.fixture
def lagging(org):
    """Two started projects of 湖南镇 reported at 10 % on 30 June when the plan says 50 %:
    both red today, in a day's battle map already stored."""
    made = [_red(org, f"HN-9{i}") for i in (1, 2)]
    snapshot_warnings(on=TODAY)
    assert [_colour(p) for p in made] == ["red", "red"]
    return made


def _red(org, code):
    project = ProjectFactory(
        code=code,
        unit=org.hunan,
        campaign=org.line.campaign,
        line=org.line,
        actual_start=dt.date(2026, 1, 5),
        status="under_construction",
    )
    ReportFactory(project=project, period_end=dt.date(2026, 6, 30), percent_done=Decimal(10))
    return project


def _file(org, project, percent=45):
    return reports.submit_report(
        actor=org.hunan_staff, project=project, period_end=TODAY, percent_done=Decimal(percent)
    )


def _colour(project):
    return WarningSnapshot.objects.get(project=project, on=TODAY).colour


def _tallied(org, field):
    return WarningTally.objects.filter(on=TODAY, unit=org.hunan).aggregate(n=Sum(field))["n"]


def test_a_report_marks_its_project_and_leaves_the_snapshot_to_the_refresh_after_commit(
    org, lagging, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _file(org, lagging[0])

    assert list(PendingRefresh.objects.values_list("project_id", "on")) == [(lagging[0].pk, TODAY)]
    assert _colour(lagging[0]) == "red"
    assert callbacks == [refreshes.work_off_soon]


def test_the_refresh_after_commit_brings_the_colour_to_the_snapshot_and_the_tallies(
    org, lagging, django_capture_on_commit_callbacks
):
    assert (_tallied(org, "red"), _tallied(org, "green")) == (2, 0)

    with django_capture_on_commit_callbacks(execute=True):
        _file(org, lagging[0])

    assert _colour(lagging[0]) == "green"
    row = WarningSnapshot.objects.get(project=lagging[0], on=TODAY)
    assert row.percent_done == Decimal("45.00")
    assert (_tallied(org, "red"), _tallied(org, "green"), _tallied(org, "projects")) == (1, 1, 2)
    assert not PendingRefresh.objects.exists()


def test_reports_marked_together_are_worked_off_in_one_batch(org, lagging):
    for p in lagging:
        _file(org, p)  # no on_commit here: the marks wait

    assert refreshes.work_off() == 2

    assert [_colour(p) for p in lagging] == ["green", "green"]
    assert (_tallied(org, "red"), _tallied(org, "green")) == (0, 2)
    assert not PendingRefresh.objects.exists()


def test_a_second_report_before_the_refresh_keeps_one_mark_with_a_new_stamp(org, lagging):
    _file(org, lagging[0], 30)
    first = PendingRefresh.objects.get().stamp
    reports.submit_report(
        actor=org.hunan_staff,
        project=lagging[0],
        period_end=TODAY,
        percent_done=Decimal(45),
        expected_version=1,
    )

    mark = PendingRefresh.objects.get()
    assert mark.stamp != first
    refreshes.work_off()
    assert _colour(lagging[0]) == "green"


def test_a_failed_refresh_keeps_its_marks_and_the_next_try_works_them_off(
    org, lagging, monkeypatch
):
    for p in lagging:
        _file(org, p)
    real, calls = refreshes.refresh_project_snapshot, []

    def fails_on_the_second_batch(*, project_ids, on):
        calls.append(project_ids)
        real(project_ids=project_ids, on=on)
        if len(calls) == 2:
            raise RuntimeError("数据库连接中断")

    monkeypatch.setattr(refreshes, "refresh_project_snapshot", fails_on_the_second_batch)
    with pytest.raises(RuntimeError):
        refreshes.work_off(limit=1)

    # The first batch is stored; the second rolled back whole, its mark kept.
    assert calls == [[lagging[0].pk], [lagging[1].pk]]
    assert [_colour(p) for p in lagging] == ["green", "red"]
    assert list(PendingRefresh.objects.values_list("project_id", flat=True)) == [lagging[1].pk]
    assert (_tallied(org, "red"), _tallied(org, "green")) == (1, 1)

    monkeypatch.setattr(refreshes, "refresh_project_snapshot", real)
    assert refreshes.work_off() == 1
    assert [_colour(p) for p in lagging] == ["green", "green"]
    assert not PendingRefresh.objects.exists()


def test_a_write_marked_while_a_refresh_ran_keeps_its_mark(org, lagging, monkeypatch):
    # A milestone edit does not lock its project: it can mark the project again while a batch
    # works it out. The batch must not delete that mark, whose write it may not have seen.
    _file(org, lagging[0])
    real = refreshes.refresh_project_snapshot

    def another_write_meanwhile(*, project_ids, on):
        real(project_ids=project_ids, on=on)
        PendingRefresh.objects.filter(project_id__in=project_ids).update(stamp=7)

    monkeypatch.setattr(refreshes, "refresh_project_snapshot", another_write_meanwhile)
    assert refreshes._one_batch(refreshes.BATCH, set()) == (1, set())

    assert list(PendingRefresh.objects.values_list("project_id", "stamp")) == [(lagging[0].pk, 7)]


def test_gongjian_tick_works_off_the_marks_a_failed_refresh_left(org, lagging):
    _file(org, lagging[0])

    out = io.StringIO()
    call_command("tick", "--no-deliver", stdout=out)

    assert "补做挂图刷新：1 个项目" in out.getvalue()

    assert _colour(lagging[0]) == "green"
    assert not PendingRefresh.objects.exists()


def test_a_mark_for_a_day_without_a_snapshot_is_dropped_for_the_days_first_run_to_build(org):
    project = ProjectFactory(unit=org.hunan, actual_start=dt.date(2026, 1, 5))
    _file(org, project)

    assert refreshes.work_off() == 1
    assert not PendingRefresh.objects.exists()
    assert not WarningSnapshot.objects.exists()


def test_the_ledgers_colour_filter_and_counts_take_a_marked_projects_own_colour(org, lagging):
    _file(org, lagging[0])  # marked, its stored row still red
    assert _colour(lagging[0]) == "red"
    everything = LedgerFilter()

    assert selectors.ledger_colour_counts(org.hunan_staff, everything, TODAY) == {
        "red": 1,
        "yellow": 0,
        "green": 1,
    }
    assert _page(org, LedgerFilter(colour="green")) == [lagging[0].pk]
    assert _page(org, LedgerFilter(colour="red")) == [lagging[1].pk]
    assert _page(org, everything, sort="colour") == [lagging[1].pk, lagging[0].pk]
    assert _page(org, LedgerFilter(warned=True)) == [lagging[1].pk]


def _page(org, f, sort="code"):
    req = paging.parse_params(selectors.LEDGER_SORTS, paging.PageParams(sort=sort))
    return [row.project.pk for row in selectors.ledger_page(org.hunan_staff, f, TODAY, req).items]


def _until(condition, seconds=15.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True)
def test_in_a_server_the_refresh_runs_in_a_thread_of_its_own_and_retries_a_failure(
    org, monkeypatch
):
    project = _red(org, "HN-99")
    snapshot_warnings(on=TODAY)
    monkeypatch.setattr(serving, "_in_server", True)
    monkeypatch.setattr(refreshes, "RETRY_SECONDS", 0.05)
    real, threads = refreshes.refresh_project_snapshot, []

    def fails_once(*, project_ids, on):
        threads.append(threading.current_thread().name)
        if len(threads) == 1:
            raise RuntimeError("数据库连接中断")
        real(project_ids=project_ids, on=on)

    monkeypatch.setattr(refreshes, "refresh_project_snapshot", fails_once)
    _file(org, project)  # commits: the request's thread only kicks the refresh

    assert _until(lambda: not PendingRefresh.objects.exists())
    assert threads == ["gongjian-snapshot-refresh"] * 2
    assert _colour(project) == "green"


class _ScriptedKicks:
    """A `threading.Event` whose kicks arrive at the given times on a clock of its own, so
    `refreshes.gather` is followed step by step without waiting."""

    def __init__(self, kicks):
        self.now, self.kicks = 0.0, sorted(kicks)

    def clear(self):
        pass

    def wait(self, timeout):
        due = [k for k in self.kicks if self.now < k <= self.now + timeout]
        if due:
            self.now = due[0]
            return True
        self.now += timeout
        return False


def _gathered_until(kicks, monkeypatch, *, quiet=0.05, longest=1.0):
    event = _ScriptedKicks(kicks)
    monkeypatch.setattr(refreshes.time, "monotonic", lambda: event.now)
    refreshes.gather(event, quiet=quiet, longest=longest)
    return round(event.now, 3)


def test_a_lone_write_is_worked_off_after_the_quiet_spell(monkeypatch):
    assert _gathered_until([], monkeypatch) == 0.05


def test_writes_close_together_share_one_batch_started_once_they_stop(monkeypatch):
    assert _gathered_until([0.01, 0.03, 0.07], monkeypatch) == 0.12


def test_a_surge_is_worked_off_at_least_once_a_second(monkeypatch):
    steady = [i / 100 for i in range(1, 500)]  # a commit every 10 ms for 5 s

    assert _gathered_until(steady, monkeypatch) == 1.0
