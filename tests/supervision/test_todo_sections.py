"""The to-do list at scale: each section lists its first rows and counts them all (a province
office reviews hundreds of feedbacks at once), and each section has pages of its own, in the
API and on a page, sorted and paged like every list (core.paging)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongjian.supervision import orders, selectors
from gongjian.supervision.flow import State
from gongjian.supervision.selectors import TodoCount
from tests.dashboard.test_bounded_pages import _unbounded
from tests.factories import PASSWORD
from tests.supervision.factories import make_order


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def _feedbacks(org, n):
    return [
        make_order(org, state=State.FEEDBACK, deadline=dt.date(2026, 12, 20 - i)) for i in range(n)
    ]


def test_a_section_lists_its_first_rows_and_counts_them_all(org):
    made = _feedbacks(org, 3)
    todo = selectors.todo(org.office, shown=2)

    assert todo.counts["to_review"] == TodoCount(count=3, exact=True, shown=2)
    assert todo.counts["to_review"].more
    # the first two by feedback date, then id, as the section's own pages order them
    first = sorted(made, key=lambda o: (o.feedback_on, o.pk))[:2]
    assert [o.pk for o in todo.to_review] == [o.pk for o in first]
    assert todo.counts["to_handle"] == TodoCount(count=0, exact=True, shown=0)
    assert not todo.counts["to_handle"].more


def test_a_section_pages_through_the_api_without_losing_or_repeating_an_order(client, org):
    made = _feedbacks(org, 5)
    _login(client, org.office)
    seen, url = [], "/api/supervision/todo/to_review?limit=2&sort=deadline"
    while True:
        body = client.get(url).json()
        assert body["count"] == len(made) and body["count_exact"] is True
        seen += [o["id"] for o in body["items"]]
        if body["next_cursor"] is None:
            break
        # an order arriving between two pages lands in its place, not twice
        if len(seen) == 2:
            made.append(make_order(org, state=State.FEEDBACK, deadline=dt.date(2026, 12, 31)))
        url = f"/api/supervision/todo/to_review?limit=2&sort=deadline&cursor={body['next_cursor']}"
    by_deadline = sorted(made, key=lambda o: (o.deadline, o.pk))
    assert seen == [o.pk for o in by_deadline]
    assert len(set(seen)) == len(seen)


def test_the_api_todo_gives_each_sections_count_beside_its_first_rows(client, org, monkeypatch):
    monkeypatch.setattr(selectors, "TODO_SHOWN", 2)
    _feedbacks(org, 3)
    _login(client, org.office)
    body = client.get("/api/supervision/todo").json()
    assert len(body["to_review"]) == 2
    assert body["counts"]["to_review"] == {"count": 3, "count_exact": True, "shown": 2}


def test_extensions_page_as_the_orders_they_belong_to(client, org):
    order = make_order(org, state=State.IN_PROGRESS, deadline=dt.date(2026, 12, 20))
    orders.request_extension(
        actor=org.hunan_staff, order=order, reason="征迁未完", new_deadline=dt.date(2027, 1, 20)
    )
    _login(client, org.office)
    body = client.get("/api/supervision/todo/extensions").json()
    assert [o["id"] for o in body["items"]] == [order.pk]
    page = client.get("/supervision/todo/extensions/").content.decode()
    assert order.code in page and "2027-01-20" in page


def test_a_unit_sees_no_feedback_to_review_and_no_other_units_orders(client, org):
    _feedbacks(org, 2)
    other = make_order(org, state=State.ISSUED, unit=org.songxia)
    _login(client, org.hunan_staff)
    assert client.get("/api/supervision/todo/to_review").json()["count"] == 0
    handle = client.get("/api/supervision/todo/to_handle").json()
    assert other.pk not in [o["id"] for o in handle["items"]]
    assert handle["count"] == 0  # the two feedbacks wait for the office, not for the town


def test_the_todo_page_counts_a_long_section_and_links_to_its_pages(client, org, monkeypatch):
    monkeypatch.setattr(selectors, "TODO_SHOWN", 2)
    made = _feedbacks(org, 3)
    _login(client, org.office)
    body = client.get("/supervision/todo/").content.decode()
    assert "待审核的反馈（3）" in body
    assert "仅列出前 2 件，共 3 件。" in body
    assert 'href="/supervision/todo/to_review/"' in body

    seen, query = [], {"limit": "2"}
    while True:
        response = client.get("/supervision/todo/to_review/", query)
        assert response.status_code == 200
        assert "待审核的反馈" in response.content.decode()
        seen += [o.pk for o in response.context["page"].items]
        following = response.context["pager"].next_query
        if not following:
            break
        query = {k: v[0] for k, v in parse_qs(following).items()}
    assert sorted(seen) == sorted(o.pk for o in made)


def test_an_unknown_section_is_refused_in_chinese(client, org):
    _login(client, org.office)
    page = client.get("/supervision/todo/nothing/")
    assert page.status_code == 404 and "没有这一类待办" in page.content.decode()
    api = client.get("/api/supervision/todo/nothing")
    assert api.status_code == 422 and "参数 section 无效" in api.json()["message"]
    bad_sort = client.get("/api/supervision/todo/extensions?sort=code")
    assert bad_sort.status_code == 422 and "参数 sort 无效" in bad_sort.json()["message"]


@pytest.mark.parametrize("role", ["office", "hunan_staff", "leader", "inspector"])
def test_the_todo_page_and_api_read_first_rows_and_counts_only(client, org, role, monkeypatch):
    monkeypatch.setattr(selectors, "TODO_SHOWN", 2)
    for _ in range(3):
        make_order(org, state=State.IN_PROGRESS)
        make_order(org, state=State.FEEDBACK)
    _login(client, getattr(org, role))
    for url in ("/supervision/todo/", "/api/supervision/todo"):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        assert _unbounded(ctx.captured_queries) == []


ROLES = ["office", "city_office", "lead", "hunan_staff", "leader", "inspector", "viewer"]


@pytest.mark.parametrize("role", ROLES)
def test_every_section_shows_each_role_only_orders_in_its_view_in_every_state(client, org, role):
    for state in State:
        make_order(org, state=state)
    make_order(org, state=State.ISSUED, unit=org.songxia)  # another town's
    user = getattr(org, role)
    visible = set(selectors.orders_for(user).values_list("pk", flat=True))
    _login(client, user)
    for section in selectors.TODO_SORTS:
        api = client.get(f"/api/supervision/todo/{section}")
        assert api.status_code == 200, (section, api.content)
        assert {o["id"] for o in api.json()["items"]} <= visible, section
        assert client.get(f"/supervision/todo/{section}/").status_code == 200, section
