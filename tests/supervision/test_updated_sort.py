"""Orders and notices say when they last changed (`updated_at`): every step, an escalation by
the tick (a `save(update_fields=…)`), a publication; their lists sort by "updated" with the id
breaking ties, in the API and on the pages; the migration fills the stamp from the history."""

import datetime as dt
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from gongjian.supervision import notices, orders
from gongjian.supervision.deadlines import mark_overdue
from gongjian.supervision.models import Notice, SupervisionOrder
from tests.supervision.factories import make_order

D = dt.date
LONG_AGO = dt.datetime(2026, 1, 1, 8, 0, tzinfo=dt.UTC)


def _age(model):
    model.objects.update(updated_at=LONG_AGO)


def _walk(client, url, params):
    seen, cursor = [], None
    while True:
        body = client.get(url, dict(params, **({"cursor": cursor} if cursor else {}))).json()
        seen += [row["id"] for row in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return seen


def test_a_step_stamps_the_order_and_only_it(client, org):
    made = [make_order(org) for _ in range(3)]
    _age(SupervisionOrder)
    before = timezone.now()
    orders.acknowledge(actor=org.hunan_staff, order=made[1])
    stamps = dict(SupervisionOrder.objects.values_list("pk", "updated_at"))
    assert stamps[made[1].pk] >= before
    assert {stamps[made[0].pk], stamps[made[2].pk]} == {LONG_AGO}
    client.force_login(org.office)
    body = client.get("/api/supervision/orders", {"sort": "-updated"}).json()
    assert body["items"][0]["id"] == made[1].pk
    shown = dt.datetime.fromisoformat(body["items"][0]["updated_at"])  # to the millisecond
    assert abs(shown - stamps[made[1].pk]) < dt.timedelta(milliseconds=1)


def test_the_tick_marking_an_order_overdue_stamps_it(org, set_today):
    order = make_order(org, deadline=D(2026, 12, 3))
    _age(SupervisionOrder)
    set_today(D(2026, 12, 10))
    before = timezone.now()
    assert mark_overdue(SupervisionOrder.objects.get(pk=order.pk), D(2026, 12, 10))
    assert SupervisionOrder.objects.get(pk=order.pk).updated_at >= before


def test_publishing_a_notice_stamps_it(client, org):
    draft = notices.create_notice(
        actor=org.office, kind="criticism", unit=org.hunan, title="草稿", reason="逾期"
    )
    other = notices.create_notice(
        actor=org.office, kind="praise", unit=org.hunan, title="表扬", reason="提前"
    )
    _age(Notice)
    before = timezone.now()
    notices.publish_notice(actor=org.office, notice=draft)
    assert Notice.objects.get(pk=draft.pk).updated_at >= before
    assert Notice.objects.get(pk=other.pk).updated_at == LONG_AGO
    client.force_login(org.office)
    body = client.get("/api/supervision/notices", {"sort": "-updated"}).json()
    assert [n["id"] for n in body["items"]] == [draft.pk, other.pk]


@pytest.mark.parametrize("sort", ["updated", "-updated"])
def test_orders_sorted_by_updated_are_each_read_once_with_ties_broken_by_id(client, org, sort):
    made = [make_order(org) for _ in range(7)]
    for i, order in enumerate(made):
        at = LONG_AGO + dt.timedelta(hours=(3 * i) % 7 // 2)
        SupervisionOrder.objects.filter(pk=order.pk).update(updated_at=at)
    client.force_login(org.office)
    seen = _walk(client, "/api/supervision/orders", {"sort": sort, "limit": 2})
    rows = SupervisionOrder.objects.values_list("pk", "updated_at")
    expected = [pk for pk, _at in sorted(rows, key=lambda r: (r[1], r[0]), reverse=sort[0] == "-")]
    assert seen == expected


def test_the_board_and_the_notices_page_offer_the_updated_sort(client, org):
    make_order(org)
    client.force_login(org.office)
    for url in ("/supervision/", "/supervision/notices/"):
        response = client.get(url, {"sort": "-updated"})
        assert response.status_code == 200, url
        labels = [s.label for s in response.context["pager"].sort_links]
        assert "更新时间" in labels, url


def test_the_migration_fills_orders_and_notices_from_their_latest_history(org):
    migration = importlib.import_module(
        "gongjian.supervision.migrations.0009_order_notice_updated_at"
    )
    order = make_order(org)
    orders.acknowledge(actor=org.hunan_staff, order=order)
    _age(SupervisionOrder)
    latest = order.history.order_by("-history_date").first().history_date
    migration.fill_from_history(apps, SimpleNamespace(connection=connection))
    assert SupervisionOrder.objects.get(pk=order.pk).updated_at == latest
    assert {h.updated_at for h in order.history.all()} == {
        h.history_date for h in order.history.all()
    }
