"""The daily briefing (每日会商) as a .docx: title, date, then what changed, in plain sections.

When the viewer's office (the viewer's unit, or the nearest unit above it) has uploaded its own
red-header template (docs/bulletin-template.md), the briefing is that template filled in, as its
bulletins are: 发文机关标志 and 署名 of that office, the briefing's sections as the body.
"""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from gongjian.assessment.bulletin import Bulletin, Particulars, Section, zh_date
from gongjian.assessment.bulletin_template import render_with_template, template_for
from gongjian.exchange.docx_styles import FANGSONG, XIAOBIAOSONG, styled_run

TITLE = "每日会商简报"


def outline(data: dict[str, Any]) -> list[Section]:
    """The briefing's sections, each heading with its items (or 无。), in every layout."""
    c = data["colours"]
    reds, recovered = data["new_reds"], data["recovered"]
    overdue, resolved = data["overdue_orders"], data["resolved_requests"]
    sections = [
        Section(f"一、总体情况：红灯 {c['red']} 个，黄灯 {c['yellow']} 个，绿灯 {c['green']} 个。"),
        Section(
            f"二、新增红灯项目（{len(reds)} 个）",
            [f"{s.project.name}（{s.unit.name}）：{'；'.join(s.reasons)}" for s in reds],
        ),
        Section(
            f"三、转为绿灯项目（{len(recovered)} 个）",
            [f"{s.project.name}（{s.unit.name}）" for s in recovered],
        ),
        Section(
            f"四、逾期督办单（{len(overdue)} 件）",
            [f"{o['code']} {o['title']}（{o['unit']}，期限 {o['deadline']}）" for o in overdue],
        ),
        Section(
            f"五、已解决协调事项（{len(resolved)} 件）",
            [
                f"{r.project.name}：{r.get_category_display()}，{r.resolution or r.description}"
                for r in resolved
            ],
        ),
        Section(
            f"六、领导现场办公与调研（{len(data['visits'])} 次）",
            [visit_line(v) for v in data["visits"]],
        ),
    ]
    for s in sections[1:]:
        s.paragraphs = s.paragraphs or ["无。"]
    return sections


def visit_line(v: Any) -> str:
    places = "、".join([p.name for p in v.projects.all()] + [u.name for u in v.units.all()])
    items = list(v.items.all())
    handled = sum(1 for i in items if i.handled)
    return (
        f"{v.visited_on:%m月%d日} {v.who}{v.get_kind_display()}：{v.subject}（{places}），"
        f"发现问题 {len(items)} 个，已转办 {handled} 个"
    )


def _para(doc: Any, text: str, *, size: float = 16, bold: bool = False) -> None:
    styled_run(doc.add_paragraph(), text, font=FANGSONG, size=size, bold=bold)


def briefing_docx(data: dict[str, Any], *, viewer: str, unit: Any = None) -> bytes:
    on = data["on"]
    own = template_for(unit) if unit is not None else None
    if own is not None:
        office, template = own
        issuer = f"{office.name}攻坚行动领导小组办公室"
        sections = outline(data)
        sections[-1].paragraphs.append(f"（生成人：{viewer}）")
        b = Bulletin(
            name=TITLE,
            title=TITLE,
            issuer=issuer,
            particulars=Particulars(
                number="",
                addressees="各有关单位",
                signatory=issuer,
                date=on,
                printer=issuer,
                printed_on=on,
            ),
            draft=False,
            lead=f"{zh_date(on)}会商情况如下。",
            sections=sections,
            tables=[],
            round_ids=[],
            office_id=office.pk,
        )
        return render_with_template(b, template)
    doc = Document()
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    styled_run(title, TITLE, font=XIAOBIAOSONG, size=22)
    date = doc.add_paragraph()
    date.alignment = WD_ALIGN_PARAGRAPH.CENTER
    styled_run(date, zh_date(on), font=FANGSONG, size=16)
    for s in outline(data):
        _para(doc, s.heading, bold=True)
        for text in s.paragraphs:
            _para(doc, text)
    _para(doc, f"（生成人：{viewer}）", size=12)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
