"""XlsxWriter's constant-memory rows, each written as one string.

XlsxWriter stores a cell, then writes it with a list of attributes, an escape check and a file
write of its own; at 100,000 projects and 800,000 milestones (about 7 million cells) that was
most of a ledger export. `RowWorksheet` (given to `add_worksheet` as its `worksheet_class`, the
library's documented hook for subclasses) takes a whole row of numbers and plain strings and
writes the XML XlsxWriter would write for it in one `write`. A row it cannot vouch for (one with
its own height or format, a comment, out of the sheet's bounds, a non-finite number) goes through
XlsxWriter's own methods. `tests/exchange/test_xlsx_rows.py` pins that the sheets come out byte
for byte as XlsxWriter writes them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache
from typing import Any

from xlsxwriter.utility import _preserve_whitespace, xl_col_to_name
from xlsxwriter.worksheet import Worksheet

_column_letters = cache(xl_col_to_name)

# (column, value, format): a value is a str or a float, columns ascending.
Cell = tuple[int, str | float, Any]


class RowWorksheet(Worksheet):
    def __init__(self) -> None:
        super().__init__()
        self._styles: dict[Any, str] = {}

    def write_plain_row(self, row: int, cells: Sequence[Cell]) -> None:
        """Write one row after the rows already written (constant_memory: in order only)."""
        if not cells:
            return
        if (
            not self.constant_memory
            or row <= self.previous_row
            or row in self.set_rows
            or row in self.comments
            or self._check_dimensions(row, cells[0][0])
            or self._check_dimensions(row, cells[-1][0])
        ):
            self._write_cells(row, cells)
            return
        self._write_single_row(row)  # the row before, if XlsxWriter holds one
        col_info = self.col_info
        styles = self._styles
        number = str(row + 1)
        parts = []
        for col, value, fmt in cells:
            if fmt is None and col in col_info:
                fmt = col_info[col][1]
            ref = _column_letters(col) + number
            style = styles.get(fmt)
            if style is None:  # a format's index is fixed once asked for
                style = styles[fmt] = f' s="{fmt._get_xf_index()}"' if fmt is not None else ""
            if value.__class__ is float:
                if not math.isfinite(value):
                    self._write_cells(row, cells)  # XlsxWriter refuses it, as it always has
                    return
                parts.append(f'<c r="{ref}"{style}><v>{value:.16G}</v></c>')
                continue
            text: str = value[: self.xls_strmax]  # type: ignore[index]
            if not text.isprintable() or "_x" in text:
                text = self._escape_control_characters(text)
            if text.startswith("<r>") and text.endswith("</r>"):
                parts.append(f'<c r="{ref}"{style} t="inlineStr"><is>{text}</is></c>')
                continue
            space = ' xml:space="preserve"' if _preserve_whitespace(text) else ""
            text = self._escape_data(text)
            parts.append(f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{text}</t></is></c>')
        self._write_row(row, None)
        self.fh.write("".join(parts))
        self._xml_end_tag("row")

    def _write_cells(self, row: int, cells: Sequence[Cell]) -> None:
        for col, value, fmt in cells:
            if value.__class__ is float:
                self._write_number(row, col, value, fmt)
            else:
                self._write_string(row, col, value, fmt)
