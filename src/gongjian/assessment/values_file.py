"""Indicator values files (.xlsx or .csv): one row per unit, one column per indicator.

The first row names the columns: 单位, then each indicator by its code or its name. An empty cell
means "not in this file" (the value is left as it is), never zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from gongjian.assessment import services
from gongjian.assessment.models import Round
from gongjian.assessment.services import ValueRow
from gongjian.core.errors import CellError, ImportRejected
from gongjian.exchange.workbook import Upload, csv_rows, upload_bytes, xlsx_sheets
from gongjian.org.scope import Action, scope_for


def _rows_to_values(sheet: str, table: Sequence[Sequence[Any]]) -> list[ValueRow]:
    if not table or not table[0] or str(table[0][0]).strip() not in ("单位", "单位名称"):
        raise ImportRejected(errors=[CellError(sheet, 1, "A", "单位", _("第一列的表头应为“单位”"))])
    headers = [str(h).strip() for h in table[0]]
    rows: list[ValueRow] = []
    errors: list[CellError] = []
    for r, row in enumerate(table[1:], start=2):
        unit_name = str(row[0]).strip() if row else ""
        cells = list(row[1:])
        if not unit_name and not any(str(c).strip() for c in cells):
            continue
        for c, raw in enumerate(cells, start=1):
            if raw is None or str(raw).strip() == "":
                continue
            if c >= len(headers) or not headers[c]:
                errors.append(
                    CellError(
                        sheet,
                        r,
                        get_column_letter(c + 1),
                        "-",
                        _("该列没有表头（指标代码或名称），不能识别"),
                    )
                )
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
    if errors:
        raise ImportRejected(errors=errors)
    return rows


def read_values(name: str, content: Upload) -> list[ValueRow]:
    """The file's cells (CSV in UTF-8 or GBK, or the first sheet of a .xlsx); only domain errors."""
    data = upload_bytes(content)
    if name.lower().endswith(".csv"):
        return _rows_to_values("CSV", csv_rows(data))
    sheets = xlsx_sheets(data, first_only=True)
    if not sheets:
        raise ImportRejected(errors=[CellError("-", 0, "-", "单位", _("文件中没有工作表"))])
    first, table = next(iter(sheets.items()))
    return _rows_to_values(first, table)


def read_values_path(path: Path) -> list[ValueRow]:
    return read_values(path.name, path)


def import_values_file(*, actor: Any, round: Round, name: str, content: Upload) -> int:
    """Import a values file into the round; who may enter scores is asked before it is read."""
    if actor is not None:
        scope_for(actor).require_somewhere(Action.ENTER_SCORES)
    return services.import_values(actor=actor, round=round, rows=read_values(name, content))
