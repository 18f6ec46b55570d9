"""System indicator providers: named functions that read the system's own data for a round.

A provider is `fn(round, units) -> {unit_id: Provided}`; an indicator whose `source` is the
provider's name gets its values from it when the round is computed. Apps register theirs
explicitly (in their AppConfig.ready), e.g. the supervision app its overdue-order count:

    from gongjian.assessment.providers import register
    register("supervision.overdue_orders", _("逾期督办单数"), overdue_orders)

A provider registered with `takes_indicator=True` is called `fn(round, units, indicator)`: it
reads the indicator's params (a roll-up's source plan and months, `rollups`), and `check(params)`
names what is wrong with them at plan import, as (key, message) pairs.

A unit a provider returns nothing for has no value: the compute step refuses it (or applies the
plan's 缺报 rule), never a silent zero. A provider that counts events returns 0 with an empty trail
for units with none, explicitly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from gongjian.org.names import name_key

if TYPE_CHECKING:
    from gongjian.assessment.models import Round
    from gongjian.org.models import Unit


@dataclass(frozen=True)
class Provided:
    value: Decimal
    trail: tuple[str, ...] = ()
    target: Decimal | None = None


ProviderFn = Callable[["Round", Sequence["Unit"]], Mapping[int, Provided]]


ParamCheck = Callable[[Mapping[str, Any]], list[tuple[str, str]]]


@dataclass(frozen=True)
class Provider:
    name: str
    label: Any
    fn: Callable[..., Mapping[int, Provided]] = field(compare=False)
    takes_indicator: bool = False
    check: ParamCheck | None = field(default=None, compare=False)

    def provide(
        self, round_: Round, units: Sequence[Unit], indicator: Any
    ) -> Mapping[int, Provided]:
        if self.takes_indicator:
            return self.fn(round_, units, indicator)
        return self.fn(round_, units)

    def refusals(self, params: Mapping[str, Any]) -> list[tuple[str, str]]:
        return [] if self.check is None else self.check(params)


_REGISTRY: dict[str, Provider] = {}


def register(
    name: str,
    label: Any,
    fn: Callable[..., Mapping[int, Provided]],
    *,
    takes_indicator: bool = False,
    check: ParamCheck | None = None,
) -> None:
    if name == "entered":
        raise ValueError("'entered' is reserved for entered and imported values")
    _REGISTRY[name] = Provider(name, label, fn, takes_indicator, check)


def unregister(name: str) -> None:
    _REGISTRY.pop(name, None)


def get(name: str) -> Provider | None:
    return _REGISTRY.get(name)


def names() -> list[str]:
    return sorted(_REGISTRY)


# Numbers of the facts the platform's own records count: {(unit_id, number)} for the units and
# dates asked, among the facts counted by the provider names given (the round's plan's sources).
# An app whose providers count numbered documents (the supervision app's notices and orders)
# registers one, so that an office-recorded event of the same number counts once — and only
# when the plan does count it the other way: a plan that reads events.criticism alone still
# counts an event whose notice it does not read.
ReferencesFn = Callable[[Sequence[int], Any, Any, frozenset[str]], set[tuple[int, str]]]
_COUNTED_ELSEWHERE: list[ReferencesFn] = []


def register_counted_references(fn: ReferencesFn) -> None:
    if fn not in _COUNTED_ELSEWHERE:
        _COUNTED_ELSEWHERE.append(fn)


def counted_elsewhere(
    unit_ids: Sequence[int], start: Any, end: Any, used: frozenset[str]
) -> set[tuple[int, str]]:
    found: set[tuple[int, str]] = set()
    for fn in _COUNTED_ELSEWHERE:
        found |= fn(unit_ids, start, end, used)
    return found


def reference_key(reference: str) -> str:
    """A document number compared loosely: 长攻坚办〔2026〕15号 = 长攻坚办[2026]15号."""
    return name_key(reference.replace("〔", "[").replace("〕", "]"))


def _event_counter(kind: str) -> ProviderFn:
    def count(round_: Round, units: Sequence[Unit]) -> dict[int, Provided]:
        from gongjian.assessment.models import AssessmentEvent

        trails: dict[int, list[str]] = {u.pk: [] for u in units}
        start, end = round_.period_start, round_.period_end
        rows = AssessmentEvent.objects.filter(
            kind=kind, unit__in=list(trails), date__gte=start, date__lte=end
        ).order_by("date", "pk")
        # A fact the platform records itself (a published notice) counts there, not twice.
        used = frozenset(round_.plan.indicators.values_list("source", flat=True))
        elsewhere = {
            (u, reference_key(r)) for u, r in counted_elsewhere(list(trails), start, end, used)
        }
        for event in rows:
            if event.reference and (event.unit_id, reference_key(event.reference)) in elsewhere:
                continue
            ref = f"（{event.reference}）" if event.reference else ""
            trails[event.unit_id].append(f"{event.date:%Y-%m-%d} {event.title}{ref}")
        return {
            unit_id: Provided(Decimal(len(trail)), tuple(trail))
            for unit_id, trail in trails.items()
        }

    return count


def register_builtin() -> None:
    """The providers this app owns: counts of the office's recorded assessment events."""
    register("events.praise", _("通报表扬次数"), _event_counter("praise"))
    register("events.criticism", _("通报批评次数"), _event_counter("criticism"))
    register("events.overdue", _("督办逾期次数"), _event_counter("overdue"))
    register("events.incident", _("重大事故/事件次数"), _event_counter("incident"))
