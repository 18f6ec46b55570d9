"""The bulletin as a .docx in the layout of official documents (GB/T 9704-2012).

A4 with the standard margins (top 37 mm, bottom 35 mm, left 28 mm, right 26 mm) and a document
grid of 22 lines × 28 characters; 份号 and 密级 when set; the issuing office in red, 发文字号
(〔〕) over the red separator; the title in 2号 小标宋; 主送机关; the body in 3号 仿宋 with a
two-character first-line indent and fixed 28 pt lines, first-level headings in 3号 黑体 and
second-level ones in 3号 楷体; 附件说明;
署名 and 成文日期; the result tables as attachments; 版记 (抄送, 印发机关 and 印发日期) between
rules; page numbers "— 1 —" in 4号 宋体 in the footer, odd pages right and even pages left. Fonts
are named as offices have them (仿宋_GB2312 ...); Word and WPS fall back to what the machine has.
"""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from gongjian.assessment.bulletin import Bulletin, Table, text_width, zh_date
from gongjian.exchange.docx_styles import (
    FANGSONG,
    HEITI,
    KAITI,
    RED,
    SONGTI,
    XIAOBIAOSONG,
    fixed_lines,
    page_number_footer,
    paragraph_rule,
    styled_run,
)

# GB/T 9704-2012 7.1: 22 lines of 28 characters on the 156 mm × 225 mm text area.
LINE_PITCH_TWIPS = 579  # 225 mm / 22 lines in twentieths of a point
# 156 mm / 28 = 15.79 pt a character: 3号 (16 pt) text closes up by a quarter point (-5 twips).
# Not a character grid: LibreOffice gives a 16 pt glyph two cells of a 15.79 pt grid.
CHAR_SPACING_TWIPS = -5
_AFTER_SPACING = (
    "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr",
    "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout",
    "w:specVanish", "w:oMath",
)  # fmt: skip


def _grid(doc: DocumentObject) -> None:
    """Word's line grid: the page holds 22 lines."""
    sect_pr = doc.sections[0]._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect_pr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))


def _close_up(run: Any) -> None:
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(CHAR_SPACING_TWIPS))
    run._element.get_or_add_rPr().insert_element_before(spacing, *_AFTER_SPACING)


def _no_wrap(cell: _Cell) -> None:
    """A cell like 100（并列1） stays on one line (w:noWrap) instead of breaking after the bracket."""
    tc_pr = cell._tc.get_or_add_tcPr()
    tc_pr.append(OxmlElement("w:noWrap"))


def _off_grid(p: Paragraph) -> None:
    """Table text keeps its own 16 pt lines instead of snapping to the 22-line page grid."""
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    p._p.get_or_add_pPr().insert_element_before(
        snap, "w:spacing", "w:ind", "w:contextualSpacing", "w:jc", "w:textAlignment", "w:rPr"
    )


def _broken_run(p: Paragraph, lines: list[str], size: float, *, font: str = XIAOBIAOSONG) -> None:
    """Lines set apart by line breaks (w:br) in one paragraph."""
    for i, text in enumerate(lines):
        run = styled_run(p, text, font=font, size=size)
        if i < len(lines) - 1:
            run.add_break()


def _cell_paragraph(cell: _Cell) -> None:
    cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    fixed_lines(cell.paragraphs[0], 16)
    _off_grid(cell.paragraphs[0])


def _repeat_heading(row: Any) -> None:
    """The heading row repeats at the top of each page a long table runs over (w:tblHeader)."""
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:tblHeader"))


def _column_layout(t: Table, line_mm: float) -> tuple[list[Length], float]:
    """Columns as wide as their longest data cell (or short heading) plus padding (LibreOffice
    wraps inside a fixed width whatever w:noWrap says), on the text line, at 五号 or smaller."""
    chars = t.column_chars()
    line_pt = line_mm / 25.4 * 72
    size = max(8, min(10.5, (line_pt - 11 * len(chars)) / (sum(chars) + 0.5 * len(chars))))
    natural = [(n + 0.5) * size + 11 for n in chars]  # half a character spare: faces differ
    scale = line_pt / sum(natural)
    return [Pt(w * scale) for w in natural], size


