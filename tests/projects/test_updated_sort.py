"""The ledger's "updated" sort: every write of a project row says when it happened (`updated_at`,
including the writes that pass `auto_now` by), the list sorts by it with the id breaking ties,
stable under inserts, in the API, on the page and in the export; the migration fills it from
the history."""

import datetime as dt
import importlib
import io
import re
from decimal import Decimal
from html import unescape
from types import SimpleNamespace
from urllib.parse import parse_qsl

import openpyxl
import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl.utils import get_column_letter

from gongjian.projects import editing, ledger, reports
from gongjian.projects.ledger_file import export_ledger, import_ledger_xlsx
from gongjian.projects.models import Project
from tests.factories import PASSWORD
from tests.projects.factories import ProjectFactory

D = dt.date
URL = "/api/ledger/projects"
LONG_AGO = dt.datetime(2026, 1, 1, 8, 0, tzinfo=dt.UTC)


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def _age_everything():
    Project.objects.update(updated_at=LONG_AGO)


def _stamps():
    return dict(Project.objects.values_list("code", "updated_at"))


def _edit_workbook(data, changes):
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for cell, value in changes.items():
        wb["项目台账"][cell] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _update_service(org, lg):
    ledger.update_project(
        actor=org.hunan_staff,
        project_id=lg.hunan_project.pk,
        expected_version=None,
        changes={"location": "湖南镇区"},
    )


def _team_only_sheet(org, lg):
    # The team rides on the project's version, written by an update() that auto_now misses.
    editing.save_sheet(
        actor=org.hunan_staff,
        project_id=lg.hunan_project.pk,
        expected_version=None,
        fields={},
        team=[(lg.team_member, "征迁")],
        milestones=[],
    )


def _latest_report(org, lg):
    # The latest report's progress is written with save(update_fields=…).
    reports.submit_report(
        actor=org.hunan_staff,
        project=lg.hunan_project,
        period_end=D(2026, 6, 30),
        percent_done=Decimal(40),
    )


def _import_changed_row(org, lg):
    # A bulk_update, which auto_now misses too.
    data = export_ledger(Project.objects.order_by("code"))
    header = [c.value for c in openpyxl.load_workbook(io.BytesIO(data))["项目台账"][1]]
    location = get_column_letter(header.index("建设地点") + 1)
    summary = import_ledger_xlsx(
        actor=org.hunan_staff, data=_edit_workbook(data, {f"{location}2": "湖南镇区"})
    )
    assert summary.updated == 1


@pytest.mark.parametrize(
    "write",
    [_update_service, _team_only_sheet, _latest_report, _import_changed_row],
    ids=["service", "team-only-sheet", "latest-report", "import"],
)
def test_every_write_of_a_project_row_stamps_it_and_only_it(org, ledger, write):
    _age_everything()
    before = timezone.now()
    write(org, ledger)
    stamps = _stamps()
    assert stamps["HN-01"] >= before
    assert stamps["SX-01"] == LONG_AGO


def test_an_earlier_periods_report_leaves_the_project_row_and_its_stamp_alone(org, ledger):
    reports.submit_report(
        actor=org.hunan_staff,
        project=ledger.hunan_project,
        period_end=D(2026, 6, 30),
        percent_done=Decimal(40),
    )
    _age_everything()
    reports.submit_report(
        actor=org.hunan_staff,
        project=ledger.hunan_project,
        period_end=D(2026, 5, 31),
        percent_done=Decimal(30),
    )
    assert _stamps()["HN-01"] == LONG_AGO


def test_the_import_records_the_new_stamp_in_the_history(org, ledger):
    _age_everything()
    _import_changed_row(org, ledger)
    p = Project.objects.get(code="HN-01")
    assert p.history.first().updated_at == p.updated_at


def test_a_new_project_is_stamped_when_it_is_created(org):
    before = timezone.now()
    p = ledger.create_project(
        actor=org.hunan_staff, code="HN-77", name="新项目", level="district", unit=org.hunan
    )
    assert p.updated_at >= before
    assert Project.objects.get(pk=p.pk).updated_at == p.updated_at


def test_reimporting_an_export_keeps_every_stamp_and_ignores_an_edited_stamp(org, ledger):
    _age_everything()
    data = export_ledger(Project.objects.order_by("code"))
    header = [c.value for c in openpyxl.load_workbook(io.BytesIO(data))["项目台账"][1]]
    stamp = get_column_letter(header.index("更新时间") + 1)
    edited = _edit_workbook(data, {f"{stamp}2": dt.datetime(2030, 1, 1)})
    summary = import_ledger_xlsx(actor=org.office, data=edited)
    assert (summary.updated, summary.unchanged) == (0, 2)
    assert set(_stamps().values()) == {LONG_AGO}


def test_the_export_shows_each_projects_stamp_in_local_time(org, ledger):
    _age_everything()
    sheet = openpyxl.load_workbook(io.BytesIO(export_ledger(Project.objects.order_by("code"))))
    rows = list(sheet["项目台账"].iter_rows(values_only=True))
    column = rows[0].index("更新时间")
    local = timezone.localtime(LONG_AGO).replace(tzinfo=None)
    assert [r[column] for r in rows[1:]] == [local, local]


