"""等保 2.0 at the door: lockout after repeated failures, password rules, forced change, idle
sessions; each login, failure and lockout in the audit log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone

from gongjian.core.audit import EventKind, SecurityEvent
from gongjian.core.errors import ValidationFailed
from gongjian.org import services
from gongjian.org.models import RoleGrant, User
from gongjian.org.passwords import character_classes
from tests.factories import PASSWORD

GOOD = "Fuzhou-2026-ok"


def _fail(client: Client, username: str, times: int) -> None:
    for _ in range(times):
        client.post("/login/", {"username": username, "password": "wrong-password"})


def test_five_failures_lock_the_account_even_with_the_right_password_and_say_when(org):
    client = Client()
    _fail(client, "office", 5)
    response = client.post("/login/", {"username": "office", "password": PASSWORD})
    body = response.content.decode()
    assert response.status_code == 429
    assert "登录失败次数过多" in body and "30 分钟" in body and "后重试" in body
    assert "_auth_user_id" not in client.session
    assert SecurityEvent.objects.filter(kind=EventKind.LOCKOUT, username="office").exists()
    assert SecurityEvent.objects.filter(kind=EventKind.LOGIN_FAILED, username="office").count() >= 5


def test_four_failures_do_not_lock_and_the_right_password_still_works(org):
    client = Client()
    _fail(client, "office", 4)
    response = client.post("/login/", {"username": "office", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(org.office.pk)


def test_failures_from_one_address_on_many_accounts_lock_that_address(org):
    client = Client()
    for name in ("a1", "a2", "a3", "a4", "a5"):
        _fail(client, name, 1)
    response = client.post("/login/", {"username": "lead", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@override_settings(GONGJIAN_TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_failures_lock_the_client_address_not_the_proxys(org):
    attacker = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    for name in ("a1", "a2", "a3", "a4", "a5"):
        _fail(attacker, name, 1)
    colleague = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.2")
    response = colleague.post("/login/", {"username": "lead", "password": PASSWORD})
    assert response.status_code == 302
    assert attacker.post("/login/", {"username": "office", "password": PASSWORD}).status_code == 429


def test_login_and_logout_are_recorded_with_who_and_where(org):
    client = Client(REMOTE_ADDR="10.1.2.3")
    client.post("/login/", {"username": "lead", "password": PASSWORD})
    client.post("/logout/")
    events = list(SecurityEvent.objects.filter(username="lead").order_by("pk"))
    assert [(e.kind, e.ip, e.unit_path) for e in events] == [
        (EventKind.LOGIN, "10.1.2.3", org.fagai.path),
        (EventKind.LOGOUT, "10.1.2.3", org.fagai.path),
    ]


@pytest.mark.parametrize(
    "password",
    ["1", "abcdefgh", "abcdefg1", "12345678", "Password1", "newclerk1X"],
)
def test_create_user_refuses_a_weak_password_and_creates_nothing(org, password):
    before = (User.objects.count(), RoleGrant.objects.count())
    with pytest.raises(ValidationFailed) as err:
        services.create_user(
            actor=org.office,
            username="newclerk1",
            password=password,
            unit=org.hunan,
            roles=["viewer"],
        )
    assert err.value.details["field"] == "password"
    assert (User.objects.count(), RoleGrant.objects.count()) == before


def test_password_rule_messages_are_chinese(org):
    with pytest.raises(ValidationFailed) as err:
        services.create_user(
            actor=org.office, username="newclerk", password="abcdefgh", unit=org.hunan, roles=[]
        )
    assert "至少 3 类" in err.value.message


def test_character_classes_count_upper_lower_digit_and_symbol():
    assert [character_classes(p) for p in ("abc", "aB", "aB3", "aB3-", "中文1")] == [1, 2, 3, 4, 2]


def test_a_new_account_must_change_its_password_at_first_login(org):
    services.create_user(
        actor=org.office, username="clerk", password=GOOD, unit=org.hunan, roles=["viewer"]
    )
    client = Client()
    client.post("/login/", {"username": "clerk", "password": GOOD})
    page = client.get("/ledger/")
    assert page.status_code == 302 and page["Location"].startswith("/account/password/")
    api = client.get("/api/org/me")
    assert api.status_code == 403 and api.json()["code"] == "password_change_required"
    changed = client.post(
        "/account/password/",
        {
            "old_password": GOOD,
            "new_password1": "Gulou#2027-new",
            "new_password2": "Gulou#2027-new",
        },
    )
    assert changed.status_code == 302
    assert client.get("/").status_code == 200
    assert SecurityEvent.objects.filter(kind=EventKind.PASSWORD_CHANGED, username="clerk").exists()


def test_password_change_page_refuses_a_weak_new_password_and_keeps_the_old_one(org):
    client = Client()
    client.force_login(org.lead)
    response = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": "abc", "new_password2": "abc"},
    )
    assert response.status_code == 200
    org.lead.refresh_from_db()
    assert org.lead.check_password(PASSWORD)


def test_a_password_older_than_the_max_age_forces_a_change(org):
    old = timezone.now() - dt.timedelta(days=settings.GONGJIAN_PASSWORD_MAX_AGE_DAYS + 1)
    User.objects.filter(pk=org.lead.pk).update(password_changed_at=old)
    client = Client()
    client.force_login(org.lead)
    assert client.get("/")["Location"].startswith("/account/password/")
    with override_settings(GONGJIAN_PASSWORD_MAX_AGE_DAYS=0):
        assert client.get("/").status_code == 200


def test_exempt_accounts_skip_the_rules_only_while_the_setting_is_on(org):
    user = services.create_user(
        actor=None,
        username="demo_like",
        password="gongjian2026",
        unit=org.hunan,
        roles=["viewer"],
        password_policy_exempt=True,
    )
    client = Client()
    client.force_login(user)
    assert client.get("/").status_code == 200
    with override_settings(GONGJIAN_PASSWORD_EXEMPTIONS=False):
        assert client.get("/").status_code == 302
        with pytest.raises(ValidationFailed):
            services.create_user(
                actor=None,
                username="demo_like2",
                password="gongjian2026",
                unit=org.hunan,
                roles=[],
                password_policy_exempt=True,
            )
    assert not User.objects.filter(username="demo_like2").exists()


def test_sessions_end_after_30_idle_minutes_and_at_browser_close(org):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client = Client()
    response = client.post("/login/", {"username": "lead", "password": PASSWORD})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == ""  # a browser-session cookie
    assert 0 < client.session.get_expiry_age() <= 30 * 60


def test_a_request_renews_an_idle_session_at_most_once_a_minute(org):
    from django.contrib.sessions.models import Session

    from gongjian.core.sessions import RENEWED_KEY

    client = Client()
    client.force_login(org.lead)
    key = client.session.session_key
    expiry = Session.objects.get(session_key=key).expire_date
    client.get("/")
    assert Session.objects.get(session_key=key).expire_date == expiry  # renewed under a minute ago
    session = client.session
    session[RENEWED_KEY] = 0  # the last renewal long ago
    session.save()
    stale = Session.objects.get(session_key=key).expire_date
    Session.objects.filter(session_key=key).update(expire_date=stale - dt.timedelta(minutes=20))
    client.get("/")
    assert Session.objects.get(session_key=key).expire_date > stale - dt.timedelta(minutes=1)
