"""The bulletin as a .docx in the layout of official documents (GB/T 9704-2012).

A4 with the standard margins (top 37 mm, bottom 35 mm, left 28 mm, right 26 mm); the issuing
office in red over a red rule; the title in 2号 小标宋; the body in 3号 仿宋 with a two-character
first-line indent and fixed 28 pt lines; first-level headings in 黑体; issuer and date at the end;
the result tables as attachments. Fonts are named as offices have them (仿宋_GB2312 ...); Word
falls back to what the machine has.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from gongjian.assessment.bulletin import Bulletin
from gongjian.exchange.docx_styles import FANGSONG, HEITI, RED, SONGTI, XIAOBIAOSONG, styled_run


def _fixed_lines(p: Paragraph, points: float = 28) -> None:
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(points)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)


def _red_rule(p: Paragraph) -> None:
    ppr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), "18")
    bottom.set(qn("w:space"), "6")
    bottom.set(qn("w:color"), "D00000")
    borders.append(bottom)
    ppr.append(borders)


def render_docx(b: Bulletin) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    doc.core_properties.title = b.title
    doc.core_properties.author = b.issuer

    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    styled_run(head, b.issuer, font=XIAOBIAOSONG, size=26, bold=True, color=RED)
    _red_rule(head)
    doc.add_paragraph()

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _fixed_lines(title, 36)
    styled_run(title, b.title, font=XIAOBIAOSONG, size=22)
    if b.draft:
        note = doc.add_paragraph()
        note.alignment = WD_ALIGN_PARAGRAPH.CENTER
        styled_run(note, "（草稿：含未发布的考评结果）", font=FANGSONG, size=16, color=RED)
    doc.add_paragraph()

    def body(text: str, *, font: str = FANGSONG, indent: bool = True) -> None:
        p = doc.add_paragraph()
        _fixed_lines(p)
        if indent:
            p.paragraph_format.first_line_indent = Pt(32)
        styled_run(p, text, font=font, size=16)

    body(b.lead)
    for s in b.sections:
        body(s.heading, font=HEITI)
        for paragraph in s.paragraphs:
            body(paragraph)
    doc.add_paragraph()
    for text in (b.issuer, f"{b.date.year}年{b.date.month}月{b.date.day}日"):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.right_indent = Pt(64)
        _fixed_lines(p)
        styled_run(p, text, font=FANGSONG, size=16)

    for i, t in enumerate(b.tables, start=1):
        brk = doc.add_paragraph()
        brk.add_run().add_break(WD_BREAK.PAGE)
        label = doc.add_paragraph()
        styled_run(label, f"附件{i}", font=HEITI, size=16)
        caption = doc.add_paragraph()
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
        styled_run(caption, t.caption + "考评结果", font=XIAOBIAOSONG, size=18)
        table = doc.add_table(rows=1, cols=len(t.columns))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(table.rows[0].cells, t.columns, strict=True):
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
            styled_run(cell.paragraphs[0], text, font=HEITI, size=9)
        for row in t.rows:
            cells = table.add_row().cells
            for cell, text in zip(cells, row, strict=True):
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
                styled_run(cell.paragraphs[0], text, font=SONGTI, size=9)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
