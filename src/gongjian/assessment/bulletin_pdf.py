"""The bulletin as a PDF: the body through WeasyPrint, the attachments and 版记 drawn with reportlab.

WeasyPrint lays out the printable HTML's body (版头, 发文字号, title, 主送机关, the text, 附件说明,
署名 and 成文日期) as it is styled in `bulletin_print.html`. The attachment tables are not laid out
by it: a layout engine costs about 3 ms a cell, 270 s for a 10,000-unit round. They are drawn
straight onto the page instead — column widths measured once from the face's own advance widths
(every data cell on one line: 并列 stays in its cell), rows of one height, the heading row again
at the top of each page, rows in the order `Table.rows` gives (rank order within each group) —
in the same faces the HTML names (cells in Noto Serif CJK, headings in Noto Sans CJK, titles in
小标宋 or Noto Serif CJK Bold). Page numbers "— N —" in 4号 宋体 continue from the body's, odd pages
right and even pages left, 7 mm under the text area, as WeasyPrint sets them on the body pages.

版记 (抄送, 印发机关 and 印发日期 between a thick, a thin and a thick rule, the whole width of the
text area) closes the last page at the foot of its text area (GB/T 9704-2012 7.5), on an even
page: on the last page when it is even, portrait and has room, else on the next even page (after
a blank page when needed; a blank page and the 版记 page after it carry no number, 7.5.1).
The parts are joined with pypdf.
"""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string

from gongjian.assessment.bulletin import Bulletin, Table, zh_date
from gongjian.exchange.pdf_fonts import coverage, font, runs

MM = 72 / 25.4
A4 = (210 * MM, 297 * MM)
# (top, right, bottom, left) in points: GB/T 9704 margins, turned with the page for wide tables.
PORTRAIT = (37 * MM, 26 * MM, 35 * MM, 28 * MM)
LANDSCAPE = (28 * MM, 35 * MM, 26 * MM, 37 * MM)
LINE = 10.2 * MM  # the body's line pitch: 22 lines on the 225 mm text area
ASCENT, DESCENT = 0.88, 0.12  # of the CJK faces' em box, for placing a baseline in its line
# The number's baseline under the text area: 7 mm to the top of its line, as WeasyPrint sets it.
NUMBER_DROP = 7 * MM + 16.05

CELL_FACES = ("Noto Serif CJK SC",)
HEADING_FACES = ("Noto Sans CJK SC:bold",)
LABEL_FACES = ("黑体", "Noto Sans CJK SC")
TITLE_FACES = ("方正小标宋简体", "Noto Serif CJK SC:bold")
NUMBER_FACES = ("Noto Serif CJK SC",)
IMPRINT_FACES = ("仿宋_GB2312", "FangSong", "cwTeXFangSong")
# What a 仿宋 face lacks is drawn in the 宋体 fontconfig falls back to for the body (WeasyPrint).
FALLBACK_FACES = ("Noto Serif CJK SC",)

CELL_SIZE, MIN_CELL_SIZE = 10.5, 8.0  # 五号, and the least a wide table is set in
CELL_LEADING = 1.35
PAD_X, PAD_Y, RULE = 4.0, 2.0, 0.6
IMPRINT_SIZE, IMPRINT_LINE = 14.0, 22.4  # 4号, lines of 1.6


def render_html(b: Bulletin, *, body_only: bool = False) -> str:
    """The printable page; `body_only` leaves out the attachments and 版记 the PDF draws apart."""
    return render_to_string(
        "assessment/bulletin_print.html", {"bulletin": b, "body_only": body_only}
    )


def _baseline(top: float, line: float, size: float) -> float:
    """The baseline of `size` text centred in a line box of height `line` whose top is `top`."""
    return top - (line - size * (ASCENT + DESCENT)) / 2 - size * ASCENT


