"""Amounts the Chinese way: 万元 with thousands separators, 亿元 from 10,000 万元."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gongjian.core.numbers import zh_amount


@pytest.mark.parametrize(
    ("wan", "shown"),
    [
        (Decimal("147036.10"), "14.70亿元"),
        (Decimal("10000"), "1.00亿元"),
        (Decimal("9999.994"), "9,999.99万元"),
        (Decimal("9876.5"), "9,876.50万元"),
        (Decimal("1234567890.129"), "123,456.79亿元"),
        (Decimal("-25000"), "-2.50亿元"),
        (0, "0.00万元"),
        (12.345, "12.35万元"),
        (None, "—"),
        ("x", "—"),
        (Decimal("NaN"), "—"),
    ],
)
def test_an_amount_in_wan_reads_the_chinese_way(wan: object, shown: str) -> None:
    assert zh_amount(wan) == shown
