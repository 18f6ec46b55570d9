"""Every list endpoint pages the same way (`core.paging`): the envelope, cursors that neither
repeat nor skip a row while rows are added between requests, offset paging, each sort with
its ties broken by id, a Chinese 422 naming a bad parameter, a query count that does not grow
with the rows, and the scope on every page (a town sees only its own rows)."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongjian.core import paging
from gongjian.core.errors import ValidationFailed
from gongjian.projects.models import ProgressReport
from gongjian.supervision.models import Inspection, Message, Notice
from tests.factories import PASSWORD, UserFactory
from tests.projects.factories import ProjectFactory
from tests.supervision.factories import make_order

D = dt.date
_n = itertools.count(1)


@pytest.fixture(autouse=True)
def _a_day_before_the_deadlines(settings) -> None:
    """The orders' deadlines are in December 2026: today is pinned before them, or on a later
    wall-clock day no order could be issued."""
    settings.GONGJIAN_TODAY = "2026-12-01"


@pytest.fixture(autouse=True)
def _numbered_from_one() -> None:
    """Each test's rows are numbered from 1, so what they hold does not hang on the tests that
    ran before on the same worker."""
    global _n
    _n = itertools.count(1)


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def _order(org, unit):
    # Deadlines repeat (ties) so the id has to break them.
    return make_order(org, unit=unit, deadline=D(2026, 12, 20) + dt.timedelta(days=next(_n) % 3))


def _notice(org, unit):
    i = next(_n)
    # The first two are drafts, without a date: every list has empty keys to sort, and the
    # first page of three always ends on a dated one, however many follow.
    published = i > 2
    return Notice.objects.create(
        kind="criticism" if i % 2 else "praise",
        title=f"通报{i}",
        unit=unit,
        reason="事由",
        issuing_unit=org.changle,
        state="published" if published else "draft",
        published_on=D(2026, 11, 1 + i % 4) if published else None,
    )


def _inspection(org, unit):
    i = next(_n)
    return Inspection.objects.create(
        kind="random" if i % 2 else "scheduled",
        unit=unit,
        team="第一督查组",
        inspected_on=D(2026, 11, 1 + i % 3),
        findings="现场发现",
    )


def _message(org, unit):
    user = org.hunan_staff if unit == org.hunan else org.viewer_elsewhere
    return Message.objects.create(
        user=user, text=f"消息{next(_n)}", created_at=dt.datetime(2026, 11, 1, 8, tzinfo=dt.UTC)
    )


LISTS = {
    "orders": ("/api/supervision/orders", _order, ["deadline", "-issued_on", "code", "-state"]),
    "notices": ("/api/supervision/notices", _notice, ["-published_on", "published_on", "title"]),
    "inspections": ("/api/supervision/inspections", _inspection, ["-inspected_on", "created"]),
    "messages": ("/api/supervision/messages", _message, ["-created", "created"]),
}


def _ids(client, url, params):
    seen, cursor = [], None
    while True:
        body = client.get(url, {**params, **({"cursor": cursor} if cursor else {})}).json()
        assert set(body) >= {"items", "count", "count_exact", "limit", "sort", "next_cursor"}
        seen += [row["id"] for row in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return seen, body["count"]


@pytest.fixture(autouse=True)
def _songxia_user(org):
    org.viewer_elsewhere = UserFactory(
        username="songxia_staff", unit=org.songxia, roles=["unit_staff"]
    )


@pytest.mark.parametrize("name", LISTS)
def test_every_page_once_in_each_sort_while_rows_are_added(client, org, name):
    url, make, sorts = LISTS[name]
    rows = [make(org, org.hunan) for _ in range(7)]
    login(client, org.hunan_staff)
    for sort in sorts:
        walked, total = _ids(client, url, {"sort": sort, "limit": 2})
        assert sorted(walked) == sorted(r.pk for r in rows)
        assert total == len(rows)
    # Rows added between requests: none of the rows there from the start is lost or repeated.
    seen, cursor = [], None
    while True:
        body = client.get(url, {"limit": 2, **({"cursor": cursor} if cursor else {})}).json()
        seen += [row["id"] for row in body["items"]]
        make(org, org.hunan)
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen))
    assert {r.pk for r in rows} <= set(seen)


@pytest.mark.parametrize("name", LISTS)
def test_offset_pages_follow_each_other(client, org, name):
    url, make, sorts = LISTS[name]
    for _ in range(5):
        make(org, org.hunan)
    login(client, org.hunan_staff)
    everything = client.get(url, {"sort": sorts[0]}).json()["items"]
    first = client.get(url, {"sort": sorts[0], "limit": 3}).json()
    second = client.get(url, {"sort": sorts[0], "limit": 3, "offset": first["next_offset"]}).json()
    assert [r["id"] for r in first["items"] + second["items"]] == [r["id"] for r in everything]


@pytest.mark.parametrize("name", LISTS)
def test_a_town_sees_only_its_rows_on_every_page(client, org, name):
    url, make, _sorts = LISTS[name]
    mine = [make(org, org.hunan) for _ in range(3)]
    for _ in range(3):
        make(org, org.songxia)
    login(client, org.hunan_staff)
    walked, total = _ids(client, url, {"limit": 1})
    assert sorted(walked) == sorted(r.pk for r in mine)
    assert total == 3


@pytest.mark.parametrize("name", LISTS)
def test_a_bad_parameter_is_a_chinese_422_naming_it(client, org, name):
    url, make, _sorts = LISTS[name]
    make(org, org.hunan)
    login(client, org.hunan_staff)
    for params, field in [
        ({"limit": "1000"}, "limit"),
        ({"sort": "nonsense"}, "sort"),
        ({"cursor": "x"}, "cursor"),
        ({"offset": "abc"}, "offset"),
    ]:
        response = client.get(url, params)
        assert response.status_code == 422, (params, response.content)
        assert response.json()["field"] == field
        assert f"参数 {field}" in response.json()["message"]


@pytest.mark.parametrize("name", LISTS)
def test_the_query_count_of_a_page_does_not_grow_with_the_rows(client, org, name):
    url, make, _sorts = LISTS[name]
    login(client, org.hunan_staff)

    def queries():
        first = client.get(url, {"limit": 3}).json()
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, {"limit": 3, "cursor": first["next_cursor"]})
        assert response.status_code == 200
        assert len(response.json()["items"]) == 3
        return len(ctx.captured_queries)

    for _ in range(7):
        make(org, org.hunan)
    small = queries()
    for _ in range(20):
        make(org, org.hunan)
    assert queries() == small


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"state": "lost"}, "state"),
        ({"level": "purple"}, "level"),
    ],
)
def test_order_filters_refuse_values_no_order_can_have(client, org, params, field):
    login(client, org.office)
    response = client.get("/api/supervision/orders", params)
    assert (response.status_code, response.json()["field"]) == (422, field)


def test_order_filters_keep_exactly_their_rows(client, org):
    project = ProjectFactory(unit=org.hunan)
    a = make_order(org, unit=org.hunan, project=project, title="征迁交地")
    b = make_order(org, unit=org.songxia, title="杆线迁改")
    login(client, org.office)

    def ids(**params):
        return [o["id"] for o in client.get("/api/supervision/orders", params).json()["items"]]

    assert ids(unit_id=org.hunan.pk) == [a.pk]
    assert ids(project_id=project.pk) == [a.pk]
    assert ids(q="杆线") == [b.pk]
    assert sorted(ids(state="issued")) == sorted([a.pk, b.pk])
    assert ids(state="closed") == []
    assert sorted(ids(level="blue")) == sorted([a.pk, b.pk])


def test_notice_filters_keep_exactly_their_rows(client, org):
    rows = [_notice(org, org.hunan) for _ in range(6)]
    login(client, org.office)
    for param, value in [("kind", "praise"), ("state", "draft")]:
        body = client.get("/api/supervision/notices", {param: value}).json()
        assert sorted(n["id"] for n in body["items"]) == sorted(
            n.pk for n in rows if getattr(n, param) == value
        )
    assert client.get("/api/supervision/notices", {"kind": "blame"}).status_code == 422


def test_unread_messages_filter(client, org):
    read = _message(org, org.hunan)
    read.read_at = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
    read.save()
    unread = _message(org, org.hunan)
    login(client, org.hunan_staff)
    body = client.get("/api/supervision/messages", {"unread": "true"}).json()
    assert [m["id"] for m in body["items"]] == [unread.pk]


def test_reports_of_a_project_page_newest_first(client, org):
    project = ProjectFactory(unit=org.hunan)
    for month in range(1, 8):
        ProgressReport.objects.create(
            project=project, period_end=D(2026, month, 28), percent_done=Decimal(month * 5)
        )
    login(client, org.hunan_staff)
    url = f"/api/ledger/projects/{project.pk}/reports"
    walked, total = _ids(client, url, {"limit": 3})
    expected = list(
        ProgressReport.objects.filter(project=project)
        .order_by("-period_end")
        .values_list("pk", flat=True)
    )
    assert (walked, total) == (expected, 7)


# --- the mechanism itself -----------------------------------------------------------------------

SORTS = paging.Sorts(
    keys=(paging.SortKey("when", "when", "日期", nullable=True),), default="when", tiebreak="pk"
)


def _list_page(items, **params):
    req = paging.parse(SORTS, **params)
    return paging.page_of_list(items, req, SORTS, lambda r, _k: r["when"], lambda r: r["pk"])


def test_page_of_list_puts_empty_values_last_ascending_and_first_descending():
    items = [{"pk": i, "when": [D(2026, 1, 2), None, D(2026, 1, 1)][i % 3]} for i in range(7)]
    asc, seen = _list_page(items, limit="3"), []
    while True:
        seen += [r["pk"] for r in asc.items]
        if not asc.next_cursor:
            break
        asc = _list_page(items, limit="3", cursor=asc.next_cursor)
    assert seen == [2, 5, 0, 3, 6, 1, 4]
    desc = _list_page(items, limit="10", sort="-when")
    assert [r["pk"] for r in desc.items] == [4, 1, 6, 3, 0, 5, 2]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "-3"},
        {"limit": "１０"},  # full-width digits
        {"offset": "1" * 13},
        {"sort": "-"},
        {"cursor": paging.make_cursor("when", {"x": 1}, 1)},
        {"cursor": paging.make_cursor("when", D(2026, 1, 1), "1")},
    ],
)
def test_parse_refuses_with_a_validation_error(params):
    with pytest.raises(ValidationFailed):
        paging.parse(SORTS, **params)


def test_a_filter_that_can_match_nothing_counts_zero_exactly(db):
    """`pk__in=[]` makes no SQL at all: PostgreSQL's estimate must not ask the planner for it
    (the warnings page of a user without projects answered 500 on PostgreSQL)."""
    assert paging.count(ProgressReport.objects.filter(pk__in=[])) == (0, True)
