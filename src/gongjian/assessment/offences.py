"""Repeat-offence rules 连续N期, from the plan file's `offences`, applied when a round is computed.

    offences:
      - name: 约谈名单            # the list it makes, published with the round
        when: bottom              # 分组后 N 名 ...
        bottom: 3
        rounds: 3                 # ... in 3 consecutive rounds, this one included
      - name: 专函督办
        when: fact                # a fact another app counts over consecutive months
        fact: ledger.yellow_streak
        months: 2                 # a project yellow at the end of 2 consecutive months
        action: supervision.order # raised once, when the round is published

A deduction for a repeat offence is an indicator (it changes the score, so it is scored with the
rest): `source: ledger.red_streak, method: deduction, params: {months: 2, per: 2}` takes 2 points
from a unit for each of its projects red at the end of 2 consecutive months, each named in the
explanation's trail.

The rounds before are the chain of previous comparable rounds (`movement.previous_round`), as
stored; the months' facts come from the apps that own them through `register_fact` (the ledger's
warning snapshots), and the actions through `register_action` (the supervision app raises one
专函督办 order per project and period, however often the round is recomputed or corrected).
Assessment imports neither app: they register here from their AppConfig.ready.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from gongjian.assessment.lists import Entry, above_and_below

if TYPE_CHECKING:
    from gongjian.assessment.engine import Outcome
    from gongjian.assessment.models import ListEntry, Round
    from gongjian.org.models import Unit

OFFENCE = "offence"
KEYS = {"name", "when", "bottom", "rounds", "fact", "months", "action"}

# fact(round, units, months) -> {unit_id: [what happened, one line per offence]}
FactFn = Callable[["Round", Sequence["Unit"], int], Mapping[int, list[str]]]
# action(round, entry): done once per entry when the round is published
ActionFn = Callable[["Round", "ListEntry"], None]
_FACTS: dict[str, tuple[Any, FactFn]] = {}
_ACTIONS: dict[str, tuple[Any, ActionFn]] = {}


def register_fact(name: str, label: Any, fn: FactFn) -> None:
    _FACTS[name] = (label, fn)


def register_action(name: str, label: Any, fn: ActionFn) -> None:
    _ACTIONS[name] = (label, fn)


def _whole(raw: Any, low: int, high: int) -> int | None:
    if isinstance(raw, bool):
        return None
    try:
        value = int(str(raw).strip())
    except ValueError:
        return None
    return value if low <= value <= high else None


def check(raw: Any) -> list[tuple[str, str]]:
    """What is wrong with a plan's `offences`, as (key, message)."""
    if raw in (None, []):
        return []
    if not isinstance(raw, list):
        return [("offences", _("offences 应为规则列表"))]
    errors: list[tuple[str, str]] = []
    names: set[str] = set()
    for i, rule in enumerate(raw):
        at = f"offences[{i}]"
        if not isinstance(rule, dict):
            errors.append((at, _("每条规则应为映射")))
            continue
        errors.extend(
            (f"{at}.{k}", _("规则没有“%(k)s”这一项") % {"k": k}) for k in rule if k not in KEYS
        )
        name = str(rule.get("name") or "").strip()
        if not name or len(name) > 50:
            errors.append((f"{at}.name", _("须写明名单名称 name（50字以内），如 约谈名单")))
        elif name in names:
            errors.append((f"{at}.name", _("名单“%(n)s”重复") % {"n": name}))
        names.add(name)
        when = rule.get("when")
        if when == "bottom":
            if _whole(rule.get("bottom"), 1, 1000) is None:
                errors.append((f"{at}.bottom", _("bottom 应为 1 到 1000 之间的整数")))
            if _whole(rule.get("rounds"), 1, 60) is None:
                errors.append((f"{at}.rounds", _("rounds 应为 1 到 60 之间的整数")))
        elif when == "fact":
            if rule.get("fact") not in _FACTS:
                errors.append(
                    (f"{at}.fact", _("未知的事实来源“%(f)s”；可用：%(all)s")
                     % {"f": rule.get("fact"), "all": "、".join(sorted(_FACTS))})
                )  # fmt: skip
            if _whole(rule.get("months"), 1, 60) is None:
                errors.append((f"{at}.months", _("months 应为 1 到 60 之间的整数")))
        else:
            errors.append(
                (f"{at}.when", _("when 只能是 bottom（连续排名靠后）或 fact（连续发生的事实）"))
            )
        action = rule.get("action")
        if action is not None and action not in _ACTIONS:
            errors.append(
                (f"{at}.action", _("未知的处理“%(a)s”；可用：%(all)s")
                 % {"a": action, "all": "、".join(sorted(_ACTIONS))})
            )  # fmt: skip
    return errors


