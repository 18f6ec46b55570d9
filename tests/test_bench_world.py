"""The benchmarks' province world (bench/generate.py) stays buildable and readable by the pages.

It is written by raw inserts past the models, so a migration that adds a NOT NULL column without
a default, or a constraint the rows break, would first show as a failed benchmark on the quiet
machine; this builds the world at a thousandth of its projects (the 2,117 units and their orders
as at full scale) and opens the measured pages as its users, so it fails here instead.
"""

from __future__ import annotations

import pytest
from bench import generate
from bench.bench_pages import MEASURED
from django.test.utils import override_settings

from gongjian.supervision.models import ExtensionRequest, Message, SupervisionOrder

SCALE = 0.001  # 100 projects


@pytest.fixture
def world(db):
    return generate.generate(SCALE)


def test_the_world_has_the_units_projects_and_page_data_of_its_scale(world):
    from gongjian.assessment.models import Round, RoundState, UnitResult
    from gongjian.campaigns.models import Line

    towns = generate.COUNTIES * generate.TOWNS
    assert world["units"] == 1 + len(generate.LINES) + generate.CITIES + generate.COUNTIES + towns
    assert world["projects"] == 100
    assert world["milestones"] == 100 * generate.MILESTONES
    assert world["reports"] == 100 * generate.REPORTS
    assert world["orders"] == towns * generate.ORDERS_PER_TOWN + len(generate.STAFFER_EXTRA)
    assert Line.objects.count() == len(generate.LINES)
    assert set(SupervisionOrder.objects.values_list("state", flat=True)) == {
        "issued", "acknowledged", "in_progress", "feedback", "closed",
    }  # fmt: skip
    assert ExtensionRequest.objects.filter(status="pending").exists()
    assert {r.period: r.state for r in Round.objects.all()} == {
        "2026-11": RoundState.PUBLISHED,
        "2026-12": RoundState.DRAFT,
    }
    assert UnitResult.objects.filter(round__period="2026-11").count() == generate.COUNTIES
    assert generate.is_current(SCALE)
    assert not generate.is_current(SCALE * 2)


def test_the_town_staffer_has_overdue_orders_unread_messages_and_a_workbench_saying_so(world):
    from gongjian.dashboard.workbench import workbench
    from gongjian.supervision.flow import OPEN_STATES

    town = generate.page_users()["town"]
    own = SupervisionOrder.objects.filter(unit=town.unit)
    late = own.filter(state__in=OPEN_STATES, deadline__lt=generate.ON)
    assert late.count() >= 3
    _total, unread = generate.MESSAGES["town"]
    assert Message.objects.filter(user=town, read_at=None).count() == unread
    with override_settings(GONGJIAN_TODAY=generate.ON.isoformat()):
        tasks = {t.key: t.count for t in workbench(town, generate.ON).tasks}
    assert tasks["orders_to_sign"] == own.filter(state="issued").count() >= 1
    assert tasks["orders_overdue"] == late.count()
    assert tasks["unread_messages"] == unread


@override_settings(GONGJIAN_TODAY=generate.ON.isoformat())
def test_every_page_user_logs_in_and_the_measured_ones_open_the_four_pages(client, world):
    for key, user in generate.page_users().items():
        client.logout()
        assert client.login(username=user.username, password=generate.PASSWORD), key
        response = client.get("/")
        assert response.status_code == 200, key
        assert 'id="tasks"' in response.content.decode()
        if key not in MEASURED:  # the two bench/bench_pages.py measures
            continue
        for url in ("/ledger/", "/dashboard/", f"/dashboard/unit/{user.unit_id}/"):
            response = client.get(url)
            assert response.status_code == 200, (key, url, response.status_code)
