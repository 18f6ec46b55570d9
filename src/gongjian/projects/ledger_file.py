"""The ledger as an .xlsx workbook, out and back in: all or nothing, errors named by cell.

Two sheets, one row per project (项目台账) and one per milestone (节点计划); columns are found by
their header text, so a user may reorder them. Units and people go through the tolerant name
lookup, dates through `exchange.dates`; the writes go through `projects.importing.import_ledger`.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO, Any, TypeVar

from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as _noop
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from gongjian.campaigns.models import Campaign, Line
from gongjian.core.bulk import chunks
from gongjian.core.errors import CellError, ImportRejected, UnitNameError
from gongjian.core.progress import Progress
from gongjian.exchange.dates import DateUnreadable, parse_date
from gongjian.exchange.office_xlsx import PROGRESS_EVERY, Field, Kind, OfficeBook, write_rows
from gongjian.exchange.workbook import Upload, check_xlsx, upload_bytes, write_row, xlsx_sheets
from gongjian.org.models import Person, Unit
from gongjian.org.names import clean_text, name_key
from gongjian.org.scope import Action, scope_for
from gongjian.org.selectors import UnitResolver, unit_references
from gongjian.projects import following, importing, selectors
from gongjian.projects.models import Milestone, Project, ProjectLevel, ProjectStatus, TeamMember

PROJECT_SHEET = "项目台账"
MILESTONE_SHEET = "节点计划"
CENT = Decimal("0.01")
MAX_ROWS = 200_000


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    kind: str
    required: bool = False
    width: int = 14


PROJECT_COLUMNS = [
    Column("code", "项目编号", "text", True, 14),
    Column("name", "项目名称", "text", True, 36),
    Column("level", "项目级别", "level", True, 10),
    Column("campaign", "攻坚行动", "campaign"),
    Column("line", "攻坚专项", "line", width=20),
    Column("owner", "业主单位", "text", width=24),
    Column("unit", "责任单位", "unit", True, 16),
    Column("leader", "责任领导", "person", width=10),
    Column("team", "工作团队", "team", width=36),
    Column("location", "建设地点", "text", width=20),
    Column("total_investment_wan", "总投资（万元）", "decimal"),
    Column("annual_planned_wan", "年度计划投资（万元）", "decimal"),
    Column("investment_completed_wan", "累计完成投资（万元）", "decimal"),
    Column("planned_start", "计划开工", "date", width=12),
    Column("planned_completion", "计划竣工", "date", width=12),
    Column("actual_start", "实际开工", "date", width=12),
    Column("actual_completion", "实际竣工", "date", width=12),
    Column("status", "状态", "status", width=10),
    Column("percent_done", "形象进度（%）", "decimal", width=10),
    Column("not_started_reason", "未开工原因", "text", width=20),
    Column("description", "建设内容", "text", width=30),
    Column("version", "版本", "version", width=6),
    # Added in 2026-12: after every older column (版本 included), so their letters stay.
    Column("investment_code", "投资项目代码", "text", width=26),
    Column("contact_name", "联络人", "text", width=10),
    Column("contact_phone", "联络人电话", "text", width=16),
    # Read-only: when the project last changed, for sorting the sheet; the import ignores it.
    Column("updated_at", "更新时间", "stamp", width=18),
]
MILESTONE_COLUMNS = [
    Column("code", "项目编号", "text", True, 14),
    Column("seq", "序号", "int", True, 6),
    Column("name", "节点名称", "text", True, 14),
    Column("planned_date", "计划完成日期", "date", True, 12),
    Column("actual_date", "实际完成日期", "date", width=12),
    Column("person", "责任人", "person", width=10),
    Column("unit", "责任单位", "unit", width=16),
    Column("note", "备注", "text", width=24),
]
# Per sheet: "name" is 项目名称 on one and 节点名称 on the other.
PROJECT_LABELS = {c.field: c.header for c in PROJECT_COLUMNS}
MILESTONE_LABELS = {c.field: c.header for c in MILESTONE_COLUMNS}
LEVEL_BY_TEXT = {
    **{name_key(str(label)): value for value, label in ProjectLevel.choices},
    **{v: v for v in ProjectLevel.values},
    name_key("省级"): "province",
    name_key("市级"): "city",
    name_key("区级"): "district",
}
STATUS_BY_TEXT = {
    **{name_key(str(label)): value for value, label in ProjectStatus.choices},
    **{v: v for v in ProjectStatus.values},
}


# --- Export -----------------------------------------------------------------------------------

CHUNK = 2000  # projects per query: the export holds one chunk (and its teams) at a time
LEVELS, STATUSES, CAMPAIGNS, LINES, UNITS = "级别", "状态", "攻坚行动", "攻坚专项", "单位"
_CHOICES = {
    "level": LEVELS,
    "status": STATUSES,
    "campaign": CAMPAIGNS,
    "line": LINES,
    "unit": UNITS,
}
_KINDS = {
    "decimal": Kind.WAN,
    "date": Kind.DATE,
    "int": Kind.INT,
    "version": Kind.VERSION,
    "stamp": Kind.DATETIME,
}
_NOTES = {
    "code": _noop("项目的唯一编号；已有编号的行修改该项目，新编号的行新建项目。"),
    "campaign": _noop("写作“名称（主办单位）”，如“攻坚120天（长乐区）”；从下拉列表选择。"),
    "line": _noop("所属攻坚行动下的专项名称；从下拉列表选择。"),
    "unit": _noop("单位全称或简称；从下拉列表选择。"),
    "leader": _noop("干部姓名；同名时按责任单位就近认定。"),
    "team": _noop("多人用顿号分隔，职责写在括号内，如“张三（联络员）、李四”。"),
    "percent_done": _noop("0 到 100 之间的数字。"),
    "investment_code": _noop("投资项目在线审批监管平台的 24 位代码，如 2020-350182-48-01-123456。"),
    "contact_phone": _noop("手机号或带区号的固定电话。"),
    "version": _noop("导出时的版本号，用于发现他人在此期间的修改。"),
    "updated_at": _noop("该项目台账最后修改的时间，仅供查看和排序；导入时忽略此列。"),
}
GUIDE = [
    _noop("1. 在“项目台账”“节点计划”两张表中修改或新增行，保存为 .xlsx 后在平台“导入台账”上传。"),
    _noop(
        "2. 导入全部成功或全部不导入：任一单元格有误，平台列出出错的工作表、行、列和原因，并可下载标注了错误的文件。"
    ),
    _noop("3. 未修改的行导入后保持不变；不要删改表头，列的顺序可以调整。"),
    _noop(
        "4. 级别、状态、攻坚行动、攻坚专项、单位请从下拉列表中选择（列表在隐藏的“选项”工作表）。"
    ),
    _noop("5. 金额单位为万元，保留两位小数；日期填写为日期，如 2026年12月31日 或 2026-12-31。"),
    _noop(
        "6. 隐藏的“版本”列已锁定，请勿修改；排序时需先在“审阅”中撤销工作表保护（无密码），导入时不受影响。"
    ),
]


def campaign_ref(name: str, owner: str) -> str:
    """How a file names a campaign: names repeat between levels (攻坚120天 of the district and
    of the city), so the owner goes with it; `_Lookups.campaign` reads it back."""
    return f"{name}（{owner}）"


def _fields(columns: Sequence[Column]) -> list[Field]:
    return [
        Field(
            c.header,
            width=c.width,
            kind=_KINDS.get(c.kind, Kind.TEXT) if c.field != "percent_done" else Kind.NUMBER,
            required=c.required,
            choices=_CHOICES.get(c.kind),
            strict=c.kind in ("level", "status"),
            note=str(_(_NOTES[c.field])) if c.field in _NOTES else "",
        )
        for c in columns
    ]


def _lists(projects: QuerySet[Project], actor: Any) -> dict[str, list[str]]:
    """The drop-downs' values, from the database: every level and status, the campaigns and lines
    of the exported projects' campaigns, the units the actor may keep the ledger of."""
    campaign_ids = projects.order_by().values("campaign_id")
    campaigns = (
        Campaign.objects.filter(pk__in=campaign_ids)
        .order_by("owner__path", "start_date", "pk")
        .values_list("name", "owner__name")
    )
    lines = (
        Line.objects.filter(campaign_id__in=campaign_ids)
        .order_by("campaign__start_date", "campaign_id", "pk")
        .values_list("name", flat=True)
    )
    if actor is not None:
        units = scope_for(actor).units(Action.EDIT_LEDGER)
    else:
        units = Unit.objects.filter(pk__in=projects.order_by().values("unit_id"))
    refs = unit_references(units)
    return {
        LEVELS: [str(label) for label in ProjectLevel.labels],
        STATUSES: [str(label) for label in ProjectStatus.labels],
        CAMPAIGNS: [campaign_ref(name, owner) for name, owner in campaigns],
        LINES: list(lines),
        UNITS: [refs[pk] for pk in units.order_by("path").values_list("pk", flat=True)],
    }


