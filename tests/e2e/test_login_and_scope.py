"""In a real browser: the Chinese login page, and a town's login seeing only its own units."""

import pytest

from gongjian.demo import org_data
from gongjian.demo.builder import build_demo
from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_login_page_is_chinese_and_a_town_sees_only_itself(page, live_server):
    build_demo()
    page.goto(f"{live_server.url}/login/")
    assert page.locator("h2").inner_text() == "登录"
    screenshot(page, "login")

    login(page, live_server.url, "hunan_staff", org_data.DEMO_PASSWORD)
    assert "湖南镇" in page.locator("header").inner_text()
    page.click("summary")
    units = page.locator("#scope-units li").all_inner_texts()
    assert [u.split()[0] for u in units] == ["湖南镇"]
    screenshot(page, "home-hunan")


def test_wrong_password_stays_on_the_login_page_with_a_chinese_error(page, live_server):
    build_demo()
    login(page, live_server.url, "hunan_staff", "wrong")
    assert "用户名或密码不正确" in page.content()
