"""A unit's pre-filled progress-report template (.xlsx) and its import, all or nothing.

One row per project the user may report on, with code, name and last percent filled in; the unit
fills the period's figures in Excel or WPS and uploads it. Every filled row becomes a report
through `projects.reports.submit_report`; any bad cell and nothing is saved.
"""

from __future__ import annotations

from typing import IO, Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as _noop

from gongjian.core import clock
from gongjian.core.errors import CellError, GongjianError, ImportRejected, UnitNameError
from gongjian.exchange.dates import DateUnreadable, parse_date
from gongjian.exchange.office_xlsx import Field, Kind, OfficeBook
from gongjian.exchange.workbook import Upload, upload_bytes
from gongjian.org.names import name_key
from gongjian.org.scope import Action, scope_for
from gongjian.org.selectors import UnitResolver
from gongjian.projects import reports, selectors
from gongjian.projects.ledger_file import Column, _blank, _decimal, _locate, _read_book, _text
from gongjian.projects.models import CoordinationCategory, Milestone, Project

SHEET = "进度填报"
CATEGORIES = "协调事项类别"
COLUMNS = [
    Column("code", "项目编号", "text", True, 14),
    Column("name", "项目名称", "info", width=36),
    Column("last", "上期形象进度（%）", "info", width=10),
    Column("period_end", "填报期末", "date", True, 12),
    Column("percent_done", "形象进度（%）", "decimal", True, 10),
    Column("investment_period_wan", "本期完成投资（万元）", "decimal", width=12),
    Column("milestones", "本期完成节点", "text", width=20),
    Column("problems", "存在问题", "text", width=30),
    Column("category", "协调事项类别", "text", width=12),
    Column("coordination", "协调事项内容", "text", width=30),
    Column("handling_unit", "协调单位", "text", width=16),
]
CATEGORY_BY_TEXT = {
    **{name_key(str(label)): value for value, label in CoordinationCategory.choices},
    **{v: v for v in CoordinationCategory.values},
}


_FIELDS = [
    Field(c.header, width=c.width, required=c.required, kind=kind, choices=choices, note=note)
    for c, kind, choices, note in [
        (COLUMNS[0], Kind.TEXT, None, _noop("不要修改：按编号认定项目。")),
        (COLUMNS[1], Kind.TEXT, None, _noop("仅供参考，导入时不读。")),
        (COLUMNS[2], Kind.NUMBER, None, _noop("仅供参考，导入时不读。")),
        (COLUMNS[3], Kind.DATE, None, _noop("本期的截止日期，已预填为今天。")),
        (COLUMNS[4], Kind.NUMBER, None, _noop("0 到 100 之间的数字，不低于上期。")),
        (COLUMNS[5], Kind.WAN, None, ""),
        (COLUMNS[6], Kind.TEXT, None, _noop("本期完成的节点名称，多个用顿号分隔。")),
        (COLUMNS[7], Kind.TEXT, None, ""),
        (COLUMNS[8], Kind.TEXT, CATEGORIES, _noop("有协调事项时从下拉列表选择。")),
        (COLUMNS[9], Kind.TEXT, None, ""),
        (COLUMNS[10], Kind.TEXT, None, _noop("单位全称或简称。")),
    ]
]
GUIDE = [
    _noop("1. 每行一个项目，填写本期形象进度等，保存为 .xlsx 后在平台“导入”页选择“进度填报”上传。"),
    _noop("2. 形象进度为空的行不导入；任一单元格有误则整份不导入，并指明工作表、行、列和原因。"),
    _noop("3. 日期填写为日期，如 2026年12月31日 或 2026-12-31；金额单位为万元，保留两位小数。"),
]


def report_workbook(projects: QuerySet[Project]) -> IO[bytes]:
    """The pre-filled template in a temporary file (rewound; the caller closes it)."""
    book = OfficeBook(lists={CATEGORIES: [str(label) for label in CoordinationCategory.labels]})
    fields = [Field(**{**f.__dict__, "note": str(_(f.note)) if f.note else ""}) for f in _FIELDS]
    sheet = book.sheet(SHEET, fields, freeze=2)
    today = clock.today()
    rows = projects.order_by("code").values_list("code", "name", "percent_done")
    for code, name, percent in rows.iterator(chunk_size=2000):
        sheet.append([code, name, percent, today])
    return book.finish([str(_(line)) for line in GUIDE])