def ledger_workbook(
    projects: QuerySet[Project],
    *,
    actor: Any = None,
    progress: Progress | None = None,
) -> IO[bytes]:
    """The projects (and their milestones) as an .xlsx that `import_ledger_xlsx` reads back,
    written in constant memory to a temporary file (rewound; the caller closes it).

    `progress(stage, done, total)` counts the projects, then the milestones, as they are written."""
    projects = projects.order_by("code")
    total = projects.count()
    book = OfficeBook(lists=_lists(projects, actor))
    sheet = book.sheet(PROJECT_SHEET, _fields(PROJECT_COLUMNS), freeze=2)
    rows = projects.select_related("campaign__owner", "line", "leader")
    # Each label translated once, not once a row (a gettext a cell is a tenth of the export).
    labels = {
        "level": {value: str(label) for value, label in ProjectLevel.choices},
        "status": {value: str(label) for value, label in ProjectStatus.choices},
    }
    milestones_of = Milestone.objects.filter(project__in=projects.order_by().values("pk"))
    # Units written so the import reads each back as itself where two share a name.
    units = unit_references(
        Unit.objects.filter(
            Q(pk__in=projects.order_by().values("unit_id"))
            | Q(pk__in=milestones_of.order_by().values("unit_id"))
        )
    )
    done = 0
    last_code = None
    while True:
        chunk = list(rows.filter(code__gt=last_code)[:CHUNK] if last_code else rows[:CHUNK])
        if not chunk:
            break
        teams = _teams([p.pk for p in chunk])
        for p in chunk:
            sheet.append([_project_cell(p, c, teams, labels, units) for c in PROJECT_COLUMNS])
        done += len(chunk)
        last_code = chunk[-1].code
        if progress is not None:
            progress(_("写入项目"), done, total)
    ms = book.sheet(MILESTONE_SHEET, _fields(MILESTONE_COLUMNS), freeze=2)
    milestones = (
        (*row[:6], units.get(row[6]) if row[6] else None, row[7])
        for row in milestones_of.order_by("project__code", "seq")
        .values_list(
            "project__code", "seq", "name", "planned_date", "actual_date", "person__name",
            "unit_id", "note",
        )
        .iterator(chunk_size=CHUNK)
    )  # fmt: skip
    count = milestones_of.count()

    def milestones_written(n: int) -> None:
        if progress is not None:
            progress(_("写入节点"), n, count)

    write_rows(ms, milestones, milestones_written)
    return book.finish([str(_(line)) for line in GUIDE])


