"""Shared bits of the assessment commands: finding a round, printing domain errors."""

from __future__ import annotations

from django.core.management.base import CommandError

from gongjian.assessment.models import Round


def get_round(round_id: int) -> Round:
    round_ = Round.objects.select_related("plan__campaign__owner").filter(pk=round_id).first()
    if round_ is None:
        raise CommandError(f"找不到考评期 {round_id}（用 gongjian rounds 查看）")
    return round_
