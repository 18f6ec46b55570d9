"""Forced password change: a signed-in user whose password is due sees only the change page."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from gongjian.org.services import password_change_due
from gongjian.org.sso import signed_in_by_sso

# What a user with a due password may still reach: the change page itself, logout, language,
# and files.
_OPEN_NAMES = ("account:password", "logout", "set_language")


class PasswordChangeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # A sign-in through the identity service used no password of ours: nothing to change.
        due = password_change_due(request.user) and not signed_in_by_sso(request)
        if due and not self._open(request.path):
            message = _("密码已到期或为初始密码，请先修改密码。")
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"code": "password_change_required", "message": message}, status=403
                )
            target = reverse("account:password")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    def _open(self, path: str) -> bool:
        if path.startswith((settings.STATIC_URL, settings.MEDIA_URL)):
            return True
        return any(path == reverse(name) for name in _OPEN_NAMES)
