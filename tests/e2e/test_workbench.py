"""In a real browser: each demo role lands on its workbench, whose counts are the database's,
follows every to-do to its page and acts on one (an order's next step, or its messages); a town
signs an order from its phone and the count goes down; a long download says it is being made and
then that it is done."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from gongjian.core import clock
from gongjian.dashboard.workbench import workbench
from gongjian.demo import org_data
from gongjian.org.models import User
from gongjian.supervision.flow import State
from gongjian.supervision.models import Message, SupervisionOrder
from tests import worlds
from tests.dashboard.test_demo_workbench import expected_from_the_database
from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def shown_counts(page):
    return {
        el.get_attribute("data-task"): int(el.get_attribute("data-count"))
        for el in page.locator("[data-task]").all()
    }


ORDER_TASKS = ("orders_to_review", "orders_to_sign", "orders_to_answer", "orders_overdue")


def follow_every_to_do(page, base, shown):
    """Each open to-do's link opens a page of the app that answers, in Chinese, without an error."""
    links = page.locator("[data-task] header a.task-link")
    hrefs = {a.get_attribute("href") for a in links.all()}
    assert len(hrefs) >= 1 or not any(shown.values())
    for href in sorted(hrefs):
        response = page.goto(base + href)
        assert response is not None and response.status == 200, href
        assert page.locator("html").get_attribute("lang") == "zh-CN", href


def act_on_one(page, base, user, shown):
    """The first order to-do: open its first item and take the order's first step (fill the
    notes it asks for); with no order to do, mark the messages read. Returns what changed."""
    page.goto(base + "/")
    for key in ORDER_TASKS:
        if shown.get(key):
            page.locator(f"#task-{key} ul a").first.click()
            page.wait_for_load_state("networkidle")
            order = SupervisionOrder.objects.get(pk=int(page.url.rstrip("/").split("/")[-1]))
            form = page.locator("#steps form[data-step]").first
            for field in form.locator("textarea[required]").all():
                field.fill("已按要求办理，佐证材料齐全。")
            form.locator("button[type=submit]").click()
            page.wait_for_load_state("networkidle")
            after = SupervisionOrder.objects.get(pk=order.pk)
            assert (after.version, after.state) != (order.version, order.state), user.username
            return f"{key}: {order.code} {order.state} → {after.state}"
    if shown.get("unread_messages"):
        page.goto(base + "/supervision/inbox/")
        page.locator("form[action$='/inbox/read/'] button").click()
        page.wait_for_load_state("networkidle")
        assert not Message.objects.filter(user=user, read_at__isnull=True).exists()
        return "unread_messages: all read"
    return ""


def test_every_demo_role_follows_its_to_dos_acts_on_one_and_sees_the_databases_counts(
    browser, live_server
):
    worlds.demo()
    on = clock.today()
    acted = {}
    for username, *_rest in org_data.USERS:
        user = User.objects.select_related("unit").get(username=username)
        context = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 900})
        page = context.new_page()
        login(page, live_server.url, username, org_data.DEMO_PASSWORD)
        assert page.locator("h2").first.inner_text() == "工作台"  # Chinese for an English browser
        shown = shown_counts(page)
        assert shown == {t.key: t.count for t in workbench(user, on).tasks}, username
        database = expected_from_the_database(user, on)
        assert {k: shown[k] for k in database if k in shown} == {
            k: v for k, v in database.items() if k in shown
        }, username
        if username in ("hunan_staff", "changle_office", "leader_lin"):
            screenshot(page, f"workbench-{username}-1366")
        follow_every_to_do(page, live_server.url, shown)
        acted[username] = act_on_one(page, live_server.url, user, shown)
        page.goto(f"{live_server.url}/")
        # after the act, the page and the database still agree
        assert shown_counts(page) == {t.key: t.count for t in workbench(user, on).tasks}
        if username == "hunan_staff":
            for width, height in ((390, 844), (1920, 1080)):
                page.set_viewport_size({"width": width, "height": height})
                page.goto(f"{live_server.url}/")
                screenshot(page, f"workbench-hunan_staff-{width}")
        context.close()
    # On the demo the city office's to-dos are all done (its figures are campaign-wide) and the
    # viewer has nothing to do: every other role acted on one.
    assert [u for u, what in acted.items() if not what] == ["fuzhou_office", "viewer"], acted


def test_a_town_follows_a_to_do_to_its_order_and_signs_it(browser, live_server):
    worlds.demo()
    hunan = User.objects.get(username="hunan_staff")
    to_sign = SupervisionOrder.objects.filter(unit=hunan.unit, state=State.ISSUED)
    before = to_sign.count()
    assert before >= 1
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
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
    worlds.demo()
    login(page, live_server.url, "changle_office", org_data.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/dashboard/briefing/")
    link = page.locator("#briefing-docx")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".docx")
    status = page.locator("#briefing-docx + .busy-status")
    expect(status).to_contain_text("已生成：briefing-")
    expect(link).not_to_have_attribute("aria-busy", "true")
