"""The single place where domain errors become HTTP responses (API) and messages (pages)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from gongjian.core.errors import GongjianError


def build_api(*, auth: Sequence[Any]) -> NinjaAPI:
    """The API with its error handler; the authentications come from the project root
    (`gongjian.api`), as tokens belong to org and core imports no domain app."""
    api = NinjaAPI(
        title="攻坚行动督查考评平台 API",
        version="1",
        auth=list(auth),
        urls_namespace="api",
    )

    @api.exception_handler(GongjianError)
    def domain_error(request: HttpRequest, exc: GongjianError) -> HttpResponse:
        return api.create_response(request, exc.as_dict(), status=exc.http_status)

    return api


def flash_error(request: HttpRequest, exc: GongjianError) -> None:
    messages.error(request, exc.message)
