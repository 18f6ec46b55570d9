"""Safe reading and writing of uploaded spreadsheets: the one door every import and export uses.

Reading: an upload is refused, with a Chinese message naming what is wrong, before any cell is
read when it is too large, is not a .xlsx (by its signature, not its name), is a broken zip,
declares more unpacked bytes than allowed (zip bombs), or has a sheet whose cells really reach
past the row/column limits. The `dimension` a .xlsx declares can lie, so the sheet's XML is
scanned for the cells actually there, stopping at the first one past a limit; only then does
calamine build the (dense) grid. Text files are read as UTF-8 (with or without BOM) or GB18030,
which is what Excel writes on Chinese Windows.

Writing: text that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) is written as
text with a quote prefix, so a project named `=cmd|' /C calc'!A0` stays a name.
"""

from __future__ import annotations

import csv
import html
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.core.files import File
from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import column_index_from_string, get_column_letter

from gongjian.core.errors import CellError, ImportRejected

XLSX_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0"  # .xls (Excel 97-2003) and other OLE files
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CHUNK = 1 << 20


# What an import reads: the bytes, a file on disk (the CLI), or an uploaded file (page, API).
Upload = bytes | Path | File


def _reject(field: str, message: str, *, sheet: str | None = None) -> ImportRejected:
    return ImportRejected([CellError(sheet or "-", 0, "-", field, message)])


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


# --- The upload's size ---------------------------------------------------------------------------


def upload_bytes(source: Upload) -> bytes:
    """The upload's content, refused before it is read when it is over the size limit."""
    limit = settings.GONGJIAN_IMPORT_MAX_BYTES
    if isinstance(source, bytes):
        size = len(source)
    elif isinstance(source, Path):
        size = source.stat().st_size
    else:
        size = source.size or 0
    if size > limit:
        raise _too_large(size, limit)
    if isinstance(source, bytes):
        return source
    if isinstance(source, Path):
        return source.read_bytes()
    source.seek(0)  # read again from the start (a page reads it twice to mark its errors)
    data = source.read(limit + 1)  # the declared size of a stream is not trusted either
    if len(data) > limit:
        raise _too_large(len(data), limit)
    return data


def _too_large(size: int, limit: int) -> ImportRejected:
    return _reject(
        _("文件大小"),
        _("文件有 %(size)s，超过了导入上限 %(limit)s；请拆分后分批导入。")
        % {"size": _megabytes(size), "limit": _megabytes(limit)},
    )


# --- .xlsx ---------------------------------------------------------------------------------------


def xlsx_sheets(
    data: bytes, *, skip_empty_area: bool = True, first_only: bool = False
) -> dict[str, list[list[Any]]]:
    """Every sheet's used area (or the first sheet's) as rows of Python values, after the checks
    in the module docstring; never a library exception."""
    check_xlsx(data)
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = book.sheet_names[:1] if first_only else book.sheet_names
    except Exception as exc:  # calamine raises its own error types for any unreadable part
        raise _unreadable() from exc
    return {name: _sheet_rows(book, name, skip_empty_area) for name in names}


def _sheet_rows(book: Any, name: str, skip_empty_area: bool) -> list[list[Any]]:
    try:
        rows: list[list[Any]] = book.get_sheet_by_name(name).to_python(
            skip_empty_area=skip_empty_area
        )
    except Exception as exc:
        raise _unreadable() from exc
    except BaseException as exc:
        # calamine is Rust: a value it cannot convert (a date cell holding -10^20) panics, and
        # pyo3 hands that over as PanicException, a BaseException that no request handler
        # catches. It is the file's fault, so it is refused like any unreadable cell.
        if type(exc).__name__ != "PanicException":
            raise
        raise _reject(
            _("日期"),
            _("工作表中有无法换算的日期或时间值（超出范围），请检查日期列。"),
            sheet=name,
        ) from None
    return rows


def _unreadable() -> ImportRejected:
    return _reject(_("文件"), _("无法读取文件：文件已损坏或不是 Excel（.xlsx）文件。"))


