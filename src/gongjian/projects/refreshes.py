"""The battle map's refresh after a ledger write, out of the write's request: a mark per
project and day (`PendingRefresh`), written in the write's own transaction, worked off in
batches right after it commits, by a thread of the server process (or at once, in the
committing thread, outside a server), by `gongjian tick`, and retried until it succeeds.

What keeps every view truthful meanwhile: a mark is committed with the write it stands for, so
whoever can see the write can see its mark; the battle map's readers work the marked rows out
for their own read (`apply_pending`, in the read's rolled-back transaction) and the ledger's
colour filter takes a marked project's colour from its warning, not from its stale row.

Why it cannot lose a write: a batch locks its projects first, skipping the ones a writer holds
(that writer's mark commits after it and is worked off by the next batch), so what the batch
reads of a project is final until it commits; it deletes a mark only if the mark's stamp is the
one it read, so a write that came in meanwhile (a milestone edit does not lock its project)
keeps its mark. A batch that fails rolls back whole: its marks stay for the next try.
"""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import secrets
import threading
import time
from collections import defaultdict
from collections.abc import Iterable

from django.db import close_old_connections, transaction
from django.db.models import Q

from gongjian.core import clock, serving
from gongjian.projects.models import PendingRefresh, Project
from gongjian.projects.snapshots import refresh_project_snapshot

logger = logging.getLogger(__name__)

# Marks a batch works off: one DELETE of (id, stamp) pairs within SQLite's 999 parameters.
BATCH = 400
# The background thread starts once no commit has kicked it for GATHER_SECONDS, but no later
# than LONGEST_GATHER_SECONDS after the first kick: a lone write is on the battle map within
# about 50 ms, while a surge's reports share batches of a second's worth (a batch costs about
# 13 ms of CPU plus 1 ms a mark, so a batch of two costs each report 8 ms, one of 40 about 1.3;
# bench surge: 69 → 92 reports a second). The readers meanwhile work the marks out themselves.
GATHER_SECONDS = 0.05
LONGEST_GATHER_SECONDS = 1.0
# After a failed batch it tries again after this long, doubling up to the longest.
RETRY_SECONDS, LONGEST_RETRY_SECONDS = 1.0, 60.0


def mark(project_ids: Iterable[int], *, on: dt.date | None = None) -> None:
    """In the writer's transaction: these projects' rows of `on` (today) are behind the ledger.
    One upsert; once the write commits, the marks are worked off (`work_off_soon`)."""
    on = on or clock.today()
    rows = [
        PendingRefresh(on=on, project_id=pk, stamp=secrets.randbits(62))
        for pk in sorted(set(project_ids))
    ]
    if not rows:
        return
    PendingRefresh.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["on", "project"], update_fields=["stamp"]
    )
    transaction.on_commit(work_off_soon, robust=True)


def work_off(*, limit: int = BATCH) -> int:
    """Bring every marked project's row up to date, a batch of `limit` marks at a time, until
    none is left but those of projects a writer holds now; how many marks were worked off.
    A failing batch raises, its marks kept, the batches before it stored."""
    done, held = 0, set[int]()
    while True:
        n, skipped = _one_batch(limit, held)
        done += n
        held |= skipped
        if n + len(skipped) < limit:
            # The batch took every mark there was; a mark committed since has its own
            # `work_off_soon` to come.
            return done


@transaction.atomic
def _one_batch(limit: int, held: set[int]) -> tuple[int, set[int]]:
    marks = list(
        PendingRefresh.objects.exclude(project_id__in=held)
        .order_by("project_id", "on")
        .values_list("pk", "project_id", "on", "stamp")[:limit]
    )
    if not marks:
        return 0, set()
    wanted = sorted({pid for _pk, pid, _on, _stamp in marks})
    # What a held project's writer is about to commit, its own mark will bring.
    locked = set(
        Project.objects.select_for_update(skip_locked=True)
        .filter(pk__in=wanted)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    days: dict[dt.date, list[int]] = defaultdict(list)
    taken = Q(pk__in=[])
    for pk, pid, on, stamp in marks:
        if pid in locked:
            days[on].append(pid)
            taken |= Q(pk=pk, stamp=stamp)
    for on, pids in sorted(days.items()):
        refresh_project_snapshot(project_ids=pids, on=on)
    PendingRefresh.objects.filter(taken).delete()
    return sum(len(p) for p in days.values()), set(wanted) - locked


def apply_pending(days: Iterable[dt.date]) -> None:
    """For a reader, inside its transaction (which it rolls back): the marked rows of `days`
    worked out as the next batch will store them."""
    by_day: dict[dt.date, list[int]] = defaultdict(list)
    for on, pid in PendingRefresh.objects.filter(on__in=list(days)).values_list("on", "project"):
        by_day[on].append(pid)
    for on, pids in sorted(by_day.items()):
        refresh_project_snapshot(project_ids=pids, on=on)


# --- Where the work runs ------------------------------------------------------------------------


def work_off_soon() -> None:
    """After a commit that marked rows (`transaction.on_commit`): in a server process by its
    thread, so no request waits for it; elsewhere (commands, tests) at once, in this thread."""
    if serving.in_server():
        _worker.kick()
    else:
        work_off()


def gather(kicked: threading.Event, *, quiet: float, longest: float) -> None:
    """Return once `kicked` has stayed unset for `quiet` seconds, or `longest` after the call."""
    deadline = time.monotonic() + longest
    while True:
        kicked.clear()
        left = deadline - time.monotonic()
        if left <= 0 or not kicked.wait(min(quiet, left)):
            return


class _Worker:
    """One thread per server process, started at the first kick: waits for a kick, gathers
    (`gather`), works every mark off; after a failure it tries again later by itself."""

    def __init__(self) -> None:
        self._kicked = threading.Event()
        self._start = threading.Lock()
        self._thread: threading.Thread | None = None

    def kick(self) -> None:
        with self._start:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="gongjian-snapshot-refresh", daemon=True
                )
                self._thread.start()
        self._kicked.set()

    def _run(self) -> None:
        wait = RETRY_SECONDS
        while True:
            self._kicked.wait()
            gather(self._kicked, quiet=GATHER_SECONDS, longest=LONGEST_GATHER_SECONDS)
            try:
                close_old_connections()
                work_off()
                wait = RETRY_SECONDS
            except Exception:
                logger.exception("battle-map refresh failed; its marks stay and are retried")
                time.sleep(wait)
                wait = min(wait * 2, LONGEST_RETRY_SECONDS)
                self._kicked.set()
            finally:
                close_old_connections()

    def drain_at_exit(self) -> None:
        """A server stopping with marks left: try once more (the tick would otherwise)."""
        if serving.in_server() and self._thread is not None and self._thread.is_alive():
            try:
                work_off()
            except Exception:
                logger.exception("battle-map refresh at exit failed; `gongjian tick` will do it")


_worker = _Worker()
atexit.register(_worker.drain_at_exit)
