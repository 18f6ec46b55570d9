"""Login page in Chinese by default, English on request; pages need a login."""

from django.conf import settings

from tests.factories import PASSWORD


def test_login_page_is_chinese_by_default(client, db):
    response = client.get("/login/")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in body
    assert "登录" in body and "攻坚行动督查考评平台" in body


def test_login_page_in_english_when_chosen(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/login/")
    body = response.content.decode()
    assert "Log in" in body
    assert "Campaign Supervision and Assessment" in body


def test_wrong_password_shows_a_chinese_error(client, org):
    response = client.post("/login/", {"username": "office", "password": "wrong"})
    assert "用户名或密码不正确" in response.content.decode()


def test_home_redirects_anonymous_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_home_shows_unit_and_role(client, org):
    client.login(username="lead", password=PASSWORD)
    body = client.get("/").content.decode()
    assert "区发改局" in body and "牵头单位人员" in body


def test_openapi_schema_is_served(client, org):
    client.login(username="office", password=PASSWORD)
    assert client.get("/api/openapi.json").status_code == 200
