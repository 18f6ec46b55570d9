"""Units files (.xlsx or .csv): one unit a row — 名称, 类型, 上级单位, 别名 — loaded all or nothing.

Names are resolved tolerantly (org/names.py): a parent may be an existing unit or one named on an
earlier row of the same file. Any bad cell rejects the file, naming sheet, row, column and what is
wrong; nothing is written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from gongjian.core.errors import CellError, ImportRejected, UnitNameError, ValidationFailed
from gongjian.exchange.workbook import Upload, csv_rows, upload_bytes, xlsx_sheets
from gongjian.org import services
from gongjian.org.models import Unit, UnitKind
from gongjian.org.names import clean_text, name_key
from gongjian.org.selectors import UnitResolver

# Column headings a file may use for each field (the first is what the template writes).
HEADINGS = {
    "name": ("名称", "单位", "单位名称"),
    "kind": ("类型", "单位类型"),
    "parent": ("上级单位", "上级"),
    "aliases": ("别名", "简称"),
}
_ALIAS_SEPARATORS = re.compile(r"[;；,，、]")


@dataclass(frozen=True)
class UnitRow:
    """One row of a units file, with where each of its cells was."""

    sheet: str
    row: int
    name: str
    kind: str
    parent: str
    aliases: tuple[str, ...]
    columns: dict[str, str]  # field → column letter


def _kinds() -> dict[str, str]:
    """A kind by its code or its Chinese or English label (镇, town, Town …)."""
    table = {name_key(value): value for value in UnitKind.values}
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            table.update({name_key(str(label)): value for value, label in UnitKind.choices})
    return table


def _header_columns(sheet: str, header: Sequence[Any]) -> dict[str, int]:
    by_heading = {name_key(h): f for f, headings in HEADINGS.items() for h in headings}
    columns: dict[str, int] = {}
    errors: list[CellError] = []
    for i, raw in enumerate(header):
        text = clean_text(str(raw or ""))
        if not text:
            continue
        found = by_heading.get(name_key(text))
        letter = get_column_letter(i + 1)
        if found is None:
            errors.append(
                CellError(
                    sheet,
                    1,
                    letter,
                    text,
                    _("未知的列“%(h)s”；可用：名称、类型、上级单位、别名") % {"h": text},
                )
            )
        elif found in columns:
            errors.append(CellError(sheet, 1, letter, text, _("列“%(h)s”重复") % {"h": text}))
        else:
            columns[found] = i
    for required in ("name", "kind"):
        if required not in columns:
            errors.append(
                CellError(
                    sheet,
                    1,
                    "-",
                    HEADINGS[required][0],
                    _("缺少“%(h)s”列") % {"h": HEADINGS[required][0]},
                )
            )
    if errors:
        raise ImportRejected(errors=errors)
    return columns


def rows_of(sheet: str, table: Sequence[Sequence[Any]]) -> list[UnitRow]:
    if not table:
        raise ImportRejected(errors=[CellError(sheet, 1, "A", "名称", _("文件中没有单位"))])
    columns = _header_columns(sheet, table[0])
    letters = {f: get_column_letter(i + 1) for f, i in columns.items()}
    known = set(columns.values())
    rows: list[UnitRow] = []
    errors: list[CellError] = []
    for r, row in enumerate(table[1:], start=2):

        def cell(f: str, row: Sequence[Any] = row) -> str:
            i = columns.get(f)
            return "" if i is None or i >= len(row) else clean_text(str(row[i] or ""))

        stray = [
            i for i, raw in enumerate(row) if i not in known and clean_text(str(raw or "")) != ""
        ]
        for i in stray:
            errors.append(
                CellError(sheet, r, get_column_letter(i + 1), "-", _("该列没有表头，不能识别"))
            )
        if not any(cell(f) for f in columns):
            continue
        aliases = tuple(
            a for a in (clean_text(x) for x in _ALIAS_SEPARATORS.split(cell("aliases"))) if a
        )
        rows.append(UnitRow(sheet, r, cell("name"), cell("kind"), cell("parent"), aliases, letters))
    if errors:
        raise ImportRejected(errors=errors)
    if not rows:
        raise ImportRejected(errors=[CellError(sheet, 2, "A", "名称", _("文件中没有单位"))])
    return rows


def read_units(name: str, content: Upload) -> list[UnitRow]:
    """The rows of a units file (CSV in UTF-8 or GBK, or the first sheet of a .xlsx)."""
    data = upload_bytes(content)
    if name.lower().endswith(".csv"):
        return rows_of("CSV", csv_rows(data))
    sheets = xlsx_sheets(data, first_only=True)
    if not sheets:
        raise ImportRejected(errors=[CellError("-", 0, "-", "名称", _("文件中没有工作表"))])
    first, table = next(iter(sheets.items()))
    return rows_of(first, table)


@transaction.atomic
def import_units(*, actor: Any, rows: Sequence[UnitRow]) -> list[Unit]:
    """Create every unit of the file, or none: each bad cell is named in the refusal."""
    kinds = _kinds()
    resolver = UnitResolver()
    errors: list[CellError] = []
    created: list[Unit] = []
    in_file: dict[str, Unit] = {}  # name key → unit created from an earlier row
    for row in rows:

        def refuse(f: str, message: str, row: UnitRow = row) -> None:
            errors.append(
                CellError(row.sheet, row.row, row.columns.get(f, "-"), HEADINGS[f][0], message)
            )

        if not row.name:
            refuse("name", _("不能为空"))
            continue
        kind = kinds.get(name_key(row.kind))
        if kind is None:
            refuse(
                "kind",
                _("未知的单位类型“%(k)s”；可用：%(all)s")
                % {"k": row.kind, "all": "、".join(str(label) for label in UnitKind.labels)},
            )
            continue
        parent: Unit | None = None
        if row.parent:
            parent = in_file.get(name_key(row.parent))
            if parent is None:
                try:
                    parent = resolver.resolve(row.parent)
                except UnitNameError as exc:
                    refuse("parent", exc.message)
                    continue
        try:
            with transaction.atomic():  # one refused row leaves the others to be checked
                unit = services.create_unit(
                    actor=actor, name=row.name, kind=kind, parent=parent, aliases=row.aliases
                )
        except ValidationFailed as exc:
            refuse("kind" if exc.details.get("field") == "kind" else "name", exc.message)
            continue
        created.append(unit)
        in_file.setdefault(name_key(unit.name), unit)
    if errors:
        raise ImportRejected(errors=errors)
    return created


def import_units_path(*, actor: Any, path: Path) -> list[Unit]:
    return import_units(actor=actor, rows=read_units(path.name, path))
