"""红黑榜 per group, and the lists repeat-offence rules make (约谈名单), computed with the round.

The plan file's `lists` (Mianyang 2022's rule is the default shape):

    lists:
      target: {score: 90}            # 目标条件：综合得分 ≥ 90
      # or {indicator: tz, completion: 1}   (实际 ÷ 目标 ≥ 100 %)
      # or {line: 重大项目建设提速攻坚, score: 95}
      red: {top: 3}                  # 红榜：达到目标 且 分组前3名
      black: {bottom: 3}             # 黑榜：未达到目标 且 分组后3名

Ties widen both ends: a unit is in the top N when fewer than N units of its group are ranked
above it, in the bottom M when fewer than M are ranked below it. The lists are stored when the
round is computed (`build`), are published with it and never change; before publication the
office may exempt a unit from the 黑榜 for force majeure with a written reason (`exempt`),
shown beside the list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from gongjian.assessment.engine import IND, TARGET, VALUE, Outcome

if TYPE_CHECKING:
    from gongjian.assessment.models import ListExemption, Round

DEFAULT_TOP = 3
DEFAULT_BOTTOM = 3
RED, BLACK = "red", "black"


@dataclass(frozen=True)
class Target:
    """The plan's target condition: a composite score, a line's score or an indicator's
    completion at or above a threshold."""

    score: Decimal | None = None
    line: str = ""
    indicator: str = ""
    completion: Decimal | None = None

    def met(self, o: Outcome) -> tuple[bool, str]:
        """Whether the outcome meets it, and the words that say so."""
        if self.indicator:
            part = next((p for p in o.parts if p[IND].code == self.indicator), None)
            value = None if part is None else part[VALUE]
            target = None if part is None else part[TARGET]
            if target is None and part is not None:
                target = part[IND].param("target", Decimal(0))
            if value is None or not target or target <= 0:
                return False, _("“%(i)s”无目标值或未报") % {"i": self.indicator}
            ratio = value / target
            words = _("%(name)s完成率%(r)s%%") % {
                "name": part[IND].name if part else self.indicator,
                "r": _pct(ratio),
            }
            return ratio >= (self.completion or Decimal(1)), words
        if self.line:
            placing = o.lines.get(self.line)
            if placing is None:
                return False, _("不参加“%(l)s”") % {"l": self.line}
            return placing.score >= (self.score or 0), _("%(l)s得分%(s)s") % {
                "l": self.line,
                "s": _plain(placing.score),
            }
        return o.score >= (self.score or 0), _("综合得分%(s)s") % {"s": _plain(o.score)}

    def words(self) -> str:
        if self.indicator:
            return _("“%(i)s”完成率≥%(c)s%%") % {
                "i": self.indicator,
                "c": _pct(self.completion or Decimal(1)),
            }
        if self.line:
            return _("“%(l)s”得分≥%(s)s") % {"l": self.line, "s": _plain(self.score or Decimal(0))}
        return _("综合得分≥%(s)s") % {"s": _plain(self.score or Decimal(0))}


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f") if value else "0"


def _pct(ratio: Decimal) -> str:
    return _plain((ratio * 100).quantize(Decimal("0.01")))


@dataclass(frozen=True)
class Rule:
    target: Target
    top: int = DEFAULT_TOP
    bottom: int = DEFAULT_BOTTOM


def _count(raw: Any, key: str, errors: list[tuple[str, str]], default: int) -> int:
    if raw is None:
        return default
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        errors.append((key, _("%(k)s 应为正整数") % {"k": key}))
        return default
    try:
        value = int(str(raw).strip())
    except ValueError:
        value = 0
    if not 1 <= value <= 1000:
        errors.append((key, _("%(k)s 应为 1 到 1000 之间的整数") % {"k": key}))
        return default
    return value


def _decimal(raw: Any, key: str, errors: list[tuple[str, str]]) -> Decimal | None:
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        value = Decimal("NaN")
    if isinstance(raw, bool) or not value.is_finite():
        errors.append((key, _("%(k)s 应为数字") % {"k": key}))
        return None
    return value


def check(
    raw: Any, indicator_codes: Iterable[str], line_names: Iterable[str]
) -> list[tuple[str, str]]:
    """What is wrong with a plan's `lists`, as (key, message)."""
    errors: list[tuple[str, str]] = []
    if raw in (None, {}):
        return errors
    if not isinstance(raw, dict):
        return [("lists", _("lists 应为映射：target、red、black"))]
    errors.extend(
        ("lists." + k, _("lists 没有“%(k)s”这一项") % {"k": k})
        for k in raw
        if k not in ("target", "red", "black")
    )
    target = raw.get("target")
    if not isinstance(target, dict) or not target:
        errors.append(("lists.target", _("须写明目标条件 target，如 {score: 90}")))
    else:
        errors.extend(
            ("lists.target." + k, _("target 没有“%(k)s”这一项") % {"k": k})
            for k in target
            if k not in ("score", "line", "indicator", "completion")
        )
        if "indicator" in target:
            if str(target["indicator"]) not in set(indicator_codes):
                errors.append(
                    (
                        "lists.target.indicator",
                        _("方案中没有指标“%(i)s”") % {"i": target["indicator"]},
                    )
                )
            if "completion" in target:
                value = _decimal(target["completion"], "lists.target.completion", errors)
                if value is not None and value <= 0:
                    errors.append(("lists.target.completion", _("完成率目标应大于 0")))
        elif "score" not in target:
            errors.append(
                ("lists.target", _("target 须有 score（得分线）或 indicator（指标完成率）"))
            )
        if "line" in target and str(target["line"]) not in set(line_names):
            errors.append(("lists.target.line", _("方案中没有专项“%(l)s”") % {"l": target["line"]}))
        if "score" in target:
            _decimal(target["score"], "lists.target.score", errors)
    for side, key in (("red", "top"), ("black", "bottom")):
        part = raw.get(side, {})
        if not isinstance(part, dict):
            errors.append(
                (f"lists.{side}", _("%(s)s 应为映射，如 {%(k)s: 3}") % {"s": side, "k": key})
            )
            continue
        errors.extend(
            (f"lists.{side}.{k}", _("%(s)s 没有“%(k)s”这一项") % {"s": side, "k": k})
            for k in part
            if k != key
        )
        _count(part.get(key), f"lists.{side}.{key}", errors, 1)
    return errors