def export_ledger(projects: QuerySet[Project], *, actor: Any = None) -> bytes:
    """The workbook of `ledger_workbook` as bytes (small exports and tests)."""
    with ledger_workbook(projects, actor=actor) as file:
        return file.read()


def _teams(ids: list[int]) -> dict[int, list[str]]:
    teams: dict[int, list[str]] = {}
    for pid, person, duty in (
        TeamMember.objects.filter(project_id__in=ids)
        .order_by("project_id", "pk")
        .values_list("project_id", "person__name", "duty")
    ):
        teams.setdefault(pid, []).append(f"{person}（{duty}）" if duty else person)
    return teams


def _project_cell(
    p: Project,
    c: Column,
    teams: dict[int, list[str]],
    labels: dict[str, dict[str, str]],
    units: dict[int, str],
) -> Any:
    if c.kind in ("level", "status"):
        value = getattr(p, c.field)
        return labels[c.kind].get(value, value)
    if c.kind == "campaign":
        return campaign_ref(p.campaign.name, p.campaign.owner.name) if p.campaign else None
    if c.kind == "unit":
        return units.get(p.unit_id)
    if c.kind in ("line", "person"):
        obj = getattr(p, c.field)
        return obj.name if obj else None
    if c.kind == "team":
        return "、".join(teams.get(p.pk, [])) or None
    if c.kind == "stamp":  # OfficeSheet writes it in the office's local time
        return p.updated_at
    value = getattr(p, c.field)
    return None if value == "" else value


