"""The national investment project code (全国投资项目在线审批监管平台的项目代码) and a contact's phone:
their form only, in plain functions (no database), so the sheet, the import and the API agree.

The code has 24 characters: four groups of digits joined by hyphens, `TTTT-RRRRRR-DD-KK-NNNNNN`
(e.g. 2020-350182-48-01-123456): the time code (the year, or since GB/T 40058-2021 the year and
month, YYMM), the six-digit administrative division (行政区划代码, a province code first), the
guiding department (2 digits), the project type (2 digits) and six more digits (a serial, or a
random part and a check digit); a check digit's algorithm is not published, so it is not checked.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from gongjian.core.errors import ValidationFailed

LENGTH = 24
_SHAPE = re.compile(r"^(\d{4})-(\d{6})-(\d{2})-(\d{2})-(\d{6})$")
_DASHES = re.compile(r"[‐‑‒–—―－_\s]+")
# The first two digits of a 行政区划代码 (GB/T 2260): provinces, Taiwan, Hong Kong and Macao.
PROVINCES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    ]
)


def normalise_code(raw: str) -> str:
    """The code as stored: other dashes and spaces as "-", and 20 bare digits grouped."""
    text = _DASHES.sub("-", (raw or "").strip()).strip("-")
    if re.fullmatch(r"\d{20}", text):
        text = f"{text[:4]}-{text[4:10]}-{text[10:12]}-{text[12:14]}-{text[14:]}"
    return text


def check_code(raw: str) -> str:
    """The normalised code, or ValidationFailed saying which part is wrong ("" stays "")."""
    code = normalise_code(raw)
    if not code:
        return ""
    match = _SHAPE.match(code)
    if match is None or len(code) != LENGTH:
        raise ValidationFailed(
            _("投资项目代码“%(v)s”格式不对：应为 24 位，如 2020-350182-48-01-123456。")
            % {"v": raw.strip()[:40]},
            field="investment_code",
        )
    time, region = match.group(1), match.group(2)
    year_only = 1990 <= int(time) <= 2099
    year_month = 1 <= int(time[2:]) <= 12
    if not (year_only or year_month):
        raise ValidationFailed(
            _("投资项目代码“%(v)s”的前 4 位应为年份或年月（如 2020 或 2104）。") % {"v": code},
            field="investment_code",
        )
    if region[:2] not in PROVINCES:
        raise ValidationFailed(
            _("投资项目代码“%(v)s”的第 6 至 11 位应为行政区划代码（如 350182）。") % {"v": code},
            field="investment_code",
        )
    return code


_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|\d{7,8})$")


def check_phone(raw: str) -> str:
    """A mobile (11 digits from 13…), a landline with its area code (0591-12345678), or a
    local number; spaces dropped, "+86" allowed."""
    phone = re.sub(r"[\s()（）]", "", (raw or "").strip()).replace("－", "-")
    if phone.startswith("+86"):
        phone = phone[3:].lstrip("-")
    if phone and not _PHONE.match(phone):
        raise ValidationFailed(
            _("联络人电话“%(v)s”格式不对：应为手机号或带区号的固定电话。")
            % {"v": raw.strip()[:30]},
            field="contact_phone",
        )
    return phone