def _new_section(doc: DocumentObject, *, landscape: bool) -> None:
    """A page of its own orientation; GB/T 9704 margins turned with the page (top 37 mm is the
    binding edge's 28 mm when the page lies on its side), footers as before."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        section.top_margin, section.bottom_margin = Mm(28), Mm(26)
        section.left_margin, section.right_margin = Mm(37), Mm(35)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)


def _imprint_section(doc: DocumentObject) -> None:
    """A portrait section of its own for 版记, opening on the next even page (w:type evenPage)."""
    _new_section(doc, landscape=False)
    doc.sections[-1].start_type = WD_SECTION.EVEN_PAGE


def _imprint_table(table: Any) -> None:
    """版记 as a table as wide as the text area: a thick rule above and below (w:sz 8, 1 pt), a
    thin one between 抄送 and 印发 (w:sz 4), no side rules."""
    tbl_pr = table._tbl.tblPr
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), str(round(156 / 25.4 * 1440)))
    width.set(qn("w:type"), "dxa")
    old = tbl_pr.find(qn("w:tblW"))
    if old is not None:
        tbl_pr.remove(old)
    borders = OxmlElement("w:tblBorders")
    for side, size in (("top", 8), ("left", 0), ("bottom", 8), ("right", 0), ("insideH", 4),
                       ("insideV", 0)):  # fmt: skip
        rule = OxmlElement(f"w:{side}")
        rule.set(qn("w:val"), "single" if size else "nil")
        if size:
            rule.set(qn("w:sz"), str(size))
            rule.set(qn("w:space"), "0")
            rule.set(qn("w:color"), "000000")
        borders.append(rule)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        m = OxmlElement(f"w:{side}")
        m.set(qn("w:w"), "0")
        m.set(qn("w:type"), "dxa")
        margins.append(m)
    # CT_TblPr order: tblStyle, tblpPr, tblOverlap, bidiVisual, tblStyleRowBandSize,
    # tblStyleColBandSize, tblW, jc, tblCellSpacing, tblInd, tblBorders, shd, tblLayout,
    # tblCellMar, tblLook.
    look = tbl_pr.find(qn("w:tblLook"))
    for element in (width, borders, margins):
        if look is not None:
            look.addprevious(element)
        else:
            tbl_pr.append(element)
    table.columns[0].width = Mm(156)
    for row in table.rows:
        row.cells[0].width = Mm(156)


def render_docx(b: Bulletin) -> bytes:
    doc = Document()
    info = b.particulars
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28) - Pt(14)  # the number sits 7 mm below the text area
    normal = doc.styles["Normal"]
    normal.font.size = Pt(16)
    normal.font.name = FANGSONG
    _grid(doc)
    # Odd pages number on the right, even pages on the left, one character from the edge.
    doc.settings.odd_and_even_pages_header_footer = True
    page_number_footer(section.footer.paragraphs[0], align=WD_ALIGN_PARAGRAPH.RIGHT)
    page_number_footer(section.even_page_footer.paragraphs[0], align=WD_ALIGN_PARAGRAPH.LEFT)
    doc.core_properties.title = b.title
    doc.core_properties.author = info.signatory

    def line(
        text: str = "", *, font: str = FANGSONG, size: float = 16, color: RGBColor | None = None
    ) -> Paragraph:
        p = doc.add_paragraph()
        fixed_lines(p)
        if text:
            run = styled_run(p, text, font=font, size=size, color=color)
            if size == 16:  # 3号 text: 28 characters to the line
                _close_up(run)
        return p

    for text in (info.copy_number, info.secrecy):
        if text:
            line(text, font=HEITI)
    head = line()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fixed_lines(head, 40)
    styled_run(head, b.issuer, font=XIAOBIAOSONG, size=26, color=RED)
    line()
    number = line(info.number)
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph_rule(number, "bottom", size=18, color="D00000", space=12)  # the red separator
    line()
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fixed_lines(title, 36)
    _broken_run(title, b.title_lines, 22)
    if b.draft:
        note = line("（草稿：含未发布的考评结果）", color=RED)
        note.alignment = WD_ALIGN_PARAGRAPH.CENTER
    line()
    line(f"{info.addressees}：")

    def body(text: str, *, font: str = FANGSONG) -> Paragraph:
        p = line(text, font=font)
        p.paragraph_format.first_line_indent = Pt(32)
        return p

    body(b.lead)
    for s in b.sections:
        body(s.heading, font=HEITI).paragraph_format.keep_with_next = True
        for paragraph in s.paragraphs:
            body(paragraph)
        for sub in s.subsections:  # second level: 3号楷体, never alone at the foot of a page
            body(sub.heading, font=KAITI).paragraph_format.keep_with_next = True
            for paragraph in sub.paragraphs:
                body(paragraph)
    # From the body's last paragraph to the date the lines stay together: 署名 and 成文日期 never
    # open a page on their own (GB/T 9704 7.3.5 asks to adjust rather than leave them alone).
    closing = [doc.paragraphs[-1]]
    if b.tables:
        closing.append(line())
        for i, t in enumerate(b.tables, start=1):
            # 附件说明: "附件：" two characters in, each name (and its second line) aligned after it.
            p = line(("附件：" if i == 1 else "") + f"{i}．{t.caption}")
            p.paragraph_format.left_indent = Pt(32 + 48)
            if i == 1:
                p.paragraph_format.first_line_indent = Pt(-48)
            closing.append(p)
    closing += [line(), line()]
    for text in (info.signatory, zh_date(info.date)):
        p = line(text)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.right_indent = Pt(64)  # 成文日期 右空四字
        closing.append(p)
    for p in closing[:-1]:
        p.paragraph_format.keep_with_next = True

    for i, t in enumerate(b.tables, start=1):
        # Each attachment opens a page (break before it: a break paragraph could spill a blank
        # page); a table too wide for the portrait line gets a landscape section of its own.
        landscape = t.wide
        if landscape or (i > 1 and b.tables[i - 2].wide):
            _new_section(doc, landscape=landscape)
            line(f"附件{i}", font=HEITI)
        else:
            line(f"附件{i}", font=HEITI).paragraph_format.page_break_before = True
        caption = line(font=XIAOBIAOSONG, size=18)
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fixed_lines(caption, 32)
        _broken_run(caption, t.title_lines, 18)
        caption.paragraph_format.keep_with_next = True
        table = doc.add_table(rows=1, cols=len(t.columns))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        widths, size = _column_layout(t, 225 if landscape else 156)
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width  # w:gridCol, which LibreOffice reads
        _repeat_heading(table.rows[0])
        for cell, lines, width in zip(table.rows[0].cells, t.heading_lines(), widths, strict=True):
            cell.width = width
            _cell_paragraph(cell)
            _no_wrap(cell)  # cut where heading_lines cut it, nowhere else
            _broken_run(cell.paragraphs[0], lines, size, font=HEITI)
        for row in t.rows:
            for cell, text, width in zip(table.add_row().cells, row, widths, strict=True):
                cell.width = width
                _cell_paragraph(cell)
                _no_wrap(cell)
                styled_run(cell.paragraphs[0], text, font=SONGTI, size=size)

    # 版记: a thick rule, 抄送, a thin rule, 印发机关 left and 印发日期 right, a thick rule; at the
    # foot of the last page, an even one (GB/T 9704 7.5): a section of its own that opens on the
    # next even page (w:type evenPage), in a frame whose foot is the foot of the text area.
    _imprint_section(doc)
    rows = ([f"抄送：{info.cc}。"] if info.cc else []) + [
        f"{info.printer}\t{zh_date(info.printed_on or info.date)}印发"
    ]
    # Pushed to the foot of the text area by one blank paragraph of exact height (a floating
    # table, w:tblpPr tblpYSpec=bottom, is placed by Word but not by LibreOffice): the text
    # area's 225 mm less the table's lines of exactly 28 pt, its rules and half a line to spare.
    room = (156 / 25.4 * 72 - 28) / 14  # characters of 4号 on the line, less the indents
    imprint_lines = sum(-(-int(text_width(r) * 100) // int(room * 100)) for r in rows)
    spacer = doc.add_paragraph()
    fixed_lines(spacer, round(225 / 25.4 * 72 - imprint_lines * 28 - 16, 1))
    _off_grid(spacer)  # the page grid would make it one line high
    table = doc.add_table(rows=len(rows), cols=1)
    _imprint_table(table)
    for row, text in zip(table.rows, rows, strict=True):
        p = row.cells[0].paragraphs[0]
        fixed_lines(p)
        p.paragraph_format.left_indent = Pt(14)
        p.paragraph_format.right_indent = Pt(14)
        p.paragraph_format.tab_stops.add_tab_stop(Mm(156) - Pt(28), WD_TAB_ALIGNMENT.RIGHT)
        if text.startswith("抄送："):  # a second line aligns after 抄送：
            p.paragraph_format.left_indent = Pt(14 + 42)
            p.paragraph_format.first_line_indent = Pt(-42)
        styled_run(p, text, font=FANGSONG, size=14)
    end = doc.add_paragraph()  # a document ends in a paragraph, not a table
    fixed_lines(end, 1)
    _off_grid(end)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
