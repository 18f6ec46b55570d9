"""The bulletin as a document an office can file (issue 13): one round, one document named for
what it is; GB/T 9704-2012 elements in the .docx XML and the PDF text, for a department round, a
town round and the city round of the demo.

The demo is built once for the module, in the first test's transaction (rolled back after it);
the documents are rendered there and kept, and every test reads those bytes.
"""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from lxml import etree

from gongjian.assessment.bulletin import Table, build_bulletin, build_combined, render, title_lines
from gongjian.assessment.demo import load_assessment
from gongjian.assessment.models import Round
from gongjian.core.errors import ValidationFailed
from gongjian.demo.org_loader import load_org

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
PLANS = {
    "dept": "区直部门专项考评方案",
    "town": "乡镇（街道）攻坚120天考评方案",
    "city": "县（市）区攻坚120天考评方案",
    "business": "营商环境再优化攻坚考评方案",
}


@dataclass
class Doc:
    name: str
    docx: bytes
    pdf: bytes
    md: str
    round_id: int


def _tool(*args: str, cwd: Path | None = None) -> str:
    """Run a system tool (poppler, LibreOffice); a missing tool fails the test, never skips it."""
    command = ["/usr/bin/" + args[0], *args[1:]]
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=cwd)  # noqa: S603
    return done.stdout


def _pdf_text(pdf: bytes, tmp: Path) -> str:
    path = tmp / "b.pdf"
    path.write_bytes(pdf)
    return _tool("pdftotext", "-raw", str(path), "-")


_DOCUMENTS: dict[str, Any] = {}


@pytest.fixture
def demo(db: None) -> dict[str, Any]:
    if not _DOCUMENTS:
        _DOCUMENTS.update(_render_demo())
    return _DOCUMENTS


def _render_demo() -> dict[str, Any]:
    out: dict[str, Any] = {}
    load_assessment(load_org())
    rounds = {
        key: Round.objects.get(plan__name=name, period="2026-12") for key, name in PLANS.items()
    }
    for key in ("dept", "town", "city"):
        b = build_bulletin(rounds[key])
        out[key] = Doc(
            name=b.filename("docx"),
            docx=render(b, "docx"),
            pdf=render(b, "pdf"),
            md=render(b, "md").decode(),
            round_id=rounds[key].pk,
        )
    out["business"] = render(build_bulletin(rounds["business"]), "md").decode()
    bare = build_bulletin(rounds["town"])
    bare.tables = []  # the office chose not to attach the tables
    out["town_bare_pdf"] = render(bare, "pdf")
    combined = build_combined([rounds["dept"], rounds["town"]])
    out["combined"] = (combined.title, [t.caption for t in combined.tables])
    november = Round.objects.get(plan__name=PLANS["town"], period="2026-11")
    try:
        build_combined([rounds["dept"], november])
    except ValidationFailed as e:
        out["mixed_periods"] = str(e)
    return out


def _xml(docx: bytes, part: str) -> Any:
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        return etree.fromstring(z.read(part))


def test_each_round_is_its_own_document_named_for_what_it_is(demo: dict[str, Any]) -> None:
    assert demo["dept"].name == "长乐区区直部门攻坚120天2026年12月考评情况通报.docx"
    assert demo["town"].name == "长乐区乡镇（街道）攻坚120天2026年12月考评情况通报.docx"
    assert demo["city"].name == "福州市县（市）区攻坚120天2026年12月考评情况通报.docx"
    assert demo["dept"].docx != demo["town"].docx
    assert "资金运作攻坚是区税务局、区财政局并列第一" in demo["dept"].md
    assert "第一方阵前两名为湖南镇、文武砂街道" not in demo["dept"].md
    assert "第一方阵前两名为湖南镇、文武砂街道" in demo["town"].md
    assert "区税务局" not in demo["town"].md


