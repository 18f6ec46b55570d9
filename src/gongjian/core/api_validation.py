"""The API's answer to a request its declared types refuse (django-ninja's `ValidationError`):
the same Chinese envelope as every other refusal (`code`, `message`, `field`), each problem
naming the parameter and where it was (query, path, body), instead of pydantic's English.

Pure: `describe` takes ninja's error dicts and returns plain data; `core.http` installs it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import ValidationError, ValidationErrorContext

MAX_SHOWN = 40  # characters of a refused value quoted back

_INTEGER = {"int_parsing", "int_type", "int_from_float", "int_parsing_size"}
_NUMBER = {"float_parsing", "float_type", "decimal_parsing", "decimal_type", "finite_number"}
_DATE = {
    "date_parsing",
    "date_type",
    "date_from_datetime_parsing",
    "date_from_datetime_inexact",
}
_DATETIME = {"datetime_parsing", "datetime_type", "datetime_from_date_parsing"}
_BOOL = {"bool_parsing", "bool_type"}
_DIGITS = {"decimal_max_digits", "decimal_max_places", "decimal_whole_digits"}
_OBJECT = {"dict_type", "model_type", "model_attributes_type", "dataclass_type"}


class GongjianNinjaAPI(NinjaAPI):
    """NinjaAPI that keeps a short, printable copy of the refused value (ninja drops it), so
    the Chinese message can quote what was sent."""

    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext]
    ) -> ValidationError:
        errors: list[dict[str, Any]] = []
        for context in error_contexts:
            model = context.model
            flat = model.__ninja_flatten_map_reverse__
            for item in context.pydantic_validation_error.errors(include_url=False):
                entry = dict(item)
                entry["loc"] = (model.__ninja_param_source__, *flat.get(item["loc"], item["loc"]))
                entry["input"] = _shown(item.get("input"))
                ctx = entry.get("ctx")
                if isinstance(ctx, dict):
                    entry["ctx"] = {k: _plain(v) for k, v in ctx.items()}
                errors.append(entry)
        return ValidationError(errors)


def _plain(value: Any) -> Any:
    return value if isinstance(value, (int, float, str, bool)) or value is None else str(value)


def _shown(value: Any) -> str | None:
    """The refused value as text, if it is a scalar (a whole body is not quoted back)."""
    if isinstance(value, (str, int, float, bool)) and not isinstance(value, Mapping):
        return str(value)[:MAX_SHOWN]
    return None


def field_name(loc: Sequence[Any]) -> tuple[str, str]:
    """(where, name) of an error's location: `("query", "limit")` → ("query", "limit");
    a body's schema parameter is left out: `("body", "data", "items", 0, "code")` →
    ("body", "items[0].code")."""
    if not loc:
        return "", ""
    where, rest = str(loc[0]), list(loc[1:])
    if where in ("body", "form") and len(rest) > 1:
        rest = rest[1:]
    name = ""
    for part in rest:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += ("." if name else "") + str(part)
    return where, name or where


def _message(kind: str, name: str, value: str | None, ctx: Mapping[str, Any]) -> str:
    """One problem in Chinese, naming the parameter (and, when short, the value sent)."""
    got = {"name": name, "value": value if value is not None else ""}
    if kind == "missing":
        return _("缺少必填参数 %(name)s。") % got
    if kind == "extra_forbidden":
        return _("参数 %(name)s 无效：不认识这个字段。") % got
    if kind == "json_invalid":
        return _("请求体不是有效的 JSON。")
    if kind in _INTEGER:
        return _("参数 %(name)s 无效：应为整数，收到“%(value)s”。") % got
    if kind in _NUMBER:
        return _("参数 %(name)s 无效：应为数字，收到“%(value)s”。") % got
    if kind in _DATE:
        return _("参数 %(name)s 无效：应为日期（如 2026-12-31），收到“%(value)s”。") % got
    if kind in _DATETIME:
        return _("参数 %(name)s 无效：应为日期时间（如 2026-12-31T09:00），收到“%(value)s”。") % got
    if kind in _BOOL:
        return _("参数 %(name)s 无效：应为 true 或 false，收到“%(value)s”。") % got
    if kind in ("string_type", "string_unicode"):
        return _("参数 %(name)s 无效：应为文本。") % got
    if kind in ("list_type", "tuple_type", "set_type"):
        return _("参数 %(name)s 无效：应为列表。") % got
    if kind in _OBJECT:
        return _("参数 %(name)s 无效：应为对象。") % got
    if kind in _DIGITS:
        return _("参数 %(name)s 无效：数字的位数过多，收到“%(value)s”。") % got
    bounds = {
        "greater_than_equal": (_("参数 %(name)s 无效：应不小于 %(limit)s，收到 %(value)s。"), "ge"),
        "greater_than": (_("参数 %(name)s 无效：应大于 %(limit)s，收到 %(value)s。"), "gt"),
        "less_than_equal": (_("参数 %(name)s 无效：应不大于 %(limit)s，收到 %(value)s。"), "le"),
        "less_than": (_("参数 %(name)s 无效：应小于 %(limit)s，收到 %(value)s。"), "lt"),
    }
    if kind in bounds:
        text, key = bounds[kind]
        return text % {**got, "limit": ctx.get(key, "")}
    lengths = {
        "string_too_short": _("参数 %(name)s 无效：至少 %(limit)s 个字符。"),
        "string_too_long": _("参数 %(name)s 无效：最多 %(limit)s 个字符。"),
        "too_short": _("参数 %(name)s 无效：至少 %(limit)s 项。"),
        "too_long": _("参数 %(name)s 无效：最多 %(limit)s 项。"),
    }
    if kind in lengths:
        limit = ctx.get("min_length", ctx.get("max_length", ""))
        return lengths[kind] % {**got, "limit": limit}
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", "")).replace("'", "")
        return _("参数 %(name)s 无效：“%(value)s”不在可选值 %(choices)s 之中。") % {
            **got,
            "choices": expected,
        }
    return _("参数 %(name)s 无效：格式不正确。") % got


def describe(errors: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """ninja's error list as the API's refusal body: the first problem is the `message` and
    `field`; `errors` lists every problem (where, field, type, message)."""
    problems = []
    for error in errors:
        where, name = field_name(error.get("loc") or ())
        kind = str(error.get("type", ""))
        ctx = error.get("ctx") or {}
        problems.append(
            {
                "where": where,
                "field": name,
                "type": kind,
                "message": _message(kind, name, error.get("input"), ctx),
            }
        )
    if not problems:
        return {"code": "invalid", "message": _("请求参数有误。"), "errors": []}
    first = problems[0]
    message = first["message"]
    if len(problems) > 1:
        message = _("%(first)s（另有 %(n)s 处错误，见 errors）") % {
            "first": message.rstrip("。"),
            "n": len(problems) - 1,
        }
    return {"code": "invalid", "message": message, "field": first["field"], "errors": problems}
