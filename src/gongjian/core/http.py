"""The single place where domain errors become HTTP responses (API) and messages (pages)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI
from ninja.security import HttpBearer, django_auth

from gongjian.core.errors import GongjianError


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from gongjian.org.models import ApiToken

        digest = hashlib.sha256(token.encode()).hexdigest()
        row = (
            ApiToken.objects.select_related("user", "user__unit")
            .filter(key_hash=digest, is_active=True, user__is_active=True)
            .first()
        )
        if row is None:
            return None
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
        request.user = row.user
        return row.user


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        title="攻坚行动督查考评平台 API",
        version="1",
        auth=[django_auth, TokenAuth()],
        urls_namespace="api",
    )

    @api.exception_handler(GongjianError)
    def domain_error(request: HttpRequest, exc: GongjianError) -> HttpResponse:
        return api.create_response(request, exc.as_dict(), status=exc.http_status)

    return api


def flash_error(request: HttpRequest, exc: GongjianError) -> None:
    messages.error(request, exc.message)