@dataclass
class Faces:
    cell: str
    heading: str
    label: str
    title: str
    number: str
    imprint: str
    fallback: str  # what the imprint's face lacks
    imprint_covers: frozenset[int]

    @classmethod
    def for_bulletin(cls, b: Bulletin) -> Faces:
        cells = "".join(c for t in b.tables for row in t.rows for c in row)
        headings = "".join(c for t in b.tables for c in t.columns)
        info = b.particulars
        imprint = f"抄送：{info.cc}。{info.printer}{zh_date(info.printed_on or info.date)}印发"
        return cls(
            cell=font(CELL_FACES, cells),
            heading=font(HEADING_FACES, headings),
            label=font(LABEL_FACES, "附件"),
            title=font(TITLE_FACES, "".join(t.caption for t in b.tables)),
            number=font(NUMBER_FACES, ""),
            imprint=font(IMPRINT_FACES, imprint),
            fallback=font(FALLBACK_FACES, imprint),
            imprint_covers=coverage(IMPRINT_FACES),
        )

    def width(self, text: str, size: float) -> float:
        """The width of 版记 text as `write` sets it."""
        from reportlab.pdfbase.pdfmetrics import stringWidth

        return sum(
            stringWidth(part, self.imprint if own else self.fallback, size)
            for own, part in runs(text, self.imprint_covers)
        )

    def write(self, c: Any, x: float, y: float, text: str, size: float) -> None:
        """版记 text from `x`, in the 仿宋 face and its fallback where the face lacks a character."""
        for own, part in runs(text, self.imprint_covers):
            name = self.imprint if own else self.fallback
            c.setFont(name, size)
            c.drawString(x, y, part)
            x += c.stringWidth(part, name, size)


class Pages:
    """The reportlab canvas of the pages after the body, numbered on from `first`."""

    def __init__(self, faces: Faces, first: int) -> None:
        from reportlab import rl_config
        from reportlab.pdfgen.canvas import Canvas

        rl_config.useA85 = 0  # binary streams: ASCII85 doubles the writing time, for nothing

        self.out = io.BytesIO()
        self.canvas = Canvas(self.out, pagesize=A4, pageCompression=1, invariant=1)
        self.faces = faces
        self.number = first - 1
        self.open = False
        self.wide = False
        self.numbered = True

    @property
    def size(self) -> tuple[float, float]:
        return (A4[1], A4[0]) if self.wide else A4

    @property
    def margins(self) -> tuple[float, float, float, float]:
        return LANDSCAPE if self.wide else PORTRAIT

    @property
    def box(self) -> tuple[float, float, float, float]:
        """The text area: (left, bottom, right, top) in points from the page's lower left."""
        top, right, bottom, left = self.margins
        width, height = self.size
        return left, bottom, width - right, height - top

    def new(self, *, wide: bool = False, numbered: bool = True) -> None:
        self.close()
        self.wide, self.numbered = wide, numbered
        self.number += 1
        self.canvas.setPageSize(self.size)
        self.open = True

    def close(self) -> None:
        if not self.open:
            return
        if self.numbered:
            left, bottom, right, _top = self.box
            c = self.canvas
            c.setFont(self.faces.number, 14)
            text, y = f"— {self.number} —", bottom - NUMBER_DROP
            if self.number % 2:
                c.drawRightString(right - 14, y, text)
            else:
                c.drawString(left + 14, y, text)
        self.canvas.showPage()
        self.open = False

    def finish(self) -> bytes:
        self.close()
        self.canvas.save()
        return self.out.getvalue()