def test_combined_bulletin_lists_its_rounds_in_title_and_attachments(demo: dict[str, Any]) -> None:
    title, captions = demo["combined"]
    assert title == "关于长乐区攻坚120天2026年12月区直部门、乡镇（街道）考评情况的通报"
    assert captions == [
        "长乐区区直部门攻坚120天2026年12月考评结果",
        "长乐区乡镇（街道）攻坚120天2026年12月考评结果",
    ]
    assert demo["mixed_periods"] == "合并通报只能选同一考评期（同一月份）的考评。"


def test_line_attachment_lists_units_in_rank_order_within_each_group(
    demo: dict[str, Any],
) -> None:
    # Regression: 区卫健局 (89, 4th) used to come before 区统计局 (90, 3rd).
    second = [line for line in demo["business"].splitlines() if "| 第二层面 |" in line]
    units = [line.split(" | ")[4] for line in second]
    assert units == ["区委组织部", "区委宣传部", "区统计局", "区卫健局"]


def test_attachment_titles_name_the_results_not_the_plan(demo: dict[str, Any]) -> None:
    for key in ("dept", "town", "city"):
        assert "考评方案考评结果" not in demo[key].md
    assert "### 附件1：长乐区乡镇（街道）攻坚120天2026年12月考评结果" in demo["town"].md


def test_the_body_names_the_units_lagging_from_the_round_results(demo: dict[str, Any]) -> None:
    town, dept, city = demo["town"].md, demo["dept"].md, demo["city"].md
    assert "### （二）排名靠后的单位" in town
    assert (
        "第一方阵排名末位的为漳港街道；第二方阵排名末位的为古槐镇；第三方阵排名末位的为罗联乡。"
        in town
    )
    assert "全员大招商招大商攻坚排名末位的为区科技局" in dept
    assert "资金运作攻坚排名末位的为区国资中心" in dept
    # A task everyone finished has no last place; a composite ranking names its last unit.
    assert "城乡品质再提升攻坚排名末位" not in dept
    assert "综合得分排名末位的为闽清县。" in city
    # The seed's sentences stay under the first second-level heading.
    assert "### （一）排名靠前的单位\n\n第一方阵前两名为湖南镇、文武砂街道" in town


@pytest.mark.parametrize("key", ["dept", "town", "city"])
def test_second_level_headings_are_set_in_kaiti_3hao(demo: dict[str, Any], key: str) -> None:
    doc = Document(io.BytesIO(demo[key].docx))
    subs = [p for p in doc.paragraphs if re.match(r"（[一二三]）", p.text)]
    assert [p.text for p in subs][:2] == ["（一）排名靠前的单位", "（二）排名靠后的单位"]
    for p in subs:
        run = p.runs[0]
        assert run._element.rPr.rFonts.get(f"{W}eastAsia") == "楷体_GB2312"
        assert run.font.size.pt == 16 and p.paragraph_format.line_spacing.pt == 28


