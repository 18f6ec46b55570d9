"""Text a user sends, checked the same way on every database before it is stored.

SQLite stores a NUL or a 100,000-character name that PostgreSQL refuses with a DataError; a
stored control character later breaks every export. So services check text here, with the
limits the model declares, and refuse with a message that names the field.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from gongjian.core.errors import ValidationFailed

# C0 controls, DEL, C1 controls, and the Unicode non-characters that XML (and so .xlsx/.docx)
# cannot hold. Tab and newline are allowed in multi-line text only.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_LINE_BREAKS = re.compile("[\t\n\r]")


@functools.cache
def _rules(
    model: type[models.Model], field: str
) -> tuple[models.Field[Any, Any], bool, int | None]:
    model_field = model._meta.get_field(field)
    multi_line = isinstance(model_field, models.TextField)
    return model_field, multi_line, getattr(model_field, "max_length", None)  # type: ignore[return-value]


def check_text(model: type[models.Model], field: str, value: str) -> str:
    """The value with outer whitespace stripped, or ValidationFailed naming the field."""
    # An import checks hundreds of thousands of cells: the field's label, a lazy translation,
    # is worked out only for a refusal.
    model_field, multi_line, max_length = _rules(model, field)
    cleaned = value.strip()
    if _CONTROL.search(cleaned) or (not multi_line and _LINE_BREAKS.search(cleaned)):
        raise ValidationFailed(
            _("%(field)s不能包含控制字符") % {"field": _label(model_field, field)}, field=field
        )
    if multi_line and "\r" in cleaned:
        cleaned = cleaned.replace("\r\n", "\n").replace("\r", "\n")
    if max_length and len(cleaned) > max_length:
        raise ValidationFailed(
            _("%(field)s最长 %(limit)s 个字符，现为 %(length)s 个")
            % {"field": _label(model_field, field), "limit": max_length, "length": len(cleaned)},
            field=field,
        )
    return cleaned


def _label(model_field: Any, field: str) -> str:
    return str(getattr(model_field, "verbose_name", field))


@functools.cache
def _text_fields(model: type[models.Model]) -> frozenset[str]:
    return frozenset(
        f.name
        for f in model._meta.get_fields()
        if isinstance(f, models.CharField | models.TextField)
    )


def check_texts(model: type[models.Model], values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` with every text field of `model` checked by `check_text`; others unchanged."""
    checked = dict(values)
    text_fields = _text_fields(model)
    for name, value in values.items():
        if isinstance(value, str) and name in text_fields:
            checked[name] = check_text(model, name, value)
    return checked
