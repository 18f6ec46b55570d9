"""The supervision list pages page the way the API does (core.paging through the same
selectors): a page at a time, the filters and the sort kept in the pager's and the sort links'
URLs, no row repeated or lost from one page to the next."""

import datetime as dt
import itertools
from urllib.parse import parse_qs

from gongjian.supervision.models import Inspection, Message, Notice
from tests.supervision.factories import make_order

D = dt.date
_n = itertools.count(1)


def _walk(client, url, params):
    """Every row id the page lists, following its "next page" links, and the pagers seen."""
    seen, pagers, query = [], [], params
    while True:
        response = client.get(url, query)
        assert response.status_code == 200
        seen += [row.pk for row in response.context["page"].items]
        pagers.append(response.context["pager"])
        if not pagers[-1].next_query:
            return seen, pagers
        query = {k: v[0] for k, v in parse_qs(pagers[-1].next_query).items()}


def _notice(org, kind):
    i = next(_n)
    return Notice.objects.create(
        kind=kind,
        title=f"通报{i}",
        unit=org.hunan,
        reason="事由",
        issuing_unit=org.changle,
        state="published",
        published_on=D(2026, 11, 1 + i % 3),
    )


def test_the_board_lists_a_page_of_orders_and_the_next_keeps_the_filter(client, org):
    orders = [
        make_order(org, deadline=D(2026, 12, 20) + dt.timedelta(days=i % 2)) for i in range(5)
    ]
    client.force_login(org.office)
    seen, pagers = _walk(client, "/supervision/", {"unit": org.hunan.pk, "limit": 2})
    assert sorted(seen) == sorted(o.pk for o in orders) and len(seen) == 5
    assert all(f"unit={org.hunan.pk}" in p.next_query for p in pagers[:-1])
    response = client.get("/supervision/", {"limit": 2})
    body = response.content.decode()
    assert 'id="orders-list-pager"' in body and "共 5 条" in body
    # The "all" tile counts the whole board, not the page.
    assert response.context["board"].total == 5


def test_the_board_sort_links_sort_by_deadline_descending_on_a_second_click(client, org):
    early = make_order(org, deadline=D(2026, 12, 20))
    late = make_order(org, deadline=D(2026, 12, 28))
    client.force_login(org.office)
    response = client.get("/supervision/", {"sort": "-deadline"})
    assert [o.pk for o in response.context["page"].items] == [late.pk, early.pk]
    links = {s.label: s for s in response.context["pager"].sort_links}
    assert links["办结时限"].active and links["办结时限"].descending
    assert "sort=deadline" in links["办结时限"].query


def test_notices_page_filters_by_kind_and_pages(client, org):
    praise = [_notice(org, "praise") for _ in range(3)]
    _notice(org, "criticism")
    client.force_login(org.office)
    seen, pagers = _walk(client, "/supervision/notices/", {"kind": "praise", "limit": 2})
    assert sorted(seen) == sorted(n.pk for n in praise)
    assert "kind=praise" in pagers[0].next_query
    # A kind the page does not know is no filter there (the API refuses it).
    assert client.get("/supervision/notices/", {"kind": "blame"}).context["page"].count == 4


def test_inspections_page_pages_and_filters_by_kind(client, org):
    made = [
        Inspection.objects.create(
            kind="random" if i % 2 else "scheduled",
            unit=org.hunan,
            team="第一督查组",
            inspected_on=D(2026, 11, 1 + i % 2),
            findings="现场发现",
        )
        for i in range(5)
    ]
    client.force_login(org.office)
    seen, _pagers = _walk(client, "/supervision/inspections/", {"limit": 2})
    assert sorted(seen) == sorted(i.pk for i in made)
    seen, _pagers = _walk(client, "/supervision/inspections/", {"kind": "random", "limit": 1})
    assert sorted(seen) == sorted(i.pk for i in made if i.kind == "random")


def test_inbox_pages_and_shows_only_unread_when_asked(client, org):
    at = dt.datetime(2026, 11, 1, 8, tzinfo=dt.UTC)
    msgs = [
        Message.objects.create(user=org.hunan_staff, text=f"消息{i}", created_at=at)
        for i in range(4)
    ]
    Message.objects.filter(pk=msgs[0].pk).update(read_at=at)
    client.force_login(org.hunan_staff)
    seen, _pagers = _walk(client, "/supervision/inbox/", {"limit": 3})
    assert sorted(seen) == sorted(m.pk for m in msgs)
    seen, _pagers = _walk(client, "/supervision/inbox/", {"unread": "1", "limit": 3})
    assert sorted(seen) == sorted(m.pk for m in msgs[1:])


def test_a_bad_sort_on_a_page_is_the_chinese_422_page(client, org):
    client.force_login(org.office)
    response = client.get("/supervision/notices/", {"sort": "bogus"})
    assert response.status_code == 422 and "参数 sort 无效" in response.content.decode()
