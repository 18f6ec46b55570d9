# ruff: noqa: S603 - the test starts its own identity service
"""Single sign-on against a real OIDC identity service: django-oauth-toolkit's provider in a
second process (tests/oidc_provider, an RS256 key made here) over HTTP, the authorization-code
flow with PKCE end to end. The browser's side is two cookie jars: a requests session at the
identity service and Django's test client at the site (the site in-process, so the test needs
no live server and none of its slow table flushes); the site's own calls to the identity service
(discovery, token, keys, userinfo) go over HTTP as in production."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from django.test import Client

from gongjian.core.audit import EventKind, SecurityEvent
from gongjian.org.models import Role, RoleGrant
from tests.factories import UnitFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "gongjian-test"
CLIENT_SECRET = "s3cret-of-the-test-client"
OP_PASSWORD = "op-Password-1"
CLAIMS = {
    # matched by employee number: the identity service's login name is not ours
    "zhang.wei": {"preferred_username": "zhang.wei", "employee_number": "GL-0042"},
    # known to the identity service only
    "stranger": {"preferred_username": "stranger", "employee_number": "X-1"},
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rsa_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.fixture(scope="module")
def identity_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Starts the provider; its issuer URL. Fails (never skips) when it cannot start."""
    folder = tmp_path_factory.mktemp("op")
    port = _free_port()
    log = folder / "op.log"
    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
        "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings",
        "OP_DATABASE": str(folder / "op.sqlite3"),
        "OP_RSA_PRIVATE_KEY": _rsa_key(),
        "OP_CLIENT_ID": CLIENT_ID,
        "OP_CLIENT_SECRET": CLIENT_SECRET,
        "OP_REDIRECT_URI": "http://testserver/login/sso/callback/",
        "OP_POST_LOGOUT_REDIRECT_URI": "http://testserver/login/",
        "OP_CLAIMS": json.dumps(CLAIMS),
        "OP_PASSWORD": OP_PASSWORD,
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.oidc_provider", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    issuer = f"http://127.0.0.1:{port}/o"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"OIDC 测试认证服务未能启动：\n{log.read_text()}")
            try:
                requests.get(f"{issuer}/.well-known/openid-configuration", timeout=2)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    pytest.fail(f"OIDC 测试认证服务 30 秒内未应答：\n{log.read_text()}")
                time.sleep(0.2)
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def sso_settings(settings: Any, identity_service: str) -> Any:
    settings.GONGJIAN_OIDC_ENABLED = True
    settings.OIDC_OP_ISSUER = identity_service
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "gongjian.org.sso.SsoBackend",
    ]
    return settings


def _sign_in_at_identity_service(
    site: Client, username: str, browser: requests.Session | None = None
) -> Any:
    """The browser: the site's button, the identity service's login form, back to the site."""
    to_provider = site.get("/login/sso/")
    assert to_provider.status_code == 302
    browser = browser or requests.Session()
    form = browser.get(to_provider["Location"], timeout=10)
    assert form.url.startswith("http://127.0.0.1:"), form.url  # at the identity service's login
    match = re.search(r'name="next" value="([^"]*)"', form.text)
    assert match, form.text
    response = browser.post(
        form.url,
        data={
            "csrfmiddlewaretoken": browser.cookies["op_csrftoken"],
            "username": username,
            "password": OP_PASSWORD,
            "next": match.group(1).replace("&amp;", "&"),
        },
        timeout=20,
        allow_redirects=False,
    )
    while response.is_redirect and response.headers["Location"].startswith("/"):
        response = browser.get(
            f"{form.url.split('/accounts/')[0]}{response.headers['Location']}",
            timeout=20,
            allow_redirects=False,
        )
    back = response.headers["Location"]
    assert back.startswith("http://testserver/login/sso/callback/?"), back
    return site.get(back.removeprefix("http://testserver"), follow=True)


def test_sso_signs_in_the_account_whose_employee_number_the_identity_service_vouches_for(
    client: Client, db: None, sso_settings: Any
) -> None:
    sso_settings.GONGJIAN_OIDC_CLAIM = "employee_number"
    sso_settings.GONGJIAN_OIDC_MATCH = "employee_number"
    unit = UnitFactory(name="鼓楼区")
    user = UserFactory(username="gulou_staff", employee_number="GL-0042", unit=unit)
    user.password_changed_at = None  # a password due for change does not stop an SSO login
    user.save()
    RoleGrant.objects.create(user=user, role=Role.UNIT_STAFF)
    users_before = get_user_model().objects.count()

    page = _sign_in_at_identity_service(client, "zhang.wei")

    assert page.status_code == 200
    assert page.redirect_chain[-1][0] == "/"
    assert page.wsgi_request.user == user
    assert get_user_model().objects.count() == users_before
    assert list(RoleGrant.objects.filter(user=user).values_list("role", flat=True)) == [
        Role.UNIT_STAFF
    ]
    assert SecurityEvent.objects.filter(kind=EventKind.LOGIN, user_id=user.pk).count() == 1


