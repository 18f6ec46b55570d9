"""The bulletin (考评情况通报) of a period, in the style of seed 000, as plain data and Markdown.

`build_bulletin(round)` gathers the rounds of the same period that the round's office owns, plus
the upper level's rounds in which that office's unit is ranked, and writes the sentences from
the stored results: ties as 并列, lines everyone completed as 均完成任务. Renderers for .docx and
PDF live beside it (`bulletin_docx.py`, `bulletin_pdf.py`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max

from gongjian.assessment.models import PlanLine, Round, RoundState, UnitResult
from gongjian.core import clock
from gongjian.org.models import Unit, UnitKind

ZH_DIGITS = "零一二三四五六七八九"


def zh_number(n: int) -> str:
    """1 → 一, 12 → 十二, 23 → 二十三 (ranks and section numbers)."""
    if n < 10:
        return ZH_DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else ZH_DIGITS[tens]
    return f"{head}十{ZH_DIGITS[ones] if ones else ''}"


def level_word(unit: Unit) -> str:
    return {
        UnitKind.CITY: "全市",
        UnitKind.COUNTY_CITY: "全市",
        UnitKind.DISTRICT: "全区",
        UnitKind.COUNTY: "全县",
        UnitKind.PROVINCE: "全省",
    }.get(UnitKind(unit.kind), unit.name)


def join_names(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return "、".join(names[:-1]) + "和" + names[-1]


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[list[str]]


@dataclass
class Bulletin:
    title: str
    issuer: str
    date: dt.date
    draft: bool
    lead: str
    sections: list[Section]
    tables: list[Table]
    round_ids: list[int]

    def text(self) -> str:
        """Every sentence, for search and tests."""
        return "\n".join(
            [self.title, self.lead, *(p for s in self.sections for p in [s.heading, *s.paragraphs])]
        )


def _latest(rounds: Any) -> list[Round]:
    """The latest edition of each plan's round (corrections replace what they correct)."""
    latest: dict[int, Round] = {}
    for r in rounds.order_by("edition"):
        latest[r.plan_id] = r
    return sorted(latest.values(), key=lambda r: (r.plan.campaign_id, r.plan_id))


def _results(round_: Round) -> list[UnitResult]:
    return list(
        UnitResult.objects.filter(round=round_)
        .select_related("unit")
        .defer("explanation")
        .order_by("rank", "unit__sort_order", "unit_id")
    )


def _rank_phrase(rank: int, tied_with: list[str], level: str) -> str:
    if tied_with:
        return f"与{'、'.join(tied_with)}并列{level}第{zh_number(rank)}"
    return f"排名{level}第{zh_number(rank)}"


def _activity(round_: Round) -> str:
    return "主题竞赛活动" if "竞赛" in round_.plan.campaign.description else "活动"


def _upper_paragraphs(round_: Round, owner: Unit, month: str) -> list[str]:
    upper_owner = round_.plan.campaign.owner
    level = level_word(upper_owner)
    results = _results(round_)
    mine = next(r for r in results if r.unit_id == owner.pk)
    peers = [r.unit.name for r in results if r.group == mine.group and r.rank == mine.rank]
    tied_with = [n for n in peers if n != owner.name]
    campaign = round_.plan.campaign.name
    lines = list(round_.plan.lines.all())
    if len(lines) <= 1:
        return [
            f"在“{campaign}”{_activity(round_)}中，"
            f"{owner.name}{_rank_phrase(mine.rank, tied_with, level)}。"
        ]
    paragraphs = [
        f"{upper_owner.name}“{campaign}”{month}考评结果出炉，"
        f"{owner.name}{_rank_phrase(mine.rank, tied_with, level)}。"
    ]
    by_rank: dict[tuple[int, bool], list[str]] = {}
    for line in lines:
        placing = mine.lines.get(line.name)
        if placing:
            by_rank.setdefault((placing["rank"], placing["tied"]), []).append(line.name)
    parts = []
    for (rank, tied), names in sorted(by_rank.items()):
        if rank > 3:
            continue
        verb = "均" if len(names) > 1 else ""
        parts.append(
            f"{'、'.join(names)}{verb}{'并列' if tied else '排名'}{level}第{zh_number(rank)}"
        )
    if parts:
        paragraphs.append(
            f"在{upper_owner.name}{zh_number(len(lines))}大攻坚行动中，{owner.name}"
            + "；".join(parts)
            + "。"
        )
    return paragraphs


