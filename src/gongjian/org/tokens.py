"""API tokens: the bearer authentication of the API and the one rule of when a token works.

A token request acts exactly as its user (the same `scope_for`); it carries no cookie, so it
is not CSRF-checked, while a session request still is (ninja's session auth does that).
Both are decided on the primary database, never the read replica (core.replica); a token, having
no session, keeps the replica's read-your-writes window on its own row (`reads_primary_until`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth

from gongjian.core import audit, replica
from gongjian.core.errors import AuthenticationFailed
from gongjian.org.models import ApiToken

# A token's use is written down (last_used_at and the audit log) at most this often, so an
# integration polling every second does not write a row every second.
USE_RECORD_INTERVAL = dt.timedelta(minutes=1)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def refusal(token: ApiToken | None, today: dt.date) -> str | None:
    """Why `token` does not let its holder in (a Chinese sentence), or None when it does."""
    if token is None:
        return _("接口令牌无效。")
    if not token.is_active or token.revoked_at is not None:
        return _("接口令牌已被撤销。")
    if token.expires_on is not None and token.expires_on < today:
        return _("接口令牌已于 %(day)s 过期，请创建新的令牌。") % {
            "day": token.expires_on.isoformat()
        }
    if not token.user.is_active:
        return _("接口令牌所属账号已停用。")
    return None


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`; a bad token is refused here (401, in Chinese) rather than
    handed on to the session auth, whose CSRF check would answer a confusing 403."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        with replica.primary_reads():
            # The hash is unique: no ORDER BY (`first()` would compile one at every request).
            found = ApiToken.objects.select_related("user", "user__unit").filter(
                key_hash=hash_key(token)
            )
            row = next(iter(found.order_by()[:1]), None)
        reason = refusal(row, timezone.localdate())
        if reason is not None:
            raise AuthenticationFailed(reason)
        assert row is not None  # noqa: S101 - refusal() returned None, so the row exists
        replica.bind_client(
            reads_primary_until=row.reads_primary_until,
            remember=lambda until: ApiToken.objects.filter(pk=row.pk).update(
                reads_primary_until=until
            ),
        )
        with replica.bookkeeping():
            _note_use(request, row)
        request.user = row.user
        return row.user


class PrimarySessionAuth(SessionAuth):
    """ninja's session authentication (with its CSRF check), its user read from the primary."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        with replica.primary_reads():
            return super().authenticate(request, key)


def _note_use(request: HttpRequest, token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < USE_RECORD_INTERVAL:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
    audit.record(
        audit.EventKind.TOKEN_USED,
        user=token.user,
        request=request,
        target=token.name,
        detail=f"{request.method} {request.path}",
    )
