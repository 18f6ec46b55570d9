"""Our password validator beside Django's: 等保 2.0 wants characters from three classes."""

from __future__ import annotations

import string
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = (
    set(string.ascii_uppercase),
    set(string.ascii_lowercase),
    set(string.digits),
)


def character_classes(password: str) -> int:
    """Upper, lower, digit, and anything else counts as a symbol."""
    found = sum(1 for chars in CLASSES if any(c in chars for c in password))
    symbols = any(not any(c in chars for chars in CLASSES) for c in password)
    return found + int(symbols)


class CharacterClassValidator:
    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return _("密码须包含大写字母、小写字母、数字、符号中的至少 %(n)s 类。") % {
            "n": self.min_classes
        }
