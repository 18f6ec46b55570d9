"""Workbooks an office can fill in without calling anyone, written in constant memory.

XlsxWriter in `constant_memory` mode writes each row to a temporary file as it comes and zips the
workbook into another temporary file, so a 100,000-row ledger costs the same memory as ten rows;
the caller streams that file to the client (`FileResponse`) or copies it to disk (the CLI).

Every sheet has a bold filled header, frozen panes, an autofilter over its rows, real date cells
in the Chinese format (2026年12月31日), 万元 figures with two decimals, drop-downs for the columns
with a fixed set of values (their lists on a hidden sheet 选项, filled by the caller from the
database), and an internal version column that is hidden and locked (the sheet is protected
without a password, so sorting, filtering and column widths still work). A 填写说明 sheet says
what each column takes. Text that a spreadsheet would run as a formula stays text (quote prefix).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import IO, Any

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _
from xlsxwriter.utility import quote_sheetname, xl_rowcol_to_cell

from gongjian.core.errors import ValidationFailed
from gongjian.exchange.workbook import FORMULA_STARTS, safe_value
from gongjian.exchange.xlsx_rows import Cell, RowWorksheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LISTS_SHEET = "选项"
GUIDE_SHEET = "填写说明"
HEADER_FILL = "#DDEBF7"
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
DATETIME_FORMAT = 'yyyy"年"m"月"d"日" hh:mm'
WAN_FORMAT = "#,##0.00"
EXCEL_LAST_ROW = 1_048_575  # 0-based: drop-downs reach the rows an office adds below the data
# Serial day numbers of the 1900 date system: from 1 March 1900 on, days since 30 December 1899
# (Excel counts a 29 February 1900 that never was).
EXCEL_EPOCH = dt.date(1899, 12, 30)
FIRST_TRUE_SERIAL = dt.date(1900, 3, 1)
# In a 95,000-row sheet a progress callback every row would cost more than the rows.
PROGRESS_EVERY = 500


class Kind(StrEnum):
    TEXT = "text"
    WAN = "wan"  # 万元: two decimals, thousands separators
    NUMBER = "number"  # a percentage: two decimals
    SCORE = "score"  # a score: two decimals, up to four when it has them (96.125 stays 96.125)
    INT = "int"
    DATE = "date"
    DATETIME = "datetime"
    VERSION = "version"  # the row's version for the stale-file check: hidden, locked


@dataclass(frozen=True)
class Field:
    """One column as the office sees it."""

    header: str
    width: int = 14
    kind: Kind = Kind.TEXT
    required: bool = False
    choices: str | None = None  # the name of a list on the lists sheet
    strict: bool = True  # refuse other values (levels, states); False only warns (names, aliases)
    note: str = ""  # its line on the 填写说明 sheet


class OfficeSheet:
    """One worksheet being written row by row (rows only in order: constant memory)."""

    def __init__(self, book: OfficeBook, title: str, fields: Sequence[Field], freeze: int) -> None:
        self.book, self.title, self.fields = book, title, list(fields)
        self.ws = book.wb.add_worksheet(title, worksheet_class=RowWorksheet)
        self.rows = 0
        f = book.formats
        self._formats = [f[field.kind] for field in self.fields]
        for col, field in enumerate(self.fields):
            # The column's format is what a cell the office types into gets: unlocked, and the
            # right number format for new rows too.
            options = {"hidden": True} if field.kind is Kind.VERSION else {}
            self.ws.set_column(col, col, field.width, f[field.kind], options)
        self.ws.set_row(0, 30)
        for col, field in enumerate(self.fields):
            self.ws.write_string(0, col, field.header, f["header"])
        self.ws.freeze_panes(1, freeze)

    def append(self, values: Iterable[Any]) -> None:
        self.rows += 1
        if self.rows > EXCEL_LAST_ROW:  # XlsxWriter would drop the rows past it without a word
            raise ValidationFailed(
                _(
                    "“%(s)s”超过 Excel 一张工作表的上限（%(n)s 行，含表头），未导出："
                    "请筛选后分批导出，如按攻坚行动或责任单位。"
                )
                % {"s": self.title, "n": f"{EXCEL_LAST_ROW + 1:,}"}
            )
        ws = self.ws
        formats = self._formats
        cells: list[Cell] = []
        for col, value in enumerate(values):
            if value is None or value == "":
                continue
            fmt = formats[col]
            if type(value) is str:
                if not value.isprintable():  # rare: only then pay for the regex
                    value = safe_value(value)
                if value.startswith(FORMULA_STARTS):
                    fmt = self.book.formats["quoted"]
                cells.append((col, value, fmt))
            elif isinstance(value, bool):
                cells.append((col, _("是") if value else _("否"), fmt))
            elif isinstance(value, int | float | Decimal):
                cells.append((col, float(value), fmt))
            elif type(value) is dt.date and value >= FIRST_TRUE_SERIAL:
                # Excel's serial day, as XlsxWriter's own conversion gives it for a date, at a
                # fraction of its cost (800,000 milestones have two dates each).
                cells.append((col, float((value - EXCEL_EPOCH).days), fmt))
            elif isinstance(value, dt.date):  # a datetime too (it is a date)
                if isinstance(value, dt.datetime) and value.tzinfo is not None:
                    value = timezone.localtime(value).replace(tzinfo=None)  # a sheet keeps no zone
                cells.append((col, float(ws._convert_date_time(value)), fmt))
            else:
                cells.append((col, safe_value(str(value)), fmt))
        ws.write_plain_row(self.rows, cells)

    def _finish(self) -> None:
        last_col = len(self.fields) - 1
        self.ws.autofilter(0, 0, max(self.rows, 1), last_col)
        for col, field in enumerate(self.fields):
            if field.choices is not None:
                self._drop_down(col, field)
        if any(field.kind is Kind.VERSION for field in self.fields):
            self.ws.protect(
                "",
                {
                    "autofilter": True,
                    "sort": True,
                    "format_cells": True,
                    "format_columns": True,
                    "format_rows": True,
                    "insert_rows": True,
                    "delete_rows": True,
                },
            )

    def _drop_down(self, col: int, field: Field) -> None:
        source = self.book.list_range(field.choices or "")
        if source is None:
            return
        self.ws.data_validation(
            1,
            col,
            EXCEL_LAST_ROW,
            col,
            {
                "validate": "list",
                "source": source,
                "error_type": "stop" if field.strict else "warning",
                "error_title": _("请从下拉列表中选择"),
                "error_message": _("“%(h)s”请从下拉列表中选择（列表在隐藏的“%(s)s”工作表）。")
                % {"h": field.header, "s": LISTS_SHEET},
            },
        )


class OfficeBook:
    """A workbook written to a temporary file; `finish()` hands the file over, rewound."""

    def __init__(self, *, lists: Mapping[str, Sequence[str]] | None = None) -> None:
        self.out: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller
        self.wb = xlsxwriter.Workbook(
            self.out,
            {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False},
        )
        self.formats = self._make_formats()
        self.sheets: list[OfficeSheet] = []
        self.lists = {
            name: list(dict.fromkeys(v for v in values if v))
            for name, values in (lists or {}).items()
        }
        self._list_columns = {name: i for i, name in enumerate(self.lists)}

    def _make_formats(self) -> dict[str, Any]:
        add = self.wb.add_format
        base = {"locked": False, "valign": "top"}
        return {
            "header": add(
                {
                    "bold": True,
                    "bg_color": HEADER_FILL,
                    "pattern": 1,
                    "border": 1,
                    "text_wrap": True,
                    "align": "center",
                    "valign": "vcenter",
                }
            ),
            Kind.TEXT: add(base),
            "quoted": add({**base, "quote_prefix": True}),
            Kind.WAN: add({**base, "num_format": WAN_FORMAT}),
            Kind.NUMBER: add({**base, "num_format": "0.00"}),
            Kind.SCORE: add({**base, "num_format": "0.00##"}),
            Kind.INT: add({**base, "num_format": "0"}),
            Kind.DATE: add({**base, "num_format": DATE_FORMAT}),
            Kind.DATETIME: add({**base, "num_format": DATETIME_FORMAT}),
            Kind.VERSION: add({"locked": True, "num_format": "0"}),
        }

    def sheet(self, title: str, fields: Sequence[Field], *, freeze: int = 0) -> OfficeSheet:
        sheet = OfficeSheet(self, title, fields, freeze)
        self.sheets.append(sheet)
        return sheet

    def list_range(self, name: str) -> str | None:
        """The absolute range of a list on the lists sheet, for a drop-down's source."""
        if name not in self.lists or not self.lists[name]:
            return None
        col = self._list_columns[name]
        first = xl_rowcol_to_cell(1, col, row_abs=True, col_abs=True)
        last = xl_rowcol_to_cell(len(self.lists[name]), col, row_abs=True, col_abs=True)
        return f"={quote_sheetname(LISTS_SHEET)}!{first}:{last}"

    def finish(self, guide: Sequence[str] = ()) -> IO[bytes]:
        """Write the guide and the lists, close the workbook; the file, rewound to its start."""
        for sheet in self.sheets:
            sheet._finish()
        self._write_guide(guide)
        self._write_lists()
        self.wb.close()
        self.out.seek(0)
        return self.out

    def _write_guide(self, lines: Sequence[str]) -> None:
        ws = self.wb.add_worksheet(GUIDE_SHEET)
        bold = self.wb.add_format({"bold": True, "font_size": 14})
        wrap = self.wb.add_format({"text_wrap": True, "valign": "top"})
        ws.set_column(0, 0, 22)
        ws.set_column(1, 1, 8)
        ws.set_column(2, 2, 16)
        ws.set_column(3, 3, 70)
        ws.write_string(0, 0, GUIDE_SHEET, bold)
        row = 1
        for line in lines:
            ws.write_string(row, 0, safe_value(line), wrap)
            row += 1
        for sheet in self.sheets:
            row += 1
            ws.write_string(row, 0, _("工作表“%(s)s”") % {"s": sheet.title}, bold)
            row += 1
            for col, header in enumerate((_("列"), _("必填"), _("格式"), _("说明"))):
                ws.write_string(row, col, header, self.formats["header"])
            for field in sheet.fields:
                row += 1
                ws.write_string(row, 0, field.header, wrap)
                ws.write_string(row, 1, _("必填") if field.required else "", wrap)
                ws.write_string(row, 2, _kind_label(field), wrap)
                ws.write_string(row, 3, safe_value(field.note), wrap)

    def _write_lists(self) -> None:
        ws = self.wb.add_worksheet(LISTS_SHEET)
        columns = list(self.lists.items())
        ws.set_column(0, max(len(columns) - 1, 0), 24)
        # constant_memory: rows in order, so the lists are written across, row by row.
        for col, (name, _values) in enumerate(columns):
            ws.write_string(0, col, name, self.formats["header"])
        longest = max((len(values) for _name, values in columns), default=0)
        for row in range(longest):
            for col, (_name, values) in enumerate(columns):
                if row < len(values):
                    ws.write_string(row + 1, col, safe_value(values[row]))
        ws.hide()


def _kind_label(field: Field) -> str:
    if field.choices is not None:
        return _("下拉选择")
    return {
        Kind.TEXT: _("文字"),
        Kind.WAN: _("万元，两位小数"),
        Kind.NUMBER: _("数字，两位小数"),
        Kind.SCORE: _("分数"),
        Kind.INT: _("整数"),
        Kind.DATE: _("日期，如 2026年12月31日 或 2026-12-31"),
        Kind.DATETIME: _("日期时间"),
        Kind.VERSION: _("系统列，已隐藏，请勿修改"),
    }[field.kind]


def write_rows(
    sheet: OfficeSheet,
    rows: Iterable[Sequence[Any]],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Append every row; `progress(n)` now and then with the rows written so far."""
    n = 0
    for n, row in enumerate(rows, start=1):
        sheet.append(row)
        if progress is not None and n % PROGRESS_EVERY == 0:
            progress(n)
    if progress is not None:
        progress(n)
    return n


def xlsx_response(file: IO[bytes], filename: str) -> Any:
    """The finished workbook streamed to the client in blocks; the file is closed after."""
    from django.http import FileResponse

    return FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX)
