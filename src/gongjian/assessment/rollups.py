"""Roll-ups: a quarter's, a half-year's or a year's score read from the published rounds of
other plans (the month rounds, an on-site review 观摩 round, the half-year round).

A roll-up is an ordinary plan whose indicators have `source: rounds.score`; each reads, per
unit, the score of the published rounds its params name, and the plan's weights combine them:

    quarter = 3 months × 30 % + 观摩 × 10 %
      - {code: months, method: direct, weight: 0.3,
         source: rounds.score, params: {plan: 月度考评, window: 3, aggregate: sum}}
      - {code: review, method: direct, weight: 0.1, source: rounds.score, params: {plan: 观摩}}

Params: `plan` (the source plan's name, in the same campaign; required), `window` (how many
periods, default 1), `offset` (how many months before the round's period the last one is,
default 0), `every` (months between periods, default 1: 3 for quarter rounds), `aggregate`
(`mean` or `sum` of the periods, default mean), `normalise` (a number: the source's full marks,
scaled to 100; or `top`: the best score of the unit's group in the source round is 100).

Each period is the latest published edition of the source plan's round; one not published is
refused by name, and a unit without a result in one of them has no value (refused, or 缺报 as
the plan says). The rounds read are stored (`RoundSource`): the explanation goes down to each of
them, and a source corrected after the roll-up was published is named on the roll-up
(`superseded_sources`), which then needs its own correction edition; it never changes by itself.
The roll-up round is computed, objected to, published and corrected like any other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from gongjian.assessment.providers import Provided, register
from gongjian.assessment.ranking import quantum
from gongjian.core.errors import ValidationFailed

if TYPE_CHECKING:
    from gongjian.assessment.models import Indicator, Round
    from gongjian.org.models import Unit

SOURCE = "rounds.score"
AGGREGATES = ("mean", "sum")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Window:
    """Which periods of which plan an indicator reads, and how it combines them."""

    plan: str
    window: int = 1
    offset: int = 0
    every: int = 1
    aggregate: str = "mean"
    normalise: Decimal | str | None = None

    def periods(self, period: str) -> list[str]:
        """The periods read for a round of `period`, oldest first."""
        year, month = (int(p) for p in period.split("-"))
        index = year * 12 + month - 1 - self.offset
        found = [index - k * self.every for k in range(self.window)]
        return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in reversed(found)]


def _whole(raw: Any, minimum: int) -> int | None:
    if isinstance(raw, bool):
        return None
    try:
        value = int(str(raw))
    except ValueError:
        return None
    return value if value >= minimum else None


def check(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What is wrong with a roll-up indicator's params, as (key, message)."""
    errors: list[tuple[str, str]] = []
    if not str(params.get("plan") or "").strip():
        errors.append(("plan", _("汇总指标须写明来源方案 plan（如 月度考评）")))
    for key, minimum, default in (("window", 1, 1), ("offset", 0, 0), ("every", 1, 1)):
        value = _whole(params.get(key, default), minimum)
        if value is None or value > 120:
            errors.append((key, _("%(k)s 应为 %(m)s 到 120 之间的整数") % {"k": key, "m": minimum}))
    if params.get("aggregate", "mean") not in AGGREGATES:
        errors.append(("aggregate", _("aggregate 只能是 mean（平均）或 sum（合计）")))
    raw = params.get("normalise")
    if raw is not None and raw != "top":
        try:
            ok = Decimal(str(raw)) > 0
        except ArithmeticError:
            ok = False
        if not ok:
            errors.append(
                ("normalise", _("normalise 应为来源满分（正数）或 top（组内最高分折为100）"))
            )
    known = {"plan", "window", "offset", "every", "aggregate", "normalise"}
    errors.extend((k, _("汇总指标没有参数“%(k)s”") % {"k": k}) for k in params if k not in known)
    return errors


def window_of(params: Mapping[str, Any]) -> Window:
    raw = params.get("normalise")
    return Window(
        plan=str(params["plan"]).strip(),
        window=int(str(params.get("window", 1))),
        offset=int(str(params.get("offset", 0))),
        every=int(str(params.get("every", 1))),
        aggregate=str(params.get("aggregate", "mean")),
        normalise=None if raw is None else raw if raw == "top" else Decimal(str(raw)),
    )


def source_rounds(round_: Round, window: Window) -> list[Round]:
    """The latest published edition of each period the window reads; refused by name if one
    is not published."""
    from gongjian.assessment.models import Round, RoundState

    periods = window.periods(round_.period)
    published = Round.objects.filter(
        plan__campaign=round_.plan.campaign_id,
        plan__name=window.plan,
        period__in=periods,
        state=RoundState.PUBLISHED,
    ).select_related("plan")
    latest: dict[str, Round] = {}
    for r in published.order_by("period", "plan__edition", "edition"):
        latest[r.period] = r
    absent = [p for p in periods if p not in latest]
    if absent:
        raise ValidationFailed(
            _("汇总所需的“%(plan)s”%(periods)s考评期尚未发布，不能计算。")
            % {"plan": window.plan, "periods": "、".join(absent)},
            field="source",
        )
    return [latest[p] for p in periods]


