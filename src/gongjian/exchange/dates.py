"""Tolerant date reading for imported files: the forms people really type, never a guess.

Accepted: date/datetime cells, Excel serial numbers (1900 date system), and text such as
2026-12-01, 2026/12/1, 2026.12.1, 2026年12月1日 (with or without 日), 20261201. Anything else
(12/1/2026, 1.12.2026, 2026-13-01, "下月") is an error naming what was read.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _

EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01 (Excel's 1900-02-29 bug lies before 61)
# Serial numbers outside these years are more likely amounts or typos than dates.
SERIAL_MIN, SERIAL_MAX = 18264, 73051  # 1950-01-01 .. 2099-12-31

_SEPARATED = re.compile(
    r"^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?:[ T]0{1,2}:0{2}(?::0{2})?)?$"
)
_CHINESE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９／－．", "0123456789/-.")


class DateUnreadable(ValueError):
    pass


def parse_date(value: object) -> dt.date | None:
    """The date a cell means, None for an empty cell; DateUnreadable with a Chinese message."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0):
            raise DateUnreadable(_("日期不应带时间：%(v)s") % {"v": value.isoformat(sep=" ")})
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise DateUnreadable(_("无法识别的日期：%(v)s") % {"v": value})
    if isinstance(value, int | float):
        return _from_serial(value)
    text = str(value).strip()
    if not text:
        return None
    text = text.translate(_FULL_WIDTH)
    for pattern in (_SEPARATED, _CHINESE, _COMPACT):
        m = pattern.match(text)
        if m:
            return _make(int(m[1]), int(m[2]), int(m[3]), text)
    if re.fullmatch(r"\d+(\.0+)?", text):
        return _from_serial(float(text))
    raise DateUnreadable(
        _("无法识别的日期“%(v)s”，请写成 2026-12-01、2026/12/1 或 2026年12月1日") % {"v": text}
    )


def _from_serial(value: float) -> dt.date:
    if value != int(value):
        raise DateUnreadable(_("日期序号不应有小数：%(v)s") % {"v": value})
    n = int(value)
    if not SERIAL_MIN <= n <= SERIAL_MAX:
        raise DateUnreadable(_("无法识别的日期：%(v)s（不是合理的 Excel 日期序号）") % {"v": n})
    return EXCEL_EPOCH + dt.timedelta(days=n)


def _make(year: int, month: int, day: int, text: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise DateUnreadable(_("不存在的日期“%(v)s”") % {"v": text}) from exc
