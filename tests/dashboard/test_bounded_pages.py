"""At province scale the workbench, the home page and the unit view count what they cannot list:
a to-do is its count and its first rows, a unit view its worst projects with the rest counted,
and no read of the workbench fetches a list that grows with the data (a province office reviews
thousands of orders and owes reports for 100,000 projects)."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongjian import home
from gongjian.core import clock
from gongjian.dashboard import selectors
from gongjian.dashboard import workbench as bench
from gongjian.org.models import Unit
from gongjian.projects import reporting
from gongjian.projects.models import CoordinationRequest
from gongjian.projects.snapshots import snapshot_warnings
from gongjian.supervision.flow import State
from gongjian.supervision.models import SupervisionOrder
from tests.dashboard.conftest import ON, make_project
from tests.factories import PASSWORD
from tests.supervision.factories import make_order


def _tasks(user):
    return {t.key: t for t in bench.workbench(user, ON).tasks}


def test_a_todo_counts_every_order_and_lists_only_the_first(monkeypatch, ledger, org):
    monkeypatch.setattr(bench, "ROWS_SHOWN", 2)
    for _ in range(3):
        make_order(org, state=State.ISSUED)
        make_order(org, state=State.FEEDBACK)
    office, town = _tasks(org.office), _tasks(org.hunan_staff)
    assert (office["orders_to_review"].count, len(office["orders_to_review"].rows)) == (3, 2)
    assert (town["orders_to_sign"].count, len(town["orders_to_sign"].rows)) == (3, 2)
    # the first by deadline, as on the to-do page
    first = SupervisionOrder.objects.filter(state=State.ISSUED).order_by("deadline", "pk")[:2]
    assert [r.url for r in town["orders_to_sign"].rows] == [
        f"/supervision/orders/{o.pk}/" for o in first
    ]


def test_reports_due_are_counted_and_the_first_listed(monkeypatch, ledger, org):
    monkeypatch.setattr(bench, "ROWS_SHOWN", 1)
    for i in range(2):  # no report at all: owed this month, and last month too
        make_project(f"N{i}", org.hunan, ledger.campaign, start=dt.date(2026, 1, 1),
                     end=dt.date(2027, 12, 31))  # fmt: skip
    tasks = _tasks(org.hunan_staff)
    owed = reporting.reports_due(org.hunan_staff, ON, unit_path=org.hunan.path)
    # the red project (never reported) and the two new ones; the others reported in December
    assert sorted(p.code for p in owed.due) == ["N0", "N1", "P1"]
    assert (tasks["reports_due"].count, len(tasks["reports_due"].rows)) == (3, 1)
    assert tasks["reports_overdue"].count == owed.overdue.count() == 3


LISTS = {
    "projects_project",
    "projects_milestone",
    "projects_coordinationrequest",
    "dashboard_warningsnapshot",
    "supervision_supervisionorder",
    "supervision_extensionrequest",
    "supervision_message",
    "assessment_objection",
}
MAIN_TABLE = re.compile(r'^SELECT (?P<cols>.*?) FROM "?(?P<table>\w+)"?', re.S)


def _unbounded(queries):
    """Reads of rows from the growing tables with neither LIMIT nor COUNT: lists that grow."""
    bad = []
    for q in queries:
        m = MAIN_TABLE.match(q["sql"])
        if m is None or m["table"] not in LISTS:
            continue
        if "COUNT(" in m["cols"].upper() or re.search(r"\bLIMIT\b", q["sql"]):
            continue
        bad.append(q["sql"])
    return bad


@pytest.mark.parametrize("role", ["office", "city_office", "hunan_staff", "leader", "lead"])
def test_the_workbench_reads_counts_and_first_rows_only(client, ledger, org, role):
    for _ in range(3):
        make_order(org, state=State.IN_PROGRESS, project=ledger.red)
        make_order(org, state=State.FEEDBACK)
        CoordinationRequest.objects.create(
            project=ledger.red, category="funds", description="资金", handling_unit=org.hunan
        )
    snapshot_warnings(on=clock.today())  # as `gongjian tick` stores it: the page reads it
    user = getattr(org, role)
    client.login(username=user.username, password=PASSWORD)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code == 200
    assert _unbounded(ctx.captured_queries) == []


def test_the_home_page_counts_every_unit_in_scope_and_lists_the_first(
    client, monkeypatch, ledger, org
):
    monkeypatch.setattr(home, "UNITS_SHOWN", 2)
    client.login(username=org.office.username, password=PASSWORD)
    body = client.get("/").content.decode()
    total = Unit.objects.filter(path__startswith=org.changle.path).count()
    assert total > 2
    assert f"可见单位（{total}）" in body
    assert body.split('id="scope-units"')[1].split("</ul>")[0].count("<li") == 2
    assert f"仅列出前 2 个，共 {total} 个单位。" in body


def test_the_unit_view_lists_the_worst_projects_and_counts_them_all(
    client, monkeypatch, ledger, org
):
    monkeypatch.setattr(selectors, "UNIT_ROWS", 2)
    monkeypatch.setattr(selectors, "GANTT_PROJECTS", 1)
    for _ in range(3):
        make_order(org, state=State.IN_PROGRESS)
        CoordinationRequest.objects.create(
            project=ledger.green, category="land", description="交地"
        )
    snapshot_warnings(on=ON)
    client.login(username=org.office.username, password=PASSWORD)
    response = client.get(f"/dashboard/unit/{org.hunan.pk}/?on={ON}")
    assert response.status_code == 200
    page = response.context
    assert page["projects"] == 3  # red, yellow, green in 湖南镇
    assert page["colours"] == {"red": 1, "yellow": 1, "green": 1}
    assert [s.project for s in page["snapshots"]] == [ledger.red, ledger.yellow]  # worst first
    assert {m.project_id for m in page["milestones"]} <= {ledger.red.pk}
    assert (page["order_count"], len(page["orders"])) == (3, 2)
    assert (page["request_count"], len(page["requests"])) == (3, 2)
    body = response.content.decode()
    assert 'id="unit-projects-more"' in body and "查看全部 3 项" in body
    assert 'id="gantt-more"' in body


def test_the_unit_view_of_a_small_unit_lists_everything(client, ledger, org):
    snapshot_warnings(on=ON)
    client.login(username=org.office.username, password=PASSWORD)
    body = client.get(f"/dashboard/unit/{org.hunan.pk}/?on={ON}").content.decode()
    assert 'id="unit-projects-more"' not in body and 'id="gantt-more"' not in body
