"""Forms a staffer understands: full-width colons, 请选择… instead of Django's dashes."""

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