def _widths(
    t: Table, heading: list[list[str]], faces: Faces, line: float
) -> tuple[list[float], float]:
    """Each column as wide as its widest cell or heading line plus padding, and the cell size:
    五号, or smaller (to 8 pt) when the table is wider than the line."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    natural = []
    for i, lines in enumerate(heading):
        data = max((stringWidth(r[i], faces.cell, CELL_SIZE) for r in t.rows), default=0.0)
        head = max(stringWidth(h, faces.heading, CELL_SIZE) for h in lines)
        natural.append(max(data, head, 2 * CELL_SIZE))
    padding = (2 * PAD_X + RULE) * len(natural)
    size = CELL_SIZE
    if sum(natural) + padding > line:
        size = max(MIN_CELL_SIZE, CELL_SIZE * (line - padding) / sum(natural))
    widths = [w * size / CELL_SIZE + 2 * PAD_X + RULE for w in natural]
    if sum(widths) > line:  # wider than the line even at 8 pt: the columns close up
        widths = [w * line / sum(widths) for w in widths]
    return widths, size


def _draw_table(pages: Pages, number: int, t: Table) -> float:
    """附件N and its table from a new page on; returns the height left under the last row."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    faces = pages.faces
    c = pages.canvas
    wide = t.wide  # each of these reads every cell: once a table, not once a page
    heading = t.heading_lines()
    pages.new(wide=wide)
    left, bottom, right, top = pages.box
    c.setFont(faces.label, 16)
    c.drawString(left, _baseline(top, LINE, 16), f"附件{number}")
    y = top - LINE - 6
    c.setFont(faces.title, 18)
    for part in t.caption_lines((right - left) / 18):
        c.drawCentredString((left + right) / 2, _baseline(y, 18 * 1.4, 18), part)
        y -= 18 * 1.4
    y -= 10
    widths, size = _widths(t, heading, faces, right - left)
    x0 = (left + right - sum(widths)) / 2
    edges = [x0]
    for w in widths:
        edges.append(edges[-1] + w)
    centres = [(a + b) / 2 for a, b in itertools.pairwise(edges)]
    leading = size * CELL_LEADING
    row_h = leading + 2 * PAD_Y + RULE
    head_h = max(len(h) for h in heading) * leading + 2 * PAD_Y + RULE
    c.setLineWidth(RULE)
    rows = t.rows
    measured: dict[str, float] = {}
    i = 0
    while True:
        lines = [y]  # the rules between rows of this page, top down
        c.setFont(faces.heading, size)
        for centre, parts in zip(centres, heading, strict=True):
            first = y - (head_h - len(parts) * leading) / 2
            for k, part in enumerate(parts):
                c.drawCentredString(centre, _baseline(first - k * leading, leading, size), part)
        y -= head_h
        lines.append(y)
        fit = max(1, int((y - bottom) // row_h))
        # One text object a page, each cell placed by its own matrix (Tm): a text object a
        # cell costs twice as much on a 90,000-cell table.
        text = c.beginText()
        text.setFont(faces.cell, size)
        for row in rows[i : i + fit]:
            base = _baseline(y - PAD_Y, leading, size)
            for centre, cell in zip(centres, row, strict=True):
                width = measured.get(cell)
                if width is None:
                    width = measured[cell] = stringWidth(cell, faces.cell, size)
                text.setTextOrigin(centre - width / 2, base)
                text.textOut(cell)
            y -= row_h
            lines.append(y)
        c.drawText(text)
        i += fit
        c.lines(
            [(edges[0], h, edges[-1], h) for h in lines]
            + [(x, lines[0], x, lines[-1]) for x in edges]
        )
        if i >= len(rows):
            return y - bottom
        pages.new(wide=wide)
        y = pages.box[3]


def _imprint_lines(b: Bulletin, faces: Faces, width: float) -> list[str]:
    """抄送 on as many lines as it takes, a continuation aligned after 抄送："""
    cc = b.particulars.cc
    if not cc:
        return []
    text, out, line = f"{cc}。", [], "抄送："
    room = width - 2 * IMPRINT_SIZE
    for ch in text:
        if faces.width(line + ch, IMPRINT_SIZE) > room and line.strip("抄送："):
            out.append(line)
            line = "　" * 3
        line += ch
    return [*out, line]


def imprint_height(b: Bulletin, faces: Faces, width: float) -> float:
    """The 版记's height with one body line above it."""
    return (len(_imprint_lines(b, faces, width)) + 1) * IMPRINT_LINE + LINE


def draw_imprint(c: Any, b: Bulletin, faces: Faces, box: tuple[float, float, float, float]) -> None:
    """版记 with its last rule on the foot of the text area `box` (left, bottom, right, top)."""
    left, bottom, right, _top = box
    info = b.particulars
    cc = _imprint_lines(b, faces, right - left)
    c.setLineWidth(1.0)  # 0.35 mm: the first and last rules
    c.line(left, bottom, right, bottom)
    base = _baseline(bottom + IMPRINT_LINE, IMPRINT_LINE, IMPRINT_SIZE)
    faces.write(c, left + IMPRINT_SIZE, base, info.printer, IMPRINT_SIZE)
    printed = f"{zh_date(info.printed_on or info.date)}印发"
    faces.write(
        c, right - IMPRINT_SIZE - faces.width(printed, IMPRINT_SIZE), base, printed, IMPRINT_SIZE
    )
    y = bottom + IMPRINT_LINE
    if cc:
        c.setLineWidth(0.7)  # 0.25 mm between 抄送 and 印发
        c.line(left, y, right, y)
        for line in reversed(cc):
            y += IMPRINT_LINE
            faces.write(
                c, left + IMPRINT_SIZE, _baseline(y, IMPRINT_LINE, IMPRINT_SIZE), line, IMPRINT_SIZE
            )
    c.setLineWidth(1.0)
    c.line(left, y, right, y)


def _imprint_page(pages: Pages, b: Bulletin) -> None:
    """版记 on the next even page: straight after an odd page, else after a blank page (the
    blank page and the 版记 page then carry no number)."""
    blank = pages.number % 2 == 0
    if blank:
        pages.new(numbered=False)
    pages.new(numbered=not blank)
    draw_imprint(pages.canvas, b, pages.faces, pages.box)


def _room_on_last_page(document: Any) -> float:
    """Points between the last line WeasyPrint set on the body's last page and the foot of the
    text area."""
    from weasyprint.formatting_structure.boxes import LineBox, MarginBox

    lowest = 0.0

    def walk(box: Any) -> None:
        nonlocal lowest
        for child in getattr(box, "children", ()):
            if isinstance(child, MarginBox):
                continue
            if isinstance(child, LineBox):
                lowest = max(lowest, child.position_y + child.margin_height())
            else:
                walk(child)

    walk(document.pages[-1]._page_box)
    return A4[1] - PORTRAIT[2] - lowest * 0.75  # CSS px to points


def render_pdf(b: Bulletin) -> bytes:
    from pypdf import PdfReader, PdfWriter
    from weasyprint import HTML

    document = HTML(string=render_html(b, body_only=True)).render()
    body = document.write_pdf()
    if body is None:  # only when writing to a target; never here
        raise RuntimeError("WeasyPrint returned no PDF")
    faces = Faces.for_bulletin(b)
    count = len(document.pages)
    pages = Pages(faces, first=count + 1)
    width = A4[0] - PORTRAIT[1] - PORTRAIT[3]
    need = imprint_height(b, faces, width)
    overlay = None
    if b.tables:
        room = 0.0
        for i, t in enumerate(b.tables, start=1):
            room = _draw_table(pages, i, t)
        if not pages.wide and pages.number % 2 == 0 and room >= need:
            draw_imprint(pages.canvas, b, faces, pages.box)
        else:
            _imprint_page(pages, b)
    elif count % 2 == 0 and _room_on_last_page(document) >= need:
        from reportlab.pdfgen.canvas import Canvas

        out = io.BytesIO()
        c = Canvas(out, pagesize=A4, invariant=1)
        left, bottom = PORTRAIT[3], PORTRAIT[2]
        draw_imprint(c, b, faces, (left, bottom, left + width, A4[1] - PORTRAIT[0]))
        c.save()
        overlay = out.getvalue()
    else:
        _imprint_page(pages, b)
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(body)))
    if overlay is not None:
        writer.pages[-1].merge_page(PdfReader(io.BytesIO(overlay)).pages[0])
    if pages.open or pages.number >= count + 1:
        writer.append(PdfReader(io.BytesIO(pages.finish())))
    import weasyprint

    writer.add_metadata(
        {
            "/Title": b.title,
            "/Author": b.particulars.signatory,
            "/Producer": f"WeasyPrint {weasyprint.__version__}, reportlab, pypdf",
        }
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
