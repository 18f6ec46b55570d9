"""The demo's December rounds reproduce seed 000, and the bulletin states it in every format."""

from __future__ import annotations

import io
import json
import re
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from docx import Document

from gongjian.assessment.bulletin import Bulletin, build_combined, to_markdown
from gongjian.assessment.bulletin_docx import render_docx
from gongjian.assessment.bulletin_pdf import render_pdf
from gongjian.assessment.demo import load_assessment
from gongjian.assessment.models import Round
from gongjian.demo.org_loader import load_org
from tests.worlds import built_once

# Every result seed 000 reports, as the bulletin must state it.
SEED_000 = [
    "长乐区与福清市并列全市第一",
    "重大招商项目招商攻坚、重大招商项目落地攻坚、重大项目建设提速攻坚、竣工投产攻坚均排名全市第一",
    "征迁交地攻坚排名全市第二",
    "在“抓项目促提升”主题竞赛活动中，长乐区排名全市第二",
    "全员大招商招大商攻坚是福州新区长乐功能区办排名第一",
    "重大招商项目落地攻坚是区工信局(招商办)排名第一",
    "土地收储攻坚是区林业局排名第一",
    "资金运作攻坚是区税务局、区财政局并列第一",
    "科技人才提升攻坚是区委组织部(人才办)排名第一",
    "营商环境再优化攻坚第一层面是区法院排名第一，第二层面是区委组织部排名第一",
    "城乡品质再提升攻坚方面，所有区直部门均完成任务",
    "综合得分排名前两位的分别为区发改局和区自然资源和规划局",
    "第一方阵前两名为湖南镇、文武砂街道；第二方阵前两名为松下镇、江田镇；第三方阵前两名为潭头镇、玉田镇",
    "文武砂街道、松下镇、潭头镇在全区分列第一方阵、第二方阵、第三方阵首位",
]


def _tool(*args: str) -> str:
    """Run a poppler tool (pdftotext, pdffonts) and return its output."""
    command = ["/usr/bin/" + args[0], *args[1:]]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    yield from built_once(django_db_blocker, lambda: load_assessment(load_org()), key="assessment")


@pytest.fixture
def demo_round(world, db) -> Round:  # type: ignore[no-untyped-def]
    return Round.objects.get(plan__name="区直部门专项考评方案", period="2026-12")


def _seed_bulletin(first: Round) -> Bulletin:
    """Seed 000 is Changle's combined December bulletin: its own five rounds, and the city's two
    in which Changle is ranked (a deliberate combination; one round alone is one document)."""
    december = Round.objects.filter(period="2026-12").select_related("plan__campaign__owner")
    own = [
        r
        for r in december.order_by("plan_id")
        if r.plan.campaign.owner_id == first.plan.campaign.owner_id
    ]
    upper = [r for r in december.order_by("plan_id") if r not in own]
    own.remove(first)
    return build_combined([first, *upper, *own])


def test_demo_bulletin_states_every_result_of_seed_000(demo_round: Round) -> None:
    bulletin = _seed_bulletin(demo_round)
    text = bulletin.text()
    assert [s for s in SEED_000 if s not in text] == []
    assert bulletin.title.startswith("关于长乐区攻坚120天2026年12月区直部门、")
    assert not bulletin.draft
    assert "## 二、分部门看" in to_markdown(bulletin)


def test_docx_bulletin_has_the_official_layout_and_every_result(demo_round: Round) -> None:
    doc = Document(io.BytesIO(render_docx(_seed_bulletin(demo_round))))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert [s for s in SEED_000 if s not in text] == []
    section = doc.sections[0]
    assert (section.top_margin.mm, section.left_margin.mm) == pytest.approx((37, 28), abs=0.1)
    body = next(p for p in doc.paragraphs if "区林业局" in p.text)
    assert body.runs[0].font.size.pt == 16
    fonts = body.runs[0]._element.rPr.rFonts
    assert (
        fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
        == "仿宋_GB2312"
    )
    assert len(doc.tables) == 7 - 2 + 1  # own rounds' result tables as attachments, and 版记


def test_pdf_bulletin_has_real_chinese_glyphs(demo_round: Round, tmp_path: Path) -> None:
    pdf = tmp_path / "b.pdf"
    pdf.write_bytes(render_pdf(_seed_bulletin(demo_round)))
    text = _tool("pdftotext", "-raw", str(pdf), "-")
    flat = re.sub(r"— \d+ —", "", text)
    flat = "".join(flat.split())  # drop page footers between pages
    assert [s for s in SEED_000 if s.replace("，", ",") not in flat.replace("，", ",")] == []
    fonts = _tool("pdffonts", str(pdf))
    embedded = [line for line in fonts.splitlines() if "CJK" in line]
    assert embedded and all(" yes yes yes " in line for line in embedded)  # embedded, unicode


def test_command_line_contract(demo_round: Round, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    call_command("rounds", "--json")
    rounds = json.loads(capsys.readouterr().out)
    assert len(rounds) == 14  # November and December of each of the 7 plans
    assert {"id", "plan", "campaign", "period", "state"} <= set(rounds[0])
    city = next(
        r for r in rounds if r["plan"] == "县（市）区攻坚120天考评方案" and r["period"] == "2026-12"
    )
    call_command("assess", "--round", str(city["id"]), "--json")
    rows = json.loads(capsys.readouterr().out)
    top = [(r["unit"], r["rank"], r["tied"]) for r in rows[:3]]
    assert top == [("长乐区", 1, True), ("福清市", 1, True), ("福州高新区", 3, False)]
    assert {"unit", "group", "score", "rank", "tied", "grade", "lines"} <= set(rows[0])
    assert rows[0]["lines"]["征迁交地攻坚"] == {"score": "14.25", "rank": 2, "tied": False}
    for fmt in ("md", "docx", "pdf"):
        out = tmp_path / f"b.{fmt}"
        call_command("bulletin", "--round", str(demo_round.pk), "--format", fmt, "-o", str(out))
        assert out.stat().st_size > 1000
    plan_out = tmp_path / "plan.yaml"
    call_command("plan", "export", str(demo_round.plan_id), "-o", str(plan_out))
    call_command("plan", "import", str(plan_out))
    assert "第2版" in capsys.readouterr().out
