"""督查/抽查: inspections with their safety hazards, hazard rectification, and random draws."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from random import Random
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gongjian.core import clock
from gongjian.core.concurrency import lock_for_update
from gongjian.core.errors import ValidationFailed
from gongjian.core.history import record
from gongjian.core.text import check_text, check_texts
from gongjian.org.models import Unit
from gongjian.org.scope import Action, scope_for
from gongjian.projects.models import Project
from gongjian.supervision.inbox import notify, unit_handlers
from gongjian.supervision.models import (
    Hazard,
    Inspection,
    InspectionKind,
    RandomDraw,
)
from gongjian.supervision.rules import check_rectify


@dataclass(frozen=True)
class HazardIn:
    description: str
    rectify_by: dt.date


@transaction.atomic
def record_inspection(
    *,
    actor: Any,
    kind: str,
    unit: Unit | None = None,
    project: Project | None = None,
    team: str,
    inspected_on: dt.date,
    findings: str,
    hazards: Sequence[HazardIn] = (),
    draw: RandomDraw | None = None,
) -> Inspection:
    """督查/抽查: an inspector records a check of a project or a unit, with any safety hazards."""
    if project is not None:
        unit = project.unit
    if unit is None:
        raise ValidationFailed(_("请选择被检查的单位或项目。"), field="unit")
    scope_for(actor).require(Action.INSPECT, unit)
    today = clock.today()
    if kind not in InspectionKind.values:
        raise ValidationFailed(_("未知的检查类型。"), field="kind")
    texts = check_texts(Inspection, {"team": team or "", "findings": findings or ""})
    team, findings = texts["team"], texts["findings"]
    if not team:
        raise ValidationFailed(_("请填写督查组。"), field="team")
    if not findings:
        raise ValidationFailed(_("请填写检查发现。"), field="findings")
    if inspected_on > today:
        raise ValidationFailed(_("检查日期不能晚于今天。"), field="inspected_on")
    descriptions = [check_text(Hazard, "description", h.description or "") for h in hazards]
    for h, description in zip(hazards, descriptions, strict=True):
        if not description:
            raise ValidationFailed(_("隐患描述不能为空。"), field="hazards")
        if h.rectify_by < inspected_on:
            raise ValidationFailed(_("整改时限不能早于检查日期。"), field="hazards")
    if draw is not None and (project is None or project.pk not in draw.picked_ids):
        raise ValidationFailed(_("该项目不在这次抽签的抽中名单中。"), field="draw")
    insp = Inspection(
        kind=kind,
        unit=unit,
        project=project,
        team=team,
        inspected_on=inspected_on,
        findings=findings,
        draw=draw,
        recorded_by=actor,
    )
    record(insp, actor=actor, reason=_("记录督查"))
    insp.save()
    for h, description in zip(hazards, descriptions, strict=True):
        row = Hazard(inspection=insp, description=description, rectify_by=h.rectify_by)
        record(row, actor=actor, reason=_("发现安全隐患"))
        row.save()
    if hazards:
        notify(
            unit_handlers(unit),
            None,
            lambda: (
                _("督查发现 %(n)s 处安全隐患，请在时限内整改：%(list)s")
                % {
                    "n": len(hazards),
                    "list": "；".join(
                        f"{d}（{h.rectify_by}）" for h, d in zip(hazards, descriptions, strict=True)
                    ),
                }
            ),
        )
    return insp


@transaction.atomic
def rectify_hazard(
    *, actor: Any, hazard: Hazard, note: str, expected_version: int | None = None
) -> Hazard:
    """The unit reports a hazard rectified (before it turns into an order)."""
    version = hazard.version if expected_version is None else expected_version
    locked = lock_for_update(Hazard, hazard.pk, expected_version=version)
    check_rectify(actor, locked)
    note = check_text(Hazard, "rectification_note", note or "")
    if not note:
        raise ValidationFailed(_("请填写整改情况。"), field="note")
    locked.rectified_on = clock.today()
    locked.rectification_note = note
    record(locked, actor=actor, reason=_("隐患整改"))
    locked.save()
    return locked


@transaction.atomic
def draw_random_check(
    *,
    actor: Any,
    scope_unit: Unit,
    count: int,
    seed: str | None = None,
    level: str = "",
    unit: Unit | None = None,
) -> RandomDraw:
    """不定期抽查: draw `count` projects from a filter, fairly and repeatably.

    The candidates are the filter's projects ordered by id; a seeded generator samples them. The
    draw keeps the filter, the candidate list and the seed, so anyone can redo it and get the same
    picks (`redo_draw`).
    """
    scope = scope_for(actor)
    scope.require(Action.INSPECT, scope_unit)
    if unit is not None:
        scope.require(Action.INSPECT, unit)
    if count < 1:
        raise ValidationFailed(_("抽取数量至少为 1。"), field="count")
    qs = Project.objects.filter(unit__path__startswith=(unit or scope_unit).path)
    if level:
        qs = qs.filter(level=level)
    candidates = list(qs.order_by("pk").values_list("pk", flat=True))
    if not candidates:
        raise ValidationFailed(_("筛选条件下没有可抽取的项目。"), field="count")
    if count > len(candidates):
        raise ValidationFailed(
            _("抽取数量 %(n)s 超过候选项目数 %(m)s。") % {"n": count, "m": len(candidates)},
            field="count",
        )
    seed = check_text(RandomDraw, "seed", seed or "") or secrets.token_hex(8)
    draw = RandomDraw(
        drawn_on=clock.today(),
        seed=seed,
        criteria={"scope_unit": scope_unit.pk, "unit": unit.pk if unit else None, "level": level},
        candidate_ids=candidates,
        picked_ids=pick(candidates, count, seed),
        drawn_by=actor,
        scope_unit=scope_unit,
    )
    draw.save()
    return draw


def pick(candidates: Sequence[int], count: int, seed: str) -> list[int]:
    """The seeded sample: the same candidates, count and seed always give the same picks."""
    # Not for secrets: fairness here means reproducible and uniform, which Random(seed) is.
    return sorted(Random(seed).sample(sorted(candidates), count))  # noqa: S311


def redo_draw(draw: RandomDraw) -> list[int]:
    return pick(draw.candidate_ids, len(draw.picked_ids), draw.seed)
