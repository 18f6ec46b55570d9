"""The interface language: Chinese whatever the browser sends, unless the user chose another in
the header; the choice is kept on the user, so it follows them to another browser."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _

from gongjian.core.errors import ValidationFailed
from gongjian.core.history import record


def _known(code: str | None) -> str | None:
    return code if code in {c for c, _name in settings.LANGUAGES} else None


def language_for(request: HttpRequest) -> str:
    """The user's own choice, else the one made in this browser (set_language's cookie), else the
    site's language. Accept-Language is never read: Chinese is the product's language."""
    user: Any = getattr(request, "user", None)
    if getattr(user, "is_authenticated", False):
        chosen = _known(user.language)
        if chosen:
            return chosen
    return _known(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)) or settings.LANGUAGE_CODE


class SiteLanguageMiddleware:
    """Django's LocaleMiddleware without the browser's Accept-Language (after authentication,
    so that the user's own choice counts)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        response.headers.setdefault("Vary", "Cookie")
        return response


@transaction.atomic
def remember_language(*, actor: Any, language: str) -> None:
    """Keep the user's interface language (one of settings.LANGUAGES) on their account."""
    if not _known(language):
        raise ValidationFailed(_("不支持该界面语言。"), field="language")
    if actor.language == language:
        return
    actor.language = language
    record(actor, actor=actor, reason=_("选择界面语言"))
    actor.save(update_fields=["language"])
