"""The security audit log (等保 2.0 安全审计): who did what, when and from where; append-only.

`record(kind, ...)` is the one call every door uses: login and logout (auth signals, as
`LoginView` offers no other hook), token use, role changes, exports, imports, publications.
Core knows no domain app, so the actor is kept as plain values (id, username, the path of
the unit the user belonged to then): the row outlives the user, and an office reads the rows
of its subtree by that path.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from gongjian.core.errors import AppendOnly, ValidationFailed

# 网络安全法 §21: network logs are kept for at least six months.
MIN_RETENTION_DAYS = 180


class EventKind(models.TextChoices):
    LOGIN = "login", _l("登录成功")
    LOGIN_FAILED = "login_failed", _l("登录失败")
    LOCKOUT = "lockout", _l("账号锁定")
    LOGOUT = "logout", _l("退出登录")
    PASSWORD_CHANGED = "password_changed", _l("修改密码")
    TOKEN_CREATED = "token_created", _l("创建接口令牌")
    TOKEN_REVOKED = "token_revoked", _l("撤销接口令牌")
    TOKEN_USED = "token_used", _l("使用接口令牌")
    USER_CREATED = "user_created", _l("新建用户")
    ROLE_GRANTED = "role_granted", _l("授予角色")
    ROLE_REVOKED = "role_revoked", _l("撤销角色")
    EXPORT = "export", _l("导出")
    DOWNLOAD = "download", _l("下载")
    IMPORT = "import", _l("导入")
    PUBLISH = "publish", _l("发布")


def _refuse() -> AppendOnly:
    return AppendOnly(_("安全审计记录只能追加，不能修改或删除。"))


class SecurityEventQuerySet(models.QuerySet["SecurityEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise _refuse()

    def delete(self) -> tuple[int, dict[str, int]]:
        raise _refuse()


class SecurityEvent(models.Model):
    at = models.DateTimeField(_l("时间"), default=timezone.now, db_index=True)
    kind = models.CharField(_l("事件"), max_length=20, choices=EventKind.choices)
    user_id = models.BigIntegerField(_l("用户编号"), null=True, blank=True)
    username = models.CharField(_l("用户名"), max_length=150, blank=True)
    unit_path = models.CharField(_l("所属单位路径"), max_length=255, blank=True, db_index=True)
    ip = models.GenericIPAddressField(_l("来源地址"), null=True, blank=True)
    target = models.CharField(_l("对象"), max_length=200, blank=True)
    detail = models.TextField(_l("详情"), blank=True)

    objects = SecurityEventQuerySet.as_manager()

    class Meta:
        verbose_name = _l("安全审计记录")
        verbose_name_plural = _l("安全审计记录")
        ordering = ["-at", "-pk"]
        db_table = "core_security_event"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.get_kind_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise _refuse()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise _refuse()


def client_ip(request: HttpRequest | None) -> str | None:
    """Where a request came from: the one rule for the log and for django-axes' address lockout
    (AXES_CLIENT_IP_CALLABLE). Behind GONGJIAN_TRUSTED_PROXY_COUNT proxies (nginx: 1) the
    client is that many entries from the right of X-Forwarded-For, as each proxy appends the
    address it saw; entries further left are the client's own claim and are not trusted."""
    if request is None:
        return None
    proxies = int(getattr(settings, "GONGJIAN_TRUSTED_PROXY_COUNT", 0))
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if proxies > 0 and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def record(
    kind: str,
    *,
    user: Any = None,
    request: HttpRequest | None = None,
    target: object = "",
    detail: str = "",
    username: str = "",
) -> SecurityEvent:
    """Add one row. `user` defaults to the request's user; `username` names a failed login's
    account, which may not exist."""
    if user is None and request is not None:
        user = getattr(request, "user", None)
    known = user is not None and getattr(user, "is_authenticated", False)
    unit = getattr(user, "unit", None) if known else None
    return SecurityEvent.objects.create(
        kind=kind,
        user_id=user.pk if known else None,
        username=(user.get_username() if known else username)[:150],
        unit_path=getattr(unit, "path", "") or "",
        ip=client_ip(request),
        target=str(target)[:200],
        detail=detail,
    )


def prune(*, days: int = MIN_RETENTION_DAYS) -> int:
    """Delete rows older than `days` (at least 180); the only way a row ever leaves the log."""
    if days < MIN_RETENTION_DAYS:
        raise ValidationFailed(
            _("审计记录至少保留 %(min)s 天，不能只保留 %(days)s 天。")
            % {"min": MIN_RETENTION_DAYS, "days": days},
            field="days",
        )
    before = timezone.now() - dt.timedelta(days=days)
    table = SecurityEvent._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The trigger (migration 0003) lets a DELETE through only inside this transaction.
            cursor.execute("SET LOCAL gongjian.audit_prune = 'on'")
        cursor.execute(f"DELETE FROM {table} WHERE at < %s", [before])  # noqa: S608 - our table
        return cursor.rowcount


def _on_login(sender: Any, request: HttpRequest | None = None, user: Any = None, **kw: Any) -> None:
    record(EventKind.LOGIN, user=user, request=request)


def _on_logout(
    sender: Any, request: HttpRequest | None = None, user: Any = None, **kw: Any
) -> None:
    if user is not None:
        record(EventKind.LOGOUT, user=user, request=request)


def _on_login_failed(
    sender: Any,
    credentials: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    **kw: Any,
) -> None:
    # A single sign-on refusal (org.sso) leaves its reason on the request.
    record(
        EventKind.LOGIN_FAILED,
        request=request,
        username=str((credentials or {}).get("username", "")),
        detail=str(getattr(request, "login_refusal", "")),
    )


def _on_locked_out(
    sender: Any, request: HttpRequest | None = None, username: str | None = None, **kw: Any
) -> None:
    record(EventKind.LOCKOUT, request=request, username=username or "")


def connect_auth_signals() -> None:
    """Django's login views and django-axes offer signals, not calls, so the log listens."""
    from axes.signals import user_locked_out
    from django.contrib.auth import signals

    signals.user_logged_in.connect(_on_login, dispatch_uid="gongjian.audit.login")
    signals.user_logged_out.connect(_on_logout, dispatch_uid="gongjian.audit.logout")
    signals.user_login_failed.connect(_on_login_failed, dispatch_uid="gongjian.audit.failed")
    user_locked_out.connect(_on_locked_out, dispatch_uid="gongjian.audit.lockout")
