"""Export of supervision orders and notices to .xlsx (openpyxl), with Chinese headers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from io import BytesIO
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from gongjian.exchange.workbook import write_row
from gongjian.supervision.flow import OPEN_STATES, Level, State
from gongjian.supervision.models import Notice, NoticeKind, NoticeState, SupervisionOrder

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OVERDUE_FILL = PatternFill("solid", fgColor="FFCDD2")


def _sheet(wb: Workbook, title: str, headers: list[str], widths: list[int]) -> Any:
    ws = wb.active
    ws.title = title
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"
    return ws


def orders_workbook(orders: Sequence[SupervisionOrder], today: dt.date) -> Workbook:
    """One row per order; overdue rows shaded. Orders must carry unit, issuing unit and project."""
    wb = Workbook()
    headers = [
        _("编号"),
        _("督办事项"),
        _("责任单位"),
        _("交办单位"),
        _("涉及项目"),
        _("颜色"),
        _("状态"),
        _("交办日期"),
        _("原定时限"),
        _("办结时限"),
        _("是否逾期"),
        _("逾期日期"),
        _("退回次数"),
        _("销号日期"),
        _("按时办结"),
    ]
    ws = _sheet(
        wb, _("督办单"), headers, [14, 36, 14, 14, 24, 12, 12, 12, 12, 12, 10, 12, 10, 12, 10]
    )
    for o in orders:
        overdue = State(o.state) in OPEN_STATES and o.deadline < today
        on_time = {True: _("是"), False: _("否"), None: ""}[o.closed_on_time]
        write_row(
            ws,
            [
                o.code,
                o.title,
                o.unit.name,
                o.issuing_unit.name,
                o.project.name if o.project else "",
                Level(o.level).label,
                State(o.state).label,
                o.issued_on,
                o.original_deadline,
                o.deadline,
                _("是") if overdue else _("否"),
                o.overdue_on,
                o.times_sent_back,
                o.closed_on,
                on_time,
            ],
        )
        if overdue:
            for cell in ws[ws.max_row]:
                cell.fill = OVERDUE_FILL
    _date_format(ws)
    return wb


def notices_workbook(notices: Sequence[Notice]) -> Workbook:
    wb = Workbook()
    headers = [
        _("类型"),
        _("标题"),
        _("被通报单位"),
        _("被通报个人"),
        _("事由"),
        _("发文单位"),
        _("状态"),
        _("发布日期"),
        _("相关督办单"),
        _("相关项目"),
    ]
    ws = _sheet(wb, _("通报"), headers, [12, 36, 14, 12, 40, 14, 10, 12, 24, 30])
    for n in notices:
        write_row(
            ws,
            [
                str(NoticeKind(n.kind).label),
                n.title,
                n.unit.name,
                n.person_name,
                n.reason,
                n.issuing_unit.name,
                str(NoticeState(n.state).label),
                n.published_on,
                "、".join(o.code for o in n.orders.all()),
                "、".join(p.name for p in n.projects.all()),
            ],
        )
    _date_format(ws)
    return wb


def _date_format(ws: Any) -> None:
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"


def xlsx_response(wb: Workbook, filename: str) -> HttpResponse:
    buffer = BytesIO()
    wb.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
