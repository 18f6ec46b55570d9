"""No battle-map page or endpoint issues a query per row: doubling the projects adds no query."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongjian.projects.models import CoordinationRequest, Milestone
from gongjian.projects.snapshots import snapshot_warnings
from tests.dashboard.conftest import ON, make_project
from tests.factories import PASSWORD


def _more_projects(ledger, org, n):
    for i in range(n):
        p = make_project(
            f"X{n}-{i}", org.hunan, ledger.campaign, start=dt.date(2026, 1, 1), end=dt.date(2027, 12, 31),
            percent="30",
        )  # fmt: skip
        Milestone.objects.create(project=p, seq=1, name="开工", planned_date=dt.date(2026, 3, 1))
        CoordinationRequest.objects.create(project=p, category="land", description="交地")


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


PAGES = [
    "/dashboard/?campaign={c}&on={on}",
    "/dashboard/projects/?campaign={c}&on={on}",
    "/dashboard/projects/?campaign={c}&colour=red&on={on}",
    "/dashboard/unit/{u}/?on={on}",
    "/dashboard/leader/?on={on}",
    "/dashboard/briefing/?on={on}",
    "/dashboard/ranking/",
    "/api/dashboard/overview?campaign={c}&on={on}",
    "/api/dashboard/campaigns",
]


@pytest.mark.parametrize("template", PAGES)
def test_doubling_the_projects_adds_no_query(client, ledger, org, template):
    url = template.format(c=ledger.campaign.pk, on=ON, u=org.hunan.pk)
    user = org.leader if "leader" in template else org.office
    client.login(username=user.username, password=PASSWORD)
    _more_projects(ledger, org, 3)
    snapshot_warnings(on=ON)
    snapshot_warnings(on=ON - dt.timedelta(days=1))
    before = _count(client, url)
    _more_projects(ledger, org, 6)
    snapshot_warnings(on=ON)
    snapshot_warnings(on=ON - dt.timedelta(days=1))
    assert _count(client, url) == before


def _more_work(ledger, org, n):
    """n more of everything a workbench counts: projects (red ones owe reports), requests waiting
    on a unit, orders to sign, to answer, to review and overdue, and their unread messages."""
    from gongjian.supervision.flow import State
    from gongjian.supervision.models import SupervisionOrder
    from tests.supervision.factories import make_order

    _more_projects(ledger, org, n)
    for p in ledger.campaign.projects.filter(code__startswith=f"X{n}-"):
        CoordinationRequest.objects.create(
            project=p, category="funds", description="资金", handling_unit=org.fagai
        )
        for state in (State.ISSUED, State.IN_PROGRESS, State.FEEDBACK):
            make_order(org, state=state, project=p)
        late = make_order(org, state=State.ACKNOWLEDGED, project=p)
        SupervisionOrder.objects.filter(pk=late.pk).update(
            issued_on=dt.date(2026, 1, 2), deadline=dt.date(2026, 1, 5)
        )


ROLES = ["office", "city_office", "lead", "hunan_staff", "leader", "inspector", "viewer"]


@pytest.mark.parametrize("role", ROLES)
def test_more_work_adds_no_query_to_any_roles_workbench(client, ledger, org, role):
    user = getattr(org, role)
    client.login(username=user.username, password=PASSWORD)
    _more_work(ledger, org, 2)
    snapshot_warnings(on=ON)
    before = _count(client, "/"), _open_counts(user)
    _more_work(ledger, org, 5)
    snapshot_warnings(on=ON)
    after = _count(client, "/"), _open_counts(user)
    assert after[0] == before[0]
    if role != "lead":  # the lead unit's to-dos are assessment values, not rows of these kinds
        assert sum(after[1].values()) > sum(before[1].values())


def _open_counts(user):
    from gongjian.core import clock
    from gongjian.dashboard.workbench import workbench

    return {t.key: t.count for t in workbench(user, clock.today()).open_tasks}