def _chain(round_: Round, count: int) -> list[Round]:
    """The `count` comparable rounds before this one, latest first (fewer if there are not)."""
    from gongjian.assessment.movement import previous_round

    found: list[Round] = []
    current = round_
    while len(found) < count:
        before = previous_round(current)
        if before is None:
            break
        found.append(before)
        current = before
    return found


def _bottom_in(round_: Round, bottom: int) -> dict[int, int]:
    """The units in the bottom `bottom` of their group in a stored round: unit → rank."""
    from gongjian.assessment.models import UnitResult

    rows = list(UnitResult.objects.filter(round=round_).values_list("unit_id", "group", "rank"))
    by_group: dict[str, list[int]] = {}
    for _u, group, rank in rows:
        by_group.setdefault(group, []).append(rank)
    return {
        unit_id: rank
        for unit_id, group, rank in rows
        if sum(1 for r in by_group[group] if r > rank) < bottom
    }


def listed(round_: Round, outcomes: Sequence[Outcome]) -> list[Entry]:
    """The entries the plan's repeat-offence rules put on their lists for this round."""
    from gongjian.org.models import Unit

    entries: list[Entry] = []
    by_unit = {o.unit_id: o for o in outcomes}
    for rule in round_.plan.offences or []:
        name, action = str(rule["name"]), str(rule.get("action") or "")
        if rule["when"] == "bottom":
            bottom, rounds = int(rule["bottom"]), int(rule["rounds"])
            place = above_and_below(outcomes)
            now = {o.unit_id for o in outcomes if place[o.unit_id][1] < bottom}
            before = _chain(round_, rounds - 1)
            if len(before) < rounds - 1:
                continue  # not yet N rounds: nobody can have N in a row
            history = [(r.period, _bottom_in(r, bottom)) for r in before]
            for unit_id in sorted(now, key=lambda u: (by_unit[u].group, by_unit[u].rank)):
                if all(unit_id in places for _p, places in history):
                    o = by_unit[unit_id]
                    steps = [f"{p} 第{places[unit_id]}名" for p, places in reversed(history)]
                    steps.append(f"{round_.period} 第{o.rank}名")
                    reason = _("连续%(n)s期位列%(g)s后%(b)s名（%(s)s）") % {
                        "n": rounds, "g": o.group, "b": bottom, "s": "、".join(steps),
                    }  # fmt: skip
                    entries.append(Entry(OFFENCE, name, unit_id, o.group, o.rank, reason, action))
        else:
            _label, fact = _FACTS[rule["fact"]]
            units = list(Unit.objects.filter(pk__in=list(by_unit)))
            found = fact(round_, units, int(rule["months"]))
            for unit_id, lines in sorted(
                found.items(), key=lambda kv: (by_unit[kv[0]].group, by_unit[kv[0]].rank)
            ):
                if lines and unit_id in by_unit:
                    o = by_unit[unit_id]
                    entries.append(
                        Entry(OFFENCE, name, unit_id, o.group, o.rank, "；".join(lines), action)
                    )
    return entries


def act_on_publish(round_: Round) -> None:
    """Each listed entry's action, once: called when the round is published (its actions'
    own bookkeeping makes a correction edition not raise the same order twice)."""
    for entry in round_.list_entries.exclude(action="").select_related("unit"):
        registered = _ACTIONS.get(entry.action)
        if registered is not None:
            registered[1](round_, entry)
