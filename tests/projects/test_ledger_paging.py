"""The ledger list's paging, sorting and filters (`core.paging` through `selectors.ledger_page`):
cursors stable under inserts, ties broken by id, empty values last, every filter, the colour
from the day's snapshot or worked out, constant query counts, the scope on every page, and a
Chinese 422 naming the parameter for every bad one."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongjian.core import paging
from gongjian.projects import selectors
from gongjian.projects.models import Project
from gongjian.projects.snapshots import snapshot_warnings
from gongjian.projects.warning_feed import warnings_for
from tests.factories import PASSWORD
from tests.projects.conftest import TODAY
from tests.projects.factories import ProjectFactory

D = dt.date
URL = "/api/ledger/projects"


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def _walk(client, params, *, between=None):
    """Every page from the first, following next_cursor; `between(n)` runs after page n."""
    seen, cursor, pages = [], None, 0
    while True:
        query = dict(params, **({"cursor": cursor} if cursor else {}))
        response = client.get(URL, query)
        assert response.status_code == 200, response.content
        body = response.json()
        seen += [p["code"] for p in body["items"]]
        pages += 1
        if between:
            between(pages)
        cursor = body["next_cursor"]
        if cursor is None:
            return seen, pages


@pytest.fixture
def many(org):
    """Twelve projects in 湖南镇 and 松下镇: planned completions with ties and empties, mixed
    statuses, levels and progress, so that they take all three colours on TODAY."""
    dates = [D(2026, 9, 30), D(2026, 9, 30), None, D(2026, 8, 1), D(2026, 9, 30), None]
    rows = []
    for i in range(12):
        rows.append(
            ProjectFactory(
                code=f"M-{i:02d}",
                name=f"项目{11 - i:02d}",
                unit=org.hunan if i % 2 else org.songxia,
                campaign=org.line.campaign if i % 3 else None,
                line=org.line if i % 3 else None,
                level=["city", "district", "province"][i % 3],
                planned_start=D(2026, 1, 1) if i % 4 else D(2026, 3, 1),
                planned_completion=dates[i % 6],
                status=["under_construction", "planned", "completed"][i % 3],
                actual_start=D(2026, 1, 10) if i % 3 != 1 else None,
                percent_done=Decimal([60, 0, 100, 20][i % 4]),
            )
        )
    return rows


def _expected_order(projects, key, descending=False):
    def k(p):
        v = getattr(p, key)
        return (v is None, v if v is not None else 0, p.pk)

    return [p.code for p in sorted(projects, key=k, reverse=descending)]


@pytest.mark.parametrize("sort", ["planned_completion", "-planned_completion", "code", "-name"])
def test_walking_every_page_sees_each_project_once_in_order_with_ties_broken_by_id(
    client, org, many, sort
):
    login(client, org.office)
    seen, pages = _walk(client, {"sort": sort, "limit": 5})
    key = {"code": "code", "name": "name"}.get(sort.lstrip("-"), "planned_completion")
    assert seen == _expected_order(Project.objects.all(), key, sort.startswith("-"))
    assert pages == 3


@pytest.mark.parametrize("sort", ["planned_completion", "-planned_completion"])
def test_rows_inserted_between_requests_neither_repeat_nor_hide_a_row(client, org, many, sort):
    login(client, org.office)
    before = set(Project.objects.values_list("code", flat=True))
    made = []

    def insert(page):
        # Before, among and after the rows already read: ties, empties and new extremes.
        for j, day in enumerate([D(2026, 1, 1), D(2026, 9, 30), None, D(2027, 6, 1)]):
            made.append(
                ProjectFactory(code=f"N-{page}-{j}", unit=org.hunan, planned_completion=day).code
            )

    seen, _ = _walk(client, {"sort": sort, "limit": 4}, between=insert)
    assert len(seen) == len(set(seen)), "a row was repeated"
    assert before <= set(seen), "a row present from the start was skipped"
    # What was seen is in the list's order, with the new rows where they belong.
    everything = _expected_order(Project.objects.all(), "planned_completion", sort[0] == "-")
    assert seen == [c for c in everything if c in set(seen)]


def test_offset_paging_reads_the_same_order(client, org, many):
    login(client, org.office)
    first = client.get(URL, {"sort": "-percent_done", "limit": 5}).json()
    second = client.get(URL, {"sort": "-percent_done", "limit": 5, "offset": 5}).json()
    assert first["next_offset"] == 5
    codes = [p["code"] for p in first["items"] + second["items"]]
    assert codes == _expected_order(Project.objects.all(), "percent_done", True)[:10]
    assert first["count"] == 12
    assert first["count_exact"] is True


def test_the_default_limit_is_50_and_the_limit_at_most_500(client, org):
    ProjectFactory.create_batch(55, unit=org.hunan)
    login(client, org.office)
    body = client.get(URL).json()
    assert (len(body["items"]), body["count"], body["limit"]) == (50, 55, 50)
    assert client.get(URL, {"limit": "500"}).status_code == 200
    assert client.get(URL, {"limit": "501"}).status_code == 422


def _colours(on):
    return {p.pk: w.colour.value for p, w in _pairs(on)}


def _pairs(on):
    projects = list(Project.objects.all())
    found = warnings_for(projects, on)
    return [(p, found[p.pk]) for p in projects]


@pytest.mark.parametrize("snapshotted", [False, True], ids=["worked-out", "snapshot"])
def test_colour_filter_and_sort_agree_with_the_warning_rules(client, org, many, snapshotted):
    if snapshotted:
        snapshot_warnings(on=TODAY)
    colours = _colours(TODAY)
    assert len(set(colours.values())) == 3, "the world should hold every colour"
    login(client, org.office)
    for colour in ("red", "yellow", "green"):
        body = client.get(URL, {"colour": colour, "limit": 500}).json()
        assert {p["id"] for p in body["items"]} == {k for k, v in colours.items() if v == colour}
        assert {p["colour"] for p in body["items"]} == {colour}
        assert body["count"] == len(body["items"])
    seen, _ = _walk(client, {"sort": "colour", "limit": 5})
    rank = {"red": 0, "yellow": 1, "green": 2}
    by_code = {p.code: p.pk for p in Project.objects.all()}
    assert seen == sorted(seen, key=lambda c: (rank[colours[by_code[c]]], by_code[c]))


def test_a_page_filtered_by_colour_sorted_by_planned_completion_follows_cursors(client, org, many):
    snapshot_warnings(on=TODAY)
    colours = _colours(TODAY)
    login(client, org.office)
    red = [p for p in Project.objects.all() if colours[p.pk] == "red"]
    seen, _ = _walk(client, {"colour": "red", "sort": "planned_completion", "limit": 2})
    assert seen == _expected_order(red, "planned_completion")


@pytest.mark.parametrize(
    ("param", "value", "keep"),
    [
        ("status", "planned", lambda p, org: p.status == "planned"),
        ("level", "province", lambda p, org: p.level == "province"),
        ("campaign", None, lambda p, org: p.campaign_id == org.line.campaign.pk),
        ("line", None, lambda p, org: p.line_id == org.line.pk),
        ("unit", None, lambda p, org: p.unit_id == org.hunan.pk),
        ("q", "项目0", lambda p, org: "项目0" in p.name),
    ],
)
def test_each_filter_keeps_exactly_its_rows(client, org, many, param, value, keep):
    value = (
        value
        or {
            "campaign": org.line.campaign.pk,
            "line": org.line.pk,
            "unit": org.hunan.pk,
        }[param]
    )
    login(client, org.office)
    body = client.get(URL, {param: value, "limit": 500}).json()
    expected = sorted(p.code for p in Project.objects.all() if keep(p, org))
    assert expected, "the filter should keep some rows"
    assert [p["code"] for p in body["items"]] == expected
    assert body["count"] == len(expected)


def test_leader_filter_keeps_the_leaders_projects(client, org, many, ledger):
    login(client, org.office)
    body = client.get(URL, {"leader": ledger.town_leader.pk}).json()
    assert [p["code"] for p in body["items"]] == ["HN-01"]


def test_a_town_sees_only_its_projects_on_every_page(client, org, many):
    login(client, org.hunan_staff)
    seen, _ = _walk(client, {"sort": "-planned_completion", "limit": 2})
    assert sorted(seen) == sorted(p.code for p in many if p.unit_id == org.hunan.pk)
    body = client.get(URL, {"unit": org.songxia.pk}).json()
    assert (body["items"], body["count"]) == ([], 0)


@pytest.mark.parametrize("colour", [None, "red"])
def test_query_count_of_a_page_does_not_grow_with_the_rows(client, org, colour):
    def queries(n):
        ProjectFactory.create_batch(n, unit=org.hunan, status="planned")
        snapshot_warnings(on=TODAY)
        login(client, org.office)
        params = {
            "sort": "planned_completion",
            "limit": 10,
            **({"colour": colour} if colour else {}),
        }
        first = client.get(URL, params).json()
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(URL, {**params, "cursor": first["next_cursor"]})
        assert response.status_code == 200
        return ctx.captured_queries

    small = queries(30)
    large = queries(120)
    assert [q["sql"][:60] for q in small] == [q["sql"][:60] for q in large]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"limit": "十"}, "limit"),
        ({"limit": "9" * 40}, "limit"),
        ({"cursor": "x" * 3000}, "cursor"),
        ({"sort": "-" * 200}, "sort"),
        ({"offset": "-1"}, "offset"),
        ({"sort": "colourful"}, "sort"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": paging.make_cursor("code", "A", 1), "offset": "5"}, "cursor"),
        ({"cursor": paging.make_cursor("name", "A", 1)}, "cursor"),
        ({"status": "done"}, "status"),
        ({"colour": "blue"}, "colour"),
        ({"level": "national"}, "level"),
    ],
)
def test_a_bad_parameter_is_refused_in_chinese_naming_it(client, org, many, params, field):
    login(client, org.office)
    response = client.get(URL, params)
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == field
    assert field in body["message"]
    assert re.search("[\u4e00-\u9fff]", body["message"])


def test_a_forged_cursor_is_refused():
    token = paging.make_cursor("code", "A", 1)
    with pytest.raises(Exception, match="cursor"):
        paging.parse(selectors.LEDGER_SORTS, cursor=token[:-2] + "xx")
