"""API tokens: they write as their user may (no CSRF for a bearer), expire, are revoked, and each
user sees and manages only their own."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from gongjian.core.audit import EventKind, SecurityEvent
from gongjian.core.errors import NotFound
from gongjian.org import services
from gongjian.org.models import ApiToken
from gongjian.projects.models import Project


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _project(org, code: str, unit) -> dict[str, object]:
    return {
        "code": code,
        "name": "卫生院",
        "level": "district",
        "unit_id": unit.pk,
        "line_id": org.line.pk,
    }


def test_token_post_makes_a_write_the_user_may_make(org):
    client = Client(enforce_csrf_checks=True)
    token = services.issue_api_token(actor=org.hunan_staff, user=org.hunan_staff, name="集成")
    response = client.post(
        "/api/ledger/projects",
        _project(org, "HN-T1", org.hunan),
        content_type="application/json",
        headers=_bearer(token),
    )
    assert response.status_code == 201, response.content
    assert Project.objects.get(code="HN-T1").unit == org.hunan


def test_token_post_outside_the_users_scope_is_refused_in_chinese_and_nothing_changes(org):
    client = Client(enforce_csrf_checks=True)
    token = services.issue_api_token(actor=org.hunan_staff, user=org.hunan_staff, name="集成")
    before = Project.objects.count()
    response = client.post(
        "/api/ledger/projects",
        _project(org, "SX-T1", org.songxia),
        content_type="application/json",
        headers=_bearer(token),
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert "无权" in response.json()["message"]
    assert Project.objects.count() == before


def test_session_post_without_csrf_token_is_still_refused(org):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.hunan_staff)
    before = Project.objects.count()
    response = client.post(
        "/api/ledger/projects", _project(org, "HN-T2", org.hunan), content_type="application/json"
    )
    assert response.status_code == 403
    assert Project.objects.count() == before


def test_expired_token_is_refused_with_a_chinese_message(org):
    token = services.issue_api_token(actor=org.hunan_staff, user=org.hunan_staff, name="集成")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    ApiToken.objects.filter(user=org.hunan_staff).update(expires_on=yesterday)
    response = Client().get("/api/org/units", headers=_bearer(token))
    assert response.status_code == 401
    assert (
        response.json()["message"] == f"接口令牌已于 {yesterday.isoformat()} 过期，请创建新的令牌。"
    )


def test_token_valid_through_its_expiry_day(org):
    token = services.issue_api_token(
        actor=org.hunan_staff, user=org.hunan_staff, name="集成", expires_on=timezone.localdate()
    )
    assert Client().get("/api/org/units", headers=_bearer(token)).status_code == 200


def test_revoked_token_is_refused_and_its_write_changes_nothing(org):
    client = Client(enforce_csrf_checks=True)
    token = services.issue_api_token(actor=org.hunan_staff, user=org.hunan_staff, name="集成")
    row = ApiToken.objects.get(user=org.hunan_staff)
    services.revoke_api_token(actor=org.hunan_staff, token_id=row.pk)
    before = Project.objects.count()
    response = client.post(
        "/api/ledger/projects",
        _project(org, "HN-T3", org.hunan),
        content_type="application/json",
        headers=_bearer(token),
    )
    assert response.status_code == 401
    assert response.json()["message"] == "接口令牌已被撤销。"
    assert Project.objects.count() == before


def test_a_user_cannot_revoke_someone_elses_token_and_it_keeps_working(org):
    token = services.issue_api_token(actor=org.lead, user=org.lead, name="考评接口")
    row = ApiToken.objects.get(user=org.lead)
    with pytest.raises(NotFound):
        services.revoke_api_token(actor=org.hunan_staff, token_id=row.pk)
    row.refresh_from_db()
    assert row.revoked_at is None and row.is_active
    assert Client().get("/api/org/me", headers=_bearer(token)).json()["username"] == "lead"


def test_tokens_page_lists_only_the_users_own_tokens_and_shows_a_new_secret_once(client, org):
    services.issue_api_token(actor=org.lead, user=org.lead, name="别人的令牌")
    client.force_login(org.hunan_staff)
    created = client.post("/account/tokens/", {"name": "我的集成", "expires_on": ""})
    body = created.content.decode()
    secret = created.context["secret"]
    assert secret and secret in body
    assert "我的集成" in body and "别人的令牌" not in body
    again = client.get("/account/tokens/").content.decode()
    assert "我的集成" in again and secret not in again and "别人的令牌" not in again
    assert Client().get("/api/org/me", headers=_bearer(secret)).json()["username"] == "hunan"


def test_tokens_page_revokes_own_token(client, org):
    services.issue_api_token(actor=org.hunan_staff, user=org.hunan_staff, name="旧集成")
    row = ApiToken.objects.get(user=org.hunan_staff)
    client.force_login(org.hunan_staff)
    client.post(f"/account/tokens/{row.pk}/revoke/")
    row.refresh_from_db()
    assert row.revoked_at is not None and not row.is_active


def test_token_use_is_recorded_at_most_once_a_minute(org):
    token = services.issue_api_token(actor=org.hunan_staff, user=org.hunan_staff, name="集成")
    for _ in range(3):
        assert Client().get("/api/org/units", headers=_bearer(token)).status_code == 200
    row = ApiToken.objects.get(user=org.hunan_staff)
    assert row.last_used_at is not None
    assert SecurityEvent.objects.filter(kind=EventKind.TOKEN_USED, username="hunan").count() == 1


def test_tokens_command_creates_lists_and_revokes(org):
    out = io.StringIO()
    call_command(
        "tokens",
        "create",
        "--user",
        "hunan",
        "--name",
        "脚本",
        "--expires",
        "2099-12-31",
        stdout=out,
    )
    secret = out.getvalue().strip()
    assert Client().get("/api/org/me", headers=_bearer(secret)).status_code == 200
    row = ApiToken.objects.get(user=org.hunan_staff)
    assert row.expires_on == dt.date(2099, 12, 31)
    listing = io.StringIO()
    call_command("tokens", "list", "--user", "hunan", stdout=listing)
    assert "脚本" in listing.getvalue() and "有效期至 2099-12-31" in listing.getvalue()
    call_command("tokens", "revoke", "--user", "hunan", str(row.pk), stdout=io.StringIO())
    assert Client().get("/api/org/me", headers=_bearer(secret)).status_code == 401