# --- Import -----------------------------------------------------------------------------------


class _Lookups:
    """Every name in a file resolved against indexes loaded once (thousands of rows).

    With an actor, only among what the actor's project sheet would offer: the campaigns in view
    (`following.campaigns_for`) and their lines, the people `selectors.nameable_people` names,
    and on the row of an existing project (by `codes`) what that project already names, so an
    unchanged row of another unit's project still reads back. A name outside reads like one that
    does not exist. Without an actor (system work, no user to answer for), everything.

    A project's 责任单位 is read among the units the actor keeps a ledger for and the existing
    projects' own units; a milestone's among every unit. Of two units of one name, the one
    nearest the actor (a project's) or the milestone's project is meant, when one is nearest.
    """

    def __init__(self, actor: Any = None, codes: Sequence[str] = ()) -> None:
        self.any_unit = UnitResolver()
        self.near: Unit | None = getattr(actor, "unit", None)
        if actor is None:
            self.units = self.any_unit
            people = Person.objects.all()
            campaigns = Campaign.objects.all()
            lines = Line.objects.all()
        else:
            among = set(selectors.sheet_units(actor).values_list("pk", flat=True))
            for chunk in chunks(list(codes)):
                among.update(
                    Project.objects.filter(code__in=chunk).values_list("unit_id", flat=True)
                )
            self.units = UnitResolver(among=among)
            people = selectors.nameable_people(actor)
            campaigns = following.campaigns_for(actor)
            lines = Line.objects.filter(campaign__in=campaigns.order_by().values("pk"))
        self._people = _by_name(people.select_related("unit"))
        self._campaigns = _by_name(campaigns.select_related("owner"))
        self._lines = _by_name(lines.select_related("campaign"))
        # By code, what a project already names beyond the lists above (none for system work).
        self._own_people: dict[str, dict[str, list[Person]]] = {}
        self._own_campaign: dict[str, Campaign] = {}
        self._own_lines: dict[int, dict[str, list[Line]]] = {}
        if actor is not None and codes:
            self._load_own(codes)
        self._unit_cache: dict[str, Unit] = {}

    def _load_own(self, codes: Sequence[str]) -> None:
        listed = {p.pk for found in self._people.values() for p in found}
        for code, person in selectors.people_named_on(codes):
            if person.pk not in listed:
                own = self._own_people.setdefault(code, {})
                own.setdefault(name_key(person.name), []).append(person)
        in_view = {c.pk for found in self._campaigns.values() for c in found}
        stored: dict[str, int] = {}
        for chunk in chunks(list(codes)):
            rows = Project.objects.filter(code__in=chunk, campaign__isnull=False).order_by()
            stored.update(rows.values_list("code", "campaign_id"))
        missing = {pk for pk in stored.values() if pk not in in_view}
        if not missing:
            return
        campaigns = Campaign.objects.select_related("owner").in_bulk(missing)
        self._own_campaign = {code: campaigns[pk] for code, pk in stored.items() if pk in missing}
        for line in Line.objects.filter(campaign_id__in=missing).select_related("campaign"):
            own_lines = self._own_lines.setdefault(line.campaign_id, {})
            own_lines.setdefault(name_key(line.name), []).append(line)

    def unit(self, text: str) -> Unit:
        """A project's 责任单位."""
        if text not in self._unit_cache:
            self._unit_cache[text] = self.units.resolve(text, near=self.near)
        return self._unit_cache[text]

    def milestone_unit(self, text: str, project_unit: Unit | None) -> Unit:
        return self.any_unit.resolve(text, near=project_unit or self.near)

    def person(self, text: str, near: Unit | None, code: str) -> Person:
        key = name_key(text)
        found = [*self._people.get(key, []), *self._own_people.get(code, {}).get(key, [])]
        if len(found) > 1 and near is not None:
            close = [p for p in found if p.unit.path.startswith(near.path)]
            found = close or found
        if len(found) == 1:
            return found[0]
        if not found:
            raise ValueError(_("找不到干部“%(n)s”。") % {"n": clean_text(text)})
        raise ValueError(
            _("干部姓名“%(n)s”不唯一，可能是：%(c)s")
            % {"n": clean_text(text), "c": "；".join(f"{p.name}（{p.unit.name}）" for p in found)}
        )

    def _campaigns_named(self, key: str, code: str) -> list[Campaign]:
        own = self._own_campaign.get(code)
        mine = [own] if own is not None and name_key(own.name) == key else []
        return [*self._campaigns.get(key, []), *mine]

    def campaign(self, text: str, code: str) -> Campaign:
        """A campaign by its name, or by "名称（主办单位）" as the export writes it."""
        found = self._campaigns_named(name_key(text), code)
        name, _sep, owner = text.replace("(", "（").replace(")", "）").partition("（")
        if not found and owner.endswith("）"):
            owner_key = name_key(owner[:-1])
            found = [
                c
                for c in self._campaigns_named(name_key(name), code)
                if name_key(c.owner.name) == owner_key
            ]
        if len(found) == 1:
            return found[0]
        if not found:
            raise ValueError(_("找不到攻坚行动“%(n)s”。") % {"n": clean_text(text)})
        raise ValueError(
            _("攻坚行动“%(n)s”不唯一，请写作“名称（主办单位）”：%(c)s")
            % {
                "n": clean_text(text),
                "c": "；".join(
                    campaign_ref(c.name, c.owner.name) for c in sorted(found, key=lambda c: c.pk)
                ),
            }
        )

    def line(self, text: str, campaign: Campaign | None, code: str) -> Line:
        key = name_key(text)
        own = self._own_campaign.get(code)
        found = [
            *self._lines.get(key, []),
            *(self._own_lines.get(own.pk, {}).get(key, []) if own is not None else []),
        ]
        if campaign is not None:
            found = [line for line in found if line.campaign_id == campaign.pk]
        if len(found) == 1:
            return found[0]
        if not found:
            raise ValueError(
                _("找不到攻坚专项“%(n)s”%(w)s。")
                % {
                    "n": clean_text(text),
                    "w": _("（在“%(c)s”中）") % {"c": campaign.name} if campaign else "",
                }
            )
        raise ValueError(
            _("攻坚专项“%(n)s”不唯一，请同时填写攻坚行动：%(c)s")
            % {"n": clean_text(text), "c": "；".join(line.campaign.name for line in found)}
        )


