"""Rank movement: each result beside the previous comparable round's rank and score.

The previous comparable round of a round is the latest published edition of the latest earlier
period of a plan of the same name in the same campaign (a month's the month before, a quarter
roll-up's the quarter before). It is fixed when the round is computed (`Round.previous_round`,
`UnitResult.previous_rank` / `previous_score`), so a published round's movement is what was
published. `move` is the one rule every page, the board, the explanation and the bulletin use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from gongjian.assessment.engine import Outcome
    from gongjian.assessment.models import Round


@dataclass(frozen=True)
class Move:
    """A unit's movement: `change` = previous rank − rank (up is positive); None when new."""

    previous_rank: int | None
    previous_score: Decimal | None
    change: int | None
    compared: bool  # whether the round has a previous comparable round at all

    @property
    def label(self) -> str:
        """↑2, ↓1, 持平, 新进 (— for a first round)."""
        if not self.compared:
            return "—"
        if self.change is None:
            return _("新进")
        if self.change > 0:
            return f"↑{self.change}"
        if self.change < 0:
            return f"↓{-self.change}"
        return _("持平")

    @property
    def phrase(self) -> str:
        """The bulletin's words: 位次较上期上升2位."""
        if not self.compared:
            return ""
        if self.change is None:
            return _("上期未参加排名")
        if self.change > 0:
            return _("位次较上期上升%(n)s位") % {"n": self.change}
        if self.change < 0:
            return _("位次较上期下降%(n)s位") % {"n": -self.change}
        return _("位次与上期持平")


def move(
    rank: int, previous_rank: int | None, *, compared: bool, previous_score: Decimal | None = None
) -> Move:
    change = None if previous_rank is None else previous_rank - rank
    return Move(previous_rank, previous_score, change, compared)


def previous_round(round_: Round) -> Round | None:
    """The previous comparable round (see the module's text)."""
    from gongjian.assessment.models import Round, RoundState

    return (
        Round.objects.filter(
            plan__campaign=round_.plan.campaign_id,
            plan__name=round_.plan.name,
            period__lt=round_.period,
            state=RoundState.PUBLISHED,
        )
        .order_by("-period", "-edition")
        .first()
    )


def previous_places(
    round_: Round, outcomes: Sequence[Outcome]
) -> tuple[Round | None, dict[int, tuple[int, Decimal]]]:
    """The previous comparable round and, per unit of `outcomes` in it, its (rank, score)."""
    from gongjian.assessment.models import UnitResult

    previous = previous_round(round_)
    if previous is None:
        return None, {}
    wanted = {o.unit_id for o in outcomes}
    rows = UnitResult.objects.filter(round=previous).values_list("unit_id", "rank", "score")
    return previous, {u: (rank, score) for u, rank, score in rows if u in wanted}
