"""Forms a staffer understands: full-width colons, 请选择… instead of Django's dashes."""

import pytest
from django import forms
from django.utils import translation

from gongjian.core.forms import StaffForm


class Example(StaffForm):
    kind = forms.ChoiceField(label="类型", choices=[("", "---------"), ("a", "甲")])
    when = forms.TypedChoiceField(label="时间", required=False, choices=[("", "全部")])


def test_labels_end_with_a_full_width_colon_and_blank_choices_ask_to_choose():
    html = Example().as_div()
    assert "类型：" in html and "类型:" not in html
    assert "---------" not in html and "请选择…" in html
    assert ">全部<" in html  # a blank choice with its own words keeps them


def test_in_english_the_colon_and_the_prompt_are_english():
    with translation.override("en"):
        html = Example().as_div()
    assert "---------" not in html
    assert "类型:" in html


def test_shared_choices_draw_the_blank_and_the_chosen_in_list_order():
    from gongjian.core.forms import SharedChoices

    choices = SharedChoices([("", "—"), (3, "丙"), (1, "甲"), (2, "乙")])
    assert choices.only(["2", "3", "9"]) == [("", "—"), (3, "丙"), (2, "乙")]
    assert choices.only([]) == [("", "—")]
    assert choices.has("1") and choices.has(1) and not choices.has("4")


def test_a_shared_choice_field_accepts_only_its_choices():
    from django.core.exceptions import ValidationError

    from gongjian.core.forms import SharedChoiceField, SharedChoices

    field = SharedChoiceField(required=False, coerce=int)
    field.choices = SharedChoices([("", "—"), (7, "王书记")])
    assert field.clean("7") == 7
    assert field.clean("") == ""
    with pytest.raises(ValidationError):
        field.clean("8")