N = TypeVar("N", Person, Campaign, Line)


def _by_name(rows: Iterable[N]) -> dict[str, list[N]]:
    index: dict[str, list[N]] = {}
    for row in rows:
        index.setdefault(name_key(row.name), []).append(row)
    return index


@dataclass
class _Sheet:
    name: str
    rows: list[list[Any]]
    positions: dict[str, int]  # field -> 0-based column index in the file

    def letter(self, field: str) -> str:
        pos = self.positions.get(field)
        return get_column_letter(pos + 1) if pos is not None else "A"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if type(value) is str:  # most cells: skip the checks below
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def _decimal(value: Any) -> Decimal:
    if value is None or (isinstance(value, str) and not value.strip()):
        return Decimal(0)
    if isinstance(value, bool):
        raise ValueError(_("应为数字"))
    text = (
        value.strip().replace(",", "").replace("，", "") if isinstance(value, str) else str(value)
    )
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(_("“%(v)s”不是数字") % {"v": value}) from exc
    if not number.is_finite():
        raise ValueError(_("“%(v)s”不是数字") % {"v": value})
    if number.adjusted() >= 12:  # numeric(14, 2), and past Decimal's precision for quantize
        raise ValueError(_("数值过大：%(v)s（最多 12 位整数）") % {"v": value})
    rounded = number.quantize(CENT)
    if abs(number - rounded) > Decimal("0.000001"):
        raise ValueError(_("最多保留两位小数：%(v)s") % {"v": value})
    return rounded


def _int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(_("应为整数"))
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError(_("“%(v)s”不是整数") % {"v": value}) from exc
    if number != number.to_integral_value() or number < 0:
        raise ValueError(_("“%(v)s”不是整数") % {"v": value})
    return int(number)


def _choice(value: Any, table: dict[str, str], choices: type[models.TextChoices]) -> str:
    found = table.get(name_key(_text(value)))
    if found is None:
        raise ValueError(
            _("“%(v)s”不是可选值（%(c)s）")
            % {"v": _text(value), "c": "、".join(str(label) for label in choices.labels)}
        )
    return found


