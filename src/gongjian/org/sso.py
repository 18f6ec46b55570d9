"""Single sign-on through the office's OIDC identity service (mozilla-django-oidc).

It signs in existing accounts only: the claim settings.GONGJIAN_OIDC_CLAIM must equal one active
account's username or employee number (settings.GONGJIAN_OIDC_MATCH). It never creates a user,
never grants or changes a role; a refused sign-in is logged and told on the login page. The
provider's endpoints are either set one by one or read once from the issuer's discovery document.

Signing out of a session that came through SSO also ends the session at the identity service
(OIDC RP-initiated logout): the browser goes to its `end_session_endpoint` (or
OIDC_OP_LOGOUT_ENDPOINT) with the ID token as `id_token_hint`, and comes back to the login page.
A password session signs out as before.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth import views as auth_views
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from gongjian.org.models import User

logger = logging.getLogger(__name__)

BACKEND = "gongjian.org.sso.SsoBackend"
MATCH_FIELDS = {"username": "username", "employee_number": "employee_number"}
# The discovery document's key for each endpoint setting mozilla-django-oidc reads.
_DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_LOGOUT_ENDPOINT": "end_session_endpoint",
}


class SsoRefused(Exception):
    """A sign-in the identity service vouched for (or failed to) that the site will not take."""


def sso_enabled() -> bool:
    return bool(getattr(settings, "GONGJIAN_OIDC_ENABLED", False))


def signed_in_by_sso(request: HttpRequest) -> bool:
    session = getattr(request, "session", None)
    return session is not None and session.get(BACKEND_SESSION_KEY) == BACKEND


@cache
def _discovery(issuer: str) -> dict[str, Any]:
    url = f"{issuer}/.well-known/openid-configuration"
    response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
    response.raise_for_status()
    document = response.json()
    if not isinstance(document, dict):
        raise ValueError(url)
    return document


def provider_setting(attr: str, *default: Any) -> Any:
    """A mozilla-django-oidc setting; a blank endpoint comes from the issuer's discovery."""
    value = import_from_settings(attr, *default)
    if attr in _DISCOVERED and not value:
        issuer = getattr(settings, "OIDC_OP_ISSUER", "")
        if not issuer:
            raise ImproperlyConfigured(attr)
        try:
            value = _discovery(issuer).get(_DISCOVERED[attr], "")
        except (requests.RequestException, ValueError) as exc:
            logger.warning("OIDC discovery at %s failed: %s", issuer, exc)
            _discovery.cache_clear()
            raise SsoRefused(
                _("统一身份认证服务暂时无法访问，请稍后再试或使用账号密码登录。")
            ) from exc
    return value


def match_field() -> str:
    choice = getattr(settings, "GONGJIAN_OIDC_MATCH", "username")
    if choice not in MATCH_FIELDS:
        raise ImproperlyConfigured(f"GONGJIAN_OIDC_MATCH={choice!r}: username / employee_number")
    return MATCH_FIELDS[choice]


def account_for_claims(claims: dict[str, Any]) -> User:
    """The one active account the identity service's claims name; refuses anything else."""
    claim = settings.GONGJIAN_OIDC_CLAIM
    value = claims.get(claim)
    if not isinstance(value, str) or not value.strip():
        raise SsoRefused(
            _("统一身份认证未提供“%(claim)s”，无法对应本系统账号，请联系攻坚办管理员。")
            % {"claim": claim}
        )
    field = match_field()
    matches: QuerySet[User] = User.objects.filter(**{field: value.strip()})
    found = list(matches[:2])
    if not found:
        raise SsoRefused(
            _(
                "统一身份认证账号“%(value)s”在本系统中没有对应账号。本系统不会自动开户，"
                "请联系攻坚办管理员开通账号并登记%(field)s。"
            )
            % {"value": value, "field": _("用户名") if field == "username" else _("工号")}
        )
    if len(found) > 1:
        raise SsoRefused(
            _("统一身份认证账号“%(value)s”对应多个本系统账号，请联系攻坚办管理员。")
            % {"value": value}
        )
    if not found[0].is_active:
        raise SsoRefused(
            _("本系统账号“%(username)s”已停用，请联系攻坚办管理员。")
            % {"username": found[0].username}
        )
    return found[0]


