"""In a real browser: the Chinese login page, and a town's login seeing only its own units."""

import pytest

from gongjian.demo import org_data
from tests import worlds
from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_login_page_is_chinese_and_a_town_sees_only_itself(page, live_server):
    worlds.demo()
    page.goto(f"{live_server.url}/login/")
    assert page.locator("h2").inner_text() == "登录"
    screenshot(page, "login")

    login(page, live_server.url, "hunan_staff", org_data.DEMO_PASSWORD)
    assert "湖南镇" in page.locator("header.site").inner_text()
    page.click("summary")
    units = page.locator("#scope-units li").all_inner_texts()
    assert [u.split()[0] for u in units] == ["湖南镇"]
    screenshot(page, "home-hunan")


def test_wrong_password_stays_on_the_login_page_with_a_chinese_error(page, live_server):
    worlds.demo()
    login(page, live_server.url, "hunan_staff", "wrong")
    assert "用户名或密码不正确" in page.content()


def test_on_a_phone_the_menu_folds_behind_one_button(browser, live_server):
    worlds.demo()
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    login(page, live_server.url, "leader_lin", org_data.DEMO_PASSWORD)
    menu = page.locator("header.site ul.menu")
    assert not menu.is_visible()
    header_height = page.locator("header.site").bounding_box()["height"]
    assert header_height < 120  # one line of title and the 菜单 button, not three of links
    page.click("text=菜单")
    assert menu.is_visible()
    screenshot(page, "menu-phone")
    page.click("header.site >> text=挂图作战")
    page.wait_for_load_state("networkidle")
    assert "/dashboard/" in page.url
    context.close()


def test_on_a_desk_the_menu_is_one_row_without_the_button(page, live_server):
    worlds.demo()
    login(page, live_server.url, "fuzhou_office", org_data.DEMO_PASSWORD)
    assert page.locator("header.site ul.menu").is_visible()
    assert not page.locator(".nav-toggle-label").is_visible()
