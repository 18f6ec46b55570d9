"""RowWorksheet writes a row in one piece, and the sheet is byte for byte XlsxWriter's own."""

from __future__ import annotations

import datetime as dt
import io
import math
import zipfile
from typing import Any

import openpyxl
import pytest
import xlsxwriter

from gongjian.exchange.xlsx_rows import Cell, RowWorksheet

HARD_STRINGS = [
    "江苏路改造工程",
    " leading space",
    "trailing space ",
    "tab\tinside",
    "new\nline",
    "control \x01\x07\x1f chars",
    "literal _x0041_ escape",
    "_x",
    "<r>looks rich</r>",
    "&<>\"' all escapes",
    "全角\u3000空格",
    "\ufffe\uffff non-characters",
    "x" * 40_000,  # past Excel's 32,767 characters: cut as XlsxWriter cuts it
    "=SUM(A1)",
    "😀 emoji",
]
NUMBERS = [0.0, 1.0, -2.5, 12_345_678.91, 1e-9, 1e20, 46_387.0, 0.1 + 0.2]


def _rows() -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for i, text in enumerate(HARD_STRINGS):
        number = NUMBERS[i % len(NUMBERS)]
        rows.append([(0, text, None), (1, number, "fmt"), (3, f"{i}", "fmt"), (7, number, None)])
    rows.append([(2, "only one cell in column C", None)])
    rows.append([(0, 1.0, "fmt"), (1, 2.0, "fmt")])
    return rows


def _sheet_xml(fast: bool, rows: list[list[Cell]], tall_row: int | None = None) -> bytes:
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": False})
    wb.set_properties({"created": dt.datetime(2026, 12, 1)})
    ws = wb.add_worksheet("表", worksheet_class=RowWorksheet)
    fmt = wb.add_format({"num_format": "0.00", "locked": False})
    ws.set_column(7, 7, 12, wb.add_format({"bold": True}))  # a column format for fmt-less cells
    if tall_row is not None:
        ws.set_row(tall_row, 40)
    ws.write_string(0, 0, "表头")
    for r, cells in enumerate(rows, start=1):
        resolved = [(c, v, fmt if f == "fmt" else None) for c, v, f in cells]
        if fast:
            ws.write_plain_row(r, resolved)
        else:  # XlsxWriter's own path, cell by cell
            for c, v, f in resolved:
                (ws.write_number if isinstance(v, float) else ws.write_string)(r, c, v, f)
    wb.close()
    return zipfile.ZipFile(io.BytesIO(out.getvalue())).read("xl/worksheets/sheet1.xml")


def test_rows_written_in_one_piece_are_byte_for_byte_xlsxwriters_own():
    rows = _rows()
    assert _sheet_xml(True, rows) == _sheet_xml(False, rows)


def test_a_row_with_its_own_height_goes_through_xlsxwriter_and_still_matches():
    rows = _rows()
    assert _sheet_xml(True, rows, tall_row=3) == _sheet_xml(False, rows, tall_row=3)


def test_plain_rows_skip_xlsxwriters_cell_table(monkeypatch):
    calls: list[Any] = []
    monkeypatch.setattr(RowWorksheet, "_write_cells", lambda self, row, cells: calls.append(row))
    _sheet_xml(True, _rows())
    assert calls == []


def test_a_non_finite_number_is_refused_as_xlsxwriter_refuses_it():
    wb = xlsxwriter.Workbook(io.BytesIO(), {"constant_memory": True})
    ws = wb.add_worksheet("表", worksheet_class=RowWorksheet)
    with pytest.raises(TypeError):
        ws.write_plain_row(1, [(0, "名称", None), (1, math.nan, None)])


def test_what_is_written_reads_back_as_written():
    # Not the control characters, "_xHHHH_" or "<r>…</r>": XlsxWriter writes those as Excel
    # reads them, which openpyxl does not undo (the exports strip control characters first).
    texts = [t for t in HARD_STRINGS if t.isprintable() and len(t) < 32_767 and "_x" not in t]
    texts = [t for t in texts if not t.startswith("<r>")] + ["a\tb", "a\nb"]
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"constant_memory": True})
    ws = wb.add_worksheet("表", worksheet_class=RowWorksheet)
    for r, text in enumerate(texts, start=1):
        ws.write_plain_row(r, [(0, text, None), (1, float(r), None)])
    wb.close()
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue()), read_only=True)["表"]
    got = [(row[0], row[1]) for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert got == [(text, r) for r, text in enumerate(texts, start=1)]
