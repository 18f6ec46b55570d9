"""On the demo world: each role's workbench counts what the database holds for it, each to-do
opens a page the user may use, and the counts agree with the pages they link to."""

import re

import pytest
from django.db.models import Max, Q

from gongjian.core import clock
from gongjian.dashboard import selectors
from gongjian.dashboard.selectors import reading_days
from gongjian.dashboard.workbench import workbench
from gongjian.org.models import Role, User
from gongjian.projects.models import CoordinationRequest, Project, WarningSnapshot
from gongjian.projects.reporting import NOT_REPORTING
from gongjian.supervision.flow import State
from gongjian.supervision.models import Message, SupervisionOrder
from gongjian.supervision.selectors import OPEN


@pytest.fixture
def demo(demo):  # the demo's users by name, over the demo built once for this module
    return {u.username: u for u in User.objects.select_related("unit")}


def counts(bench):
    return {t.key: t.count for t in bench.tasks}


def expected_from_the_database(user, on):
    """What each to-do should count, asked of the tables here, not of the selectors."""
    roles = user.role_set
    unit = user.unit
    own = unit.ancestor_ids()
    expected = {"unread_messages": Message.objects.filter(user=user, read_at__isnull=True).count()}
    if roles & {Role.UNIT_STAFF, Role.OFFICE_ADMIN}:
        mine = SupervisionOrder.objects.filter(unit_id__in=own)
        expected["orders_to_sign"] = mine.filter(state=State.ISSUED).count()
        expected["orders_to_answer"] = mine.filter(
            state__in=[State.ACKNOWLEDGED, State.IN_PROGRESS]
        ).count()
        expected["orders_overdue"] = mine.filter(state__in=OPEN, deadline__lt=on).count()
        month = on.replace(day=1)
        projects = (
            Project.objects.filter(unit__path__startswith=unit.path)
            .filter(campaign__start_date__lte=on, campaign__end_date__gte=month)
            .exclude(status__in=NOT_REPORTING)
            .annotate(last=Max("reports__period_end"))
        )
        expected["reports_due"] = projects.filter(Q(last__isnull=True) | Q(last__lt=month)).count()
    if Role.UNIT_STAFF in roles and Role.OFFICE_ADMIN not in roles:
        expected["coordination_waiting"] = CoordinationRequest.objects.filter(
            status="open", handling_unit__path__startswith=unit.path
        ).count()
    if Role.OFFICE_ADMIN in roles:
        below = SupervisionOrder.objects.filter(unit__path__startswith=unit.path).exclude(
            unit_id__in=own
        )
        expected["orders_to_review"] = below.filter(state=State.FEEDBACK).count()
    if Role.OFFICE_ADMIN not in roles and Role.LEADER not in roles:
        with reading_days(on):
            snaps = WarningSnapshot.objects.filter(on=on, unit__path__startswith=unit.path)
            expected["red_projects"] = snaps.filter(colour="red").count()
            expected["yellow_projects"] = snaps.filter(colour="yellow").count()
    return expected


def test_each_demo_roles_workbench_counts_what_the_database_holds(demo):
    on = clock.today()
    for user in demo.values():
        got = counts(workbench(user, on))
        expected = expected_from_the_database(user, on)
        assert {k: got.get(k) for k in expected} == expected, user.username
    # the town of seed 003: its overdue orders and unread messages are on its workbench
    hunan = counts(workbench(demo["hunan_staff"], on))
    assert hunan["orders_overdue"] == 3
    assert hunan["unread_messages"] >= 20
    assert hunan["red_projects"] >= 1


def test_the_workbench_and_the_pages_it_links_to_agree(demo, client):
    on = clock.today()
    # a town: its red and yellow counts are its drill lists' lengths
    hunan = demo["hunan_staff"]
    got = counts(workbench(hunan, on))
    for colour in ("red", "yellow"):
        rows = selectors.drill_projects(hunan, on, campaign=None, colour=colour, unit=hunan.unit)
        assert got[f"{colour}_projects"] == len(rows)
    # the leader: the leader view's own rows
    leader = demo["leader_lin"]
    rows = selectors.leader_projects(leader, on)
    got = counts(workbench(leader, on))
    assert got["red_projects"] == sum(s.colour == "red" for s in rows) > 0
    # the office: the campaign figures are the battle map's overview and the orders board's
    office = demo["changle_office"]
    bench = workbench(office, on)
    assert bench.campaign.name == "攻坚120天" and bench.campaign.owner.name == "长乐区"
    figures = {f.label: f.value for f in bench.figures}
    overview = selectors.overview(office, bench.campaign, on)
    assert figures["红灯"] == overview["colours"]["red"]
    open_orders = SupervisionOrder.objects.filter(
        Q(project__campaign=bench.campaign) | Q(line__campaign=bench.campaign), state__in=OPEN
    )
    assert figures["在办督办单"] == open_orders.count()
    # the city office follows the city's own campaign, which has key projects in every county
    city = workbench(demo["fuzhou_office"], on)
    assert (city.campaign.owner.name, city.campaign.name) == ("福州市", "攻坚120天")
    city_overview = selectors.overview(demo["fuzhou_office"], city.campaign, on)
    assert {f.label: f.value for f in city.figures}["项目"] == city_overview["projects"] == 26
    counties = {
        r.unit.name
        for r in selectors.drill_projects(demo["fuzhou_office"], on, campaign=city.campaign)
    }
    assert {"长乐区", "福清市", "鼓楼区", "福州高新区"} <= counties and len(counties) == 13


def test_every_to_do_link_opens_a_page_the_user_may_use(demo, client):
    on = clock.today()
    for user in demo.values():
        client.force_login(user)
        page = client.get("/")
        assert page.status_code == 200
        body = page.content.decode()
        for task in workbench(user, on).tasks:
            assert f'data-task="{task.key}" data-count="{task.count}"' in body
            if not task.count:
                continue
            for url in {task.href, task.url, *(r.url for r in task.rows)}:
                response = client.get(url.split("#")[0])
                assert response.status_code == 200, (user.username, task.key, url)


def test_the_workbench_costs_the_same_queries_with_more_rows(demo, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    hunan = demo["hunan_staff"]
    client.force_login(hunan)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        return len(ctx.captured_queries)

    def to_sign():
        body = client.get("/").content.decode()
        return int(re.search(r'data-task="orders_to_sign" data-count="(\d+)"', body).group(1))

    before, signs = queries(), to_sign()
    first = SupervisionOrder.objects.filter(unit=hunan.unit).first()
    for n in range(15):
        first.pk = None
        first.code = f"WB-2026-{n:03d}"
        first.state = State.ISSUED
        first.save()
        Message.objects.create(user=hunan, order=first, text=f"消息{n}", created_at=clock.now())
    assert to_sign() == signs + 15
    assert queries() <= before