def rule_of(raw: Mapping[str, Any]) -> Rule | None:
    if not raw:
        return None
    t = raw["target"]
    target = Target(
        score=None if t.get("score") is None else Decimal(str(t["score"])),
        line=str(t.get("line") or ""),
        indicator=str(t.get("indicator") or ""),
        completion=None if t.get("completion") is None else Decimal(str(t["completion"])),
    )
    return Rule(
        target,
        int(str((raw.get("red") or {}).get("top", DEFAULT_TOP))),
        int(str((raw.get("black") or {}).get("bottom", DEFAULT_BOTTOM))),
    )


@dataclass(frozen=True)
class Entry:
    kind: str
    name: str
    unit_id: int
    group: str
    rank: int
    reason: str
    action: str = ""


def above_and_below(outcomes: Sequence[Outcome]) -> dict[int, tuple[int, int]]:
    """Per unit: how many of its group rank above it and how many below (ties are neither)."""
    by_group: dict[str, list[int]] = {}
    for o in outcomes:
        by_group.setdefault(o.group, []).append(o.rank)
    found = {}
    for o in outcomes:
        ranks = by_group[o.group]
        found[o.unit_id] = (
            sum(1 for r in ranks if r < o.rank),
            sum(1 for r in ranks if r > o.rank),
        )
    return found


def red_and_black(rule: Rule, outcomes: Sequence[Outcome]) -> list[Entry]:
    """红榜: the target met and among the top N of the group; 黑榜: missed and in the bottom M."""
    place = above_and_below(outcomes)
    entries = []
    target_words = rule.target.words()
    for o in outcomes:
        above, below = place[o.unit_id]
        met, words = rule.target.met(o)
        if met and above < rule.top:
            reason = _("%(w)s，达到目标（%(t)s）；%(g)s第%(r)s名（前%(n)s名）") % {
                "w": words, "t": target_words, "g": o.group, "r": o.rank, "n": rule.top,
            }  # fmt: skip
            entries.append(Entry(RED, _("红榜"), o.unit_id, o.group, o.rank, reason))
        elif not met and below < rule.bottom:
            reason = _("%(w)s，未达到目标（%(t)s）；%(g)s第%(r)s名（后%(n)s名）") % {
                "w": words, "t": target_words, "g": o.group, "r": o.rank, "n": rule.bottom,
            }  # fmt: skip
            entries.append(Entry(BLACK, _("黑榜"), o.unit_id, o.group, o.rank, reason))
    return entries


