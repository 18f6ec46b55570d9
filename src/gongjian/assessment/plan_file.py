"""Assessment plan files (YAML or .xlsx) ↔ one plain document; see docs/assessment.md.

Reading never touches the database: it returns a `PlanDoc` or raises ImportRejected naming the
sheet, row, column and field of every bad cell. The service resolves unit names and writes.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _

from gongjian.assessment.engine import Method, MissingRule, VetoLevel
from gongjian.core.errors import CellError, ImportRejected
from gongjian.exchange.workbook import Upload, decode_text, upload_bytes, write_row, xlsx_sheets

Loc = tuple[str, int, str]  # sheet, row, column
# A plan written as YAML is a few kilobytes; PyYAML's pure-Python reader (kept for its alias
# check below; the C one crashes on deep nesting) takes about 1.5 s a megabyte.
YAML_MAX_BYTES = 256 * 1024
YAML_MAX_DEPTH = 64
REPORT_STYLES = ("lines", "composite", "groups")

METHOD_NAMES = {m.value: m for m in Method} | {
    "直接打分": Method.DIRECT,
    "完成率": Method.COMPLETION,
    "按排名赋分": Method.RANK_POINTS,
    "完成/未完成": Method.PASS_FAIL,
    "按次扣分": Method.DEDUCTION,
    "按次加分": Method.BONUS,
    "一票否决": Method.VETO,
}


@dataclass
class IndicatorDoc:
    code: str
    name: str
    method: Method
    weight: Decimal
    full_marks: Decimal
    params: dict[str, Any]
    source: str
    loc: Loc


@dataclass
class LineDoc:
    name: str
    units: list[tuple[str, Loc]]
    indicators: list[IndicatorDoc]
    loc: Loc


@dataclass
class PlanDoc:
    campaign: str
    owner: str
    name: str
    precision: int = 2
    missing_rule: MissingRule = MissingRule.REFUSE
    bonus_cap: Decimal | None = None
    deduction_cap: Decimal | None = None
    grades: list[dict[str, Any]] = field(default_factory=list)
    description: str = ""
    report_style: str = "groups"
    report_top: int = 2
    report_heading: str = ""
    lists: dict[str, Any] = field(default_factory=dict)  # 红黑榜: see assessment/lists.py
    offences: list[Any] = field(default_factory=list)  # 连续N期: see assessment/offences.py
    groups: list[tuple[str, list[tuple[str, Loc]]]] = field(default_factory=list)
    lines: list[LineDoc] = field(default_factory=list)


class _Reader:
    def __init__(self) -> None:
        self.errors: list[CellError] = []

    def error(self, loc: Loc, name: str, message: str) -> None:
        self.errors.append(CellError(loc[0], loc[1], loc[2], name, message))

    def text(self, raw: Any, loc: Loc, name: str, *, required: bool = True) -> str:
        value = "" if raw is None else str(raw).strip()
        if required and not value:
            self.error(loc, name, _("不能为空"))
        return value

    def number(self, raw: Any, loc: Loc, name: str, default: Decimal | None) -> Decimal | None:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return default
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            self.error(loc, name, _("“%(v)s”不是数字") % {"v": raw})
            return default
        if not value.is_finite():
            self.error(loc, name, _("“%(v)s”不是有限数字") % {"v": raw})
            return default
        return value

    def method(self, raw: Any, loc: Loc) -> Method:
        key = str(raw or "").strip()
        if key not in METHOD_NAMES:
            self.error(
                loc,
                "method",
                _("未知计分方法“%(m)s”；可用：%(all)s")
                % {"m": key, "all": "、".join(m.value for m in Method)},
            )
            return Method.DIRECT
        return METHOD_NAMES[key]

    def params(self, method: Method, raw: Any, loc: Loc) -> dict[str, Any]:
        if raw in (None, ""):
            params: dict[str, Any] = {}
        elif isinstance(raw, dict):
            params = dict(raw)
        else:
            try:
                params = json.loads(str(raw))
            except json.JSONDecodeError:
                self.error(loc, "params", _('参数应为 JSON 对象，如 {"target": 100}'))
                return {}
            if not isinstance(params, dict):
                self.error(loc, "params", _("参数应为 JSON 对象"))
                return {}
        for key in ("target", "cap", "step", "floor", "per", "fail_points"):
            if key in params:
                self.number(params[key], loc, f"params.{key}", None)
        if method == Method.RANK_POINTS and params.get("mode", "step") not in ("step", "linear"):
            self.error(loc, "params.mode", _("按排名赋分的 mode 只能是 step 或 linear"))
        if method == Method.RANK_POINTS and params.get("order", "desc") not in ("desc", "asc"):
            self.error(loc, "params.order", _("order 只能是 desc（越大越好）或 asc（越小越好）"))
        if method == Method.VETO and params.get("level", VetoLevel.FAIL) not in tuple(VetoLevel):
            self.error(loc, "params.level", _("否决级别只能是 fail（否决）或 no_excellent（否优）"))
        return params


def _finish(reader: _Reader, doc: PlanDoc) -> PlanDoc:
    seen: set[str] = set()
    for line in doc.lines:
        for ind in line.indicators:
            if ind.code in seen:
                reader.error(ind.loc, "code", _("指标代码“%(c)s”重复") % {"c": ind.code})
            seen.add(ind.code)
    if not doc.groups:
        reader.error(("分组", 1, "A"), "groups", _("方案至少要有一个分组"))
    if not any(line.indicators for line in doc.lines):
        reader.error(("指标", 1, "A"), "indicators", _("方案至少要有一个指标"))
    if not 0 <= doc.precision <= 6:
        reader.error(("方案", 1, "B"), "precision", _("小数位应在 0 到 6 之间"))
    if reader.errors:
        raise ImportRejected(errors=reader.errors)
    return doc


# --- YAML ---------------------------------------------------------------------------------------


class _PlanLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases: a plan needs none, and a few nested aliases
    can stand for billions of entries (the "billion laughs")."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, _("方案文件中不能使用别名（*）"), event.start_mark
            )
        return super().compose_node(parent, index)


def _flow_depth(text: str) -> int:
    """How deep [ and { nest (brackets inside quoted text count too: a bound, not a parse)."""
    depth = top = 0
    for ch in text:
        if ch in "[{":
            depth += 1
            top = max(top, depth)
        elif ch in "]}":
            depth = max(depth - 1, 0)
    return top


def read_yaml(text: str) -> PlanDoc:
    reader = _Reader()
    sheet = "YAML"
    too_deep = ImportRejected(errors=[CellError(sheet, 0, "-", "yaml", _("YAML 嵌套层数过深"))])
    if _flow_depth(text) > YAML_MAX_DEPTH:  # the reader would spend seconds before failing
        raise too_deep
    try:
        data = yaml.load(text, Loader=_PlanLoader)  # noqa: S506 - a SafeLoader without aliases
    except RecursionError as exc:
        raise too_deep from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark else 0
        raise ImportRejected(
            errors=[CellError(sheet, row, "-", "yaml", _("YAML 格式错误：%(e)s") % {"e": exc})]
        ) from exc
    if not isinstance(data, dict):
        raise ImportRejected(errors=[CellError(sheet, 1, "-", "yaml", _("文件应为一个映射"))])

    def loc(path: str) -> Loc:
        return (sheet, 0, path)

    precision = reader.number(data.get("precision"), loc("precision"), "precision", Decimal(2))
    missing = str(data.get("missing_rule", MissingRule.REFUSE))
    if missing not in tuple(MissingRule):
        reader.error(loc("missing_rule"), "missing_rule", _("缺值处理只能是 refuse 或 zero"))
        missing = MissingRule.REFUSE
    doc = PlanDoc(
        campaign=reader.text(data.get("campaign"), loc("campaign"), "campaign"),
        owner=reader.text(data.get("owner"), loc("owner"), "owner"),
        name=reader.text(data.get("name"), loc("name"), "name"),
        precision=int(precision or 2),
        missing_rule=MissingRule(missing),
        bonus_cap=reader.number(data.get("bonus_cap"), loc("bonus_cap"), "bonus_cap", None),
        deduction_cap=reader.number(
            data.get("deduction_cap"), loc("deduction_cap"), "deduction_cap", None
        ),
        grades=_grades(reader, data.get("grades") or [], loc("grades")),
        description=str(data.get("description") or ""),
        lists=data.get("lists") or {},
        offences=data.get("offences") or [],
    )
    report = data.get("report") or {}
    if not isinstance(report, dict) or report.get("style", "groups") not in REPORT_STYLES:
        reader.error(loc("report"), "report.style", _("通报方式只能是 lines、composite 或 groups"))
    else:
        doc.report_style = str(report.get("style", "groups"))
        top = reader.number(report.get("top"), loc("report.top"), "report.top", Decimal(2))
        doc.report_top = int(top or 2)
        doc.report_heading = str(report.get("heading") or "")
    groups = data.get("groups") or {}
    if not isinstance(groups, dict):
        reader.error(loc("groups"), "groups", _("分组应为“分组名: [单位, …]”的映射"))
        groups = {}
    for gname, units in groups.items():
        where = loc(f"groups.{gname}")
        doc.groups.append(
            (str(gname), [(reader.text(u, where, "unit"), where) for u in units or []])
        )
    for i, line in enumerate(data.get("lines") or []):
        where = loc(f"lines[{i}]")
        if not isinstance(line, dict):
            reader.error(where, "line", _("专项应为映射"))
            continue
        indicators = []
        for j, ind in enumerate(line.get("indicators") or []):
            iloc = loc(f"lines[{i}].indicators[{j}]")
            method = reader.method(ind.get("method"), iloc)
            indicators.append(
                IndicatorDoc(
                    code=reader.text(ind.get("code"), iloc, "code"),
                    name=reader.text(ind.get("name"), iloc, "name"),
                    method=method,
                    weight=reader.number(ind.get("weight"), iloc, "weight", Decimal(1))
                    or Decimal(0),
                    full_marks=reader.number(
                        ind.get("full_marks"), iloc, "full_marks", Decimal(100)
                    )
                    or Decimal(0),
                    params=reader.params(method, ind.get("params"), iloc),
                    source=str(ind.get("source") or "entered"),
                    loc=iloc,
                )
            )
        doc.lines.append(
            LineDoc(
                name=reader.text(line.get("name"), where, "name"),
                units=[(str(u), where) for u in line.get("units") or []],
                indicators=indicators,
                loc=where,
            )
        )
    return _finish(reader, doc)


def _grades(reader: _Reader, raw: Any, loc: Loc) -> list[dict[str, Any]]:
    grades = []
    for g in raw:
        if not isinstance(g, dict) or "name" not in g:
            reader.error(loc, "grades", _("等次应为 {name, min}"))
            continue
        minimum = reader.number(g.get("min"), loc, "grades.min", None)
        grades.append({"name": str(g["name"]), "min": None if minimum is None else str(minimum)})
    return grades


def _num(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def write_yaml(doc: PlanDoc) -> str:
    data: dict[str, Any] = {
        "campaign": doc.campaign,
        "owner": doc.owner,
        "name": doc.name,
        "precision": doc.precision,
        "missing_rule": str(doc.missing_rule),
    }
    if doc.bonus_cap is not None:
        data["bonus_cap"] = _num(doc.bonus_cap)
    if doc.deduction_cap is not None:
        data["deduction_cap"] = _num(doc.deduction_cap)
    if doc.grades:
        data["grades"] = [
            {"name": g["name"], "min": None if g["min"] is None else _num(Decimal(g["min"]))}
            for g in doc.grades
        ]
    if doc.description:
        data["description"] = doc.description
    data["report"] = {"style": doc.report_style, "top": doc.report_top}
    if doc.report_heading:
        data["report"]["heading"] = doc.report_heading
    if doc.lists:
        data["lists"] = doc.lists
    if doc.offences:
        data["offences"] = doc.offences
    data["groups"] = {name: [u for u, _loc in units] for name, units in doc.groups}
    data["lines"] = []
    for line in doc.lines:
        entry: dict[str, Any] = {"name": line.name}
        if line.units:
            entry["units"] = [u for u, _loc in line.units]
        entry["indicators"] = [
            {
                "code": i.code,
                "name": i.name,
                "method": str(i.method),
                "weight": _num(i.weight),
                "full_marks": _num(i.full_marks),
                **({"params": i.params} if i.params else {}),
                **({"source": i.source} if i.source != "entered" else {}),
            }
            for i in line.indicators
        ]
        data["lines"].append(entry)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


# --- Excel --------------------------------------------------------------------------------------

PLAN_SHEET, GROUP_SHEET, INDICATOR_SHEET, LINE_UNIT_SHEET = "方案", "分组", "指标", "专项单位"
PLAN_KEYS = {
    "行动": "campaign",
    "组织单位": "owner",
    "方案名称": "name",
    "保留小数位": "precision",
    "缺值处理": "missing_rule",
    "加分上限": "bonus_cap",
    "扣分上限": "deduction_cap",
    "等次": "grades",
    "说明": "description",
    "通报方式": "report_style",
    "通报前几名": "report_top",
    "通报小标题": "report_heading",
    "红黑榜": "lists",  # JSON, as the YAML's `lists`
    "连续违规规则": "offences",  # JSON, as the YAML's `offences`
}
JSON_KEYS = ("lists", "offences")
INDICATOR_COLUMNS = ["专项", "指标代码", "指标名称", "计分方法", "权重", "满分", "参数", "数据来源"]


def read_xlsx(content: Upload) -> PlanDoc:
    sheets = xlsx_sheets(upload_bytes(content))
    missing = [s for s in (PLAN_SHEET, GROUP_SHEET, INDICATOR_SHEET) if s not in sheets]
    if missing:
        raise ImportRejected(
            errors=[
                CellError(s, 0, "-", "sheet", _("缺少工作表“%(s)s”") % {"s": s}) for s in missing
            ]
        )
    settings: dict[str, Any] = {}
    for row in sheets[PLAN_SHEET]:
        if row and str(row[0]).strip() in PLAN_KEYS:
            settings[PLAN_KEYS[str(row[0]).strip()]] = row[1] if len(row) > 1 else None
    if settings.get("grades"):
        # 等次 cell: "优秀:90;良好:80;合格:60;不合格"
        grades = []
        for part in str(settings["grades"]).split(";"):
            name, _sep, minimum = part.partition(":")
            grades.append({"name": name.strip(), "min": minimum.strip() or None})
        settings["grades"] = grades
    data: dict[str, Any] = {k: v for k, v in settings.items() if v not in (None, "")}
    json_errors = []
    for key in JSON_KEYS:
        if key in data:
            try:
                data[key] = json.loads(str(data[key]))
            except ValueError:
                json_errors.append(
                    CellError(PLAN_SHEET, 0, "B", key, _("“%(k)s”应为 JSON") % {"k": key})
                )
                data.pop(key)
    if json_errors:
        raise ImportRejected(errors=json_errors)
    data["report"] = {
        "style": data.pop("report_style", "groups"),
        "top": data.pop("report_top", 2),
        "heading": data.pop("report_heading", ""),
    }
    groups: dict[str, list[str]] = {}
    for row in sheets[GROUP_SHEET][1:]:
        if row and str(row[0]).strip():
            groups.setdefault(str(row[0]).strip(), []).append(_second(row))
    data["groups"] = groups
    line_units: dict[str, list[str]] = {}
    for row in sheets.get(LINE_UNIT_SHEET, [])[1:]:
        if row and str(row[0]).strip():
            line_units.setdefault(str(row[0]).strip(), []).append(_second(row))
    lines: dict[str, dict[str, Any]] = {}
    reader = _Reader()
    for r, row in enumerate(sheets[INDICATOR_SHEET][1:], start=2):
        cells = [*list(row), *[""] * 8][:8]
        if not any(str(c).strip() for c in cells):
            continue
        line_name = str(cells[0]).strip()
        iloc: Loc = (INDICATOR_SHEET, r, "A")
        if not line_name:
            reader.error(iloc, "line", _("专项不能为空"))
            continue
        entry = lines.setdefault(
            line_name, {"name": line_name, "units": line_units.get(line_name, []), "indicators": []}
        )
        entry["indicators"].append(
            {
                "code": cells[1],
                "name": cells[2],
                "method": cells[3],
                "weight": cells[4],
                "full_marks": cells[5],
                "params": cells[6],
                "source": cells[7],
                "_row": r,
            }
        )
    data["lines"] = list(lines.values())
    doc_text_errors = reader.errors
    try:
        doc = _from_sheet_data(data)
    except ImportRejected as exc:
        raise ImportRejected(errors=[*doc_text_errors, *exc.errors]) from None
    if doc_text_errors:
        raise ImportRejected(errors=doc_text_errors)
    return doc


def _second(row: list[Any]) -> str:
    # A sheet with only column A filled has one-cell rows.
    return str(row[1]).strip() if len(row) > 1 else ""


def _from_sheet_data(data: dict[str, Any]) -> PlanDoc:
    """Reuse the YAML reader's checks, then map its locations back to cells."""
    rows = {}
    for i, line in enumerate(data["lines"]):
        for j, ind in enumerate(line["indicators"]):
            rows[f"lines[{i}].indicators[{j}]"] = ind.pop("_row")
    try:
        return read_yaml(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    except ImportRejected as exc:
        raise ImportRejected(errors=[_sheet_error(e, rows) for e in exc.errors]) from None


def _sheet_error(e: CellError, rows: dict[str, int]) -> CellError:
    if e.column in rows:
        columns = {"code": "B", "name": "C", "method": "D", "weight": "E", "full_marks": "F"}
        column = columns.get(e.field, "G" if e.field.startswith("params") else "A")
        return CellError(INDICATOR_SHEET, rows[e.column], column, e.field, e.message)
    if e.column.startswith("groups"):
        return CellError(GROUP_SHEET, 0, "A", e.field, e.message)
    return CellError(PLAN_SHEET, 0, "B", e.field, e.message)


def write_xlsx(doc: PlanDoc) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active or book.create_sheet()
    sheet.title = PLAN_SHEET
    grades = ";".join(
        f"{g['name']}:{g['min']}" if g["min"] is not None else g["name"] for g in doc.grades
    )
    values = {
        "campaign": doc.campaign,
        "owner": doc.owner,
        "name": doc.name,
        "precision": doc.precision,
        "missing_rule": str(doc.missing_rule),
        "bonus_cap": _num(doc.bonus_cap),
        "deduction_cap": _num(doc.deduction_cap),
        "grades": grades,
        "description": doc.description,
        "report_style": doc.report_style,
        "report_top": doc.report_top,
        "report_heading": doc.report_heading,
        "lists": json.dumps(doc.lists, ensure_ascii=False) if doc.lists else "",
        "offences": json.dumps(doc.offences, ensure_ascii=False) if doc.offences else "",
    }
    for label, key in PLAN_KEYS.items():
        write_row(sheet, [label, values[key]])
    groups = book.create_sheet(GROUP_SHEET)
    groups.append(["分组", "单位"])
    for name, units in doc.groups:
        for unit, _loc in units:
            write_row(groups, [name, unit])
    indicators = book.create_sheet(INDICATOR_SHEET)
    indicators.append(INDICATOR_COLUMNS)
    line_units = book.create_sheet(LINE_UNIT_SHEET)
    line_units.append(["专项", "单位"])
    for line in doc.lines:
        for unit, _loc in line.units:
            write_row(line_units, [line.name, unit])
        for i in line.indicators:
            write_row(
                indicators,
                [
                    line.name,
                    i.code,
                    i.name,
                    str(i.method),
                    _num(i.weight),
                    _num(i.full_marks),
                    json.dumps(i.params, ensure_ascii=False) if i.params else "",
                    i.source,
                ],
            )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_path(path: Path) -> PlanDoc:
    return read_upload(path.name, path)


def read_upload(name: str, content: Upload) -> PlanDoc:
    """A plan from an upload or a file: size first, then .xlsx by signature or YAML text."""
    data = upload_bytes(content)
    if name.lower().endswith(".xlsx"):
        return read_xlsx(data)
    if len(data) > YAML_MAX_BYTES:
        raise ImportRejected(
            errors=[
                CellError(
                    "YAML",
                    0,
                    "-",
                    "yaml",
                    _("方案文件（YAML）最大 %(n)s KB；更大的方案请用 Excel（.xlsx）格式。")
                    % {"n": YAML_MAX_BYTES // 1024},
                )
            ]
        )
    return read_yaml(decode_text(data))
