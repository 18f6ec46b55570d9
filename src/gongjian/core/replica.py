"""A streaming read replica: the battle map's and lists' reads go to it, everything else to the
primary (a database router, its middleware, and the marks for read pages and API lists).

The one rule is `read_alias()`. A read goes to the replica only when all hold:
- settings.DATABASES has a "replica" (GONGJIAN_REPLICA_URL is set);
- it happens in a GET/HEAD request to a page marked `@reads_from_replica` or an API operation
  marked `@api_reads_from_replica`, and not while the request is being authenticated (who may
  come in, and whether a token is revoked, is always decided on the primary);
- the request has written nothing so far (any write sends every later read of the request to
  the primary), and its client wrote nothing in the last GONGJIAN_REPLICA_STICKY_SECONDS (30 s
  by default: a user who just saved sees the save on the next page however far the replica
  lags). The client is the session of a browser, or the API token of a bearer request, which
  has no session: its sticky time is kept on the token's row, so it holds across workers and
  servers (`bind_client`);
- no transaction is open on the primary (what a transaction reads, it reads where it writes).
Writes that are only bookkeeping of the request itself (a token's last use and its audit row)
do not count as the client's writes (`bookkeeping()`). Commands (tick, imports, backups) and
every other page read and write the primary only. When the replica cannot be reached, a marked
page or operation is read again from the primary (and logged).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja.decorators import decorate_view

logger = logging.getLogger(__name__)

PRIMARY = DEFAULT_DB_ALIAS
REPLICA = "replica"
STICKY_KEY = "gongjian_primary_until"  # in the session: a timestamp until which reads stay


@dataclass
class _RequestState:
    sticky: bool
    wrote: bool = False
    replica_view: bool = False
    # A client without a session (an API token) keeps its sticky time itself: this stores it.
    remember: Callable[[dt.datetime], object] | None = None


_state: ContextVar[_RequestState | None] = ContextVar("gongjian_replica_state", default=None)


def replica_configured() -> bool:
    return REPLICA in connections.settings


def read_alias() -> str:
    """Where a read goes now: the replica or the primary (the module's docstring says when)."""
    state = _state.get()
    if state is None or not state.replica_view or state.wrote or state.sticky:
        return PRIMARY
    if not replica_configured() or connections[PRIMARY].in_atomic_block:
        return PRIMARY
    return REPLICA


def note_write() -> None:
    state = _state.get()
    if state is not None:
        state.wrote = True


def bind_client(
    *, reads_primary_until: dt.datetime | None, remember: Callable[[dt.datetime], object]
) -> None:
    """The request is a client's without a session (an API token): it reads the primary while
    its own sticky time lasts, and after a write `remember(until)` stores the new one."""
    state = _state.get()
    if state is None:
        return
    state.sticky = reads_primary_until is not None and timezone.now() < reads_primary_until
    state.remember = remember


@contextmanager
def primary_reads() -> Iterator[None]:
    """Reads inside the block go to the primary, whatever the view (authentication)."""
    state = _state.get()
    if state is None:
        yield
        return
    before, state.replica_view = state.replica_view, False
    try:
        yield
    finally:
        state.replica_view = before


@contextmanager
def bookkeeping() -> Iterator[None]:
    """Writes inside the block record the request itself (a token's last use): the request's
    later reads, and the client's next requests, may still read the replica."""
    state = _state.get()
    before = state.wrote if state is not None else False
    try:
        yield
    finally:
        if state is not None:
            state.wrote = before


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
    """Keeps one request's state; after a request that wrote, keeps its client on the primary
    for GONGJIAN_REPLICA_STICKY_SECONDS. After SessionMiddleware, before the views."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_configured():
            return self.get_response(request)
        session = getattr(request, "session", None)
        sticky_until = float(session.get(STICKY_KEY, 0)) if session is not None else 0.0
        state = _RequestState(sticky=timezone.now().timestamp() < sticky_until)
        token = _state.set(state)
        try:
            response = self.get_response(request)
        finally:
            _state.reset(token)
        if state.wrote:
            until = timezone.now() + dt.timedelta(seconds=settings.GONGJIAN_REPLICA_STICKY_SECONDS)
            if state.remember is not None:
                state.remember(until)
            elif session is not None and not session.is_empty():
                # Only a session that exists: a request without one (anonymous, or a token's)
                # gets none made for it.
                session[STICKY_KEY] = until.timestamp()
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


def api_reads_from_replica(operation: Callable[..., Any]) -> Callable[..., Any]:
    """Marks a read-only API operation (a list, the battle map's data), under `@router.get`.
    The mark wraps the whole operation, so the response's serialisation reads the replica too
    (and is read again from the primary if the replica fails); authentication reads the primary
    (`primary_reads`, in the API's authentication classes)."""
    return decorate_view(reads_from_replica)(operation)