def report_template(projects: QuerySet[Project]) -> bytes:
    with report_workbook(projects) as file:
        return file.read()


def import_reports_xlsx(*, actor: Any, data: Upload) -> int:
    """Submit every filled row as a report; ImportRejected (nothing saved) on any bad cell.

    Who may report is asked before the file is read (a viewer is refused at the door).
    """
    scope_for(actor).require_somewhere(Action.REPORT_PROGRESS)
    errors: list[CellError] = []
    sheet = _locate(_read_book(upload_bytes(data)), SHEET, COLUMNS, errors)
    if sheet is None or errors:
        raise ImportRejected(errors)
    visible = {
        p.code: p
        for p in selectors.projects_for(actor, Action.REPORT_PROGRESS).select_related("unit")
    }
    units = UnitResolver()
    count = 0
    with transaction.atomic():
        for row_no, row in enumerate(sheet.rows, start=2):
            if _blank(row):
                continue
            cells = {
                c.field: row[sheet.positions[c.field]]
                if sheet.positions[c.field] < len(row)
                else None
                for c in COLUMNS
                if c.field in sheet.positions
            }
            if not _text(cells.get("percent_done")):
                continue  # a row left empty is not reported this time

            def fail(field: str, message: str, row_no: int = row_no) -> None:
                label = next(c.header for c in COLUMNS if c.field == field)
                errors.append(CellError(SHEET, row_no, sheet.letter(field), label, message))

            project = visible.get(_text(cells.get("code")))
            if project is None:
                fail(
                    "code",
                    _("找不到项目编号“%(c)s”，或您无权填报。") % {"c": _text(cells.get("code"))},
                )
                continue
            try:
                period_end = parse_date(cells.get("period_end"))
                if period_end is None:
                    raise ValueError(_("不能为空。"))
            except (ValueError, DateUnreadable) as exc:
                fail("period_end", str(exc))
                continue
            try:
                percent = _decimal(cells.get("percent_done"))
                invest = _decimal(cells.get("investment_period_wan"))
            except ValueError as exc:
                fail("percent_done", str(exc))
                continue
            names = [n for n in _text(cells.get("milestones")).replace("，", "、").split("、") if n]
            reached = list(Milestone.objects.filter(project=project, name__in=names))
            missing = sorted(set(names) - {m.name for m in reached})
            if missing:
                fail("milestones", _("本项目没有节点：%(n)s") % {"n": "、".join(missing)})
                continue
            coordination = []
            if _text(cells.get("coordination")):
                category = CATEGORY_BY_TEXT.get(name_key(_text(cells.get("category"))))
                if category is None:
                    fail(
                        "category",
                        _("请选择协调事项类别（%(c)s）")
                        % {
                            "c": "、".join(str(label) for _v, label in CoordinationCategory.choices)
                        },
                    )
                    continue
                try:
                    unit_text = _text(cells.get("handling_unit"))
                    unit = units.resolve(unit_text, near=project.unit) if unit_text else None
                except UnitNameError as exc:
                    fail("handling_unit", exc.message)
                    continue
                coordination.append(
                    reports.CoordinationInput(category, _text(cells.get("coordination")), unit)
                )
            try:
                reports.submit_report(
                    actor=actor,
                    project=project,
                    period_end=period_end,
                    percent_done=percent,
                    investment_period_wan=invest,
                    milestones_reached=reached,
                    problems=_text(cells.get("problems")),
                    coordination=coordination,
                )
            except GongjianError as exc:
                field = str(exc.details.get("field", "percent_done"))
                fail(field if field in sheet.positions else "percent_done", exc.message)
                continue
            count += 1
        if errors:
            raise ImportRejected(errors)
    return count
