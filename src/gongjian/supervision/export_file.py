"""Supervision orders and notices as .xlsx an office can filter and fill: Chinese headers, date
cells, drop-downs for 颜色/状态/单位, overdue rows shaded by a rule (not per cell), written in
constant memory (`exchange.office_xlsx`) and streamed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import IO, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gongjian.core.progress import Progress
from gongjian.exchange.office_xlsx import Field, Kind, OfficeBook, write_rows
from gongjian.org.models import Unit
from gongjian.supervision.flow import OPEN_STATES, Level, State
from gongjian.supervision.models import Notice, NoticeKind, NoticeState, SupervisionOrder

OVERDUE_FILL = "#FFCDD2"
COLOURS, STATES, UNITS = "颜色", "状态", "单位"


def _order_fields() -> list[Field]:
    return [
        Field(_("编号"), 14),
        Field(_("督办事项"), 36),
        Field(_("责任单位"), 14, choices=UNITS, strict=False),
        Field(_("交办单位"), 14, choices=UNITS, strict=False),
        Field(_("涉及项目"), 24),
        Field(_("颜色"), 12, choices=COLOURS, note=_("蓝色提醒、橙色预警、红色督办，按逾期程度。")),
        Field(_("状态"), 12, choices=STATES),
        Field(_("交办日期"), 12, Kind.DATE),
        Field(_("原定时限"), 12, Kind.DATE),
        Field(_("办结时限"), 12, Kind.DATE, note=_("含已批准的延期。")),
        Field(_("是否逾期"), 10, note=_("未办结且已过办结时限为“是”，该行标红。")),
        Field(_("逾期日期"), 12, Kind.DATE),
        Field(_("退回次数"), 10, Kind.INT),
        Field(_("销号日期"), 12, Kind.DATE),
        Field(_("按时办结"), 10),
        Field(_("更新时间"), 18, Kind.DATETIME, note=_("督办单最后修改的时间（本地时间）。")),
    ]


def orders_workbook(
    orders: QuerySet[SupervisionOrder], today: dt.date, *, progress: Progress | None = None
) -> IO[bytes]:
    """One row per order (the queryset read in chunks), overdue rows shaded; a temporary file,
    rewound (the caller closes it)."""
    orders = orders.select_related("unit", "project", "issuing_unit")
    unit_ids = orders.order_by().values("unit_id")
    book = OfficeBook(
        lists={
            COLOURS: [level.label for level in Level],
            STATES: [state.label for state in State],
            UNITS: list(
                Unit.objects.filter(pk__in=unit_ids).order_by("path").values_list("name", flat=True)
            ),
        }
    )
    fields = _order_fields()
    sheet = book.sheet(_("督办单"), fields, freeze=2)
    total = orders.count()

    def written(n: int) -> None:
        if progress is not None:
            progress(_("写入督办单"), n, total)

    rows = write_rows(
        sheet, (_order_row(o, today) for o in orders.iterator(chunk_size=2000)), written
    )
    overdue_col = chr(ord("A") + [f.header for f in fields].index(_("是否逾期")))
    sheet.ws.conditional_format(
        1,
        0,
        max(rows, 1),
        len(fields) - 1,
        {
            "type": "formula",
            "criteria": f'=${overdue_col}2="{_("是")}"',
            "format": book.wb.add_format({"bg_color": OVERDUE_FILL}),
        },
    )
    return book.finish([_("督办单导出：每行一件督办单；逾期未办结的行标红。可按列筛选。")])


def _order_row(o: SupervisionOrder, today: dt.date) -> list[Any]:
    overdue = State(o.state) in OPEN_STATES and o.deadline < today
    on_time = {True: _("是"), False: _("否"), None: ""}[o.closed_on_time]
    return [
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
        o.updated_at,
    ]


def notices_workbook(notices: Iterable[Notice]) -> IO[bytes]:
    fields = [
        Field(_("类型"), 12, choices=_("类型")),
        Field(_("标题"), 36),
        Field(_("被通报单位"), 14),
        Field(_("被通报个人"), 12),
        Field(_("事由"), 40),
        Field(_("发文单位"), 14),
        Field(_("状态"), 10, choices=STATES),
        Field(_("发布日期"), 12, Kind.DATE),
        Field(_("相关督办单"), 24),
        Field(_("相关项目"), 30),
        Field(_("更新时间"), 18, Kind.DATETIME),
    ]
    book = OfficeBook(
        lists={
            _("类型"): [str(label) for label in NoticeKind.labels],
            STATES: [str(label) for label in NoticeState.labels],
        }
    )
    sheet = book.sheet(_("通报"), fields, freeze=2)
    for n in notices:
        sheet.append(
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
                n.updated_at,
            ]
        )
    return book.finish([_("通报导出：每行一份通报。可按列筛选。")])