def _scaled(score: Decimal, window: Window, top: Decimal | None) -> Decimal:
    if window.normalise is None:
        return score
    full = top if window.normalise == "top" else window.normalise
    if not full or not isinstance(full, Decimal) or full <= 0:
        return Decimal(0)
    return score * HUNDRED / full


def combine(scores: Sequence[Decimal], aggregate: str) -> Decimal:
    """The periods' scores as one: their sum, or their mean."""
    total = sum(scores, Decimal(0))
    return total if aggregate == "sum" else total / len(scores)


def rounds_score(round_: Round, units: Sequence[Unit], indicator: Indicator) -> dict[int, Provided]:
    """The `rounds.score` provider: each unit's combined score over the window's rounds; the
    rounds read are stored (`RoundSource`), and the explanation shows each one's score and
    place from them (`source_scores`: published rounds never change), so the value carries no
    trail of its own.

    A year roll-up reads 120,000 stored results: summed by one query (`_sums`) unless each
    round's scores are first scaled to 100, then by one bare query a round, each distinct score
    converted once (scores repeat a lot)."""
    from gongjian.assessment.models import RoundSource

    window = window_of(indicator.params)
    rounds = source_rounds(round_, window)
    RoundSource.objects.filter(round=round_, indicator_code=indicator.code).delete()
    RoundSource.objects.bulk_create(
        [RoundSource(round=round_, source=r, indicator_code=indicator.code) for r in rounds]
    )
    wanted = {u.pk for u in units}
    n = len(rounds)
    if window.normalise is None:
        return {
            unit_id: Provided(total if window.aggregate == "sum" else total / n)
            for unit_id, (count, total) in _sums(rounds).items()
            if unit_id in wanted and count == n  # not assessed in one: no value, never a zero
        }
    scores: dict[int, list[Decimal]] = {u: [] for u in wanted}
    for r in rounds:
        q = quantum(r.plan.precision)
        rows = _results(r)
        tops = _tops(rows) if window.normalise == "top" else {}
        made: dict[tuple[Decimal, str], Decimal] = {}
        for unit_id, score, _rank, _tied, group in rows:
            got = scores.get(unit_id)
            if got is None:
                continue
            key = (score, group)
            scaled = made.get(key)
            if scaled is None:
                top = tops.get(group)
                scaled = made[key] = _scaled(score.quantize(q, rounding=ROUND_HALF_UP), window, top)
            got.append(scaled)
    return {
        unit_id: Provided(combine(got, window.aggregate))
        for unit_id, got in scores.items()
        if len(got) == n  # not assessed in one of them: no value, never a zero
    }


def _tops(rows: Sequence[tuple[int, Decimal, int, bool, str]]) -> dict[str, Decimal]:
    tops: dict[str, Decimal] = {}
    for _u, score, _rank, _tied, group in rows:
        if group not in tops or score > tops[group]:
            tops[group] = score
    return tops


def source_scores(round_: Round, unit_id: int) -> dict[str, list[dict[str, Any]]]:
    """Per roll-up indicator, what each round it read says of the unit: score (as counted),
    place and the words of the explanation, oldest first — the way down to each month."""
    from gongjian.assessment.models import UnitResult

    params = dict(round_.plan.indicators.values_list("code", "params"))
    found: dict[str, list[dict[str, Any]]] = {}
    for code, rounds in sources_by_indicator(round_).items():
        window = window_of(params.get(code) or {"plan": ""})
        results = {
            r.round_id: r
            for r in UnitResult.objects.filter(round__in=rounds, unit_id=unit_id).defer(
                "explanation", "lines"
            )
        }
        for r in rounds:
            result = results.get(r.pk)
            if result is None:
                continue
            top = None
            if window.normalise == "top":
                top = max(
                    UnitResult.objects.filter(round=r, group=result.group).values_list(
                        "score", flat=True
                    )
                )
            q = quantum(r.plan.precision)
            scaled = _scaled(result.score.quantize(q, rounding=ROUND_HALF_UP), window, top)
            found.setdefault(code, []).append(
                {
                    "round_id": r.pk,
                    "period": r.period,
                    "plan": r.plan.name,
                    "edition": r.edition,
                    "score": f"{scaled.normalize():f}" if scaled else "0",
                    "rank": result.rank,
                    "tied": result.tied,
                    "group": result.group,
                    "text": _TrailLine(r, window)(scaled, result.rank, result.tied, result.group),
                }
            )
    return found


STORED_PLACES = 4  # UnitResult.score's decimal places


