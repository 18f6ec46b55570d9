"""`gongjian orders export`: the board's .xlsx from the command line, in the user's scope."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from gongjian.core.audit import SecurityEvent
from gongjian.supervision.flow import State
from tests.supervision.factories import make_order


def codes(path):
    ws = load_workbook(path)["督办单"]
    return [row[0] for row in ws.iter_rows(min_row=2, values_only=True)]


def test_the_office_exports_every_order_with_a_progress_bar_and_it_is_logged(tmp_path, org, capsys):
    first = make_order(org, title="征迁交地")
    second = make_order(org, unit=org.songxia, title="道路开工")
    path, out, err = tmp_path / "orders.xlsx", io.StringIO(), io.StringIO()
    call_command(
        "orders", "export", str(path), "--user", org.office.username, stdout=out, stderr=err
    )
    assert "已导出 2 份督办单" in out.getvalue()
    assert "写入督办单" in capsys.readouterr().err  # the bar's stage, on stderr
    assert sorted(codes(path)) == sorted([first.code, second.code])
    event = SecurityEvent.objects.filter(kind="export", user_id=org.office.pk).latest("pk")
    assert event.target == "orders.xlsx" and event.detail == "gongjian orders"


def test_a_town_exports_only_its_own_orders(tmp_path, org):
    own = make_order(org, title="征迁交地")
    make_order(org, unit=org.songxia, title="道路开工")
    path = tmp_path / "orders.xlsx"
    call_command(
        "orders", "export", str(path), "--user", org.hunan_staff.username, stdout=io.StringIO()
    )
    assert codes(path) == [own.code]


def test_the_boards_filters_apply(tmp_path, org, set_today):
    late = make_order(org, state=State.IN_PROGRESS, deadline=dt.date(2026, 12, 3), title="逾期")
    make_order(org, unit=org.songxia, title="未逾期")
    set_today(dt.date(2026, 12, 5))
    path = tmp_path / "late.xlsx"
    call_command(
        "orders",
        "export",
        str(path),
        "--user",
        org.office.username,
        "--overdue",
        stdout=io.StringIO(),
    )
    assert codes(path) == [late.code]
    call_command(
        "orders", "export", str(path), "--user", org.office.username, "--unit", str(org.songxia.pk),
        stdout=io.StringIO(),
    )  # fmt: skip
    assert codes(path) != [late.code] and len(codes(path)) == 1
    call_command(
        "orders", "export", str(path), "--user", org.office.username, "--state", "closed",
        stdout=io.StringIO(),
    )  # fmt: skip
    assert codes(path) == []


def test_an_unknown_user_is_refused_in_chinese_and_writes_nothing(tmp_path, org):
    path = tmp_path / "orders.xlsx"
    with pytest.raises(CommandError, match="找不到用户 nobody"):
        call_command("orders", "export", str(path), "--user", "nobody")
    assert not path.exists()
