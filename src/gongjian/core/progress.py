"""Progress of long work (exports, imports) as a callback, and its rich bar on the command line.

Long work takes `progress: Progress | None` and calls `progress(stage, done, total)` now and then;
it never knows who listens. The CLI passes `cli_progress(...)`: one rich bar per stage, on stderr
so that stdout keeps only the command's result.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichProgress


class Progress(Protocol):
    def __call__(self, stage: str, done: int, total: int) -> None: ...


class _Bars:
    def __init__(self, bars: RichProgress) -> None:
        self.bars = bars
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.bars.add_task(stage, total=max(total, 1))
        self.bars.update(self.tasks[stage], completed=done, total=max(total, 1))


@contextmanager
def cli_progress(file: IO[str] | None = None) -> Iterator[Progress]:
    """A rich bar per stage while the block runs (on stderr unless told otherwise)."""
    console = Console(file=file, stderr=file is None)
    bars = RichProgress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    )
    with bars:
        yield _Bars(bars)