def check_xlsx(data: bytes) -> None:
    """ImportRejected unless `data` is a .xlsx within every limit (nothing is unpacked whole)."""
    if len(data) > settings.GONGJIAN_IMPORT_MAX_BYTES:
        raise _too_large(len(data), settings.GONGJIAN_IMPORT_MAX_BYTES)
    if not data:
        raise _reject(_("文件"), _("文件是空的。"))
    if data.startswith(OLE_SIGNATURE):
        raise _reject(
            _("文件"), _("这是旧版 Excel（.xls）文件：请在 Excel 或 WPS 中另存为 .xlsx 后再导入。")
        )
    if not data.startswith(XLSX_SIGNATURE):
        # Text or anything else renamed .xlsx: the content decides, not the name.
        raise _reject(_("文件"), _("无法读取文件：请上传 Excel（.xlsx）文件。"))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            _check_unzipped_size(zf)
            for sheet, member in _worksheets(zf):
                _check_extent(zf, sheet, member)
    except zipfile.BadZipFile as exc:  # also a member whose data does not match its CRC
        raise _unreadable() from exc
    except (OSError, EOFError, ValueError, NotImplementedError) as exc:  # truncated, encrypted
        raise _unreadable() from exc


def _check_unzipped_size(zf: zipfile.ZipFile) -> None:
    # zipfile never unpacks more than a member declares (it stops there and checks the CRC), so
    # the declared sizes bound the work below and calamine's.
    declared = sum(info.file_size for info in zf.infolist())
    limit = settings.GONGJIAN_IMPORT_MAX_UNZIPPED_BYTES
    if declared > limit:
        raise _reject(
            _("文件"),
            _("文件解压后有 %(size)s，超过上限 %(limit)s（可能是压缩炸弹），已拒绝。")
            % {"size": _megabytes(declared), "limit": _megabytes(limit)},
        )


_SHEET_TAG = re.compile(rb"<(?:[\w.-]+:)?sheet\s([^>]*)>")
_REL_TAG = re.compile(rb"<(?:[\w.-]+:)?Relationship\s([^>]*)>")
_ATTR = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _attrs(text: bytes) -> dict[str, str]:
    found = {}
    for m in _ATTR.finditer(text):
        key = m[1].decode("utf-8", "replace").rpartition(":")[2]
        if m[1].startswith(b"r:") or m[1].endswith(b":id"):
            key = "rid" if key == "id" else key
        found[key] = html.unescape((m[2] if m[2] is not None else m[3]).decode("utf-8", "replace"))
    return found


def _worksheets(zf: zipfile.ZipFile) -> Iterator[tuple[str, str]]:
    """(sheet name, zip member) of each worksheet, as the workbook part lists them."""
    names = set(zf.namelist())
    if "xl/workbook.xml" not in names:
        raise _unreadable()
    targets: dict[str, str] = {}
    if "xl/_rels/workbook.xml.rels" in names:
        for m in _REL_TAG.finditer(zf.read("xl/_rels/workbook.xml.rels")):
            rel = _attrs(m[1])
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            targets[rel.get("Id", "")] = str(PurePosixPath(path))
    seen = set()
    for m in _SHEET_TAG.finditer(zf.read("xl/workbook.xml")):
        sheet = _attrs(m[1])
        member = targets.get(sheet.get("rid", ""))
        if member in names:
            seen.add(member)
            yield sheet.get("name", member), member
    # A worksheet part the workbook does not list is still there for a reader to find.
    for member in sorted(names - seen):
        if member.startswith("xl/worksheets/") and member.endswith(".xml"):
            yield member, member


# Cells as Excel, WPS and openpyxl write them, reference first: `<c r="B12" ...`. When every cell
# of a piece is written so, its extent is read off these; otherwise the exact scan below runs.
_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,7})"')


# One start tag of a row or a cell; `<col`, `<cols`, `<rowBreaks` are neither.
_CELL_TAG = re.compile(rb"<(?:[\w.-]+:)?(row|c)(?=[\s/>])([^>]*)>")
_R_ATTR = re.compile(rb"""(?<=\s)r\s*=\s*["']([A-Za-z]*)(\d*)["']""")


def _chunks(zf: zipfile.ZipFile, member: str) -> Iterator[bytes]:
    """The member's XML in pieces of about 1 MB, each ending between tags."""
    tail = b""
    with zf.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            buffer = tail + chunk
            cut = buffer.rfind(b"<")
            if cut > buffer.rfind(b">") and len(buffer) - cut < _CHUNK:
                buffer, tail = buffer[:cut], buffer[cut:]
            else:
                tail = b""
            yield buffer
    if tail:
        yield tail


