"""In a real browser: each demo role lands on its workbench, whose counts are the database's;
a town follows a to-do to the order and signs it, and the count goes down; a long download says
it is being made and then that it is done."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from gongjian.core import clock
from gongjian.dashboard.workbench import workbench
from gongjian.demo import org_data
from gongjian.demo.builder import build_demo
from gongjian.org.models import User
from gongjian.supervision.flow import State
from gongjian.supervision.models import Message, SupervisionOrder
from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def shown_counts(page):
    return {
        el.get_attribute("data-task"): int(el.get_attribute("data-count"))
        for el in page.locator("[data-task]").all()
    }


def test_every_demo_role_lands_on_its_workbench_with_the_databases_counts(browser, live_server):
    build_demo()
    on = clock.today()
    for username, *_rest in org_data.USERS:
        context = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 900})
        page = context.new_page()
        login(page, live_server.url, username, org_data.DEMO_PASSWORD)
        assert page.locator("h2").first.inner_text() == "工作台"  # Chinese for an English browser
        user = User.objects.get(username=username)
        expected = {t.key: t.count for t in workbench(user, on).tasks}
        assert shown_counts(page) == expected, username
        unread = Message.objects.filter(user=user, read_at__isnull=True).count()
        assert expected["unread_messages"] == unread
        if username in ("hunan_staff", "changle_office", "leader_lin"):
            screenshot(page, f"workbench-{username}-1366")
        context.close()


def test_a_town_follows_a_to_do_to_its_order_and_signs_it(browser, live_server):
    build_demo()
    hunan = User.objects.get(username="hunan_staff")
    to_sign = SupervisionOrder.objects.filter(unit=hunan.unit, state=State.ISSUED)
    before = to_sign.count()
    assert before >= 1
    for width, height in ((390, 844), (1920, 1080)):
        context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
        page = context.new_page()
        login(page, live_server.url, "hunan_staff", org_data.DEMO_PASSWORD)
        screenshot(page, f"workbench-hunan_staff-{width}")
        context.close()
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    login(page, live_server.url, "hunan_staff", org_data.DEMO_PASSWORD)
    card = page.locator("#task-orders_to_sign")
    expect(card.locator(".task-count")).to_have_text(str(before))
    card.locator("ul a").first.click()
    page.wait_for_load_state("networkidle")
    assert "/supervision/orders/" in page.url
    page.locator("form[data-step=acknowledge] button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert to_sign.count() == before - 1
    page.goto(f"{live_server.url}/")
    expect(page.locator("[data-task=orders_to_sign]").first).to_have_attribute(
        "data-count", str(before - 1)
    )
    context.close()


def test_the_briefings_word_file_shows_it_is_being_made_then_done(page, live_server):
    build_demo()
    login(page, live_server.url, "changle_office", org_data.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/dashboard/briefing/")
    link = page.locator("#briefing-docx")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".docx")
    status = page.locator("#briefing-docx + .busy-status")
    expect(status).to_contain_text("已生成：briefing-")
    expect(link).not_to_have_attribute("aria-busy", "true")
