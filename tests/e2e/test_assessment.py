"""In a real browser: a town reads its rank, why, and the published bulletin of the demo."""

from __future__ import annotations

import pytest

from gongjian.demo import org_data
from tests import worlds
from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_town_sees_its_rank_explanation_and_the_bulletin(page, live_server) -> None:  # type: ignore[no-untyped-def]
    worlds.demo()
    login(page, live_server.url, "songxia_staff", org_data.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/assessment/")
    december = page.locator("#rounds tr", has_text="2026-12")  # November's rounds are listed too
    december.filter(has_text="乡镇（街道）攻坚120天考评方案").locator("a").first.click()
    page.wait_for_load_state("networkidle")
    screenshot(page, "assessment-towns")
    page.click("table.results >> text=江田镇")
    page.wait_for_load_state("networkidle")
    summary = page.locator("#summary").inner_text()
    assert "第2名" in summary
    gap = page.locator("#gap").inner_text()
    assert "比上一名（第1名 松下镇）少" in gap
    screenshot(page, "assessment-explanation")
    page.goto(f"{live_server.url}/assessment/")
    december = page.locator("#rounds tr", has_text="2026-12")
    december.filter(has_text="区直部门专项考评方案").locator("text=通报").click()
    page.wait_for_load_state("networkidle")
    text = page.locator("article.bulletin").inner_text()
    assert "长攻坚办〔2026〕12号" in text  # one round, one document: the city's results are its own
    assert "资金运作攻坚是区税务局、区财政局并列第一" in text
    screenshot(page, "assessment-bulletin")
