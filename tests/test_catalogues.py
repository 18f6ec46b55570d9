"""English is complete: every msgid of every catalogue has an English msgstr (no fuzzy guess), and
the compiled .mo carries it (`make messages` fills them from each app's locale/en/en.tsv)."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "gongjian"
CATALOGUES = sorted(SRC.glob("**/locale/en/LC_MESSAGES/django.po"))
ENTRY = re.compile(
    r'^(#, fuzzy.*\n)?(?:msgctxt "(?P<ctx>.*)"\n)?msgid "(?P<id>(?:[^"\\]|\\.)*)"\n'
    r'(?:msgid_plural "(?:[^"\\]|\\.)*"\n)?(?P<strs>(?:msgstr(?:\[\d\])? ".*"\n(?:".*"\n)*)+)',
    re.M,
)


def _unquote(s: str) -> str:
    return str(ast.literal_eval(f'"{s}"'))


def _entries(po: Path) -> list[tuple[bool, str, list[str]]]:
    out = []
    for m in ENTRY.finditer(po.read_text(encoding="utf-8")):
        if m["id"] == "":
            continue  # the header
        strs = [_unquote(s) for s in re.findall(r'"((?:[^"\\]|\\.)*)"', m["strs"])]
        out.append((bool(m.group(1)), _unquote(m["id"]), strs))
    return out


def test_every_app_has_a_catalogue():
    assert len(CATALOGUES) >= 7


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(SRC)))
def test_every_msgid_has_english_and_the_compiled_catalogue_has_it(po):
    entries = _entries(po)
    assert entries, po
    fuzzy = [msgid for is_fuzzy, msgid, _ in entries if is_fuzzy]
    empty = [msgid for _, msgid, strs in entries if not "".join(strs)]
    assert (fuzzy, empty) == ([], [])
    with po.with_suffix(".mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    stale = [
        msgid for _, msgid, _ in entries if "\x04" not in msgid and msgid not in compiled._catalog
    ]  # type: ignore[attr-defined]
    # plural entries are keyed (msgid, n) in the .mo
    stale = [m for m in stale if (m, 0) not in compiled._catalog]  # type: ignore[attr-defined]
    assert stale == []
