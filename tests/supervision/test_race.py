"""A real race on PostgreSQL: two connections act on one order at the same moment.

Row locks (SELECT ... FOR UPDATE) serialise the two writers; the second sees the version the first
wrote and is refused, so neither action is silently lost. SQLite's in-memory test database cannot
host two writing threads, so this module runs on PostgreSQL only (the single-connection tests in
test_orders.py cover the same rule on both databases).
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from gongjian.core.errors import ConcurrentUpdate
from gongjian.supervision import orders, tick
from gongjian.supervision.flow import State
from gongjian.supervision.models import SupervisionOrder
from tests.supervision.factories import make_order, make_project

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="需要 PostgreSQL：两个连接同时写入"
    ),
]


def run_together(*calls):
    """Run each call in its own thread and connection, released at the same instant."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # the outcome is what the test inspects
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_two_reviewers_at_once_one_wins_the_other_is_told(org):
    order = make_order(org, state=State.FEEDBACK)
    a = SupervisionOrder.objects.get(pk=order.pk)
    b = SupervisionOrder.objects.get(pk=order.pk)
    results = run_together(
        lambda: orders.close(actor=org.office, order=a),
        lambda: orders.send_back(actor=org.city_office, order=b, reason="不同意"),
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], ConcurrentUpdate), results
    order.refresh_from_db()
    winner = "closed" if not isinstance(results[0], Exception) else "in_progress"
    assert (order.state, order.version) == (winner, 5)
    assert order.events.filter(kind__in=["closed", "sent_back"]).count() == 1


def test_two_ticks_at_once_raise_one_automatic_order(org):
    make_project(org.hunan, red=True)
    results = run_together(tick.tick, tick.tick)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r.auto_orders for r in results) == [0, 1]
    assert SupervisionOrder.objects.count() == 1