def _read_book(data: bytes) -> dict[str, list[list[Any]]]:
    # From A1 (not from the first filled cell), so that row and column numbers are Excel's.
    sheets = xlsx_sheets(data, skip_empty_area=False)
    return {clean_text(name): rows for name, rows in sheets.items()}


def _locate(
    sheets: dict[str, list[list[Any]]],
    name: str,
    columns: Sequence[Column],
    errors: list[CellError],
) -> _Sheet | None:
    rows = sheets.get(name)
    if rows is None:
        errors.append(CellError(name, 1, "A", _("工作表"), _("缺少工作表“%(s)s”。") % {"s": name}))
        return None
    header = [name_key(_text(v)) for v in (rows[0] if rows else [])]
    positions: dict[str, int] = {}
    for c in columns:
        key = name_key(c.header)
        if key in header:
            positions[c.field] = header.index(key)
        elif c.required:
            errors.append(
                CellError(name, 1, get_column_letter(len(header) + 1), c.header, _("缺少此列。"))
            )
    if len(rows) - 1 > MAX_ROWS:
        errors.append(
            CellError(
                name, MAX_ROWS + 2, "A", _("行数"), _("一次最多导入 %(n)s 行。") % {"n": MAX_ROWS}
            )
        )
        return None
    return _Sheet(name, rows[1:], positions)


def _cells(sheet: _Sheet, row: list[Any]) -> dict[str, Any]:
    """The row's cells by field, in the order of the sheet's columns (positions follow it)."""
    n = len(row)
    return {field: (row[pos] if pos < n else None) for field, pos in sheet.positions.items()}