def _sums(rounds: Sequence[Round]) -> dict[int, tuple[int, Decimal]]:
    """Per unit, how many of the rounds have its result and the sum of its scores there, each
    rounded half up to its round's precision first, as the Python path (`combine` of the
    quantized scores) adds them: by one query, in whole ten-thousandths, so that SQLite (which
    keeps decimals as floats) adds exactly what PostgreSQL does."""
    from django.db import connection

    from gongjian.assessment.models import UnitResult

    steps: list[int] = []
    for r in rounds:
        steps += [r.pk, 10 ** max(STORED_PLACES - r.plan.precision, 0)]
    step = "CASE round_id " + "WHEN %s THEN %s " * len(rounds) + "END"
    rounded = "CASE WHEN v >= 0 THEN (v + step / 2) / step ELSE -((step / 2 - v) / step) END * step"
    table = UnitResult._meta.db_table
    marks = ", ".join(["%s"] * len(rounds))
    sql = (
        f"SELECT unit_id, COUNT(*), SUM({rounded}) FROM ("  # noqa: S608 - our table and marks
        f"SELECT unit_id, CAST(ROUND(score * 10000) AS BIGINT) AS v, {step} AS step "
        f"FROM {table} WHERE round_id IN ({marks})) AS scored GROUP BY unit_id"
    )
    places = Decimal(1).scaleb(-max(r.plan.precision for r in rounds))
    with connection.cursor() as cursor:
        cursor.execute(sql, [*steps, *(r.pk for r in rounds)])
        rows = cursor.fetchall()
    return {
        unit_id: (count, Decimal(int(total)).scaleb(-STORED_PLACES).quantize(places))
        for unit_id, count, total in rows
    }


def _results(r: Round) -> list[tuple[int, Decimal, int, bool, str]]:
    """A round's (unit, score, rank, tied, group), read bare: each distinct score one Decimal."""
    from django.db import connection

    from gongjian.assessment.models import UnitResult

    table = UnitResult._meta.db_table
    sql = (
        f'SELECT unit_id, CAST(score AS TEXT), "rank", tied, "group" FROM {table} '  # noqa: S608
        "WHERE round_id = %s"
    )
    decimals: dict[Any, Decimal] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [r.pk])
        rows = cursor.fetchall()
    found = []
    for unit_id, score, rank, tied, group in rows:
        d = decimals.get(score)
        if d is None:
            d = decimals[score] = Decimal(str(score))
        found.append((unit_id, d, rank, bool(tied), group))
    return found


class _TrailLine:
    """The trail line of one source round: 2026-01 月度考评：85.5分，第一组第3名."""

    def __init__(self, r: Round, window: Window) -> None:
        edition = _("（更正第%(e)s版）") % {"e": r.edition} if r.edition > 1 else ""
        scaled = _("，折算为百分制") if window.normalise is not None else ""
        self.head = f"{r.period} {r.plan.name}{edition}："
        self.points = _("%(score)s分") + scaled + "，"
        self.place = _("%(group)s第%(n)s名")
        self.tied_place = _("%(group)s并列第%(n)s名")

    def __call__(self, score: Decimal, rank: int, tied: bool, group: str) -> str:
        number = f"{score.normalize():f}" if score else "0"
        place = self.tied_place if tied else self.place
        return self.head + self.points % {"score": number} + place % {"group": group, "n": rank}


@dataclass(frozen=True)
class Superseded:
    """A source round of a published roll-up that has since a later published edition."""

    used: Round
    latest: Round


def superseded_sources(round_: Round) -> list[Superseded]:
    """The rounds a roll-up read that were corrected since: the roll-up needs a correction
    edition (its published scores stay as they were)."""
    from gongjian.assessment.models import Round, RoundState

    used = [s.source for s in round_.sources.select_related("source__plan")]
    if not used:
        return []
    found = []
    for r in used:
        later = (
            Round.objects.filter(
                plan__campaign=r.plan.campaign_id,
                plan__name=r.plan.name,
                period=r.period,
                edition__gt=r.edition,
                state=RoundState.PUBLISHED,
            )
            .order_by("-edition")
            .first()
        )
        if later is not None:
            found.append(Superseded(r, later))
    return found


def using_rollups(round_: Round) -> list[Round]:
    """The published roll-ups that read an earlier edition of this round's period: shown on a
    correction, as each of them now needs its own correction edition."""
    from gongjian.assessment.models import Round, RoundState

    if round_.edition == 1 or round_.state != RoundState.PUBLISHED:
        return []
    return list(
        Round.objects.filter(
            state=RoundState.PUBLISHED,
            sources__source__plan__campaign=round_.plan.campaign_id,
            sources__source__plan__name=round_.plan.name,
            sources__source__period=round_.period,
            sources__source__edition__lt=round_.edition,
        )
        .exclude(corrections__state=RoundState.PUBLISHED)
        .select_related("plan")
        .distinct()
    )


def sources_by_indicator(round_: Round) -> dict[str, list[Round]]:
    """The rounds each roll-up indicator read, oldest first: the explanation's links down."""
    found: dict[str, list[Round]] = {}
    for s in round_.sources.select_related("source__plan").order_by("source__period"):
        found.setdefault(s.indicator_code, []).append(s.source)
    return found


def register_provider() -> None:
    register(
        SOURCE,
        _l("其他考评期得分（季度、半年、年度汇总）"),
        rounds_score,
        takes_indicator=True,
        check=check,
    )
