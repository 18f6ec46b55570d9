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
