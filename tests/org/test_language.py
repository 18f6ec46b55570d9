"""Chinese whatever the browser sends; the header's switch changes it and is kept per user."""

from django.conf import settings
from django.test import Client

from gongjian.core.errors import ValidationFailed
from gongjian.org.language import remember_language
from gongjian.org.models import User


def test_an_english_browser_still_gets_chinese(client, org):
    client.force_login(org.hunan_staff)
    body = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).content.decode()
    assert '<html lang="zh-CN">' in body
    assert "工作台" in body and "Dashboard" not in body
    anonymous = Client().get("/login/", headers={"Accept-Language": "en"})
    assert "登录" in anonymous.content.decode()


def test_the_header_switch_changes_the_language_and_keeps_it_on_the_user(client, org):
    client.force_login(org.hunan_staff)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert User.objects.get(pk=org.hunan_staff.pk).language == "en"
    # in another browser, without the cookie, after signing in: still English
    other = Client()
    other.force_login(org.hunan_staff)
    assert '<html lang="en">' in other.get("/").content.decode()
    # and back to Chinese
    other.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert User.objects.get(pk=org.hunan_staff.pk).language == "zh-hans"
    assert '<html lang="zh-CN">' in Client().get("/login/").content.decode()


def test_the_choice_is_in_the_users_history(org):
    remember_language(actor=org.viewer, language="en")
    latest = org.viewer.history.latest()
    assert latest.language == "en"
    assert latest.history_change_reason == "选择界面语言"
    assert latest.history_user_id == org.viewer.pk


def test_an_unknown_language_is_refused_and_changes_nothing(client, org):
    client.force_login(org.viewer)
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert User.objects.get(pk=org.viewer.pk).language == ""
    try:
        remember_language(actor=org.viewer, language="fr")
    except ValidationFailed as exc:
        assert exc.details == {"field": "language"}
    else:
        raise AssertionError("fr was accepted")
    assert User.objects.get(pk=org.viewer.pk).language == ""


def test_an_anonymous_choice_is_kept_in_the_browser_only(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Log in" in client.get("/login/").content.decode()