class SsoBackend(OIDCAuthenticationBackend):
    """The authorization-code flow of mozilla-django-oidc, ending in account_for_claims."""

    get_settings = staticmethod(provider_setting)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The endpoints are read at sign-in, so a provider that is down cannot break the
        # password login (Django builds every backend for each authenticate()).
        self.UserModel = User

    def _configure(self) -> None:
        super().__init__()

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return True  # account_for_claims says what is missing, in Chinese

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        return [account_for_claims(claims)]

    def create_user(self, claims: dict[str, Any]) -> Any:
        raise SsoRefused(_("本系统不会自动开户，请联系攻坚办管理员。"))

    def authenticate(self, request: Any, **kwargs: Any) -> Any:
        if request is None or "code" not in request.GET:
            return None
        try:
            self._configure()
            return super().authenticate(request, **kwargs)
        except SsoRefused as refusal:
            request.login_refusal = str(refusal)
        except ImproperlyConfigured as exc:
            logger.error("OIDC settings incomplete: %s", exc)
            request.login_refusal = _(
                "统一身份认证配置不完整，请联系系统管理员，或使用账号密码登录。"
            )
        except (requests.RequestException, SuspiciousOperation, ValueError, KeyError) as exc:
            logger.warning("OIDC sign-in failed: %s", exc)
            request.login_refusal = _(
                "统一身份认证未能完成（身份令牌无效或认证服务无应答），请重试或使用账号密码登录。"
            )
        return None


class SsoStartView(OIDCAuthenticationRequestView):
    """/login/sso/: off (404) unless configured; else to the identity service's login."""

    get_settings = staticmethod(provider_setting)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not sso_enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            self.OIDC_OP_AUTH_ENDPOINT = self.get_settings("OIDC_OP_AUTHORIZATION_ENDPOINT")
            self.OIDC_RP_CLIENT_ID = self.get_settings("OIDC_RP_CLIENT_ID")
        except SsoRefused as refusal:
            messages.error(request, str(refusal))
            return HttpResponseRedirect(reverse("login"))
        except ImproperlyConfigured as exc:
            logger.error("OIDC settings incomplete: %s", exc)
            messages.error(
                request, _("统一身份认证配置不完整，请联系系统管理员，或使用账号密码登录。")
            )
            return HttpResponseRedirect(reverse("login"))
        return super().get(request)


class SsoCallbackView(OIDCAuthenticationCallbackView):
    """/login/sso/callback/: the identity service sends the browser back here."""

    get_settings = staticmethod(provider_setting)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not sso_enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    @property
    def failure_url(self) -> str:
        return reverse("login")

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            return super().get(request)
        except SuspiciousOperation:
            return self.login_failure()

    def login_failure(self) -> HttpResponse:
        reason = getattr(self.request, "login_refusal", "") or _(
            "统一身份认证未完成登录（已取消或链接已失效），请重新登录。"
        )
        messages.error(self.request, reason)
        return HttpResponseRedirect(self.failure_url)


def provider_logout_url(request: HttpRequest) -> str | None:
    """Where the browser ends its session at the identity service (settings'
    OIDC_OP_LOGOUT_URL_METHOD, mozilla-django-oidc's hook): the provider's end-session endpoint
    with the ID token of this sign-in and the way back to our login page. None when the
    provider has none or cannot be asked: the sign-out then stays local (logged)."""
    try:
        endpoint = provider_setting("OIDC_OP_LOGOUT_ENDPOINT")
    except (SsoRefused, ImproperlyConfigured) as exc:
        logger.warning("OIDC logout endpoint unknown, signing out locally only: %s", exc)
        return None
    if not endpoint:
        logger.warning("the identity service has no end_session_endpoint: local sign-out only")
        return None
    params = {
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
    }
    id_token = request.session.get("oidc_id_token")
    if id_token:
        params["id_token_hint"] = id_token
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}"


class LogoutView(auth_views.LogoutView):
    """/logout/ (POST): Django's sign-out; after an SSO sign-in, on to the identity service's
    sign-out as well (the URL is made before the session, which holds the ID token, is gone)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        provider_url = None
        if sso_enabled() and signed_in_by_sso(request):
            provider_url = import_string(settings.OIDC_OP_LOGOUT_URL_METHOD)(request)
        response = super().post(request, *args, **kwargs)
        if provider_url:
            return HttpResponseRedirect(provider_url)
        return response