def test_pdf_second_level_headings_use_the_free_kai_face(
    demo: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "b.pdf"
    path.write_bytes(demo["town"].pdf)
    assert "AR-PL-UKai-CN" in _tool("pdffonts", str(path))
    assert "（二）排名靠后的单位" in _pdf_text(demo["town"].pdf, tmp_path)


def test_docx_table_cells_never_wrap(demo: dict[str, Any]) -> None:
    body = _xml(demo["town"].docx, "word/document.xml")
    attachments = body.findall(f".//{W}tbl")[:-1]  # the last table is 版记
    rows = [row for t in attachments for row in t.findall(f"{W}tr")[1:]]  # data; headings wrap
    cells = [c for row in rows for c in row.findall(f"{W}tc")]
    assert cells and all(c.find(f"{W}tcPr/{W}noWrap") is not None for c in cells)
    assert any("".join(c.itertext()) == "68.4（并列5）" for c in cells)


@pytest.mark.parametrize("key", ["dept", "town", "city"])
def test_docx_has_the_gb9704_page_and_elements(demo: dict[str, Any], key: str) -> None:
    doc = Document(io.BytesIO(demo[key].docx))
    section = doc.sections[0]
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [m.mm for m in margins] == pytest.approx([37, 35, 28, 26], abs=0.1)
    assert (section.page_width.mm, section.page_height.mm) == pytest.approx((210, 297), abs=0.1)
    body = _xml(demo[key].docx, "word/document.xml")
    grid = body.find(f".//{W}sectPr/{W}docGrid")
    assert grid.get(f"{W}type") == "lines" and grid.get(f"{W}linePitch") == "579"
    texts = [p.text for p in doc.paragraphs]
    number = "长攻坚办〔2026〕12号" if key != "city" else "福攻坚办〔2026〕12号"
    assert number in texts
    addressees = {"dept": "各区直部门：", "town": "各乡镇（街道）：", "city": "各县（市）区："}
    assert addressees[key] in texts
    assert any(t.startswith("附件：1．") for t in texts)
    assert "2026年12月31日" in texts  # 成文日期 in figures (the demo publishes on 31 December)
    # The red separator under 发文字号, 3号 仿宋 body with exact 28 pt lines.
    sep = next(p for p in doc.paragraphs if p.text == number)
    assert sep._p.find(f".//{W}pBdr/{W}bottom").get(f"{W}color") == "D00000"
    lead = next(p for p in doc.paragraphs if p.text.startswith("根据"))
    assert lead.runs[0].font.size.pt == 16 and lead.paragraph_format.line_spacing.pt == 28
    # 28 characters to the 156 mm line: 16 pt closed up by a quarter point.
    assert lead.runs[0]._element.rPr.find(f"{W}spacing").get(f"{W}val") == "-5"
    assert lead.runs[0]._element.rPr.rFonts.get(f"{W}eastAsia") == "仿宋_GB2312"
    heading = next(p for p in doc.paragraphs if p.text.startswith("一、"))
    assert heading.runs[0]._element.rPr.rFonts.get(f"{W}eastAsia") == "黑体"
    # 版记: 印发机关 and 印发日期 between thick rules (抄送 above a thin one when there is a cc).
    imprint = doc.tables[-1]
    cells = [row.cells[0].text for row in imprint.rows]
    assert cells[-1].endswith("2026年12月31日印发")
    rules = {
        e.tag.removeprefix(W): (e.get(f"{W}val"), e.get(f"{W}sz"))
        for e in imprint._tbl.tblPr.find(f"{W}tblBorders")
    }
    assert rules["top"] == rules["bottom"] == ("single", "8")
    assert rules["insideH"] == ("single", "4") and rules["left"] == ("nil", None)
    if key == "city":  # 福州市 has no upper office in the demo: no 抄送 line
        assert len(cells) == 1
    else:
        assert cells == ["抄送：福州市攻坚行动领导小组办公室。", cells[-1]]


@pytest.mark.parametrize("key", ["dept", "city"])
def test_docx_imprint_is_set_at_the_foot_of_an_even_page(demo: dict[str, Any], key: str) -> None:
    """版记 opens a section on the next even page (w:type evenPage) and is pushed to the foot of
    its text area by one blank paragraph of exact height, off the page grid: 225 mm less its
    lines of 28 pt (and half a line to spare)."""
    doc = Document(io.BytesIO(demo[key].docx))
    last = doc.sections[-1]
    assert last._sectPr.find(f"{W}type").get(f"{W}val") == "evenPage"
    assert (last.page_width.mm, last.page_height.mm) == pytest.approx((210, 297), abs=0.1)
    body = _xml(demo[key].docx, "word/document.xml").find(f"{W}body")
    children = list(body)
    table = max(i for i, e in enumerate(children) if e.tag == f"{W}tbl")
    spacer = children[table - 1]
    assert spacer.find(f".//{W}snapToGrid").get(f"{W}val") == "0"
    spacing = spacer.find(f".//{W}spacing")
    assert spacing.get(f"{W}lineRule") == "exact"
    rows = len(doc.tables[-1].rows)
    expected = 225 / 25.4 * 72 - rows * 28 - 16
    assert int(spacing.get(f"{W}line")) / 20 == pytest.approx(expected, abs=0.5)
    assert children[table + 1].tag == f"{W}p" and "".join(children[table + 1].itertext()) == ""


def test_docx_footer_numbers_pages_odd_right_even_left(demo: dict[str, Any]) -> None:
    docx = demo["dept"].docx
    settings = _xml(docx, "word/settings.xml")
    assert settings.find(f"{W}evenAndOddHeaders") is not None
    body = _xml(docx, "word/document.xml")
    refs = {r.get(f"{W}type"): r for r in body.findall(f".//{W}sectPr/{W}footerReference")}
    assert set(refs) == {"default", "even"}
    rels = _xml(docx, "word/_rels/document.xml.rels")
    targets = {r.get("Id"): r.get("Target") for r in rels}
    rid = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    for kind, align in (("default", "right"), ("even", "left")):
        footer = _xml(docx, "word/" + targets[refs[kind].get(rid)])
        assert footer.find(f".//{W}jc").get(f"{W}val") == align
        assert "".join(footer.itertext()).replace(" PAGE ", "") == "— 1 —"
        assert [i.text for i in footer.iter(f"{W}instrText")] == [" PAGE "]
        sizes = {s.get(f"{W}val") for s in footer.iter(f"{W}sz")}
        fonts = {f.get(f"{W}eastAsia") for f in footer.iter(f"{W}rFonts")}
        assert sizes == {"28"} and fonts == {"宋体"}  # 4号 (14 pt) 宋体


@pytest.mark.parametrize("key", ["dept", "town", "city"])
def test_pdf_states_number_results_and_page_numbers(
    demo: dict[str, Any], key: str, tmp_path: Path
) -> None:
    text = _pdf_text(demo[key].pdf, tmp_path)
    assert "— 1 —" in text and "— 2 —" in text
    flat = "".join(re.sub(r"— \d+ —", "", text).split())
    expected = {
        "dept": [
            "长攻坚办〔2026〕12号",
            "各区直部门：",
            "资金运作攻坚是区税务局、区财政局并列第一",
        ],
        "town": ["长攻坚办〔2026〕12号", "第一方阵前两名为湖南镇、文武砂街道"],
        "city": ["福攻坚办〔2026〕12号", "各县（市）区：", "长乐区、福清市并列第一"],
    }[key]
    assert [s for s in expected if s not in flat] == []
    assert "附件：1．" in flat and "2026年12月31日印发" in flat


def test_pdf_attachment_rows_follow_rank_order(demo: dict[str, Any], tmp_path: Path) -> None:
    text = _pdf_text(demo["city"].pdf, tmp_path)
    order = [m.group(1) for m in re.finditer(r"(?m)^(?:并列)?\d+ \S+ (\S+) \d", text)]
    assert order[:4] == ["长乐区", "福清市", "福州高新区", "马尾区"]
    assert order[-1] == "闽清县" and len(order) == 13


def test_pdf_body_is_set_in_the_free_fangsong_face(demo: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "b.pdf"
    path.write_bytes(demo["dept"].pdf)
    fonts = _tool("pdffonts", str(path))
    assert any("cwTeXFangSong" in line and " yes yes yes " in line for line in fonts.splitlines())


def test_docx_pages_through_libreoffice_carry_page_numbers_and_unbroken_cells(
    demo: dict[str, Any], tmp_path: Path
) -> None:
    """The one LibreOffice conversion of the suite: Word's PAGE field becomes "— 1 —", "— 2 —";
    in the city's twelve-column table 并列1 stays on one line and headings break only in the
    middle (it read "并列 / 1" and "综合得 / 分")."""
    (tmp_path / "b.docx").write_bytes(demo["dept"].docx)
    (tmp_path / "c.docx").write_bytes(demo["city"].docx)
    profile = f"-env:UserInstallation=file://{tmp_path}/lo"
    _tool("soffice", profile, "--headless", "--convert-to", "pdf", "b.docx", "c.docx", cwd=tmp_path)
    text = _tool("pdftotext", "-raw", str(tmp_path / "b.pdf"), "-")
    assert "— 1 —" in text and "— 2 —" in text
    assert "长攻坚办〔2026〕12号" in "".join(text.split())  # the grid spaces the characters
    city = _tool("pdftotext", "-raw", str(tmp_path / "c.pdf"), "-").splitlines()
    rows = [line.replace("并列 1", "并列1").split()[:3] for line in city if line.startswith("并列")]
    assert rows == [
        ["并列1", "↑1", "长乐区"],
        ["并列1", "持平", "福清市"],
    ]
    heading = next(line for line in city if line.startswith("名次"))
    assert heading.split()[:5] == ["名次", "较上期", "单位", "综合得分", "等次"]


def test_table_headings_break_in_the_middle_and_short_labels_never() -> None:
    t = Table(
        caption="长乐区乡镇（街道）攻坚120天2026年12月考评结果",
        columns=["名次", "较上期", "综合得分", "重大项目建设提速攻坚"],
        rows=[["并列1", "↑1", "98.4", "68.4（并列5）"]],
    )
    assert t.heading_lines() == [["名次"], ["较上期"], ["综合得分"], ["重大项目建", "设提速攻坚"]]
    assert t.column_chars()[:3] == [2.65, 3.0, 4.0]  # each short label on one line
    assert t.title_lines == ["长乐区乡镇（街道）攻坚120天", "2026年12月考评结果"]
    assert title_lines("关于长乐区乡镇（街道）攻坚120天2026年12月考评情况的通报", 20) == [
        "关于长乐区乡镇（街道）攻坚120天",
        "2026年12月考评情况的通报",
    ]


def test_docx_headings_and_titles_break_where_the_layout_cuts_them(demo: dict[str, Any]) -> None:
    doc = Document(io.BytesIO(demo["town"].docx))
    heading = doc.tables[0].rows[0]
    assert [c.text for c in heading.cells][-3:] == [
        "重大项目建\n设提速攻坚",
        "征迁交\n地攻坚",
        "加减分\n与否决",
    ]
    assert all(c._tc.tcPr.find(f"{W}noWrap") is not None for c in heading.cells)
    assert heading._tr.trPr.find(f"{W}tblHeader") is not None  # repeats on each page
    texts = [p.text for p in doc.paragraphs]
    assert "关于长乐区乡镇（街道）攻坚120天\n2026年12月考评情况的通报" in texts
    assert "长乐区乡镇（街道）攻坚120天\n2026年12月考评结果" in texts


def test_a_table_too_wide_for_the_portrait_line_lies_on_its_side(
    demo: dict[str, Any], tmp_path: Path
) -> None:
    doc = Document(io.BytesIO(demo["city"].docx))  # six lines: twelve columns
    orientations = [(s.page_width.mm > s.page_height.mm) for s in doc.sections]
    assert orientations == [False, True, False]  # body, the attachment, 版记
    path = tmp_path / "b.pdf"
    path.write_bytes(demo["city"].pdf)
    sizes = [line for line in _tool("pdfinfo", "-f", "1", "-l", "9", str(path)).splitlines()]
    landscape = [line for line in sizes if line.startswith("Page") and "size:" in line]
    flags = [("841.89 x 595.276" in line) for line in landscape]
    # The body portrait, the attachment on its side, 版记 on a portrait page of its own.
    assert flags == [False] * (len(flags) - 2) + [True, False]
    town = Document(io.BytesIO(demo["town"].docx))  # nine columns fit the portrait line
    assert [(s.page_width.mm > s.page_height.mm) for s in town.sections] == [False, False]


def _words(pdf: bytes, tmp: Path, page: int) -> list[tuple[str, float, float]]:
    """(text, x, y from the page top to the word's foot) of each word on one page."""
    path = tmp / "w.pdf"
    path.write_bytes(pdf)
    html = _tool("pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-")
    return [
        (m.group(3), float(m.group(1)), float(m.group(2)))
        for m in re.finditer(
            r'xMin="([\d.]+)" yMin="[\d.]+" xMax="[\d.]+" yMax="([\d.]+)">([^<]+)<', html
        )
    ]


def _pages(pdf: bytes, tmp: Path) -> int:
    path = tmp / "p.pdf"
    path.write_bytes(pdf)
    return int(re.search(r"Pages:\s+(\d+)", _tool("pdfinfo", str(path))).group(1))  # type: ignore[union-attr]


TEXT_FOOT = (297 - 35) / 25.4 * 72  # the foot of the portrait text area, in points from the top


@pytest.mark.parametrize("key", ["dept", "town", "city"])
def test_pdf_imprint_closes_an_even_last_page_at_the_foot_of_its_text_area(
    demo: dict[str, Any], key: str, tmp_path: Path
) -> None:
    pdf = demo[key].pdf
    last = _pages(pdf, tmp_path)
    assert last % 2 == 0
    words = _words(pdf, tmp_path, last)
    printed = next(w for w in words if w[0].endswith("印发"))
    assert TEXT_FOOT - 22 < printed[2] < TEXT_FOOT  # the last 版记 line sits on the foot
    assert all(y <= printed[2] + 0.5 for _t, _x, y in words if y < TEXT_FOOT + 10)  # the last
    if key != "city":  # the city office has no upper office to copy to
        cc = next(w for w in words if w[0].startswith("抄送"))
        assert printed[2] - 30 < cc[2] < printed[2]


def test_pdf_page_numbers_continue_through_the_attachments(
    demo: dict[str, Any], tmp_path: Path
) -> None:
    pdf = demo["dept"].pdf
    last = _pages(pdf, tmp_path)
    for page in range(1, last + 1):
        words = [w for w in _words(pdf, tmp_path, page) if w[0] == str(page)]
        number = next(w for w in words if w[2] > TEXT_FOOT)  # under the text area
        assert (number[1] > 300) is (page % 2 == 1)  # odd pages right, even pages left


def test_pdf_attachment_heading_row_opens_each_page_the_table_runs_over(
    demo: dict[str, Any], tmp_path: Path
) -> None:
    pdf = demo["dept"].pdf
    text = _pdf_text(pdf, tmp_path)
    attachment = text[text.index("附件1\n") :]
    pages = attachment.split("\f")
    table_pages = [p for p in pages if "城乡品质再提升攻坚" in p]
    assert len(table_pages) >= 2
    for page in table_pages:
        heading = next(line for line in page.splitlines() if line.startswith("专项"))
        assert heading.split() == ["专项", "名次", "较上期", "单位", "得分"]
        rows = [line for line in page.splitlines() if "攻坚 " in line]
        assert page.splitlines().index(heading) < page.splitlines().index(rows[0])


def test_pdf_without_attachments_puts_the_imprint_on_an_even_page(
    demo: dict[str, Any], tmp_path: Path
) -> None:
    pdf = demo["town_bare_pdf"]
    last = _pages(pdf, tmp_path)
    assert last % 2 == 0
    printed = next(w for w in _words(pdf, tmp_path, last) if w[0].endswith("印发"))
    assert TEXT_FOOT - 22 < printed[2] < TEXT_FOOT
    assert "附件" not in _pdf_text(pdf, tmp_path)