def _blank(row: list[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in row)


def read_ledger(
    data: bytes,
    lookups: _Lookups | None = None,
    progress: Progress | None = None,
    *,
    actor: Any = None,
) -> tuple[
    list[importing.ProjectInput], list[importing.MilestoneInput], list[CellError], dict[str, _Sheet]
]:
    """Parse the workbook into service inputs, collecting every cell error (nothing written).

    Names are read among what `actor` may name (`_Lookups`); None is system work (everything)."""
    errors: list[CellError] = []
    if progress is not None:
        progress(_("读取文件"), 0, 1)
    sheets = _read_book(data)
    if progress is not None:
        progress(_("读取文件"), 1, 1)
    project_sheet = _locate(sheets, PROJECT_SHEET, PROJECT_COLUMNS, errors)
    milestone_sheet = None
    if MILESTONE_SHEET in sheets:
        milestone_sheet = _locate(sheets, MILESTONE_SHEET, MILESTONE_COLUMNS, errors)
    located = {s.name: s for s in (project_sheet, milestone_sheet) if s is not None}
    if errors or project_sheet is None:
        return [], [], errors, located
    lookups = lookups or _Lookups(actor, _codes(project_sheet, milestone_sheet))
    projects: list[importing.ProjectInput] = []
    total = len(project_sheet.rows)
    for i, row in enumerate(project_sheet.rows, start=2):
        if progress is not None and (i - 1) % PROGRESS_EVERY == 0:
            progress(_("核对项目"), i - 1, total)
        if _blank(row):
            continue
        item = _project_row(project_sheet, i, row, lookups, errors)
        if item is not None:
            projects.append(item)
    if progress is not None:
        progress(_("核对项目"), total, total)
    milestones: list[importing.MilestoneInput] = []
    if milestone_sheet is not None:
        units = {p.code: p.values.get("unit") for p in projects}
        for i, row in enumerate(milestone_sheet.rows, start=2):
            if _blank(row):
                continue
            m = _milestone_row(milestone_sheet, i, row, lookups, units, errors)
            if m is not None:
                milestones.append(m)
            if progress is not None and (i - 1) % PROGRESS_EVERY == 0:
                progress(_("核对节点"), i - 1, len(milestone_sheet.rows))
        if progress is not None:
            progress(_("核对节点"), len(milestone_sheet.rows), len(milestone_sheet.rows))
    return projects, milestones, errors, located


def _codes(*sheets: _Sheet | None) -> list[str]:
    """The project codes a file's rows name, each once."""
    codes: dict[str, None] = {}
    for sheet in sheets:
        if sheet is not None and "code" in sheet.positions:
            pos = sheet.positions["code"]
            codes.update((_text(row[pos]), None) for row in sheet.rows if pos < len(row))
    codes.pop("", None)
    return list(codes)


_TEXT_KINDS = frozenset({"text", "status", "unit", "campaign", "version"})


def _project_row(
    sheet: _Sheet, row_no: int, row: list[Any], lookups: _Lookups, errors: list[CellError]
) -> importing.ProjectInput | None:
    cells = _cells(sheet, row)
    values: dict[str, Any] = {}
    failed = False

    def fail(field: str, message: str) -> None:
        nonlocal failed
        failed = True
        errors.append(
            CellError(sheet.name, row_no, sheet.letter(field), PROJECT_LABELS[field], message)
        )

    code = _text(cells.get("code"))
    if not code:
        fail("code", _("项目编号不能为空。"))
    campaign = None
    team: list[tuple[Person, str]] | None = None
    version = None
    for c in PROJECT_COLUMNS:
        if c.field not in cells or c.field == "code" or c.kind == "stamp":
            continue
        raw = cells[c.field]
        kind = c.kind
        try:
            if kind == "decimal":
                values[c.field] = _decimal(raw)
            elif kind == "date":
                values[c.field] = parse_date(raw)
            elif kind == "level":
                values[c.field] = _choice(raw, LEVEL_BY_TEXT, ProjectLevel)
            elif kind in _TEXT_KINDS:
                text = _text(raw)
                if kind == "text":
                    values[c.field] = text
                    if c.required and not text:
                        raise ValueError(_("不能为空。"))
                elif kind == "status":
                    values[c.field] = (
                        _choice(raw, STATUS_BY_TEXT, ProjectStatus)
                        if text
                        else ProjectStatus.PLANNED
                    )
                elif kind == "unit":
                    if not text:
                        raise ValueError(_("不能为空。"))
                    values[c.field] = lookups.unit(text)
                elif kind == "campaign":
                    campaign = lookups.campaign(text, code) if text else None
                    values[c.field] = campaign
                else:  # version
                    version = _int(raw) if text else None
        except (ValueError, DateUnreadable) as exc:
            fail(c.field, str(exc))
        except UnitNameError as exc:
            fail(c.field, exc.message)
    unit = values.get("unit")
    for field in ("line", "leader", "team"):
        if field not in cells:
            continue
        text = _text(cells[field])
        try:
            if field == "line":
                values["line"] = lookups.line(text, campaign, code) if text else None
                if values["line"] is not None and campaign is None:
                    values["campaign"] = values["line"].campaign
            elif field == "leader":
                values["leader"] = lookups.person(text, unit, code) if text else None
            else:
                team = [_member(part, lookups, unit, code) for part in _split_team(text)]
        except ValueError as exc:
            fail(field, str(exc))
    if failed:
        return None
    return importing.ProjectInput(row=row_no, code=code, values=values, team=team, version=version)


def _split_team(text: str) -> list[str]:
    for sep in ("，", ",", "；", ";", "/"):
        text = text.replace(sep, "、")
    return [p.strip() for p in text.split("、") if p.strip()]


def _member(part: str, lookups: _Lookups, unit: Unit | None, code: str) -> tuple[Person, str]:
    part = part.replace("(", "（").replace(")", "）")
    name, _sep, duty = part.partition("（")
    return lookups.person(name.strip(), unit, code), duty.rstrip("）").strip()


def _milestone_row(
    sheet: _Sheet,
    row_no: int,
    row: list[Any],
    lookups: _Lookups,
    units: dict[str, Any],
    errors: list[CellError],
) -> importing.MilestoneInput | None:
    cells = _cells(sheet, row)
    values: dict[str, Any] = {}
    failed = False
    code = _text(cells.get("code"))
    seq = 0
    near = units.get(code)
    for c in MILESTONE_COLUMNS:
        if c.field not in cells:
            continue
        raw = cells[c.field]
        try:
            if c.field == "code":
                if not code:
                    raise ValueError(_("项目编号不能为空。"))
            elif c.field == "seq":
                seq = _int(raw)
                if seq < 1:
                    raise ValueError(_("序号应从 1 开始。"))
            elif c.kind == "text":
                values[c.field] = _text(raw)
                if c.required and not values[c.field]:
                    raise ValueError(_("不能为空。"))
            elif c.kind == "date":
                values[c.field] = parse_date(raw)
                if c.required and values[c.field] is None:
                    raise ValueError(_("不能为空。"))
            elif c.kind == "person":
                values[c.field] = lookups.person(_text(raw), near, code) if _text(raw) else None
            elif c.kind == "unit":
                values[c.field] = lookups.milestone_unit(_text(raw), near) if _text(raw) else None
        except (ValueError, DateUnreadable) as exc:
            failed = True
            errors.append(CellError(sheet.name, row_no, sheet.letter(c.field), c.header, str(exc)))
        except UnitNameError as exc:
            failed = True
            errors.append(
                CellError(sheet.name, row_no, sheet.letter(c.field), c.header, exc.message)
            )
    if failed:
        return None
    return importing.MilestoneInput(row=row_no, code=code, seq=seq, values=values)


def import_ledger_xlsx(
    *, actor: Any, data: Upload, progress: Progress | None = None
) -> importing.ImportSummary:
    """Import a ledger workbook, all or nothing; ImportRejected lists every bad cell.

    Who may import is asked before the file is read, and its size before its cells.
    """
    if actor is not None:
        scope_for(actor).require_somewhere(Action.EDIT_LEDGER)
    projects, milestones, errors, sheets = read_ledger(
        upload_bytes(data), progress=progress, actor=actor
    )
    if errors and not projects:
        raise ImportRejected(errors)
    failed_codes = {
        _text(sheets[PROJECT_SHEET].rows[e.row - 2][sheets[PROJECT_SHEET].positions["code"]])
        for e in errors
        if e.sheet == PROJECT_SHEET and e.row >= 2 and "code" in sheets[PROJECT_SHEET].positions
    }
    milestones = [m for m in milestones if m.code not in failed_codes]
    with transaction.atomic():
        summary = None
        if progress is not None:
            progress(_("写入数据库"), 0, 1)
        try:
            summary = importing.import_ledger(actor=actor, projects=projects, milestones=milestones)
        except importing.RowsRejected as exc:
            for p in exc.problems:
                sheet = sheets[PROJECT_SHEET if p.kind == "project" else MILESTONE_SHEET]
                errors.append(
                    CellError(
                        sheet.name,
                        p.row,
                        sheet.letter(p.field),
                        (PROJECT_LABELS if p.kind == "project" else MILESTONE_LABELS).get(
                            p.field, p.field
                        ),
                        p.message,
                    )
                )
        if errors or summary is None:
            errors.sort(key=lambda e: (e.sheet != PROJECT_SHEET, e.row, e.column))
            raise ImportRejected(errors)
    if progress is not None:
        progress(_("写入数据库"), 1, 1)
    return summary


# --- The rejected file, with its bad cells marked ----------------------------------------------

BAD_FILL = PatternFill("solid", fgColor="FFC7CE")


def mark_errors(data: Upload, errors: Sequence[CellError]) -> bytes:
    """The uploaded workbook with each bad cell filled red and commented, plus a list sheet."""
    try:
        content = upload_bytes(data)
        check_xlsx(content)  # openpyxl unpacks all of it: only a file within the limits
        wb = load_workbook(io.BytesIO(content))
    except Exception:  # not a (safe) workbook at all: only the list can be given
        wb = Workbook()
        wb.remove(wb.active)
    by_name = {clean_text(ws.title): ws for ws in wb.worksheets}
    for e in errors:
        ws = by_name.get(e.sheet)
        if ws is None or e.row < 1 or not e.column.isalpha():
            continue
        cell = ws[f"{e.column}{e.row}"]
        cell.fill = BAD_FILL
        text = e.message if cell.comment is None else f"{cell.comment.text}\n{e.message}"
        cell.comment = Comment(text, "攻坚平台")
    report = wb.create_sheet("错误清单", 0)
    report.append([_("工作表"), _("行"), _("列"), _("字段"), _("问题")])
    for cell in report[1]:
        cell.font = Font(bold=True)
    for e in errors:
        write_row(report, [e.sheet, e.row, e.column, e.field, e.message])
    for letter, width in zip("ABCDE", (12, 6, 6, 16, 60), strict=True):
        report.column_dimensions[letter].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
