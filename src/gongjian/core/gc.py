"""Pausing the cyclic garbage collector around batches of many small, acyclic objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic collection while a batch's hundreds of thousands of small objects (rows read,
    warnings, a round's scores; none in a cycle) are made: the collections their allocations
    would set off go over all of them, again and again, and cost more than the work itself."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            # Hand what was made straight to the oldest generation (freeze, then unfreeze):
            # else the first young collection after enabling walks all of it, for nothing.
            gc.freeze()
            gc.unfreeze()
            gc.enable()
