"""Idle logout at a bounded cost: a session lives SESSION_COOKIE_AGE past its last renewal, and
a request renews it when the last renewal is over a minute old. Django's
SESSION_SAVE_EVERY_REQUEST would do the same with a database write on every request."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

RENEWED_KEY = "_gongjian_renewed"
RENEW_EVERY_SECONDS = 60


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.session_key:
            renewed = session.get(RENEWED_KEY, 0)
            if time.time() - renewed > RENEW_EVERY_SECONDS:
                session[RENEWED_KEY] = time.time()  # modifies the session: saved, expiry reset
        return self.get_response(request)


def _stamp_at_login(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[RENEWED_KEY] = time.time()


def connect() -> None:
    from django.contrib.auth.signals import user_logged_in

    user_logged_in.connect(_stamp_at_login, dispatch_uid="gongjian.core.sessions.login")
