"""Searched selects: past a few hundred choices a select is searched, not scrolled.

At province scale the ledger's 责任单位 filter and the project sheet offered some 2,000 units in
one drop-down (about 100 KB of every page), and the sheet's 责任领导, team and milestone rows each
every leader of the province. Past `PICKER_AFTER` choices `SearchedSelect` draws a search box and
a select holding only the blank and the chosen one; typing asks `picker_options` for the choices
whose label has every word typed (区财政局（长乐区）, 王书记 · 湖南镇), and the answer replaces the
select's options. What each field offers is the rule its form validates against: `PURPOSES`
names one function per field, the same the form's choices come from.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongjian.core.forms import SharedChoices
from gongjian.org.names import name_key
from gongjian.org.selectors import distinct_names
from gongjian.projects import selectors
from gongjian.projects.models import Project

PICKER_AFTER = 200
PICK_SHOWN = 30
# A form field's name and its HTML id, as the picker's request names them (prefix "p-" included).
FIELD_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}")
LONGEST_SEARCH = 100  # characters of a search read; a unit's name is at most 200

Options = list[tuple[int, str]]


def unit_options(units: Any) -> Options:
    """Units as their lists show them: by the tree's order, two of one name told apart."""
    return list(distinct_names(units.order_by("path").values_list("pk", "name", "path")).items())


def _ledger_units(user: Any, project: Project | None) -> Options:
    return unit_options(selectors.ledger_filter_units(user))


def _sheet_units(user: Any, project: Project | None) -> Options:
    return unit_options(selectors.sheet_units_of(user, project))


def _ledger_leaders(user: Any, project: Project | None) -> Options:
    return list(selectors.leaders_in(selectors.projects_for(user)).values_list("pk", "name"))


def _sheet_people(user: Any, project: Project | None) -> Options:
    people = selectors.nameable_people(user, project).order_by("unit__path", "name")
    return [
        (pk, selectors.person_text(name, post, unit))
        for pk, name, post, unit in people.values_list("pk", "name", "post", "unit__name")
    ]


@dataclass(frozen=True)
class Purpose:
    options: Callable[[Any, Project | None], Options]
    blank: Any  # the blank option's label, as the form shows it


PURPOSES = {
    "ledger_units": Purpose(_ledger_units, gettext_lazy("全部")),
    "sheet_units": Purpose(_sheet_units, "—"),
    "ledger_leaders": Purpose(_ledger_leaders, gettext_lazy("全部")),
    "sheet_people": Purpose(_sheet_people, "—"),
}


@dataclass(frozen=True)
class Matches:
    options: Options  # the first PICK_SHOWN, in the purpose's order
    total: int


def matching(options: Options, text: str, *, shown: int = PICK_SHOWN) -> Matches:
    """The options whose label has every word of `text` (written any way `name_key` forgives)."""
    words = [name_key(w) for w in text.split() if name_key(w)]
    found = [(pk, label) for pk, label in options if all(w in name_key(label) for w in words)]
    return Matches(found[:shown], len(found))


@dataclass(frozen=True)
class Answer:
    matches: Matches
    selected: int | None  # the option to show chosen: the only match, or the one chosen before
    kept: tuple[int, str] | None = None  # the one chosen before when it is not a match


def answer(user: Any, purpose: Purpose, *, text: str, project_id: str, chosen: str) -> Answer:
    """What a keystroke gets: the matches of the first `LONGEST_SEARCH` characters typed, among
    the purpose's options for `user` (with the sheet's project, if the user can see it); the
    option chosen before stays, first and chosen, until another is picked."""
    project = None
    if project_id.isdigit() and len(project_id) < 19:  # past a bigint it names no project
        project = selectors.projects_for(user).filter(pk=int(project_id)).first()
    offered = purpose.options(user, project)
    matches = matching(offered, text[:LONGEST_SEARCH])
    pks = [pk for pk, _label in matches.options]
    if len(pks) == 1:
        return Answer(matches, pks[0])
    selected = next((pk for pk in pks if str(pk) == chosen), None)
    kept = next(((pk, label) for pk, label in offered if str(pk) == chosen), None)
    if selected is None and kept is not None:
        # A search that misses the chosen one does not unchoose it: the form would otherwise
        # send the blank, and a leader or a unit would be dropped by a save after a search.
        return Answer(matches, kept[0], kept)
    return Answer(matches, selected)


class SearchedSelect(forms.Select):
    """A select; past `PICKER_AFTER` choices, a search box and the chosen one only. `project`
    (the sheet's project, if it exists) is passed on, as the people it names are its choices."""

    template_name = "projects/picker.html"

    def __init__(self, purpose: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.purpose = purpose
        self.project: int | None = None

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        given = self.choices  # restored as it came: a SharedChoices is not copied again
        all_choices = given if isinstance(given, SharedChoices) else SharedChoices(list(given))
        searched = len(all_choices) > PICKER_AFTER + 1  # the blank is one of them
        if searched:
            chosen = {str(v) for v in (value if isinstance(value, list | tuple) else [value])}
            self.choices = all_choices.only(chosen)
            try:
                context = super().get_context(name, value, attrs)
            finally:
                self.choices = given
        else:
            context = super().get_context(name, value, attrs)
        params = {
            "purpose": self.purpose,
            "field": name,
            "id": context["widget"]["attrs"].get("id", ""),
        }
        if self.project is not None:
            params["project"] = str(self.project)
        context["picker"] = {
            "searched": searched,
            "url": f"{reverse('projects:picker_options')}?{urlencode(params)}",
            "count": len(all_choices) - 1,
        }
        return context


def options_text(matches: Matches) -> str:
    """The line under the options: how many match, and that only the first are shown."""
    if matches.total == 0:
        return _("没有符合的选项，请换个写法。")
    if matches.total > len(matches.options):
        return _("共 %(n)s 个符合，显示前 %(k)s 个；请输入更多字缩小范围。") % {
            "n": matches.total,
            "k": len(matches.options),
        }
    return _("共 %(n)s 个符合。") % {"n": matches.total}
