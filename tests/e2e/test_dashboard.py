"""In a real browser: the overview draws its ECharts and its numbers agree with the database."""

import pytest

from gongjian.projects.models import WarningSnapshot
from gongjian.projects.snapshots import snapshot_warnings
from tests.dashboard.conftest import ON, build_ledger
from tests.e2e.conftest import login, screenshot
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ledger(org):
    built = build_ledger(org)
    snapshot_warnings(on=ON)  # tick's run: the pages read what it stored
    return built


def test_office_overview_draws_charts_and_counts_match_the_database(page, live_server, ledger, org):
    login(page, live_server.url, "office", PASSWORD)
    page.goto(f"{live_server.url}/dashboard/?campaign={ledger.campaign.pk}&on={ON}")
    page.wait_for_selector("body[data-charts-ready='1']")
    reds = WarningSnapshot.objects.filter(on=ON, colour="red").count()
    assert page.locator("#kpi-red").inner_text() == f"红灯 {reds}"
    assert page.locator("#chart-colours canvas").count() == 1
    screenshot(page, "dashboard-overview")
    # A colour with no project gets no label on the donut (红灯0 and 绿灯0 sat on each other);
    # the legend still names each colour with its count.
    slices = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('chart-colours')).getOption()"
        ".series[0].data.map(d => [d.value, d.label.show])"
    )
    assert slices and all(show == (value > 0) for value, show in slices)
    page.locator("#kpi-red").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#drill tbody tr").count() == reds


def test_town_sees_only_its_own_units_projects_on_its_unit_page(page, live_server, ledger, org):
    login(page, live_server.url, "hunan", PASSWORD)
    page.goto(f"{live_server.url}/dashboard/unit/{org.hunan.pk}/?on={ON}")
    assert page.locator("#unit-projects tbody tr").count() == 3
    screenshot(page, "dashboard-unit-hunan")
