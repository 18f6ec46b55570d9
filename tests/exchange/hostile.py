"""A corpus of hostile upload files, built by the tests (nothing binary is committed).

Each entry is (file name, content, what it tries). The files are refused by every import: the
.xlsx ones because of what they are, the text ones because their rows name no known unit.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from openpyxl import Workbook

SHEET = "项目台账"


@dataclass(frozen=True)
class Hostile:
    key: str
    name: str
    content: bytes


def workbook(cells: dict[str, object], title: str = SHEET) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    for ref, value in cells.items():
        ws[ref] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def raw_xlsx(sheet_xml: str, *, title: str = SHEET) -> bytes:
    """A minimal .xlsx around a hand-written sheet (for what openpyxl would never write)."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http:'
            '//schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.'
            'openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats'
            f'.org/officeDocument/2006/relationships"><sheets><sheet name="{title}" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http:'
            '//schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
            f'openxmlformats.org/spreadsheetml/2006/main">{sheet_xml}</worksheet>'
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
    return out.getvalue()


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def honest_bomb() -> bytes:
    """A .xlsx whose sheet unpacks to just over the limit: zeros deflate about 1000 to 1."""
    size = settings.GONGJIAN_IMPORT_MAX_UNZIPPED_BYTES + (1 << 20)
    good = zipfile.ZipFile(io.BytesIO(workbook({"A1": "项目编号"})))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for info in good.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                zf.writestr(info.filename, good.read(info.filename))
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            block = b" " * (1 << 20)
            for _ in range(size >> 20):
                member.write(block)
    return out.getvalue()


def lying_bomb() -> bytes:
    """A member that declares 1 KB in the zip directory but unpacks to 50 MB."""
    out = io.BytesIO()
    data = workbook({"A1": "项目编号"})
    good = zipfile.ZipFile(io.BytesIO(data))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for info in good.infolist():
            zf.writestr(info.filename, good.read(info.filename))
        zf.writestr("xl/media/padding.bin", b"\0" * (50 << 20))
    content = bytearray(out.getvalue())
    # Patch the uncompressed size (local header +22, central directory +24) of the last member.
    local = content.rfind(b"PK\x03\x04")
    central = content.rfind(b"PK\x01\x02")
    for at in (local + 22, central + 24):
        content[at : at + 4] = (1024).to_bytes(4, "little")
    return bytes(content)


def with_lying_dimension() -> bytes:
    """Declares A1:B2, holds a cell at ZZ100000 (the dimension is not to be trusted)."""
    return raw_xlsx(
        '<dimension ref="A1:B2"/><sheetData><row r="1">'
        + _inline("A1", "项目编号")
        + '</row><row r="100000"><c r="ZZ100000"><v>1</v></c></row></sheetData>'
    )


def cells_without_references() -> bytes:
    """Cells that give no `r`: their row and column follow from their order (past the limit)."""
    cells = "<c><v>1</v></c>" * (settings.GONGJIAN_IMPORT_MAX_COLUMNS + 1)
    return raw_xlsx(f'<sheetData><row r="5000">{cells}</row></sheetData>')


def corpus() -> list[Hostile]:
    """Every hostile file, named for what it tries."""
    limit = settings.GONGJIAN_IMPORT_MAX_BYTES
    xlsx = "hostile.xlsx"
    builders: list[tuple[str, str, Callable[[], bytes]]] = [
        ("cell_at_xfd1048576", xlsx, lambda: workbook({"A1": "项目编号", "XFD1048576": 1})),
        ("cell_at_zz100000", xlsx, lambda: workbook({"A1": "项目编号", "ZZ100000": 1})),
        ("lying_dimension", xlsx, with_lying_dimension),
        ("cells_without_references", xlsx, cells_without_references),
        ("zip_bomb", xlsx, honest_bomb),
        ("zip_lying_sizes", xlsx, lying_bomb),
        ("text_renamed_xlsx", xlsx, lambda: "单位,tz\n不存在的镇,90\n".encode()),
        ("old_xls_signature", "old.xls.xlsx", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" * 64),
        ("truncated_zip", xlsx, lambda: workbook({"A1": "项目编号", "B2": "x"})[:1500]),
        ("zip_without_workbook", xlsx, _zip_without_workbook),
        ("empty_file", xlsx, lambda: b""),
        ("over_size_limit", xlsx, lambda: b"PK\x03\x04" + b"\0" * limit),
        (
            "formulas",
            xlsx,
            lambda: workbook(
                {"A1": "=1+1", "B1": "=cmd|' /C calc'!A0", "A2": '=HYPERLINK("http://x")'}
            ),
        ),
        (
            "control_characters",
            xlsx,
            lambda: raw_xlsx(
                '<sheetData><row r="1">' + _inline("A1", "单位_x0001_\u000b") + "</row></sheetData>"
            ),
        ),
        ("ten_megabyte_string", xlsx, lambda: workbook({"A1": "单位", "A2": "甲" * (3 << 20)})),
        ("gbk_csv_unknown_unit", "values.csv", lambda: "单位,tz\n不存在的镇,90\n".encode("gbk")),
        ("undecodable_text", "values.csv", lambda: b"\x80\xff\xfe\x80" * 256),
        ("csv_ten_megabyte_field", "values.csv", lambda: b"a" * (9 << 20) + b",1\n"),
        ("csv_nul_bytes", "values.csv", lambda: b"\x00\x00,\x00\n\x00"),
        ("yaml_billion_laughs", "plan.yaml", _billion_laughs),
        ("yaml_deep_nesting", "plan.yaml", lambda: b"[" * 200_000),
        ("yaml_not_utf8", "plan.yaml", lambda: b"name: \xff\xfe\x80"),
    ]
    return [Hostile(key, name, build()) for key, name, build in builders]


def _zip_without_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("hello.txt", "不是工作簿")
    return out.getvalue()


def _billion_laughs() -> bytes:
    lines = ['a0: &a0 ["哈"]']
    for i in range(1, 30):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    lines.append("name: *a29\ncampaign: x\nowner: y\ngroups: {g: *a29}")
    return "\n".join(lines).encode()
