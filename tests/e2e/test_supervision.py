"""In a real browser: the demo's orders from the town's to-do list to the office's review, and an
inspection recorded on a phone."""

import pytest

from gongjian.demo import org_data
from gongjian.supervision.models import Hazard, SupervisionOrder
from tests import worlds
from tests.e2e.conftest import login, screenshot
from tests.factories import image_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_sent_back_order_is_answered_by_the_town_and_closed_by_the_office(
    page, live_server, tmp_path
):
    worlds.demo()
    back = SupervisionOrder.objects.get(unit__name="湖南镇", times_sent_back=1)
    # the town's to-do list shows the order that was sent back
    login(page, live_server.url, "hunan_staff", org_data.DEMO_PASSWORD)
    page.click("header >> text=督办")
    page.click("text=我的待办")
    assert back.code in page.locator("#to-handle").inner_text()
    screenshot(page, "supervision-todo-hunan")
    page.click(f"#to-handle >> text={back.code}")
    assert "退回" in page.locator("#trail").inner_text()
    # it reports again, with a photo
    photo = tmp_path / "现场.png"
    photo.write_bytes(image_bytes("PNG"))
    form = page.locator("form[data-step=feedback]")
    form.locator("textarea[name=note]").fill("杆线已全部迁改完成，附完成确认单与现场照片。")
    form.locator("input[type=file]").set_input_files(str(photo))
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#order-state").inner_text() == "已反馈待审核"
    screenshot(page, "supervision-detail-feedback")
    page.click("header button:has-text('退出')")

    # the office's board shows the overdue orders; it reviews and closes this one
    login(page, live_server.url, "changle_office", org_data.DEMO_PASSWORD)
    page.click("header >> text=督办")
    overdue_tile = page.locator("#state-tiles [data-state=overdue] strong").inner_text()
    assert int(overdue_tile) >= 3
    screenshot(page, "supervision-board-office")
    page.goto(f"{live_server.url}/supervision/orders/{back.pk}/")
    close = page.locator("form[data-step=close]")
    close.locator("input[name=note]").fill("佐证齐全，同意销号。")
    close.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#order-state").inner_text() == "销号"
    kinds = page.locator("#trail li").evaluate_all("items => items.map(i => i.dataset.kind)")
    assert kinds == [
        "issued",
        "acknowledged",
        "started",
        "feedback",
        "sent_back",
        "feedback",
        "closed",
    ]
    assert "现场.png" in page.locator("#trail").inner_text()
    screenshot(page, "supervision-detail-closed")


def test_an_inspector_records_a_hazard_from_a_phone(browser, live_server):
    worlds.demo()
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    login(page, live_server.url, "inspector", org_data.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/supervision/inspections/")
    form = page.locator("#inspection-form")
    form.locator("select[name=kind]").select_option("random")
    form.locator("select[name=project]").select_option(label="湖南滨海生态公园")
    form.locator("input[name=team]").fill("区督查组第二组")
    form.locator("textarea[name=findings]").fill("现场临时用电线路私拉乱接。")
    form.locator("textarea[name=hazard]").fill("临时用电线路私拉乱接，无漏电保护")
    form.locator("input[name=rectify_by]").fill("2027-01-05")
    screenshot(page, "supervision-inspection-phone")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    screenshot(page, "supervision-inspection-saved")
    assert "督查记录已保存" in page.locator(".messages").inner_text()
    assert Hazard.objects.filter(description="临时用电线路私拉乱接，无漏电保护").count() == 1
    context.close()
