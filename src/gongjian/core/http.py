"""The single place where domain errors become HTTP responses (API) and messages (pages)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja.errors import HttpError
from ninja.errors import ValidationError as TypedParamsRefused

from gongjian.core.api_validation import GongjianNinjaAPI, describe
from gongjian.core.errors import GongjianError, ValidationFailed

_HTTP_ERRORS = {
    400: ("bad_request", gettext_lazy("请求体无法解析：应为有效的 JSON。")),
    401: ("unauthenticated", gettext_lazy("请先登录，或在请求头中提供有效的访问令牌。")),
    403: ("permission_denied", gettext_lazy("您没有执行此操作的权限。")),
}


def build_api(*, auth: Sequence[Any]) -> GongjianNinjaAPI:
    """The API with its error handler; the authentications come from the project root
    (`gongjian.api`), as tokens belong to org and core imports no domain app."""
    api = GongjianNinjaAPI(
        title="攻坚行动督查考评平台 API",
        version="1",
        auth=list(auth),
        urls_namespace="api",
    )

    @api.exception_handler(GongjianError)
    def domain_error(request: HttpRequest, exc: GongjianError) -> HttpResponse:
        return api.create_response(request, exc.as_dict(), status=exc.http_status)

    @api.exception_handler(OverflowError)
    def number_out_of_range(request: HttpRequest, exc: OverflowError) -> HttpResponse:
        # An id or count past what the database's integers hold (SQLite raises this from the
        # driver; PostgreSQL's comparisons just find nothing): the request is bad, not the server.
        error = ValidationFailed(_("数值超出允许范围。"))
        return api.create_response(request, error.as_dict(), status=error.http_status)

    @api.exception_handler(TypedParamsRefused)
    def typed_params_refused(request: HttpRequest, exc: TypedParamsRefused) -> HttpResponse:
        # A parameter its declared type refuses (limit=abc, on=xx, an id below 1): in Chinese,
        # naming it, in the same envelope as every other refusal.
        return api.create_response(request, describe(exc.errors), status=422)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # ninja's own refusals (an unparsable body, no credentials) say it in English.
        code, message = _HTTP_ERRORS.get(exc.status_code, ("error", exc.message))
        return api.create_response(
            request, {"code": code, "message": str(message)}, status=exc.status_code
        )

    @api.exception_handler(OperationalError)
    def database_unavailable(request: HttpRequest, exc: OperationalError) -> HttpResponse:
        # Out of the operation, even under DEBUG: an operation that read the replica is read
        # again from the primary around it (core.replica.api_reads_from_replica); else a 500.
        raise exc

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        message = _("您要找的记录不存在，或不在您的查看范围内。")
        return api.create_response(request, {"code": "not_found", "message": message}, status=404)

    return api


def flash_error(request: HttpRequest, exc: GongjianError) -> None:
    messages.error(request, exc.message)


# --- Pages: one mapping from refusals to what the user sees -------------------------------------

_PAGE_TITLES = {
    403: gettext_lazy("无权访问"),
    404: gettext_lazy("页面不存在"),
    409: gettext_lazy("操作未完成"),
    422: gettext_lazy("输入有误"),
}


def error_page(request: HttpRequest, *, status: int, message: str) -> HttpResponse:
    """The styled Chinese page for a refused request: its title says which refusal it is, the
    message says why, once."""
    title = _PAGE_TITLES.get(status, _("操作未完成"))
    return render(
        request,
        "error.html",
        {"error_title": title, "error_message": message or title},
        status=status,
    )


class DomainErrorPages:
    """A domain error that a page view does not handle itself becomes its error page (the API
    has its own handler above); form views that can say it beside the form still flash it."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, GongjianError):
            return error_page(request, status=exc.http_status, message=exc.message)
        return None


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 404 handler: a missing page or object, or one outside the user's scope."""
    return error_page(
        request, status=404, message=_("您要找的页面或记录不存在，或不在您的查看范围内。")
    )


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 403 handler (also CSRF failures through CSRF_FAILURE_VIEW's default)."""
    message = str(exception) if exception and str(exception) else _("您没有执行此操作的权限。")
    return error_page(request, status=403, message=message)
