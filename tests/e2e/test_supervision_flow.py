"""In a real browser: a leader approves a drafted order on a phone; a co-operating unit gives its
part; the office (through the inspector it named) reviews the feedback."""

from __future__ import annotations

import datetime as dt

import pytest

from gongjian.supervision import orders
from gongjian.supervision.models import SupervisionOrder
from tests.e2e.conftest import login, screenshot
from tests.factories import PASSWORD
from tests.supervision.factories import make_draft, make_order, unit_staff

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def today(settings):
    settings.GONGJIAN_TODAY = "2026-12-01"
    return dt.date(2026, 12, 1)


def test_a_leader_approves_a_drafted_order_on_a_phone(browser, live_server, org, today):
    draft = make_draft(org, title="安置房征迁交地")
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    login(page, live_server.url, org.leader.username, PASSWORD)
    page.goto(f"{live_server.url}/supervision/todo/")
    assert draft.code in page.locator("#to-approve").inner_text()
    page.click(f"#to-approve >> text={draft.code}")
    form = page.locator("form[data-step=approve]")
    form.locator("input[name=note]").fill("同意下发，时限放宽一周")
    form.locator("input[name=deadline]").fill("2026-12-18")
    screenshot(page, "supervision-approve-phone")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#order-state").inner_text() == "交办"
    assert page.locator("#deadline").inner_text().startswith("2026-12-18")
    kinds = page.locator("#trail li").evaluate_all("items => items.map(i => i.dataset.kind)")
    assert kinds == ["submitted", "approved"]
    context.close()
    draft.refresh_from_db()
    assert (draft.state, draft.approved_by_id) == ("issued", org.leader.pk)


def test_a_co_operating_unit_gives_its_part_to_the_lead(page, live_server, org, today):
    songxia = unit_staff(org.songxia)
    order = make_order(org, title="片区道路贯通", cooperators=[org.songxia])
    login(page, live_server.url, songxia.username, PASSWORD)
    page.goto(f"{live_server.url}/supervision/todo/")
    assert order.code in page.locator("#parts-due").inner_text()
    page.click(f"#parts-due >> text={order.code}")
    page.locator("form[data-step=co_acknowledge] button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    form = page.locator("form[data-step=co_part]")  # the only step left: its form is open
    form.locator("textarea[name=note]").fill("松下镇段管线迁改已完成，附验收单。")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    part = page.locator(f"#cooperators [data-cooperator='{org.songxia.pk}'] .part").inner_text()
    assert "松下镇段管线迁改已完成" in part
    screenshot(page, "supervision-co-part")
    order.refresh_from_db()
    assert order.cooperators.get().part_text == "松下镇段管线迁改已完成，附验收单。"


def test_the_office_names_an_inspector_who_reviews_and_sends_back(page, live_server, org, today):
    order = make_order(org, title="安置房外墙整治")
    for step in (orders.acknowledge, orders.start):
        order = step(actor=org.hunan_staff, order=order)
    order = orders.feedback(actor=org.hunan_staff, order=order, text="外墙已完成")
    login(page, live_server.url, org.office.username, PASSWORD)
    page.goto(f"{live_server.url}/supervision/orders/{order.pk}/")
    page.locator("summary:has-text('指定复核人')").click()
    form = page.locator("form[data-step=assign_reviewer]")
    form.locator("select[name=reviewer]").select_option(str(org.inspector.pk))
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#reviewer").inner_text() == org.inspector.username
    page.click("header button:has-text('退出')")

    login(page, live_server.url, org.inspector.username, PASSWORD)
    page.goto(f"{live_server.url}/supervision/todo/")
    page.click(f"#to-review >> text={order.code}")
    page.locator("summary:has-text('退回重办')").click()
    form = page.locator("form[data-step=send_back]")
    form.locator("textarea[name=note]").fill("现场仍有脚手架未拆除")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#order-state").inner_text() == "办理中"
    assert "现场仍有脚手架未拆除" in page.locator("#trail").inner_text()
    screenshot(page, "supervision-review-sent-back")
    assert SupervisionOrder.objects.get(pk=order.pk).times_sent_back == 1
