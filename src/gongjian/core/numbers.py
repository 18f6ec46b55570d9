"""Figures the Chinese way, for pages read from across a room (the meeting-room screen).

An amount held in 万元 prints with thousands separators and two decimals, and from 10,000 万元 on
in 亿元 (1 亿元 = 10,000 万元): 9,876.50万元, 14.70亿元. The unit is part of the figure, and the
figure is kept on one line by the page (`white-space: nowrap`), so it never breaks.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

YI = Decimal(10_000)  # 万元 in one 亿元


def zh_amount(wan: object) -> str:
    """An amount in 万元 as a reader says it: "9,876.50万元", "14.70亿元"; "—" when unknown."""
    if wan is None or wan == "":
        return "—"
    try:
        value = Decimal(str(wan))
    except (InvalidOperation, ValueError):
        return "—"
    if not value.is_finite():
        return "—"
    unit = "万元"
    if abs(value) >= YI:
        value, unit = value / YI, "亿元"
    rounded = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{rounded:,.2f}{unit}"