def _line_sentences(round_: Round) -> list[tuple[int, str]]:
    """(order, sentence) per line: its first place(s) in each group, or 均完成任务."""
    results = _results(round_)
    groups = [g.name for g in round_.plan.groups.all()]
    sentences = []
    for pline in PlanLine.objects.filter(plan=round_.plan).select_related("line"):
        order = pline.line.sort_order if pline.line else 1000 + pline.sort_order
        in_line = [r for r in results if pline.name in r.lines]
        if in_line and all(r.lines[pline.name].get("completed") is True for r in in_line):
            who = "、".join(groups) if len(groups) > 1 else groups[0]
            sentences.append((order, f"{pline.name}方面，所有{who}均完成任务"))
            continue
        per_group = []
        for group in groups:
            firsts = [
                r.unit.name
                for r in in_line
                if r.group == group and r.lines[pline.name]["rank"] == 1
            ]
            if not firsts:
                continue
            verdict = "并列第一" if len(firsts) > 1 else "排名第一"
            label = group if len(groups) > 1 else ""
            per_group.append(f"{label}是{'、'.join(firsts)}{verdict}")
        if per_group:
            sentences.append((order, pline.name + "，".join(per_group)))
    return sentences


def _top(results: list[UnitResult], top: int) -> list[UnitResult]:
    """The top N, widened to everyone tied with the Nth."""
    if not results:
        return []
    cut = results[min(top, len(results)) - 1].rank
    return [r for r in results if r.rank <= cut]


def _names_with_ties(rows: list[UnitResult]) -> str:
    names = []
    for r in rows:
        names.append(f"{r.unit.name}（并列）" if r.tied else r.unit.name)
    return names_join(names)


def names_join(names: list[str]) -> str:
    return "、".join(names)


def _composite_paragraph(round_: Round) -> str:
    results = _results(round_)
    chosen = _top(results, round_.plan.report_top)
    names = [r.unit.name for r in chosen]
    ties = sorted({r.rank for r in chosen if r.tied})
    tie_note = "".join(
        f"（{'、'.join(r.unit.name for r in chosen if r.rank == t)}并列第{zh_number(t)}）"
        for t in ties
    )
    count = zh_number(len(chosen)) if len(chosen) != 2 else "两"
    return f"按照{round_.plan.name}，综合得分排名前{count}位的分别为{join_names(names)}{tie_note}。"


def _group_paragraphs(round_: Round) -> list[str]:
    results = _results(round_)
    groups = [g.name for g in round_.plan.groups.all()]
    top = round_.plan.report_top
    if top == 1:
        firsts = []
        for group in groups:
            rows = [r for r in results if r.group == group and r.rank == 1]
            firsts.append(("、".join(r.unit.name for r in rows), group, len(rows) > 1))
        names = "、".join(n for n, _g, _t in firsts)
        where = "、".join(g for _n, g, _t in firsts)
        ties = "".join(f"（{n}并列）" for n, _g, t in firsts if t)
        return [
            f"在“{round_.plan.campaign.name}”{_activity(round_)}中，"
            f"{names}在{level_word(round_.plan.campaign.owner)}分列{where}首位{ties}。"
        ]
    count = "两" if top == 2 else zh_number(top)
    sentences = []
    for group in groups:
        chosen = _top([r for r in results if r.group == group], top)
        if chosen:
            sentences.append(f"{group}前{count}名为{_names_with_ties(chosen)}")
    return ["；".join(sentences) + "。"] if sentences else []


