"""`{{ value|zh_amount }}`: an amount in 万元 as the meeting-room screen shows it (core.numbers)."""

from __future__ import annotations

from django import template

from gongjian.core.numbers import zh_amount as _zh_amount

register = template.Library()


@register.filter
def zh_amount(value: object) -> str:
    return _zh_amount(value)
