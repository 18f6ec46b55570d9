"""The 责任单位 picker: past a few hundred units a select is searched, not scrolled.

At province scale the ledger's 责任单位 filter and the project sheet offered some 2,000 units in
one drop-down, about 100 KB of every page. Past `PICKER_AFTER` units the widget draws a search
box and a select holding only the blank and the chosen unit; typing asks `unit_options` for the
units whose name (or the unit above, 区财政局（长乐区）) has every word typed, and the answer
replaces the select's options. The units offered are the same rule the form validates against:
`PURPOSES` names one function per field.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongjian.org.models import Unit
from gongjian.org.names import name_key
from gongjian.org.selectors import distinct_names
from gongjian.projects.selectors import ledger_filter_units, sheet_units

PICKER_AFTER = 200
PICK_SHOWN = 30
# A form field's name and its HTML id, as the picker's request names them (prefix "p-" included).
FIELD_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}")
LONGEST_SEARCH = 100  # characters of a search read; a unit's name is at most 200


@dataclass(frozen=True)
class Purpose:
    units: Callable[[Any], QuerySet[Unit]]
    blank: Any  # the blank option's label, as the form shows it


PURPOSES = {
    "ledger": Purpose(ledger_filter_units, gettext_lazy("全部")),
    "sheet": Purpose(sheet_units, "—"),
}


@dataclass(frozen=True)
class Matches:
    options: list[tuple[int, str]]  # the first PICK_SHOWN, by the units' order in the tree
    total: int


def matching(units: QuerySet[Unit], text: str, *, shown: int = PICK_SHOWN) -> Matches:
    """The units whose label has every word of `text` (written any way `name_key` forgives)."""
    rows = list(units.order_by("path").values_list("pk", "name", "path"))
    labels = distinct_names(rows)
    words = [name_key(w) for w in text.split() if name_key(w)]
    found = [
        (pk, labels[pk])
        for pk, _name, _path in rows
        if all(w in name_key(labels[pk]) for w in words)
    ]
    return Matches(found[:shown], len(found))


class UnitPicker(forms.Select):
    """A select of units; past `PICKER_AFTER` of them, a search box and the chosen one only."""

    template_name = "projects/unit_picker.html"

    def __init__(self, purpose: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.purpose = purpose

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        all_choices = list(self.choices)
        searched = len(all_choices) > PICKER_AFTER + 1  # the blank is one of them
        if searched:
            chosen = {str(v) for v in (value if isinstance(value, list | tuple) else [value])}
            self.choices = [(v, label) for v, label in all_choices if v == "" or str(v) in chosen]
            try:
                context = super().get_context(name, value, attrs)
            finally:
                self.choices = all_choices
        else:
            context = super().get_context(name, value, attrs)
        query = urlencode(
            {"purpose": self.purpose, "field": name, "id": context["widget"]["attrs"].get("id", "")}
        )
        context["picker"] = {
            "searched": searched,
            "url": f"{reverse('projects:unit_options')}?{query}",
            "count": len(all_choices) - 1,
        }
        return context


def options_text(matches: Matches) -> str:
    """The line under the options: how many units match, and that only the first are shown."""
    if matches.total == 0:
        return _("没有符合的单位，请换个写法。")
    if matches.total > len(matches.options):
        return _("共 %(n)s 个单位符合，显示前 %(k)s 个；请输入更多字缩小范围。") % {
            "n": matches.total,
            "k": len(matches.options),
        }
    return _("共 %(n)s 个单位符合。") % {"n": matches.total}
