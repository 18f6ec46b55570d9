"""Test-only: django-axes refuses `authenticate()` without a request, and the test client's
`client.login()` calls it without one. Production keeps axes' own backend (settings.py); the
lockout tests post to the real login page, which passes the request."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend


class AxesBackendForTestClient(AxesStandaloneBackend):
    def authenticate(
        self, request: Any, username: Any = None, password: Any = None, **kw: Any
    ) -> Any:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kw)
