"""Whether this process is a web server's (wsgi.py and asgi.py say so when they load): work that
must not hold up a request, such as the battle map's refresh after a report
(projects/refreshes.py), runs in a thread of the process there, and in the calling thread
elsewhere (commands, tests)."""

from __future__ import annotations

_in_server = False


def serving() -> None:
    """Called once by the WSGI/ASGI entry points."""
    global _in_server
    _in_server = True


def in_server() -> bool:
    return _in_server
