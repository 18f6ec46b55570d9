"""A round's results as .xlsx: one row per unit the reader may see (`visibility`), in the plan's
group order, with every line's score and rank; constant memory, streamed like the ledger."""

from __future__ import annotations

from decimal import Decimal
from typing import IO, Any

from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext as _

from gongjian.assessment import selectors
from gongjian.assessment.models import Round, RoundState
from gongjian.core.progress import Progress
from gongjian.exchange.office_xlsx import Field, Kind, OfficeBook, write_rows
from gongjian.org.models import Unit
from gongjian.org.selectors import unit_references

GROUPS, GRADES = "分组", "等次"


def results_workbook(round_: Round, user: Any, *, progress: Progress | None = None) -> IO[bytes]:
    """The results `user` may see of the round; a temporary file, rewound (the caller closes it)."""
    groups = [g.name for g in round_.plan.groups.all()]
    lines = [pl.name for pl in round_.plan.lines.all()]
    fields = [
        Field(_("分组"), 12, choices=GROUPS),
        Field(_("名次"), 8, Kind.INT, note=_("组内名次；并列时名次相同，下一名次顺延。")),
        Field(_("单位"), 20),
        Field(_("综合得分"), 10, Kind.SCORE),
        Field(_("并列"), 8),
        Field(_("等次"), 10, choices=GRADES),
        Field(_("否决"), 12),
    ]
    for line in lines:
        fields += [
            Field(_("%(line)s得分") % {"line": line}, 12, Kind.SCORE),
            Field(_("%(line)s名次") % {"line": line}, 10, Kind.INT),
        ]
    qs = selectors.results(user, round_).defer("explanation")
    ordered = qs.annotate(
        group_order=Case(
            *(When(group=name, then=Value(i)) for i, name in enumerate(groups)),
            default=Value(len(groups)),
            output_field=IntegerField(),
        )
    ).order_by("group_order", "rank", "unit__sort_order", "unit_id")
    grades = sorted(set(qs.exclude(grade="").values_list("grade", flat=True)))
    book = OfficeBook(lists={GROUPS: groups, GRADES: grades})
    sheet = book.sheet(_("考评结果"), fields, freeze=3)
    total = qs.count()
    # 区财政局（长乐区）where a plan's members share a name, as the other exports write it.
    refs = unit_references(Unit.objects.filter(pk__in=qs.values("unit_id")))

    def written(n: int) -> None:
        if progress is not None:
            progress(_("写入考评结果"), n, total)

    rows = (
        [
            r.group,
            r.rank,
            refs[r.unit_id],
            r.score,
            _("是") if r.tied else "",
            r.grade,
            r.veto,
            *(
                value
                for line in lines
                for value in (
                    _number((r.lines.get(line) or {}).get("score")),
                    _number((r.lines.get(line) or {}).get("rank")),
                )
            ),
        ]
        for r in ordered.iterator(chunk_size=2000)
    )
    write_rows(sheet, rows, written)
    state = RoundState(round_.state).label
    return book.finish(
        [
            _("%(round)s（%(state)s）的考评结果，每行一个单位，按方案的分组顺序和名次排列。")
            % {"round": round_, "state": state},
            _("未发布的考评期只有主办的攻坚办能看到全部单位；其他单位只看到本单位一行。"),
        ]
    )


def _number(value: Any) -> Decimal | None:
    """A stored line figure (a number or its text) as a number cell."""
    return None if value is None or value == "" else Decimal(str(value))
