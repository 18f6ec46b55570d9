"""What the engine is fed from the database: a plan's rules and members, a round's values.

Read by `services.compute_round` (to score) and by `selectors.explanation` (to show a stored
explanation with its plan's indicators); both import from here, so reads do not go through the
write module.
"""

from __future__ import annotations

import json
from decimal import Decimal

from django.db import connection

from gongjian.assessment import engine
from gongjian.assessment.models import Indicator, IndicatorValue, Plan, Round


def rules_for(plan: Plan) -> tuple[engine.Rules, list[engine.Member], list[Indicator]]:
    members = [
        engine.Member(unit_id=unit_id, name=name, group=group)
        for unit_id, name, group in plan.members.order_by(
            "group__sort_order", "sort_order", "pk"
        ).values_list("unit_id", "unit__name", "group__name")
    ]
    lines = list(plan.lines.prefetch_related("units").all())
    line_units = {pl.pk: frozenset(u.pk for u in pl.units.all()) or None for pl in lines}
    indicators = list(plan.indicators.select_related("line").all())
    grades = (
        tuple(
            engine.Grade(
                g["name"], Decimal(g["min"]) if g.get("min") is not None else Decimal("-Infinity")
            )
            for g in plan.grades
        )
        or engine.DEFAULT_GRADES
    )
    rules = engine.Rules(
        indicators=[
            engine.Indicator(
                code=i.code,
                name=i.name,
                line=i.line.name,
                method=engine.Method(i.method),
                weight=i.weight,
                full_marks=i.full_marks,
                params=i.params,
                units=line_units[i.line_id],
            )
            for i in indicators
        ],
        precision=plan.precision,
        missing_rule=engine.MissingRule(plan.missing_rule),
        grades=grades,
        bonus_cap=plan.bonus_cap,
        deduction_cap=plan.deduction_cap,
        lines=[pl.name for pl in lines],
        composite=engine.Composite(plan.composite),
        line_weights={pl.name: pl.weight for pl in lines},
    )
    return rules, members, indicators


def load_inputs(round_: Round) -> dict[str, dict[int, engine.Input]]:
    """The round's values per indicator code, as the engine's (value, target, trail, source).

    Read with one bare query: a province-wide round has hundreds of thousands of values, and the
    ORM's per-row conversions would cost more than the scoring itself. Trails are nearly always
    empty: the database says so (NULL), so only the others are decoded. Numbers repeat, so each
    distinct one becomes one shared Decimal.
    """
    codes = dict(Indicator.objects.filter(plan=round_.plan_id).values_list("pk", "code"))
    values: dict[str, dict[int, engine.Input]] = {code: {} for code in codes.values()}
    table = IndicatorValue._meta.db_table
    trails = "NULLIF(CAST(trail AS TEXT), '[]')"
    # As text from PostgreSQL, not as a new Decimal per row: a shared Decimal is hashed once in
    # the engine's look-ups. SQLite gives int or float.
    numbers = (
        "CAST(value AS TEXT), CAST(target AS TEXT)"
        if connection.vendor == "postgresql"
        else "value, target"
    )
    sql = f"SELECT indicator_id, unit_id, {numbers}, {trails}, source FROM {table} WHERE round_id = %s"  # noqa: S608
    by_id = {pk: values[code] for pk, code in codes.items()}
    loads, empty = json.loads, ()
    as_decimal = _Decimals()
    with connection.cursor() as cursor:
        cursor.execute(sql, [round_.pk])
        for indicator_id, unit_id, value, target, trail, source in cursor.fetchall():
            # A plain tuple in Input's order, as the engine reads it by position.
            by_id[indicator_id][unit_id] = (  # type: ignore[assignment]
                as_decimal[value],
                None if target is None else as_decimal[target],
                empty if trail is None else tuple(loads(trail)),
                source,
            )
    return values


class _Decimals(dict[int | float | str, Decimal]):
    """Numbers as Decimal, each distinct number converted once: values repeat a lot."""

    def __missing__(self, raw: int | float | str) -> Decimal:
        value = self[raw] = Decimal(str(raw))
        return value
