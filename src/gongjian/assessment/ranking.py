"""Standard competition ranking (1, 1, 3) within groups, on scores rounded to a plan's precision.

Plain Python over plain data: no ORM. Equality is decided on the rounded Decimal, never on a float.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import groupby
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Placing:
    rank: int
    tied: bool
    size: int  # how many units share this rank


def quantum(precision: int) -> Decimal:
    return Decimal(1).scaleb(-precision)


def competition_rank(scores: Mapping[K, Decimal], *, precision: int = 2) -> dict[K, Placing]:
    """Rank higher-is-better scores: equal rounded scores share a rank and the next is skipped."""
    q = quantum(precision)
    rounded = [value.quantize(q, rounding=ROUND_HALF_UP) for value in scores.values()]
    return dict(zip(scores, rank_list(rounded), strict=True))


def rank_list(scores: Sequence[Decimal]) -> list[Placing]:
    """The placing of each of a list of rounded scores, in the list's order."""
    placings: list[Placing] = [_NOWHERE] * len(scores)
    position = 1
    ordered = sorted(range(len(scores)), key=scores.__getitem__, reverse=True)
    for _value, run in groupby(ordered, key=scores.__getitem__):  # equal scores, one run
        tied = list(run)
        size = len(tied)
        placing = Placing(rank=position, tied=size > 1, size=size)
        for i in tied:
            placings[i] = placing
        position += size
    return placings


_NOWHERE = Placing(0, False, 0)


def rank_within_groups(
    rows: Iterable[tuple[K, str, Decimal]], *, precision: int = 2
) -> dict[K, Placing]:
    """Rank (key, group, score) rows separately in each group; groups never mix."""
    by_group: dict[str, dict[K, Decimal]] = {}
    for key, group, score in rows:
        by_group.setdefault(group, {})[key] = score
    placings: dict[K, Placing] = {}
    for scores in by_group.values():
        placings.update(competition_rank(scores, precision=precision))
    return placings
