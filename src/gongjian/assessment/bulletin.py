"""The bulletin (考评情况通报) of a period, in the style of seed 000, as plain data and Markdown.

`build_bulletin(round)` gathers the rounds of the same period that the round's office owns, plus
the upper level's rounds in which that office's unit is ranked, and writes the sentences from
the stored results: ties as 并列, lines everyone completed as 均完成任务. Renderers for .docx and
PDF live beside it (`bulletin_docx.py`, `bulletin_pdf.py`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gongjian.assessment import bulletin_lists, movement
from gongjian.assessment.models import PlanLine, Round, RoundState, UnitResult
from gongjian.core import clock
from gongjian.core.concurrency import lock_for_update
from gongjian.core.errors import Immutable, ValidationFailed
from gongjian.core.history import record
from gongjian.core.text import check_text
from gongjian.org.models import Unit, UnitKind
from gongjian.org.scope import Action, scope_for

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
    """A first-level heading (3号黑体) with its paragraphs, then its second-level headings
    (3号楷体, numbered （一）（二）) each with their own paragraphs."""

    heading: str
    paragraphs: list[str] = field(default_factory=list)
    subsections: list[Section] = field(default_factory=list)

    def texts(self) -> list[str]:
        return [
            self.heading,
            *self.paragraphs,
            *(t for sub in self.subsections for t in sub.texts()),
        ]


def text_width(text: str) -> float:
    """A cell's width in characters of its size: CJK full, digits and ASCII about half."""
    return sum(1 if ord(c) > 0x2E80 else 0.65 for c in text)