def _table(round_: Round) -> Table:
    lines = [pl.name for pl in round_.plan.lines.all()]
    by_line = round_.plan.report_style == "lines"  # per-line results: a composite means nothing
    columns = (
        ["分组", "单位", *lines]
        if by_line
        else ["分组", "名次", "单位", "综合得分", "等次", *lines]
    )
    rows = []
    order = {g.name: i for i, g in enumerate(round_.plan.groups.all())}

    def key(r: UnitResult) -> tuple[int, int, int]:
        return (order.get(r.group, 99), 0 if by_line else r.rank, r.unit.sort_order)

    for r in sorted(_results(round_), key=key):
        cells = (
            [r.group, r.unit.name]
            if by_line
            else [
                r.group,
                f"并列{r.rank}" if r.tied else str(r.rank),
                r.unit.name,
                f"{r.score.normalize():f}",
                r.grade + ("（否决）" if r.veto else ""),
            ]
        )
        for name in lines:
            v = r.lines.get(name)
            cells.append(
                "—" if v is None else f"{v['score']}（{'并列' if v['tied'] else ''}{v['rank']}）"
            )
        rows.append(cells)
    return Table(caption=str(round_.plan.name), columns=columns, rows=rows)


def build_bulletin(round_: Round) -> Bulletin:
    owner = round_.plan.campaign.owner
    period = round_.period
    month = f"{int(period[5:])}月"
    published_only = round_.state == RoundState.PUBLISHED
    states = (
        [RoundState.PUBLISHED] if published_only else [RoundState.PUBLISHED, RoundState.COMPUTED]
    )
    base = Round.objects.select_related("plan__campaign__owner").filter(
        period=period, state__in=states
    )
    own = _latest(base.filter(plan__campaign__owner=owner))
    own.sort(
        key=lambda r: (r.plan.campaign_id != round_.plan.campaign_id, r.plan.campaign_id, r.plan_id)
    )
    upper = [
        r
        for r in _latest(base.filter(state=RoundState.PUBLISHED, results__unit=owner).distinct())
        if r.plan.campaign.owner_id != owner.pk
    ]
    sections: list[Section] = []
    if upper:
        section = Section(heading=f"{level_word(upper[0].plan.campaign.owner)}考评情况")
        for r in upper:
            section.paragraphs.extend(_upper_paragraphs(r, owner, month))
        sections.append(section)
    by_heading: dict[str, Section] = {}
    line_sentences: dict[str, list[tuple[int, str]]] = {}
    for r in own:
        heading = r.plan.report_heading or r.plan.name
        if heading not in by_heading:
            by_heading[heading] = Section(heading=heading)
            sections.append(by_heading[heading])
        style = r.plan.report_style
        if style == "lines":
            line_sentences.setdefault(heading, []).extend(_line_sentences(r))
        elif style == "composite":
            by_heading[heading].paragraphs.append(_composite_paragraph(r))
        else:
            by_heading[heading].paragraphs.extend(_group_paragraphs(r))
    for heading, items in line_sentences.items():
        items.sort(key=lambda item: item[0])
        by_heading[heading].paragraphs.insert(0, "；".join(s for _o, s in items) + "。")
    for i, section in enumerate(sections, start=1):
        section.heading = f"{zh_number(i)}、{section.heading}"
    campaign = round_.plan.campaign.name
    published = base.filter(pk__in=[r.pk for r in own]).aggregate(on=Max("published_on"))["on"]
    date = published if published_only and published else clock.today()
    lead = f"根据{owner.name}“{campaign}”考评方案，现将{period[:4]}年{month}考评情况通报如下。"
    return Bulletin(
        title=f"关于{owner.name}“{campaign}”{month}份考评情况的通报",
        issuer=f"{owner.name}攻坚行动领导小组办公室",
        date=date,
        draft=not published_only,
        lead=lead,
        sections=sections,
        tables=[_table(r) for r in own],
        round_ids=[r.pk for r in [*upper, *own]],
    )


def to_markdown(b: Bulletin) -> str:
    out = [f"# {b.title}", ""]
    if b.draft:
        out += ["**（草稿：含未发布的考评结果）**", ""]
    out += [b.lead, ""]
    for s in b.sections:
        out += [f"## {s.heading}", "", *[p + "\n" for p in s.paragraphs]]
    out += [f"{b.issuer}  ", f"{b.date.year}年{b.date.month}月{b.date.day}日", ""]
    for i, t in enumerate(b.tables, start=1):
        out += [f"### 附件{i}：{t.caption}", ""]
        out.append("| " + " | ".join(t.columns) + " |")
        out.append("|" + "---|" * len(t.columns))
        out += ["| " + " | ".join(row) + " |" for row in t.rows]
        out.append("")
    return "\n".join(out)