def test_sso_refuses_an_identity_with_no_account_here_on_the_login_page_and_creates_none(
    client: Client, db: None, sso_settings: Any
) -> None:
    UserFactory(username="zhang.wei_not", employee_number="X-1")  # matching is by username here
    users_before = get_user_model().objects.count()

    page = _sign_in_at_identity_service(client, "stranger")

    assert page.redirect_chain[-1][0] == "/login/"
    text = page.content.decode()
    assert "统一身份认证账号“stranger”在本系统中没有对应账号" in text
    assert "统一身份认证登录" in text  # the button, to try again
    assert not page.wsgi_request.user.is_authenticated
    assert get_user_model().objects.count() == users_before
    refusal = SecurityEvent.objects.get(kind=EventKind.LOGIN_FAILED)
    assert "stranger" in refusal.detail


def test_login_page_offers_sso_only_when_configured(client: Any, db: None, settings: Any) -> None:
    settings.GONGJIAN_OIDC_ENABLED = False
    assert "统一身份认证登录" not in client.get("/login/").content.decode()
    assert client.get("/login/sso/").status_code == 404
    assert client.get("/login/sso/callback/?code=x&state=y").status_code == 404

    settings.GONGJIAN_OIDC_ENABLED = True
    page = client.get("/login/").content.decode()
    assert "统一身份认证登录" in page
    assert 'name="password"' in page  # the password login stays (demo, break-glass admins)


def test_sso_callback_without_a_started_sign_in_goes_back_to_login_with_the_reason(
    client: Any, db: None, settings: Any
) -> None:
    settings.GONGJIAN_OIDC_ENABLED = True
    response = client.get("/login/sso/callback/?code=forged&state=forged", follow=True)

    assert response.redirect_chain[-1][0] == "/login/"
    assert "统一身份认证未完成登录" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_sso_with_an_unreachable_identity_service_says_so_on_the_login_page(
    client: Client, db: None, settings: Any
) -> None:
    settings.GONGJIAN_OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_OP_ISSUER = f"http://127.0.0.1:{_free_port()}/o"  # nothing listens there

    response = client.get("/login/sso/", follow=True)

    assert response.redirect_chain[-1][0] == "/login/"
    assert "统一身份认证服务暂时无法访问" in response.content.decode()


def _sso_account() -> Any:
    user = UserFactory(username="zhang.wei", unit=UnitFactory(name="鼓楼区"))
    RoleGrant.objects.create(user=user, role=Role.UNIT_STAFF)
    return user


def test_signing_out_after_sso_ends_the_identity_services_session_too(
    client: Client, db: None, sso_settings: Any
) -> None:
    user = _sso_account()
    browser = requests.Session()
    assert _sign_in_at_identity_service(client, "zhang.wei", browser).wsgi_request.user == user

    out = client.post("/logout/")

    # To the identity service's end-session endpoint, with this sign-in's ID token ...
    assert out.status_code == 302
    to_provider = out["Location"]
    assert to_provider.startswith(f"{sso_settings.OIDC_OP_ISSUER}/logout/?"), to_provider
    assert "id_token_hint=" in to_provider
    assert "post_logout_redirect_uri=http%3A%2F%2Ftestserver%2Flogin%2F" in to_provider
    assert not client.get("/").wsgi_request.user.is_authenticated  # signed out here
    # ... which signs the browser out there and sends it back to our login page.
    back = browser.get(to_provider, timeout=20, allow_redirects=False)
    assert back.status_code == 302, back.text
    assert back.headers["Location"] == "http://testserver/login/"
    assert SecurityEvent.objects.filter(kind=EventKind.LOGOUT, user_id=user.pk).count() == 1

    # The next SSO sign-in asks for the password again.
    again = browser.get(client.get("/login/sso/")["Location"], timeout=10)
    assert again.url.startswith(f"{sso_settings.OIDC_OP_ISSUER.removesuffix('/o')}/accounts/login/")
    assert 'name="password"' in again.text


def test_without_signing_out_there_the_next_sso_sign_in_needs_no_password(
    client: Client, db: None, sso_settings: Any
) -> None:
    """The control for the test above: the identity service remembers a signed-in browser."""
    _sso_account()
    browser = requests.Session()
    _sign_in_at_identity_service(client, "zhang.wei", browser)
    client.logout()  # the site's session only

    again = browser.get(client.get("/login/sso/")["Location"], timeout=10, allow_redirects=False)

    assert again.status_code == 302
    # straight back to the site, no password form on the way
    assert again.headers["Location"].startswith("http://testserver/login/sso/callback/?")


def test_a_password_sign_out_stays_on_the_site_with_sso_on(
    client: Client, db: None, sso_settings: Any
) -> None:
    user = UserFactory()
    client.force_login(user)

    out = client.post("/logout/")

    assert (out.status_code, out["Location"]) == (302, "/login/")
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_without_an_end_session_endpoint_the_sso_sign_out_is_local(
    client: Client, db: None, sso_settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = _sso_account()
    _sign_in_at_identity_service(client, "zhang.wei")
    monkeypatch.setattr(
        "gongjian.org.sso._discovery",
        lambda issuer: {"authorization_endpoint": f"{issuer}/authorize/"},
    )

    out = client.post("/logout/")

    assert (out.status_code, out["Location"]) == (302, "/login/")
    assert not client.get("/").wsgi_request.user.is_authenticated
    assert SecurityEvent.objects.filter(kind=EventKind.LOGOUT, user_id=user.pk).count() == 1
