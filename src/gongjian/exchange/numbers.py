"""Numbers as people type them into cells and forms, read the same wherever they are read.

Full-width digits, point, sign and the minus sign (９０、８５．５、－5、−5) are read as their ASCII
forms; anything else that is not a finite decimal number is refused. A number the database column
cannot hold exactly (more decimal places, or more integer digits, than the column keeps) is
refused with the limit named, so SQLite (which would keep 85.12495) and PostgreSQL (which would
round it to 85.125) never hold different values for the same file.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

# NFKC maps full-width forms to ASCII but leaves the minus sign (U+2212) as it is.
_SIGNS = str.maketrans({"\u2212": "-"})


def read_decimal(raw: Any) -> Decimal:
    """A cell's or a form field's number; ValueError (in Chinese, naming the value) otherwise."""
    if isinstance(raw, bool):
        raise ValueError(_("“%(v)s”不是数字") % {"v": raw})
    if isinstance(raw, Decimal):
        value = raw
    else:
        text = unicodedata.normalize("NFKC", str(raw)).translate(_SIGNS).strip()
        try:
            value = Decimal(text)
        except (InvalidOperation, ValueError):
            raise ValueError(_("“%(v)s”不是数字") % {"v": raw}) from None
    if not value.is_finite():
        raise ValueError(_("“%(v)s”不是数字") % {"v": raw})
    return value


def decimal_places(value: Decimal) -> int:
    """How many decimal places the number needs (85.10 needs 1, 100 needs 0)."""
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def check_fits(value: Decimal, *, max_digits: int, places: int) -> None:
    """ValueError naming the limit when a numeric(max_digits, places) column cannot hold it."""
    if decimal_places(value) > places:
        raise ValueError(_("“%(v)s”的小数位过多：最多保留%(n)s位小数") % {"v": value, "n": places})
    if value != 0 and value.adjusted() >= max_digits - places:
        raise ValueError(
            _("“%(v)s”过大：整数部分最多%(n)s位") % {"v": value, "n": max_digits - places}
        )
