"""What a user may see of a round's results: the one rule every read of the assessment obeys.

Until a round is published its results are the office's working papers. The office that owns the
plan (an office admin of the campaign's owner or of a level above it, who may also compute and
publish it) sees everything: every row, the bulletin, the correction's diff, every explanation.
During the objection window (`computed`) each assessed unit sees its own row and its own
explanation, so it can object. Everyone else sees published rounds only. Once published, every
signed-in user sees the whole round (a superseded edition stays readable beside its correction).

`sight` answers for one round; `full_rounds_q` and `results_q` say the same for lists (the round
list, trends, the battle map) and are checked against `sight` in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db.models import Q

from gongjian.assessment.models import Round, RoundState, UnitResult
from gongjian.org.scope import Action, scope_for


class Level(StrEnum):
    FULL = "full"  # every row, the bulletin, the diff, every explanation
    OWN = "own"  # the reader's own unit's row and explanation
    NONE = "none"  # nothing of the results


@dataclass(frozen=True)
class Sight:
    level: Level
    unit_ids: frozenset[int] = frozenset()  # the rows an OWN reader sees

    @property
    def full(self) -> bool:
        return self.level == Level.FULL

    def shows(self, unit_id: int) -> bool:
        return self.full or unit_id in self.unit_ids


NOTHING = Sight(Level.NONE)
EVERYTHING = Sight(Level.FULL)


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def owns(user: Any, round_: Round) -> bool:
    """The office that owns the round's plan: the one that computes and publishes it."""
    return scope_for(user).can(Action.MANAGE_CAMPAIGN, round_.plan.campaign.owner)


def sight(user: Any, round_: Round) -> Sight:
    if not _signed_in(user):
        return NOTHING
    if round_.state == RoundState.PUBLISHED or owns(user, round_):
        return EVERYTHING
    unit_id = getattr(user, "unit_id", None)
    if (
        round_.state == RoundState.COMPUTED
        and unit_id is not None
        and UnitResult.objects.filter(round=round_, unit_id=unit_id).exists()
    ):
        return Sight(Level.OWN, frozenset({unit_id}))
    return NOTHING


def full_rounds_q(user: Any) -> Q:
    """Rounds `user` sees in full, over Round."""
    if not _signed_in(user):
        return Q(pk__in=[])
    scope = scope_for(user)
    if scope.is_superuser:
        return Q()
    return Q(state=RoundState.PUBLISHED) | scope.q(
        Action.MANAGE_CAMPAIGN, via="plan__campaign__owner"
    )


def own_rounds_q(user: Any) -> Q:
    """Rounds in which `user` sees only its own unit's row, over Round."""
    unit_id = getattr(user, "unit_id", None)
    if not _signed_in(user) or unit_id is None:
        return Q(pk__in=[])
    with_row = UnitResult.objects.filter(unit_id=unit_id).values("round_id")
    return Q(state=RoundState.COMPUTED, pk__in=with_row)


def results_q(user: Any) -> Q:
    """The results `user` may read, over UnitResult (trends, boards): `sight` row by row."""
    if not _signed_in(user):
        return Q(pk__in=[])
    full = Round.objects.filter(full_rounds_q(user)).values("pk")
    own = Q(round__state=RoundState.COMPUTED, unit_id=getattr(user, "unit_id", None))
    return Q(round_id__in=full) | own
