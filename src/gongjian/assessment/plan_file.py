"""Assessment plan files (YAML or .xlsx) ↔ one plain document; see docs/assessment.md.

Reading never touches the database: it returns a `PlanDoc` or raises ImportRejected naming the
sheet, row, column and field of every bad cell. The service resolves unit names and writes.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from gongjian.assessment import providers
from gongjian.assessment.engine import Composite, Method, MissingRule, VetoLevel
from gongjian.core.errors import CellError, ImportRejected
from gongjian.exchange.numbers import check_fits, read_decimal
from gongjian.exchange.workbook import Upload, decode_text, upload_bytes, write_row, xlsx_sheets

Loc = tuple[str, int, str]  # sheet, row, column
# A plan written as YAML is a few kilobytes; PyYAML's pure-Python reader (kept for its alias
# check below; the C one crashes on deep nesting) takes about 1.5 s a megabyte.
YAML_MAX_BYTES = 256 * 1024
YAML_MAX_DEPTH = 64
REPORT_STYLES = ("lines", "composite", "groups")
STORED_PLACES = 4  # weights, full marks, caps and scores are numeric(…, 4)
PLAN_FILE_KEYS = (
    "campaign",
    "owner",
    "name",
    "precision",
    "missing_rule",
    "bonus_cap",
    "deduction_cap",
    "grades",
    "description",
    "report",
    "composite",
    "lists",
    "offences",
    "groups",
    "lines",
)
INDICATOR_KEYS = ("code", "name", "method", "weight", "full_marks", "params", "source")
PARAM_KEYS = {
    Method.DIRECT: (),
    Method.COMPLETION: ("target", "cap"),
    Method.RANK_POINTS: ("mode", "step", "floor", "order"),
    Method.PASS_FAIL: ("fail_points",),
    Method.DEDUCTION: ("per", "cap"),
    Method.BONUS: ("per", "cap"),
    Method.VETO: ("level",),
}

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
    weight: Decimal = Decimal(1)  # the line's weight in a weighted composite


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
    composite: Composite = Composite.SUM
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
            return read_decimal(raw)
        except ValueError as exc:
            self.error(loc, name, str(exc))
            return default

    def stored(
        self, raw: Any, loc: Loc, name: str, default: Decimal | None, *, digits: int = 10
    ) -> Decimal | None:
        """A number kept in a numeric(digits, 4) column: refused when the column cannot hold it."""
        value = self.number(raw, loc, name, default)
        if value is not None and value is not default:
            try:
                check_fits(value, max_digits=digits, places=STORED_PLACES)
            except ValueError as exc:
                self.error(loc, name, str(exc))
                return default
        return value

    def integer(self, raw: Any, loc: Loc, name: str, default: int) -> int:
        value = self.number(raw, loc, name, None)
        if value is None:
            return default
        if value != value.to_integral_value():
            self.error(loc, name, _("“%(v)s”应为整数") % {"v": raw})
            return default
        return int(value)

    def keys(self, data: dict[Any, Any], allowed: tuple[str, ...], loc: Loc, where: str) -> None:
        """Every key of a mapping must be one the format knows: a misspelt key is not ignored."""
        for key in data:
            if key not in allowed:
                self.error(
                    loc,
                    f"{where}{key}",
                    _("未知的键“%(k)s”；可用：%(all)s") % {"k": key, "all": "、".join(allowed)},
                )

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

    def params(self, method: Method, raw: Any, loc: Loc, source: str = "entered") -> dict[str, Any]:
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
        # A provider with params of its own (a roll-up's `plan`, `window`) checks them all
        # (`Provider.refusals`, run by the plan import); any other takes the method's only.
        known = providers.get(source)
        if source == "entered" or known is None or known.check is None:
            self.keys(params, PARAM_KEYS[method], loc, "params.")
        numbers = {
            key: self.number(params[key], loc, f"params.{key}", None)
            for key in ("target", "cap", "step", "floor", "per", "fail_points")
            if key in params
        }
        target = numbers.get("target")
        if method == Method.COMPLETION and target is not None and target <= 0:
            self.error(loc, "params.target", _("完成率的目标值应大于0（%(v)s）") % {"v": target})
        for key in ("per", "cap"):
            value = numbers.get(key)
            if method in (Method.BONUS, Method.DEDUCTION) and value is not None and value < 0:
                self.error(
                    loc, f"params.{key}", _("%(k)s 不能为负数（%(v)s）") % {"k": key, "v": value}
                )
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
    if not 0 <= doc.precision <= STORED_PLACES:
        reader.error(
            ("方案", 1, "B"),
            "precision",
            _("保留小数位应在 0 到 %(n)s 之间（得分最多存%(n)s位小数）") % {"n": STORED_PLACES},
        )
    if doc.composite == Composite.NONE and doc.report_style != "lines":
        reader.error(
            ("方案", 1, "B"),
            "report.style",
            _("只按专项排名的方案（composite: none）没有综合得分，通报方式只能是 lines"),
        )
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

    reader.keys(data, PLAN_FILE_KEYS, loc(""), "")
    precision = reader.integer(data.get("precision"), loc("precision"), "precision", 2)
    missing = str(data.get("missing_rule", MissingRule.REFUSE))
    if missing not in tuple(MissingRule):
        reader.error(loc("missing_rule"), "missing_rule", _("缺值处理只能是 refuse 或 zero"))
        missing = MissingRule.REFUSE
    composite = str(data.get("composite", Composite.SUM))
    if composite not in tuple(Composite):
        reader.error(loc("composite"), "composite", _("综合得分方式只能是 weighted、sum 或 none"))
        composite = Composite.SUM
    doc = PlanDoc(
        composite=Composite(composite),
        campaign=reader.text(data.get("campaign"), loc("campaign"), "campaign"),
        owner=reader.text(data.get("owner"), loc("owner"), "owner"),
        name=reader.text(data.get("name"), loc("name"), "name"),
        precision=precision,
        missing_rule=MissingRule(missing),
        bonus_cap=reader.stored(data.get("bonus_cap"), loc("bonus_cap"), "bonus_cap", None),
        deduction_cap=reader.stored(
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
        reader.keys(report, ("style", "top", "heading"), loc("report"), "report.")
        doc.report_style = str(report.get("style", "groups"))
        doc.report_top = reader.integer(report.get("top"), loc("report.top"), "report.top", 2)
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
        reader.keys(line, ("name", "units", "weight", "indicators"), where, "")
        indicators = []
        for j, ind in enumerate(line.get("indicators") or []):
            iloc = loc(f"lines[{i}].indicators[{j}]")
            if not isinstance(ind, dict):
                reader.error(iloc, "indicator", _("指标应为映射"))
                continue
            reader.keys(ind, INDICATOR_KEYS, iloc, "")
            method = reader.method(ind.get("method"), iloc)
            indicators.append(
                IndicatorDoc(
                    code=reader.text(ind.get("code"), iloc, "code"),
                    name=reader.text(ind.get("name"), iloc, "name"),
                    method=method,
                    weight=reader.stored(ind.get("weight"), iloc, "weight", Decimal(1))
                    or Decimal(0),
                    full_marks=reader.stored(
                        ind.get("full_marks"), iloc, "full_marks", Decimal(100)
                    )
                    or Decimal(0),
                    params=reader.params(
                        method, ind.get("params"), iloc, str(ind.get("source") or "entered")
                    ),
                    source=str(ind.get("source") or "entered"),
                    loc=iloc,
                )
            )
        weight = reader.stored(line.get("weight"), where, "weight", Decimal(1)) or Decimal(0)
        if weight <= 0:
            reader.error(where, "weight", _("专项权重应大于0"))
        doc.lines.append(
            LineDoc(
                name=reader.text(line.get("name"), where, "name"),
                units=[(str(u), where) for u in line.get("units") or []],
                indicators=indicators,
                loc=where,
                weight=weight,
            )
        )
    return _finish(reader, doc)


def _grades(reader: _Reader, raw: Any, loc: Loc) -> list[dict[str, Any]]:
    grades = []
    for g in raw:
        if not isinstance(g, dict) or "name" not in g:
            reader.error(loc, "grades", _("等次应为 {name, min}"))
            continue
        reader.keys(g, ("name", "min"), loc, "grades.")
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
    data["composite"] = str(doc.composite)
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
        if line.weight != 1:
            entry["weight"] = _num(line.weight)
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
LINE_WEIGHT_SHEET = "专项权重"  # optional: 专项, 权重 (for a weighted composite)
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
    "综合得分方式": "composite",
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
    reader = _Reader()
    for r, row in enumerate(sheets[PLAN_SHEET], start=1):
        label = str(row[0]).strip() if row else ""
        if label in PLAN_KEYS:
            settings[PLAN_KEYS[label]] = row[1] if len(row) > 1 else None
        elif label or any(str(c).strip() for c in row[1:]):
            reader.error(
                (PLAN_SHEET, r, "A"),
                label or "-",
                _("未知的设置“%(k)s”；可用：%(all)s") % {"k": label, "all": "、".join(PLAN_KEYS)},
            )
    header = sheets[INDICATOR_SHEET][0] if sheets[INDICATOR_SHEET] else []
    for c, heading in enumerate(header[len(INDICATOR_COLUMNS) :], start=len(INDICATOR_COLUMNS)):
        if str(heading).strip():
            reader.error(
                (INDICATOR_SHEET, 1, get_column_letter(c + 1)),
                str(heading).strip(),
                _("未知的列“%(h)s”；可用：%(all)s")
                % {"h": str(heading).strip(), "all": "、".join(INDICATOR_COLUMNS)},
            )
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
    line_weights: dict[str, Any] = {}
    for row in sheets.get(LINE_WEIGHT_SHEET, [])[1:]:
        if row and str(row[0]).strip():
            line_weights[str(row[0]).strip()] = _second(row)
    lines: dict[str, dict[str, Any]] = {}
    width = len(INDICATOR_COLUMNS)
    for r, row in enumerate(sheets[INDICATOR_SHEET][1:], start=2):
        cells = [*list(row), *[""] * width][:width]
        for c, raw in enumerate(row[width:], start=width):
            if str(raw).strip() and not (c < len(header) and str(header[c]).strip()):
                reader.error(
                    (INDICATOR_SHEET, r, get_column_letter(c + 1)), "-", _("该列没有表头，不能识别")
                )
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
        if line_name in line_weights:
            entry["weight"] = line_weights[line_name]
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
        "composite": str(doc.composite),
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
    if any(line.weight != 1 for line in doc.lines):
        weights = book.create_sheet(LINE_WEIGHT_SHEET)
        weights.append(["专项", "权重"])
        for line in doc.lines:
            write_row(weights, [line.name, _num(line.weight)])
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
