"""The battle map on the demo world, in a real browser, as the office, a leader and a town."""

import datetime as dt

import pytest

from gongjian.demo import org_data
from gongjian.org.models import Unit
from gongjian.projects.models import WarningSnapshot
from gongjian.supervision.models import SupervisionOrder
from gongjian.supervision.selectors import OPEN
from tests import worlds
from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
ON = dt.date(2026, 12, 31)
PW = org_data.DEMO_PASSWORD


def test_office_leader_and_town_pages_agree_with_the_database(page, live_server):
    worlds.demo()
    from gongjian.campaigns.models import Campaign

    hunan_campaign = Campaign.objects.get(owner__name="湖南镇", name="百日攻坚")

    # The office: overview of Hunan Town's campaign, charts drawn, counts from the snapshot.
    login(page, live_server.url, "changle_office", PW)
    page.goto(f"{live_server.url}/dashboard/?campaign={hunan_campaign.pk}")
    page.wait_for_selector("body[data-charts-ready='1']")
    snaps = WarningSnapshot.objects.filter(on=ON, campaign=hunan_campaign)
    for colour, label in (("red", "红灯"), ("yellow", "黄灯"), ("green", "绿灯")):
        n = snaps.filter(colour=colour).count()
        assert page.locator(f"#kpi-{colour}").inner_text() == f"{label} {n}"
    overdue = SupervisionOrder.objects.filter(
        project__campaign=hunan_campaign, state__in=OPEN, deadline__lt=ON
    ).count()
    assert page.locator("#kpi-orders-overdue").inner_text() == f"逾期 {overdue}"
    screenshot(page, "battle-map-overview")
    page.goto(f"{live_server.url}/dashboard/ranking/")
    assert page.locator("table.ranking").count() >= 1
    screenshot(page, "battle-map-ranking")
    page.goto(f"{live_server.url}/dashboard/briefing/")
    assert "每日会商简报" in page.content()
    screenshot(page, "battle-map-briefing")

    # A leader linked to 湖南镇: his projects, worst first.
    page.context.clear_cookies()
    login(page, live_server.url, "leader_lin", PW)
    page.goto(f"{live_server.url}/dashboard/leader/")
    colours = page.locator("#leader-projects tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.colour)"
    )
    order = {"red": 0, "yellow": 1, "green": 2}
    assert colours == sorted(colours, key=order.__getitem__)
    assert colours.count("red") >= 1
    screenshot(page, "battle-map-leader")

    # A town on a phone: its own unit page only.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server.url, "hunan_staff", PW)
    hunan = Unit.objects.get(name="湖南镇")
    page.goto(f"{live_server.url}/dashboard/unit/{hunan.pk}/")
    rows = page.locator("#unit-projects tbody tr").count()
    assert rows == WarningSnapshot.objects.filter(on=ON, unit=hunan).count() == 13
    screenshot(page, "battle-map-town-phone")
    songxia = Unit.objects.get(name="松下镇")
    assert page.goto(f"{live_server.url}/dashboard/unit/{songxia.pk}/").status == 404


def test_big_screen_is_dark_in_light_mode_and_refreshes_in_place(page, live_server):
    worlds.demo()
    from gongjian.campaigns.models import Campaign

    changle = Campaign.objects.get(owner__name="长乐区", name="攻坚120天")
    login(page, live_server.url, "changle_office", PW)
    page.emulate_media(color_scheme="light")  # the screen's theme is its own, not the OS's
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{live_server.url}/dashboard/?campaign={changle.pk}&screen=1")
    page.wait_for_selector("body[data-charts-ready='1']")
    assert page.locator("meta[http-equiv=refresh]").count() == 0  # no reload, no flash
    assert page.locator("header.site").count() == 0
    colours = page.evaluate(
        """() => [getComputedStyle(document.body).backgroundColor,
                  getComputedStyle(document.querySelector('h1')).color,
                  getComputedStyle(document.querySelector('.kpis article')).backgroundColor]"""
    )
    assert colours == ["rgb(11, 21, 38)", "rgb(255, 255, 255)", "rgb(19, 35, 61)"]
    from gongjian.core import clock
    from gongjian.core.numbers import zh_amount
    from gongjian.dashboard import selectors
    from gongjian.org.models import User

    office = User.objects.get(username="changle_office")
    wan = selectors.overview(office, changle, clock.today())["investment"]["completed_wan"]
    shown = zh_amount(wan)
    assert wan >= 10_000 and shown.endswith("亿元")  # e.g. 147,036.10 万元 → 14.70亿元
    assert page.locator("#kpi-investment").inner_text() == shown
    one_line = page.evaluate(
        """() => { const e = document.getElementById('kpi-investment');
                   return e.getClientRects().length === 1
                       && e.offsetHeight < 1.6 * parseFloat(getComputedStyle(e).fontSize); }"""
    )
    assert one_line
    # The minute's refresh swaps the figures and feeds the same charts: nothing is rebuilt.
    page.evaluate("() => { window.__kept = document.querySelector('#chart-colours canvas'); }")
    page.evaluate("() => window.gongjianScreen.refresh()")
    page.wait_for_selector("body[data-refreshed-at]")
    assert page.evaluate("() => window.__kept === document.querySelector('#chart-colours canvas')")
    assert page.locator("#kpi-investment").inner_text() == shown
    screenshot(page, "battle-map-big-screen")
