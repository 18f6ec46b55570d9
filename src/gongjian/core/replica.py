"""A streaming read replica: the battle map's and lists' reads go to it, everything else to the
primary (a database router, its middleware and the view decorator that marks read pages).

The one rule is `read_alias()`. A read goes to the replica only when all hold:
- settings.DATABASES has a "replica" (GONGJIAN_REPLICA_URL is set);
- it happens in a GET/HEAD request to a view marked `@reads_from_replica`;
- the request has written nothing so far (any write sends every later read of the request to
  the primary), and its session wrote nothing in the last GONGJIAN_REPLICA_STICKY_SECONDS (30 s
  by default: a user who just saved sees the save on the next page however far the replica lags);
- no transaction is open on the primary (what a transaction reads, it reads where it writes).
Commands (tick, imports, backups) and every other page read and write the primary only. When
the replica cannot be reached, a marked page is read again from the primary (and logged).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

PRIMARY = DEFAULT_DB_ALIAS
REPLICA = "replica"
STICKY_KEY = "gongjian_primary_until"  # in the session: time.time() until which reads stay


@dataclass
class _RequestState:
    session_sticky: bool
    wrote: bool = False
    replica_view: bool = False


_state: ContextVar[_RequestState | None] = ContextVar("gongjian_replica_state", default=None)


def replica_configured() -> bool:
    return REPLICA in connections.settings


def read_alias() -> str:
    """Where a read goes now: the replica or the primary (the module's docstring says when)."""
    state = _state.get()
    if state is None or not state.replica_view or state.wrote or state.session_sticky:
        return PRIMARY
    if not replica_configured() or connections[PRIMARY].in_atomic_block:
        return PRIMARY
    return REPLICA


def note_write() -> None:
    state = _state.get()
    if state is not None:
        state.wrote = True


class ReplicaRouter:
    """settings.DATABASE_ROUTERS: reads by read_alias(), writes (and their bookkeeping) primary."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        return read_alias()

    def db_for_write(self, model: Any, **hints: Any) -> str:
        note_write()
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica holds the primary's rows: the same database, later

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db != REPLICA  # the replica follows the primary's schema by replication


class ReplicaMiddleware:
    """Keeps one request's state; after a request that wrote, keeps its session on the primary
    for GONGJIAN_REPLICA_STICKY_SECONDS. After SessionMiddleware, before the views."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_configured():
            return self.get_response(request)
        session = getattr(request, "session", None)
        sticky_until = float(session.get(STICKY_KEY, 0)) if session is not None else 0.0
        state = _RequestState(session_sticky=time.time() < sticky_until)
        token = _state.set(state)
        try:
            response = self.get_response(request)
        finally:
            _state.reset(token)
        if state.wrote and session is not None:
            session[STICKY_KEY] = time.time() + settings.GONGJIAN_REPLICA_STICKY_SECONDS
        return response


def reads_from_replica(view: Callable[..., Any]) -> Callable[..., Any]:
    """Marks a read-only page (battle map, lists): its GET/HEAD reads may go to the replica."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        state = _state.get()
        if state is None or request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        before, state.replica_view = state.replica_view, True
        try:
            return view(request, *args, **kwargs)
        except OperationalError as exc:
            if state.wrote or not replica_configured():
                raise
            # The replica is down or refused: the page is a read, so read it again, all on
            # the primary, rather than fail.
            logger.warning("replica unavailable, reading from the primary: %s", exc)
            connections[REPLICA].close()
            state.replica_view = False
            return view(request, *args, **kwargs)
        finally:
            state.replica_view = before

    return wrapper
