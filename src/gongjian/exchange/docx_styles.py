"""Styles for Chinese official documents in python-docx: the fonts offices name, one styled run,
exact line heights, paragraph rules and the GB/T 9704 page-number footer."""

from __future__ import annotations

from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph

FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
HEITI = "黑体"
KAITI = "楷体_GB2312"  # second-level headings (GB/T 9704 7.3.3); 楷体 where the office has no GB2312 face
SONGTI = "宋体"
RED = RGBColor(0xD0, 0x00, 0x00)


def styled_run(
    p: Paragraph,
    text: str,
    *,
    font: str,
    size: float,
    bold: bool = False,
    color: RGBColor | None = None,
) -> Any:
    run = p.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = font
    if color is not None:
        run.font.color.rgb = color
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), font)
    return run


# What may follow w:pBdr inside w:pPr: Word refuses a file whose elements are out of order.
_AFTER_PBDR = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
    "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip


def fixed_lines(p: Paragraph, points: float = 28) -> None:
    """Exact line height (official documents: 28 pt for 3号 text), no space around."""
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(points)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)


def paragraph_rule(
    p: Paragraph, side: str, *, size: int, color: str = "000000", space: int = 1
) -> None:
    """A rule along the paragraph's top or bottom; size in eighths of a point (8 = 1 pt)."""
    ppr = p._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.insert_element_before(borders, *_AFTER_PBDR)
    rule = OxmlElement(f"w:{side}")
    rule.set(qn("w:val"), "single")
    rule.set(qn("w:sz"), str(size))
    rule.set(qn("w:space"), str(space))
    rule.set(qn("w:color"), color)
    if side == "top":
        borders.insert(0, rule)
    else:
        borders.append(rule)


def _field_char(run: Any, kind: str) -> None:
    fld = OxmlElement("w:fldChar")
    fld.set(qn("w:fldCharType"), kind)
    run._r.append(fld)


def page_number_footer(p: Paragraph, *, align: WD_ALIGN_PARAGRAPH) -> None:
    """GB/T 9704 page number: 4号 half-width 宋体, an em dash and a space each side ("— 1 —"),
    one character in from the edge; the number is Word's PAGE field."""
    p.alignment = align
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        p.paragraph_format.right_indent = Pt(14)
    else:
        p.paragraph_format.left_indent = Pt(14)
    styled_run(p, "— ", font=SONGTI, size=14)
    _field_char(styled_run(p, "", font=SONGTI, size=14), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    styled_run(p, "", font=SONGTI, size=14)._r.append(instr)
    _field_char(styled_run(p, "", font=SONGTI, size=14), "separate")
    styled_run(p, "1", font=SONGTI, size=14)
    _field_char(styled_run(p, "", font=SONGTI, size=14), "end")
    styled_run(p, " —", font=SONGTI, size=14)