def _check_extent(zf: zipfile.ZipFile, sheet: str, member: str) -> None:
    """The cells really in the sheet (not its declared dimension) within the limits, or refused."""
    max_rows = settings.GONGJIAN_IMPORT_MAX_ROWS
    max_cols = settings.GONGJIAN_IMPORT_MAX_COLUMNS
    top_row, top_col = 0, 0
    for buffer in _chunks(zf, member):
        refs = _CELL_REF.findall(buffer)
        cells = buffer.count(b"<c ") + buffer.count(b"<c>") + buffer.count(b"<c/>")
        if len(refs) != cells or any(tag in buffer for tag in (b":c ", b":c>", b":c/")):
            # A cell without its reference first (or with a namespace prefix): follow each one.
            _check_extent_in_order(zf, sheet, member, max_rows, max_cols)
            return
        if not refs:
            continue
        # Digit strings without leading zeros order as numbers by (length, text); so do letters.
        rows = [digits.lstrip(b"0") for _letters, digits in refs]
        longest = max(map(len, rows))
        top_row = max(top_row, int(max(r for r in rows if len(r) == longest) or b"0"))
        letters = [letters for letters, _digits in refs]
        widest = max(map(len, letters))
        top_col = max(
            top_col, column_index_from_string(max(c for c in letters if len(c) == widest).decode())
        )
        if top_row > max_rows or top_col > max_cols:
            raise _too_big(sheet, top_row, top_col, max_rows, max_cols)


def _check_extent_in_order(
    zf: zipfile.ZipFile, sheet: str, member: str, max_rows: int, max_cols: int
) -> None:
    row = col = 0
    for buffer in _chunks(zf, member):
        for m in _CELL_TAG.finditer(buffer):
            ref = _R_ATTR.search(m[2])
            if m[1] == b"row":
                row, col = (int(ref[2]) if ref and ref[2] else row + 1), 0
                continue
            if ref and ref[1]:
                letters = ref[1].decode().upper()
                col = column_index_from_string(letters) if len(letters) <= 3 else 1 << 20
            else:
                col += 1
            if ref and ref[2]:
                row = int(ref[2])
            if col > max_cols or row > max_rows:
                raise _too_big(sheet, row, col, max_rows, max_cols)


def _too_big(sheet: str, row: int, col: int, max_rows: int, max_cols: int) -> ImportRejected:
    letter = get_column_letter(col) if col <= 18278 else f"#{col}"
    return _reject(
        _("数据范围"),
        _(
            "工作表“%(sheet)s”的数据延伸到 %(cell)s（第 %(row)s 行、第 %(col)s 列），"
            "超过了上限 %(max_rows)s 行 × %(max_cols)s 列；请删除多余的行列或拆分后导入。"
        )
        % {
            "sheet": sheet,
            "cell": f"{letter}{row}",
            "row": row,
            "col": col,
            "max_rows": max_rows,
            "max_cols": max_cols,
        },
        sheet=sheet,
    )


# --- Text and CSV --------------------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (a superset of GBK); else a Chinese refusal."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _reject(_("编码"), _("无法识别文件编码：请以 UTF-8 或 GBK（GB18030）编码保存后再导入。"))


def csv_rows(data: bytes) -> list[list[str]]:
    """The rows of a CSV file within the row/column limits; ImportRejected for anything else."""
    text = decode_text(data)
    max_rows = settings.GONGJIAN_IMPORT_MAX_ROWS
    max_cols = settings.GONGJIAN_IMPORT_MAX_COLUMNS
    rows: list[list[str]] = []
    # The field limit is the file limit: a single 10 MB cell is the user's business, not a crash.
    csv.field_size_limit(max(settings.GONGJIAN_IMPORT_MAX_BYTES, 131072))
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            rows.append(row)
            if len(rows) > max_rows or len(row) > max_cols:
                raise _too_big("CSV", len(rows), len(row), max_rows, max_cols)
    except csv.Error as exc:
        raise _reject(
            _("文件"), _("CSV 格式错误（第 %(row)s 行）：%(e)s") % {"row": len(rows) + 1, "e": exc}
        ) from exc
    return rows


# --- Writing -------------------------------------------------------------------------------------


def safe_value(value: Any) -> Any:
    """A value for a spreadsheet cell, with characters XML cannot hold dropped (never a crash)."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def safe_cell(ws: Any, value: Any) -> Any:
    """The value for `ws.append`; text that would start a formula becomes a quote-prefixed text cell."""
    value = safe_value(value)
    if not (isinstance(value, str) and value.startswith(FORMULA_STARTS)):
        return value  # most cells: a plain value is faster to write than a Cell object
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def write_row(ws: Any, values: Iterable[Any]) -> None:
    """Append one row to a (write-only or normal) openpyxl worksheet, formula-safe."""
    ws.append([safe_cell(ws, v) for v in values])
