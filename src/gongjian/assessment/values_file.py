"""Indicator values files (.xlsx or .csv): one row per unit, one column per indicator.

The first row names the columns: 单位, then each indicator by its code or its name. An empty cell
means "not in this file" (the value is left as it is), never zero.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from gongjian.assessment.services import ValueRow
from gongjian.core.errors import CellError, ImportRejected


def _rows_to_values(sheet: str, table: Sequence[Sequence[Any]]) -> list[ValueRow]:
    if not table or not table[0] or str(table[0][0]).strip() not in ("单位", "单位名称"):
        raise ImportRejected(errors=[CellError(sheet, 1, "A", "单位", _("第一列的表头应为“单位”"))])
    headers = [str(h).strip() for h in table[0]]
    rows: list[ValueRow] = []
    for r, row in enumerate(table[1:], start=2):
        unit_name = str(row[0]).strip() if row else ""
        cells = list(row[1:])
        if not unit_name and not any(str(c).strip() for c in cells):
            continue
        for c, raw in enumerate(cells, start=1):
            if c >= len(headers) or not headers[c] or raw is None or str(raw).strip() == "":
                continue
            rows.append(
                ValueRow(
                    sheet=sheet,
                    row=r,
                    column=get_column_letter(c + 1),
                    unit_name=unit_name,
                    indicator_key=headers[c],
                    raw=raw,
                )
            )
    return rows


def read_values(name: str, content: bytes) -> list[ValueRow]:
    if name.lower().endswith(".csv"):
        text = content.decode("utf-8-sig")
        return _rows_to_values("CSV", [list(r) for r in csv.reader(io.StringIO(text))])
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    first = book.sheet_names[0]
    return _rows_to_values(first, book.get_sheet_by_name(first).to_python())


def read_values_path(path: Path) -> list[ValueRow]:
    return read_values(path.name, path.read_bytes())
