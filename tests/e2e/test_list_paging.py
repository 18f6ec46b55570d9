"""A list page's pager in a real browser: 下一页 swaps the list in place with htmx and puts the
cursor and the filters in the address bar; on a phone the list is cards."""

import datetime as dt

import pytest

from gongjian.supervision.models import Notice
from tests.e2e.conftest import login, screenshot
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_notices_pager_swaps_the_list_keeping_the_filter_and_is_cards_on_a_phone(
    page, live_server, org
):
    for i in range(3):
        Notice.objects.create(
            kind="praise",
            title=f"表扬通报{i}",
            unit=org.hunan,
            reason="按期完成",
            issuing_unit=org.changle,
            state="published",
            published_on=dt.date(2026, 11, 1 + i),
        )
    Notice.objects.create(
        kind="criticism", title="批评通报", unit=org.hunan, reason="逾期", issuing_unit=org.changle
    )
    login(page, live_server.url, "office", PASSWORD)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/supervision/notices/?kind=praise&limit=2")
    rows = page.locator("#notices tbody tr")
    first = rows.all_inner_texts()
    assert len(first) == 2 and "共 3 条" in page.locator("#notices-list-summary").inner_text()
    screenshot(page, "notices-paged-desk")
    page.click("#notices-list-pager .next-page")
    page.wait_for_url("**cursor=**")
    assert "kind=praise" in page.url
    second = page.locator("#notices tbody tr").all_inner_texts()
    assert len(second) == 1 and not set(first) & set(second)
    assert page.locator("#notice-filters").count() == 1  # swapped the list, not the page

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/supervision/notices/?limit=2")
    assert page.locator("#notices thead").evaluate("e => getComputedStyle(e).display") == "none"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    screenshot(page, "notices-paged-phone")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{live_server.url}/account/security-log/")
    assert page.locator("#security-list-sort a").count() == 3
    screenshot(page, "security-log-wide")
