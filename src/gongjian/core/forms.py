"""Forms a staffer understands: Chinese full-width label colons (类型：) and a "请选择…" prompt
where Django would show "---------". Every form of the site's pages derives from `StaffForm`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django import forms
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import gettext_lazy as _

DJANGO_BLANK = "---------"
PROMPT = _("请选择…")


class StaffForm(forms.Form):
    # A lazy string: "：" in Chinese, ":" in English (the catalogue has it).
    label_suffix = _("：")  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", self.label_suffix)
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            prompt_instead_of_dashes(field)


def prompt_instead_of_dashes(field: forms.Field) -> None:
    """Replace Django's "---------" (a ModelChoiceField's empty label, a blank choice) by 请选择…."""
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label == DJANGO_BLANK:
            field.empty_label = PROMPT
        return
    if isinstance(field, forms.ChoiceField):
        choices: list[tuple[Any, Any]] = list(field.choices)  # type: ignore[arg-type]
        if any(value == "" and label == DJANGO_BLANK for value, label in choices):
            field.choices = [
                (value, PROMPT if value == "" and label == DJANGO_BLANK else label)
                for value, label in choices
            ]


class SharedChoices(BaseChoiceIterator):
    """Choices built once and given to many fields, as they are: Django copies (normalises) a
    plain list each time a field or a widget is given it, which for a province's 8,000 people on
    the 16 rows of one sheet was most of the page's time."""

    def __init__(self, choices: Sequence[tuple[Any, Any]]) -> None:
        self._choices = list(choices)
        self._by_text: dict[str, int] | None = None

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        return iter(self._choices)

    def __len__(self) -> int:
        return len(self._choices)

    def only(self, values: Iterable[str]) -> list[tuple[Any, Any]]:
        """The blank and the choices of these values (as a form sends them), in list order: what
        a searched select draws, found without walking the whole list for each field."""
        by_text = self._index()
        found = sorted({by_text[v] for v in {"", *values} if v in by_text})
        return [self._choices[i] for i in found]

    def has(self, value: Any) -> bool:
        return str(value) in self._index()

    def _index(self) -> dict[str, int]:
        if self._by_text is None:
            self._by_text = {str(value): i for i, (value, _label) in enumerate(self._choices)}
        return self._by_text


class SharedChoiceField(forms.TypedChoiceField):
    """A TypedChoiceField whose `SharedChoices` are looked up, not walked, for each value sent:
    16 rows checked against 8,000 people each walked the list 16 times."""

    def valid_value(self, value: Any) -> bool:
        if isinstance(self.choices, SharedChoices):
            return self.choices.has(value)
        return bool(super().valid_value(value))