def build(round_: Round, outcomes: Sequence[Outcome]) -> list[Entry]:
    """Store the round's lists (红黑榜 and the repeat-offence lists) for its outcomes."""
    from gongjian.assessment import offences
    from gongjian.assessment.models import ListEntry

    rule = rule_of(round_.plan.lists)
    entries = red_and_black(rule, outcomes) if rule else []
    entries.extend(offences.listed(round_, outcomes))
    ListEntry.objects.filter(round=round_).delete()
    ListEntry.objects.bulk_create(
        [
            ListEntry(
                round=round_,
                kind=e.kind,
                name=e.name,
                unit_id=e.unit_id,
                group=e.group,
                rank=e.rank,
                reason=e.reason[:500],
                action=e.action,
            )
            for e in entries
        ]
    )
    return entries


# --- the office's exemption from the 黑榜 -------------------------------------------------------


@transaction.atomic
def exempt(*, actor: Any, round: Round, unit: Any, reason: str) -> ListExemption:
    """Exempt a unit on the round's 黑榜 for force majeure, with a written reason, before the
    round is published; no office exempts its own unit."""
    from gongjian.assessment import assessing
    from gongjian.assessment.models import ListEntry, ListExemption, RoundState
    from gongjian.core.concurrency import lock_for_update
    from gongjian.core.errors import Immutable, InvalidTransition, ValidationFailed
    from gongjian.core.history import record
    from gongjian.core.text import check_text
    from gongjian.org.scope import Action, scope_for

    if actor is not None:
        scope_for(actor).require(Action.MANAGE_CAMPAIGN, round.plan.campaign.owner)
        assessing.require_may_assess(actor, unit)
    locked = lock_for_update(type(round), round.pk, expected_version=None)
    if locked.state == RoundState.PUBLISHED:
        raise Immutable(_("考评期已发布，名单不可更改；如需更正，请新建更正版本。"))
    if locked.state != RoundState.COMPUTED:
        raise InvalidTransition(_("请先计算考评结果，再对黑榜单位作豁免。"))
    if not ListEntry.objects.filter(round=locked, kind=BLACK, unit=unit).exists():
        raise ValidationFailed(_("“%(u)s”不在本期黑榜上。") % {"u": unit.name}, field="unit")
    if not reason.strip():
        raise ValidationFailed(_("请写明豁免理由（不可抗力的情况）。"), field="reason")
    if ListExemption.objects.filter(round=locked, unit=unit).exists():
        raise ValidationFailed(_("“%(u)s”已豁免。") % {"u": unit.name}, field="unit")
    row = ListExemption(
        round=locked,
        unit=unit,
        reason=check_text(ListExemption, "reason", reason),
        decided_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record(row, actor=actor, reason=_("黑榜豁免"))
    row.save()
    record(locked, actor=actor, reason=_("黑榜豁免"))
    locked.save()
    return row


# --- reads ---------------------------------------------------------------------------------------


def round_lists(round_: Round, unit_ids: set[int] | None = None) -> list[dict[str, Any]]:
    """The round's lists, each by group: units with rank and reason, and the 黑榜's exempted
    units with the reason beside them. `unit_ids` limits the rows to those a reader may see."""
    from gongjian.assessment.models import ListEntry

    exempted = {e.unit_id: e.reason for e in round_.exemptions.all()}
    order = {g.name: i for i, g in enumerate(round_.plan.groups.all())}
    kinds = {RED: 0, BLACK: 1}
    lists: dict[tuple[str, str], dict[str, Any]] = {}
    rows = ListEntry.objects.filter(round=round_).select_related("unit")
    if unit_ids is not None:
        rows = rows.filter(unit_id__in=unit_ids)
    for e in sorted(
        rows,
        key=lambda e: (kinds.get(e.kind, 2), e.name, order.get(e.group, 99), e.rank, e.unit_id),
    ):
        entry = lists.setdefault((e.kind, e.name), {"kind": e.kind, "name": e.name, "groups": {}})
        reason = exempted.get(e.unit_id) if e.kind == BLACK else None
        entry["groups"].setdefault(e.group, []).append(
            {
                "unit_id": e.unit_id,
                "unit": e.unit.name,
                "rank": e.rank,
                "reason": e.reason,
                "action": e.action,
                "exempt": reason is not None,
                "exempt_reason": reason or "",
            }
        )
    return [
        {**v, "groups": [{"name": g, "units": units} for g, units in v["groups"].items()]}
        for v in lists.values()
    ]