def _balanced(text: str, parts: int) -> list[str]:
    """`text` cut into `parts` lines of (nearly) equal length, never one character alone."""
    size = -(-len(text) // parts)
    return [text[i : i + size] for i in range(0, len(text), size)]


def title_lines(text: str, chars: float) -> list[str]:
    """A title on lines of `chars` characters, cut before the period (…攻坚120天 / 2026年12月考评
    结果) rather than inside a figure or with one character left alone on the last line."""
    chars -= 1.5  # the estimate is close: a face with wider figures must still fit
    if text_width(text) <= chars:
        return [text]
    cut = re.search(r"\d{4}年", text)
    if cut and cut.start() > 0:
        head, tail = text[: cut.start()], text[cut.start() :]
        if text_width(head) <= chars and text_width(tail) <= chars:
            return [head, tail]
    parts = -(-int(text_width(text) * 100) // int(chars * 100))
    return _balanced(text, parts)


# A heading this short (编号, 名次, 等次, 较上期, 综合得分) never wraps; a longer one may take two lines,
# cut in the middle (重大项目建/设提速攻坚) rather than wherever the column ends.
SHORT_LABEL = 4.0


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[list[str]]

    def column_chars(self) -> list[float]:
        """Each column's width in characters: its longest data cell (data never wraps: 并列 stays
        in one cell), and at least its heading when short, half of it when long."""
        widths = []
        for i, heading in enumerate(self.columns):
            data = max(2.0, *(text_width(r[i]) for r in self.rows)) if self.rows else 4.0
            need = text_width(heading)
            widths.append(max(data, need if need <= SHORT_LABEL else max(SHORT_LABEL, need / 2)))
        return widths

    def heading_lines(self) -> list[list[str]]:
        """Each column heading as the lines it is set in: one when it fits its column, else cut
        evenly (the renderers break there, so no column ends a heading on one character)."""
        out = []
        for heading, chars in zip(self.columns, self.column_chars(), strict=True):
            need = text_width(heading)
            parts = 1 if need <= chars + 0.01 else -(-int(need * 100) // int(chars * 100))
            out.append(_balanced(heading, parts) if parts > 1 else [heading])
        return out

    def caption_lines(self, chars: float) -> list[str]:
        """The attachment's title on lines of `chars` characters: cut before the period
        (长乐区乡镇（街道）攻坚120天 / 2026年12月考评结果) rather than leave 果 alone."""
        return title_lines(self.caption, chars)

    @property
    def title_lines(self) -> list[str]:
        """The attachment's title as set on its page: 2号 less, 18 pt, on the portrait line or
        the landscape one."""
        return self.caption_lines((225 if self.wide else 156) / 25.4 * 72 / 18)

    @property
    def wide(self) -> bool:
        """Too wide for the portrait line (156 mm) even at 8 pt with cell padding: set landscape,
        as GB/T 9704 allows for tables (页码 where the other pages have it)."""
        points = sum(n * 8 + 11 for n in self.column_chars())
        return points > 156 / 25.4 * 72


@dataclass
class Particulars:
    """The GB/T 9704 elements of one document: what the office fills on the round (or the
    defaults worked out from the plan, see `particulars`)."""

    number: str  # 发文字号, e.g. 长攻坚办〔2026〕12号
    addressees: str  # 主送机关
    signatory: str  # 发文机关署名
    date: dt.date  # 成文日期
    cc: str = ""  # 抄送机关
    printer: str = ""  # 印发机关
    printed_on: dt.date | None = None  # 印发日期
    copy_number: str = ""  # 份号
    secrecy: str = ""  # 密级和保密期限
    attach_tables: bool = True


@dataclass
class Bulletin:
    name: str  # what the document is: 长乐区区直部门攻坚120天2026年12月考评情况通报
    title: str
    issuer: str
    particulars: Particulars
    draft: bool
    lead: str
    sections: list[Section]
    tables: list[Table]
    round_ids: list[int]
    office_id: int = 0  # the issuing office's unit, whose own template (if any) is used

    @property
    def date(self) -> dt.date:
        return self.particulars.date

    @property
    def title_lines(self) -> list[str]:
        """The title as set in 2号 (22 pt) on the 156 mm line."""
        return title_lines(self.title, 156 / 25.4 * 72 / 22)

    def filename(self, ext: str) -> str:
        return f"{self.name}.{ext}"

    def text(self) -> str:
        """Every sentence, for search and tests."""
        return "\n".join([self.title, self.lead, *(t for s in self.sections for t in s.texts())])


def zh_date(d: dt.date) -> str:
    """成文日期 in figures, as GB/T 9704-2012 writes it: 2026年12月31日."""
    return f"{d.year}年{d.month}月{d.day}日"


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


def _rank_cell(rank: int, tied: bool) -> str:
    return f"并列{rank}" if tied else str(rank)


def _previous(round_: Round) -> Round | None:
    """The round the results' movement is against (`movement`), for the lines' rank moves."""
    return round_.previous_round


def _move(now: int, before: int | None) -> str:
    if before is None:
        return "—"
    if now < before:
        return f"↑{before - now}"
    if now > before:
        return f"↓{now - before}"
    return "持平"


def _composite_table(round_: Round, caption: str, results: list[UnitResult]) -> Table:
    lines = [pl.name for pl in round_.plan.lines.all()]
    compared = round_.previous_round_id is not None
    order = {g.name: i for i, g in enumerate(round_.plan.groups.all())}
    several = len(order) > 1  # one group: its name in every row says nothing and takes room
    columns = [*(["分组"] if several else []), "名次", "较上期", "单位", "综合得分", "等次", *lines]
    rows = []
    for r in sorted(results, key=lambda r: (order.get(r.group, 99), r.rank, r.unit.sort_order)):
        cells = [
            *([r.group] if several else []),
            _rank_cell(r.rank, r.tied),
            movement.move(r.rank, r.previous_rank, compared=compared).label,
            r.unit.name,
            f"{r.score.normalize():f}",
            r.grade + ("（否决）" if r.veto else ""),
        ]
        for name in lines:
            v = r.lines.get(name)
            cells.append(
                "—" if v is None else f"{v['score']}（{_rank_cell(v['rank'], v['tied'])}）"
            )
        rows.append(cells)
    return Table(caption=caption, columns=columns, rows=rows)


def _lines_table(round_: Round, caption: str, results: list[UnitResult]) -> Table:
    """A line-by-line plan: a composite means nothing, so each line's units in its rank order
    (within each group when the plan has several), with the move since the last round."""
    groups = [g.name for g in round_.plan.groups.all()]
    previous = _previous(round_)
    before: dict[tuple[int, str], int] = {}
    if previous:
        for unit_id, lines in UnitResult.objects.filter(round=previous).values_list(
            "unit_id", "lines"
        ):
            for name, v in (lines or {}).items():
                before[(unit_id, name)] = v["rank"]
    several = len(groups) > 1
    columns = ["专项", *(["分组"] if several else []), "名次", "较上期", "单位", "得分"]
    rows = []
    for pline in round_.plan.lines.all():
        for group in groups:
            in_line = [r for r in results if r.group == group and pline.name in r.lines]
            in_line.sort(key=lambda r: (r.lines[pline.name]["rank"], r.unit.sort_order))
            for r in in_line:
                v = r.lines[pline.name]
                rows.append(
                    [
                        pline.name,
                        *([group] if several else []),
                        _rank_cell(v["rank"], v["tied"]),
                        _move(v["rank"], before.get((r.unit_id, pline.name))),
                        r.unit.name,
                        f"{v['score']}",
                    ]
                )
    return Table(caption=caption, columns=columns, rows=rows)


def _table(round_: Round, caption: str) -> Table:
    results = _results(round_)
    if round_.plan.report_style == "lines":
        return _lines_table(round_, caption, results)
    return _composite_table(round_, caption, results)


def _stem(round_: Round) -> str:
    """What the plan assesses, as a document names it: 区直部门攻坚120天, 乡镇（街道）攻坚120天."""
    campaign = round_.plan.campaign.name
    stem = round_.plan.name.removesuffix("考评方案").replace("专项", "")
    owner = round_.plan.campaign.owner.name
    stem = stem.removeprefix(owner)
    return stem if campaign in stem or stem.endswith("攻坚") else stem + campaign


def _audience(round_: Round) -> str:
    """The default 主送机关: the units the plan ranks (各区直部门, 各乡镇（街道）)."""
    campaign = round_.plan.campaign.name
    who = round_.plan.name.removesuffix("考评方案")
    for part in (f"“{campaign}”", campaign, "专项", "综合", "主题竞赛"):
        who = who.replace(part, "")
    if who.endswith(("部门", "（街道）", "区", "单位", "乡镇", "县")):
        return f"各{who}"
    return "各有关单位"


def _period_words(period: str) -> str:
    return f"{period[:4]}年{int(period[5:])}月"


def particulars(round_: Round, *, date: dt.date | None = None) -> Particulars:
    """The document particulars stored with the round, each blank one defaulted from the plan:
    number 长攻坚办〔2026〕12号 (the office's first character, the year, the month), addressees
    from the units the plan ranks, the office as signatory and printer, the upper office in cc."""
    owner = round_.plan.campaign.owner
    office = f"{owner.name}攻坚行动领导小组办公室"
    year, month = round_.period[:4], int(round_.period[5:])
    signed_on = round_.signed_on or date or round_.published_on or clock.today()
    parent = owner.parent
    return Particulars(
        number=round_.doc_number or f"{owner.name[:1]}攻坚办〔{year}〕{month}号",
        addressees=round_.doc_addressees or _audience(round_),
        signatory=round_.doc_signatory or office,
        date=signed_on,
        cc=round_.doc_cc or (f"{parent.name}攻坚行动领导小组办公室" if parent else ""),
        printer=round_.doc_printer or office,
        printed_on=signed_on,
        copy_number=round_.doc_copy_number,
        secrecy=round_.doc_secrecy,
        attach_tables=round_.doc_attach_tables,
    )


# The second-level headings of a round's section, in this order: who leads, who lags, who did
# not finish (a section has them only when someone lags or did not finish).
LEADING = "排名靠前的单位"
LAGGING = "排名靠后的单位"
UNFINISHED = "未完成任务的单位"
SUBHEADINGS = (LEADING, LAGGING, UNFINISHED)
FAILING_GRADES = ("不合格", "较差")


def _last(rows: list[UnitResult], rank_of: Any) -> list[UnitResult]:
    """The last place(s) of a ranking of three or more; none when everyone shares one place."""
    if len(rows) < 3:
        return []
    ranks = [rank_of(r) for r in rows]
    if max(ranks) == min(ranks):
        return []
    return [r for r in rows if rank_of(r) == max(ranks)]


def _named(rows: list[UnitResult]) -> str:
    return "、".join(r.unit.name for r in rows) + ("（并列）" if len(rows) > 1 else "")


def lagging(round_: Round) -> tuple[list[str], list[str]]:
    """The units lagging in a round, as the body names them, from its stored results: (the last
    place(s) of each group — of each line's ranking in a line-by-line plan — and the units graded
    不合格 or vetoed; the units that did not finish a task scored 完成/未完成, per line)."""
    results = _results(round_)
    groups = [g.name for g in round_.plan.groups.all()]
    lines = list(round_.plan.lines.all())
    several = len(groups) > 1
    lag: list[str] = []
    if round_.plan.report_style == "lines":
        for pline in lines:
            for group in groups:
                rows = [r for r in results if r.group == group and pline.name in r.lines]
                if any(r.lines[pline.name].get("completed") is not None for r in rows):
                    continue  # a 完成/未完成 task: who did not finish is said apart
                last = _last(rows, lambda r, n=pline.name: r.lines[n]["rank"])
                if last:
                    label = group if several else ""
                    lag.append(f"{pline.name}{label}排名末位的为{_named(last)}")
    else:
        for group in groups:
            last = _last([r for r in results if r.group == group], lambda r: r.rank)
            if last:
                lag.append(f"{group if several else '综合得分'}排名末位的为{_named(last)}")
    failing = [r for r in results if r.grade in FAILING_GRADES]
    if failing:
        lag.append(f"等次为{failing[0].grade}的有{'、'.join(r.unit.name for r in failing)}")
    lag += [f"{r.unit.name}被否决（{r.veto}）" for r in results if r.veto]
    unfinished = []
    for pline in lines:
        undone = [
            r.unit.name
            for r in results
            if pline.name in r.lines and r.lines[pline.name].get("completed") is False
        ]
        if undone:
            unfinished.append(f"{pline.name}未完成任务的有{'、'.join(undone)}")
    return lag, unfinished


def _own_section(round_: Round, *, shared: bool = False) -> Section:
    """The round's section: the leading units (the seed's sentences), and when someone lags or
    did not finish, those named under second-level headings. `shared`: other plans share the
    heading, so the lagging sentences say which plan they are of."""
    section = Section(heading=round_.plan.report_heading or round_.plan.name)
    style = round_.plan.report_style
    leading = []
    if style == "lines":
        items = sorted(_line_sentences(round_), key=lambda item: item[0])
        if items:
            leading.append("；".join(s for _o, s in items) + "。")
    elif style == "composite":
        leading.append(_composite_paragraph(round_))
    else:
        leading.extend(_group_paragraphs(round_))
    lag, unfinished = lagging(round_)
    if not lag and not unfinished:
        section.paragraphs = leading
        return section
    prefix = f"按照{round_.plan.name}，" if shared else ""
    section.subsections.append(Section(heading=LEADING, paragraphs=leading))
    for heading, sentences in ((LAGGING, lag), (UNFINISHED, unfinished)):
        if sentences:
            paragraph = prefix + "；".join(sentences) + "。"
            section.subsections.append(Section(heading=heading, paragraphs=[paragraph]))
    return section


def _merge(into: Section, part: Section) -> None:
    """Plans that share a heading share the section, and its second-level headings."""
    if not into.subsections and not part.subsections:
        into.paragraphs.extend(part.paragraphs)
        return
    subs: dict[str, Section] = {}
    for s in (into, part):
        if s.paragraphs:  # plain paragraphs are the leading units
            subs.setdefault(LEADING, Section(heading=LEADING)).paragraphs.extend(s.paragraphs)
        for sub in s.subsections:
            subs.setdefault(sub.heading, Section(heading=sub.heading)).paragraphs.extend(
                sub.paragraphs
            )
    into.paragraphs = []
    into.subsections = [subs[h] for h in SUBHEADINGS if h in subs]


def combinable(r: Round, owner: Unit) -> bool:
    """May `r` go into a bulletin `owner`'s office issues: its own round, or a published round of
    another office that ranks `owner` (the one rule of the check and the page's choice)."""
    if r.plan.campaign.owner_id == owner.pk:
        return True
    return r.state == RoundState.PUBLISHED and r.results.filter(unit=owner).exists()


def combinable_rounds(rounds: Any, round_: Round) -> list[Round]:
    """Of the rounds a user may open (`selectors.visible_rounds`), those of the same period that
    may be combined with `round_` in its office's bulletin."""
    owner = round_.plan.campaign.owner
    same = rounds.filter(period=round_.period).exclude(pk=round_.pk)
    return [r for r in same.select_related("plan__campaign") if combinable(r, owner)]


def _check_combination(rounds: list[Round], owner: Unit) -> None:
    """A combined bulletin is of one period, each round once; another office's round only when
    it is published and ranks the issuing office's unit (it then says how that unit fared)."""
    if len({r.pk for r in rounds}) != len(rounds):
        raise ValidationFailed(_("同一考评期只能选一次。"), field="rounds")
    if len({r.period for r in rounds}) > 1:
        raise ValidationFailed(_("合并通报只能选同一考评期（同一月份）的考评。"), field="rounds")
    for r in rounds:
        if not combinable(r, owner):
            raise ValidationFailed(
                _("“%(plan)s”不是本单位的考评，也未对%(unit)s排名，不能并入通报。")
                % {"plan": r.plan.name, "unit": owner.name},
                field="rounds",
            )


FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "md": "text/markdown; charset=utf-8",
}


def render(b: Bulletin, fmt: str) -> bytes:
    """The document in one of FORMATS (the API and the command line call this one function)."""
    if fmt == "docx":
        from gongjian.assessment.bulletin_docx import render_docx
        from gongjian.assessment.bulletin_template import office_template, render_with_template

        own = office_template(b.office_id)
        return render_docx(b) if own is None else render_with_template(b, own)
    if fmt == "pdf":
        from gongjian.assessment.bulletin_pdf import render_pdf
        from gongjian.assessment.bulletin_template import office_template, render_with_template
        from gongjian.exchange.office_pdf import docx_to_pdf

        own = office_template(b.office_id)  # the office's own layout: its .docx, as laid out
        return render_pdf(b) if own is None else docx_to_pdf(render_with_template(b, own))
    if fmt == "md":
        return to_markdown(b).encode()
    raise ValidationFailed(_("format 只能是 md、docx 或 pdf。"), field="format")


def build_bulletin(round_: Round) -> Bulletin:
    """One round, one document: the round's own results, named for what it is."""
    return build_combined([round_])


def build_combined(rounds: list[Round]) -> Bulletin:
    """The document of the rounds an office chose (all of one period): the first round's office
    issues it; rounds of that office become sections and attachments in the order given, and
    published rounds of an upper level in which the office's unit is ranked say how it fared
    there, as seed 000 does. A single round is the ordinary case (`build_bulletin`)."""
    first = rounds[0]
    owner = first.plan.campaign.owner
    period = first.period
    _check_combination(rounds, owner)
    month = f"{int(period[5:])}月"
    own = [r for r in rounds if r.plan.campaign.owner_id == owner.pk]
    upper = [r for r in rounds if r.plan.campaign.owner_id != owner.pk]
    sections: list[Section] = []
    if upper:
        section = Section(heading=f"{level_word(upper[0].plan.campaign.owner)}考评情况")
        for r in upper:
            section.paragraphs.extend(_upper_paragraphs(r, owner, month))
        sections.append(section)
    by_heading: dict[str, Section] = {}
    headings = [r.plan.report_heading or r.plan.name for r in own]
    for r, heading in zip(own, headings, strict=True):
        part = _own_section(r, shared=headings.count(heading) > 1)
        part.paragraphs.extend(bulletin_lists.paragraphs(r))
        if part.heading in by_heading:  # plans that share a heading share the section
            _merge(by_heading[part.heading], part)
            continue
        by_heading[part.heading] = part
        sections.append(part)
    for i, section in enumerate(sections, start=1):
        section.heading = f"{zh_number(i)}、{section.heading}"
        for j, sub in enumerate(section.subsections, start=1):
            sub.heading = f"（{zh_number(j)}）{sub.heading}"
    words = _period_words(period)
    draft = any(r.state != RoundState.PUBLISHED for r in rounds)
    published = [r.published_on for r in own if r.published_on]
    info = particulars(first, date=None if draft or not published else max(published))
    if len(own) == 1:
        name = f"{owner.name}{_stem(first)}{words}考评情况通报"
        lead_plan = f"{first.plan.name}"
    else:
        name = f"{owner.name}{first.plan.campaign.name}{words}考评情况通报"
        lead_plan = "、".join(r.plan.name for r in own)
    captions = [f"{owner.name}{_stem(r)}{words}考评结果" for r in own]
    title_body = name.removesuffix("通报")
    if len(own) > 1:
        title_body = (
            f"{owner.name}{first.plan.campaign.name}{words}"
            + "、".join(_stem(r).replace(first.plan.campaign.name, "") or _stem(r) for r in own)
            + "考评情况"
        )
    lead = f"根据{owner.name}{lead_plan}，现将{words}考评情况通报如下。"
    return Bulletin(
        name=name,
        title=f"关于{title_body}的通报",
        issuer=f"{owner.name}攻坚行动领导小组办公室",
        particulars=info,
        draft=draft,
        lead=lead,
        sections=sections,
        tables=[_table(r, c) for r, c in zip(own, captions, strict=True)]
        + bulletin_lists.tables(own, captions)
        if info.attach_tables
        else [],
        round_ids=[r.pk for r in [*upper, *own]],
        office_id=owner.pk,
    )


def to_markdown(b: Bulletin) -> str:
    info = b.particulars
    out = [f"{info.number}", "", f"# {b.title}", ""]
    if b.draft:
        out += ["**（草稿：含未发布的考评结果）**", ""]
    out += [f"{info.addressees}：", "", b.lead, ""]
    for s in b.sections:
        out += [f"## {s.heading}", "", *[p + "\n" for p in s.paragraphs]]
        for sub in s.subsections:
            out += [f"### {sub.heading}", "", *[p + "\n" for p in sub.paragraphs]]
    if b.tables:
        out += ["附件：" + "  \n".join(f"{i}. {t.caption}" for i, t in enumerate(b.tables, 1)), ""]
    out += [f"{info.signatory}  ", zh_date(info.date), ""]
    for i, t in enumerate(b.tables, start=1):
        out += [f"### 附件{i}：{t.caption}", ""]
        out.append("| " + " | ".join(t.columns) + " |")
        out.append("|" + "---|" * len(t.columns))
        out += ["| " + " | ".join(row) + " |" for row in t.rows]
        out.append("")
    if info.cc:
        out += [f"抄送：{info.cc}。", ""]
    out += [f"{info.printer}　　{zh_date(info.printed_on or info.date)}印发", ""]
    return "\n".join(out)


PARTICULAR_FIELDS = (
    "doc_number",
    "doc_addressees",
    "doc_signatory",
    "signed_on",
    "doc_cc",
    "doc_printer",
    "doc_copy_number",
    "doc_secrecy",
    "doc_attach_tables",
)


def particulars_refusal(actor: Any, round_: Round) -> str | None:
    """Why this user may not fill the round's particulars, or None: the one rule the service,
    the page's form and the API share (the plan's office, before the round is published)."""
    if round_.state == RoundState.PUBLISHED:
        return _("考评期已发布，通报要素不可更改；如需更正，请新建更正版本。")
    if actor is not None and not scope_for(actor).can(
        Action.MANAGE_CAMPAIGN, round_.plan.campaign.owner
    ):
        return _("只有制定该考评方案的攻坚办可以填写通报要素。")
    return None


@transaction.atomic
def set_particulars(
    *,
    actor: Any,
    round: Round,
    expected_version: int | None = None,
    **values: Any,
) -> Round:
    """The office that owns the plan fills the document's particulars before it publishes; a
    published round keeps them as they were (the round's fields, immutable with it)."""
    if actor is not None:
        scope_for(actor).require(Action.MANAGE_CAMPAIGN, round.plan.campaign.owner)
    unknown = set(values) - set(PARTICULAR_FIELDS)
    if unknown:
        raise ValidationFailed(_("未知的通报要素：%(f)s") % {"f": "、".join(sorted(unknown))})
    locked = lock_for_update(Round, round.pk, expected_version=expected_version)
    refusal = particulars_refusal(actor, locked)
    if refusal is not None:
        raise Immutable(refusal)
    for name, value in values.items():
        if isinstance(value, str):
            value = check_text(Round, name, value)
        setattr(locked, name, value)
    record(locked, actor=actor, reason=_("填写通报要素"))
    locked.save()
    return locked
