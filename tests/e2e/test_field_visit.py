"""In a real browser on a phone: a leader records a site visit with two problems and turns one
into an order from the visit's page."""

from __future__ import annotations

import datetime as dt

import pytest

from gongjian.supervision.models import FieldVisit
from tests.e2e.conftest import login, screenshot
from tests.factories import PASSWORD
from tests.supervision.factories import make_project

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_leader_records_a_site_visit_on_a_phone_and_turns_a_problem_into_an_order(
    browser, live_server, org, settings
):
    settings.GONGJIAN_TODAY = "2026-12-01"
    project = make_project(org.hunan, name="湖南安置房")
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    login(page, live_server.url, org.leader.username, PASSWORD)
    page.goto(f"{live_server.url}/supervision/visits/new/?project={project.pk}")
    form = page.locator("#visit-form")
    form.locator("input[name=subject]").fill("安置房现场办公")
    form.locator("textarea[name=problems]").fill("临时用电未接入\n征迁剩余3户未签约")
    screenshot(page, "visit-new-phone")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    visit = FieldVisit.objects.get()
    assert visit.projects.get() == project and visit.leader == org.leader.person
    first = visit.items.order_by("pk").first()
    item = page.locator(f"li[data-item='{first.pk}']")
    item.locator("summary", has_text="转督办单").click()
    item.locator("select[name$=o-unit]").select_option(str(org.hunan.pk))
    item.locator("input[name$=o-deadline]").fill("2026-12-10")
    screenshot(page, "visit-detail-phone")
    with page.expect_navigation():
        item.locator("form[action$='/order/'] button[type=submit]").click()
    first.refresh_from_db()
    assert first.order is not None
    assert first.order.code in page.locator(f"li[data-item='{first.pk}']").inner_text()
    assert first.order.deadline == dt.date(2026, 12, 10)
    context.close()
