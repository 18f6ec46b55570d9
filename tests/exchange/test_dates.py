"""Dates as people type them are read; anything unreadable is an error, not a guess."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongjian.exchange.dates import DateUnreadable, parse_date

D = dt.date(2026, 12, 1)


@pytest.mark.parametrize(
    "value",
    [
        "2026-12-01",
        "2026/12/1",
        "2026.12.1",
        "2026年12月1日",
        "2026年12月1号",
        "2026 年 12 月 1 日",
        "20261201",
        "２０２６－１２－０１",
        "2026-12-01 00:00:00",
        46357,
        46357.0,
        "46357",
        dt.datetime(2026, 12, 1),
        D,
    ],
)
def test_common_forms_are_read(value):
    assert parse_date(value) == D


@pytest.mark.parametrize("value", [None, "", "   "])
def test_empty_is_none(value):
    assert parse_date(value) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("12/1/2026", "无法识别的日期“12/1/2026”"),
        ("1.12.2026", "无法识别的日期“1.12.2026”"),
        ("2026-13-01", "不存在的日期“2026-13-01”"),
        ("2026-02-30", "不存在的日期“2026-02-30”"),
        ("下月初", "无法识别的日期“下月初”"),
        (46357.5, "日期序号不应有小数"),
        (12, "不是合理的 Excel 日期序号"),
        (dt.datetime(2026, 12, 1, 9, 30), "日期不应带时间"),
        (True, "无法识别的日期"),
    ],
)
def test_unreadable_dates_are_errors(value, message):
    with pytest.raises(DateUnreadable) as exc:
        parse_date(value)
    assert message in str(exc.value)


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_every_date_round_trips_through_each_written_form(d):
    serial = (d - dt.date(1899, 12, 30)).days
    for form in (
        d.isoformat(),
        f"{d.year}/{d.month}/{d.day}",
        f"{d.year}年{d.month}月{d.day}日",
        serial,
    ):
        assert parse_date(form) == d