def _walk(client, params, *, between=None):
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
def stamped(org):
    """Ten projects whose stamps tie in threes (the id breaks the ties), set out of code order."""
    rows = [ProjectFactory(code=f"U-{i:02d}", unit=org.hunan) for i in range(10)]
    for i, p in enumerate(rows):
        at = LONG_AGO + dt.timedelta(hours=(7 * i) % 10 // 3)
        Project.objects.filter(pk=p.pk).update(updated_at=at)
    return rows


def _expected(descending):
    rows = Project.objects.values_list("code", "updated_at", "pk")
    ordered = sorted(rows, key=lambda r: (r[1], r[2]), reverse=descending)
    return [code for code, _at, _pk in ordered]


@pytest.mark.parametrize("sort", ["updated", "-updated"])
def test_sorting_by_updated_walks_every_project_once_with_ties_broken_by_id(
    client, org, stamped, sort
):
    login(client, org.office)
    seen, pages = _walk(client, {"sort": sort, "limit": 3})
    assert seen == _expected(sort.startswith("-"))
    assert pages == 4
    first = client.get(URL, {"sort": sort, "limit": 1}).json()
    assert first["sort"] == sort
    stored = Project.objects.get(code=first["items"][0]["code"]).updated_at
    assert dt.datetime.fromisoformat(first["items"][0]["updated_at"]) == stored


@pytest.mark.parametrize("sort", ["updated", "-updated"])
def test_projects_created_between_requests_neither_repeat_nor_hide_a_row(
    client, org, stamped, sort
):
    login(client, org.office)
    before = set(Project.objects.values_list("code", flat=True))

    def insert(page):
        made = ProjectFactory(code=f"N-{page}", unit=org.hunan)  # stamped now: the newest
        tie = ProjectFactory(code=f"T-{page}", unit=org.hunan)  # ties with an old stamp
        Project.objects.filter(pk=tie.pk).update(updated_at=LONG_AGO)
        assert made.updated_at > LONG_AGO

    seen, _ = _walk(client, {"sort": sort, "limit": 3}, between=insert)
    assert len(seen) == len(set(seen)), "a row was repeated"
    assert before <= set(seen), "a row present from the start was skipped"
    everything = _expected(sort.startswith("-"))
    assert seen == [c for c in everything if c in set(seen)]


def test_the_openapi_documents_the_updated_sort_and_field(client, org):
    schema = client.get("/api/openapi.json").json()
    operation = schema["paths"]["/api/ledger/projects"]["get"]
    assert "updated（更新时间）" in operation["description"]
    item = schema["components"]["schemas"]["ProjectOut"]
    assert "updated_at" in item["required"]
    assert item["properties"]["updated_at"]["format"] == "date-time"


def test_query_count_of_an_updated_page_does_not_grow_with_the_rows(client, org):
    def queries(n):
        ProjectFactory.create_batch(n, unit=org.hunan)
        login(client, org.office)
        first = client.get(URL, {"sort": "-updated", "limit": 10}).json()
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(
                URL, {"sort": "-updated", "limit": 10, "cursor": first["next_cursor"]}
            )
        assert response.status_code == 200
        return ctx.captured_queries

    small = queries(25)
    large = queries(100)
    assert [q["sql"][:60] for q in small] == [q["sql"][:60] for q in large]


def test_the_ledger_page_offers_the_updated_sort_and_keeps_filters_in_its_links(
    client, org, stamped
):
    ProjectFactory(code="SX-99", unit=org.songxia)
    login(client, org.office)
    query = {"unit": str(org.hunan.pk), "limit": "4"}
    html = client.get("/ledger/", query).content.decode()
    link = re.search(r'<a href="\?([^"]+)"[^>]*data-sort="[^"]*"[^>]*>更新时间', html)
    assert link, "the sort control offers 更新时间"
    params = dict(parse_qsl(unescape(link.group(1))))
    assert params == {**query, "sort": "updated"}
    seen = []
    while True:
        page = client.get("/ledger/", params, headers={"HX-Request": "true"}).content.decode()
        seen += re.findall(r'data-code="([^"]+)"', page)
        following = re.search(r'href="\?([^"]+)" hx-get="[^"]+"[^>]*id="next-page"', page)
        if not following:
            break
        params = dict(parse_qsl(unescape(following.group(1))))
        assert {k: params[k] for k in (*query, "sort")} == {**query, "sort": "updated"}
    assert seen == [c for c in _expected(False) if c.startswith("U-")]


def test_the_migration_fills_each_project_from_its_latest_history_or_now(org):
    migration = importlib.import_module("gongjian.projects.migrations.0011_project_updated_at")
    with_history = ProjectFactory(code="H-1", unit=org.hunan)
    ledger.update_project(
        actor=org.office,
        project_id=with_history.pk,
        expected_version=None,
        changes={"location": "改过"},
    )
    without = ProjectFactory(code="H-2", unit=org.hunan)
    without.history.all().delete()
    Project.objects.update(updated_at=LONG_AGO)
    latest = with_history.history.order_by("-history_date").first().history_date
    before = timezone.now()

    migration.fill_from_history(apps, SimpleNamespace(connection=connection))
    assert Project.objects.get(pk=with_history.pk).updated_at == latest
    assert Project.objects.get(pk=without.pk).updated_at >= before - dt.timedelta(seconds=1)
    assert {h.updated_at for h in with_history.history.all()} == {
        h.history_date for h in with_history.history.all()
    }
