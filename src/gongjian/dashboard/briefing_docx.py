"""The daily briefing (每日会商) as a .docx: title, date, then what changed, in plain sections."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from gongjian.exchange.docx_styles import FANGSONG, XIAOBIAOSONG, styled_run


def _para(doc: Any, text: str, *, size: float = 16, bold: bool = False) -> None:
    styled_run(doc.add_paragraph(), text, font=FANGSONG, size=size, bold=bold)


def briefing_docx(data: dict[str, Any], *, viewer: str) -> bytes:
    doc = Document()
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    styled_run(title, "每日会商简报", font=XIAOBIAOSONG, size=22)
    date = doc.add_paragraph()
    date.alignment = WD_ALIGN_PARAGRAPH.CENTER
    on = data["on"]
    styled_run(date, f"{on.year}年{on.month}月{on.day}日", font=FANGSONG, size=16)
    c = data["colours"]
    _para(
        doc,
        f"一、总体情况：红灯 {c['red']} 个，黄灯 {c['yellow']} 个，绿灯 {c['green']} 个。",
        bold=True,
    )
    _para(doc, f"二、新增红灯项目（{len(data['new_reds'])} 个）", bold=True)
    for s in data["new_reds"]:
        _para(doc, f"{s.project.name}（{s.unit.name}）：{'；'.join(s.reasons)}")
    if not data["new_reds"]:
        _para(doc, "无。")
    _para(doc, f"三、转为绿灯项目（{len(data['recovered'])} 个）", bold=True)
    for s in data["recovered"]:
        _para(doc, f"{s.project.name}（{s.unit.name}）")
    if not data["recovered"]:
        _para(doc, "无。")
    _para(doc, f"四、逾期督办单（{len(data['overdue_orders'])} 件）", bold=True)
    for o in data["overdue_orders"]:
        _para(doc, f"{o['code']} {o['title']}（{o['unit']}，期限 {o['deadline']}）")
    if not data["overdue_orders"]:
        _para(doc, "无。")
    _para(
        doc,
        f"五、已解决协调事项（{len(data['resolved_requests'])} 件）",
        bold=True,
    )
    for r in data["resolved_requests"]:
        _para(doc, f"{r.project.name}：{r.get_category_display()}，{r.resolution or r.description}")
    if not data["resolved_requests"]:
        _para(doc, "无。")
    _para(doc, f"（生成人：{viewer}）", size=12)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
